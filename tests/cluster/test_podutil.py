"""Pod predicates and generated names shared by the workload controllers."""

from __future__ import annotations

import random
from datetime import datetime, timezone

from helmlite.cluster import podutil


def _pod(ready: str | None, since: str = "2026-01-01T00:00:00Z", phase: str = "Running", deleting: bool = False):
    conditions = [] if ready is None else [{"type": "Ready", "status": ready, "lastTransitionTime": since}]
    meta = {"name": "p", "deletionTimestamp": "2026-01-01T00:01:00Z"} if deleting else {"name": "p"}
    return {"metadata": meta, "status": {"phase": phase, "conditions": conditions}}


def test_template_hash_is_stable_and_spelled_like_kubernetes() -> None:
    first = podutil.template_hash({"spec": {"containers": [{"image": "nginx:1.27"}]}})
    assert first == podutil.template_hash({"spec": {"containers": [{"image": "nginx:1.27"}]}})
    assert first != podutil.template_hash({"spec": {"containers": [{"image": "nginx:1.28"}]}})
    assert first != podutil.template_hash({"spec": {"containers": [{"image": "nginx:1.27"}]}}, collision_count=1)
    # SafeEncodeString of decimal digits only ever yields these ten characters.
    assert set(first) <= set("456789bcdf") and 1 <= len(first) <= 10


def test_generated_names_use_the_seeded_rng_and_the_safe_alphabet() -> None:
    a = podutil.generate_name("web-66b6c48dd5-", random.Random(7))
    assert a == podutil.generate_name("web-66b6c48dd5-", random.Random(7))
    suffix = a[len("web-66b6c48dd5-"):]
    assert len(suffix) == 5 and set(suffix) <= set(podutil.NAME_ALPHABET)
    assert len(podutil.generate_name("x" * 80, random.Random(0))) == 63


def test_ready_available_active() -> None:
    now = datetime(2026, 1, 1, 0, 0, 30, tzinfo=timezone.utc)
    assert podutil.is_pod_ready(_pod("True")) and not podutil.is_pod_ready(_pod("False"))
    assert not podutil.is_pod_ready(_pod(None))
    assert podutil.is_pod_available(_pod("True"), 30, now)
    assert not podutil.is_pod_available(_pod("True"), 31, now)
    assert podutil.is_pod_available(_pod("True"), 0, now)
    assert podutil.is_pod_active(_pod("True"))
    assert not podutil.is_pod_active(_pod("True", phase="Succeeded"))
    assert not podutil.is_pod_active(_pod("True", deleting=True))
