"""What every workload controller asks of a pod, defined once (Kubernetes' ``podutil``).

Readiness and availability drive ReplicaSet/Deployment/StatefulSet/DaemonSet status and
rollouts; "active" decides which pods count toward replicas; generated names use Kubernetes'
alphabet (``utilrand.String``: no vowels, no ambiguous characters) from the cluster's seeded RNG,
so a simulation replays identically.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = [
    "NAME_ALPHABET",
    "random_suffix",
    "generate_name",
    "template_hash",
    "pod_condition",
    "is_pod_ready",
    "is_pod_available",
    "is_pod_active",
    "is_pod_terminating",
    "parse_time",
]

# k8s.io/apimachinery/pkg/util/rand: consonants and digits that cannot spell words.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
# metadata.generateName suffix length (names.SimpleNameGenerator).
GENERATED_SUFFIX_LENGTH = 5
# Longest base a generated name keeps (63-character names minus the suffix).
MAX_GENERATED_BASE = 58


def random_suffix(rng: random.Random, length: int = GENERATED_SUFFIX_LENGTH) -> str:
    return "".join(rng.choice(NAME_ALPHABET) for _ in range(length))


def generate_name(base: str, rng: random.Random) -> str:
    """``metadata.generateName`` as the API server expands it: ``<base[:58]><5 chars>``."""
    return base[:MAX_GENERATED_BASE] + random_suffix(rng)


def template_hash(template: Mapping[str, Any], collision_count: int = 0) -> str:
    """``pod-template-hash``: a uint32 hash of the template, encoded as Kubernetes encodes it.

    Kubernetes hashes Go's ``%#v`` of the struct with FNV-32a, which cannot be reproduced
    outside Go, so this hashes canonical JSON instead; the encoding is Kubernetes'
    (``rand.SafeEncodeString`` of the decimal number), so values look like ``66b6c48dd5``.
    """
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"))
    if collision_count:
        canonical += f"#{collision_count}"
    value = int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:4], "big")
    return "".join(NAME_ALPHABET[ord(ch) % len(NAME_ALPHABET)] for ch in str(value))


def pod_condition(pod: Mapping[str, Any], condition_type: str) -> Mapping[str, Any] | None:
    for condition in pod.get("status", {}).get("conditions", ()) or ():
        if condition.get("type") == condition_type:
            return condition
    return None


def is_pod_ready(pod: Mapping[str, Any]) -> bool:
    """The pod's ``Ready`` condition is ``True``."""
    condition = pod_condition(pod, "Ready")
    return condition is not None and condition.get("status") == "True"


def is_pod_available(pod: Mapping[str, Any], min_ready_seconds: int, now: datetime) -> bool:
    """Ready for at least ``minReadySeconds`` (by the Ready condition's lastTransitionTime)."""
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    condition = pod_condition(pod, "Ready")
    since = parse_time(condition.get("lastTransitionTime") if condition else None)
    return since is not None and (now - since).total_seconds() >= min_ready_seconds


def is_pod_terminating(pod: Mapping[str, Any]) -> bool:
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def is_pod_active(pod: Mapping[str, Any]) -> bool:
    """Counts toward a controller's replicas: not finished and not being deleted."""
    phase = pod.get("status", {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not is_pod_terminating(pod)


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 timestamp as the API writes it (``2026-01-01T00:00:00Z``), or None."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
