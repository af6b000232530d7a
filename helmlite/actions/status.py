"""``status``: a release's last (or given) revision, with its live resources on request
(Helm's ``pkg/action/status.go``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helmlite.actions.action import Config
from helmlite.actions.template import validate_release_name
from helmlite.backends.base import ResourceError, Session
from helmlite.release.model import Release

__all__ = ["ReleaseStatus", "StatusResult", "live_resources"]

# Workload kinds whose pods ``status --show-resources`` lists as ``v1/Pod(related)``.
_POD_OWNERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"})


@dataclass
class StatusResult:
    """The record and, with ``show_resources``, its live objects grouped as Helm groups them:
    ``[("v1/Service", [obj, …]), …, ("v1/Pod(related)", [pod, …])]``."""

    release: Release
    resources: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    # The cluster's time when the resources were read (their ages are relative to it).
    now: float = 0.0


@dataclass
class ReleaseStatus:
    """Options of ``helmlite status``; ``run`` returns a StatusResult."""

    config: Config
    namespace: str | None = None
    revision: int = 0
    show_resources: bool = False

    def run(self, name: str) -> StatusResult:
        """The status of ``name``. Raises ReleaseNotFound."""
        validate_release_name(name)
        if not self.show_resources:
            with self.config.reading(self.namespace) as storage:
                rel = storage.get(name, self.revision) if self.revision > 0 else storage.last(name)
            return StatusResult(rel)
        with self.config.session() as session:
            storage = self.config.storage(session, self.namespace)
            rel = storage.get(name, self.revision) if self.revision > 0 else storage.last(name)
            return StatusResult(rel, live_resources(session, rel), session.now())


def _group_key(obj: dict[str, Any]) -> str:
    version = str(obj.get("apiVersion", "")).rpartition("/")[2]
    return f"{version}/{obj.get('kind', '')}"


def live_resources(session: Session, release: Release) -> list[tuple[str, list[dict[str, Any]]]]:
    """The release's objects as they are in the cluster, grouped by ``version/Kind`` in
    manifest order, plus the pods of its workloads as ``v1/Pod(related)``."""
    from helmlite.actions.apply import build_resources

    groups: dict[str, list[dict[str, Any]]] = {}
    related: dict[str, dict[str, Any]] = {}
    for res in build_resources(session, release.manifest, release.namespace):
        live = session.get(res.ref)
        if live is None:
            continue
        groups.setdefault(_group_key(live), []).append(live)
        if res.ref.kind in _POD_OWNERS:
            for pod in _pods_of(session, live):
                related[pod["metadata"]["name"]] = pod
    out = list(groups.items())
    if related:
        out.append(("v1/Pod(related)", [related[k] for k in sorted(related)]))
    return out


def _pods_of(session: Session, workload: dict[str, Any]) -> list[dict[str, Any]]:
    selector = ((workload.get("spec") or {}).get("selector") or {})
    labels = selector.get("matchLabels") if isinstance(selector.get("matchLabels"), dict) else None
    if labels is None and workload.get("kind") in ("Job", "ReplicationController"):
        labels = selector if selector and all(isinstance(v, str) for v in selector.values()) else None
    if not labels:
        return []
    query = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    try:
        return session.list("v1", "Pod", namespace=workload["metadata"].get("namespace", ""), label_selector=query)
    except ResourceError:
        return []
