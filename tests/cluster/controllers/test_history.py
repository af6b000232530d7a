"""ControllerRevisions: naming, numbering, rollbacks, pruning, and ``rollout history|undo``."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster, NotFoundError
from helmlite.cluster.controllers.daemonset import DaemonSetController
from helmlite.cluster.controllers.statefulset import StatefulSetController
from helmlite.cluster.history import (
    CHANGE_CAUSE_ANNOTATION,
    REVISION_HASH_LABEL,
    RollbackError,
    equal_revision,
    hash_revision,
    history_of,
    next_revision,
    revision_name,
    sort_revisions,
    template_of,
    template_patch,
    undo,
)

from .sts_ds_support import (
    KubeletStub,
    daemonset,
    live_pods,
    nginx_service,
    terminating_pods,
    web_statefulset,
)

NS = "default"


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[StatefulSetController(), DaemonSetController(), KubeletStub()])


def _rev(name: str, revision: int, created: str = "2026-01-01T00:00:00Z", data: Any = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "creationTimestamp": created}, "revision": revision, "data": data or {}}


def test_template_patch_round_trips() -> None:
    owner = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]},
                                   "metadata": {"labels": {"b": "2", "a": "1"}}}}}
    data = template_patch(owner)
    assert list(data["spec"]["template"]) == ["$patch", "metadata", "spec"]
    assert list(data["spec"]["template"]["metadata"]["labels"]) == ["a", "b"]  # Go re-encodes sorted
    assert template_of({"data": data}) == owner["spec"]["template"]


def test_hash_and_names() -> None:
    data = {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": "x"}}}}}
    first = hash_revision(data, 0)
    assert first == hash_revision(data, 0) and first != hash_revision(data, 1)
    assert set(first) <= set("bcdfghjklmnpqrstvwxz2456789") and 1 <= len(first) <= 10
    assert revision_name("web", first) == f"web-{first}"
    assert revision_name("x" * 300, "abc") == "x" * 223 + "-abc"


def test_sorting_and_equality() -> None:
    revisions = [_rev("c", 2), _rev("b", 1, "2026-01-01T00:00:05Z"), _rev("a", 1, "2026-01-01T00:00:05Z"), _rev("d", 1)]
    assert [r["metadata"]["name"] for r in sort_revisions(revisions)] == ["d", "a", "b", "c"]
    assert next_revision(sort_revisions(revisions)) == 3 and next_revision([]) == 1
    assert equal_revision(_rev("x", 1, data={"a": 1}), _rev("y", 5, data={"a": 1}))
    assert not equal_revision(_rev("x", 1, data={"a": 1}), _rev("x", 1, data={"a": 2}))
    assert equal_revision(None, None) and not equal_revision(None, _rev("x", 1))


def _set_image(cluster: Cluster, kind: str, name: str, image: str, cause: str | None = None) -> None:
    obj = cluster.store.get("apps/v1", kind, name, namespace=NS)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
    if cause:
        obj["metadata"].setdefault("annotations", {})[CHANGE_CAUSE_ANNOTATION] = cause
    cluster.store.replace(obj)


def _images(cluster: Cluster) -> set[str]:
    return {p["spec"]["containers"][0]["image"] for p in live_pods(cluster).values()}


def _sts_settled(cluster: Cluster) -> bool:
    s = cluster.store.get("apps/v1", "StatefulSet", "web", namespace=NS).get("status") or {}
    return (s.get("readyReplicas") == s.get("replicas") == s.get("updatedReplicas") == 2
            and s.get("currentRevision") == s.get("updateRevision") and not terminating_pods(cluster))


def test_statefulset_history_numbering_and_undo(cluster: Cluster) -> None:
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(2, claims=False))
    assert cluster.run_until(lambda: _sts_settled(cluster), 120)
    assert history_of(cluster, "StatefulSet", NS, "web") == [(1, None)]
    with pytest.raises(RollbackError, match="^no last revision to roll back to$"):
        undo(cluster, "statefulset", NS, "web")

    _set_image(cluster, "StatefulSet", "web", "nginx:1.25", cause="kubectl set image sts/web nginx=nginx:1.25")
    assert cluster.run_until(lambda: _sts_settled(cluster) and _images(cluster) == {"nginx:1.25"}, 300)
    assert history_of(cluster, "sts", NS, "web") == [(1, None), (2, "kubectl set image sts/web nginx=nginx:1.25")]
    revisions = {r["revision"]: r for r in cluster.store.list("apps/v1", "ControllerRevision", namespace=NS)}
    assert revisions[2]["metadata"]["labels"][REVISION_HASH_LABEL] == revisions[2]["metadata"]["name"][len("web-"):]

    assert undo(cluster, "StatefulSet", NS, "web") == "rolled back"
    assert cluster.run_until(lambda: _sts_settled(cluster) and _images(cluster) == {"nginx:1.23.2-alpine"}, 300)
    # the old revision is renumbered rather than duplicated
    assert [rev for rev, _ in history_of(cluster, "StatefulSet", NS, "web")] == [2, 3]
    status = cluster.store.get("apps/v1", "StatefulSet", "web", namespace=NS)["status"]
    assert status["updateRevision"] == revisions[1]["metadata"]["name"]

    assert undo(cluster, "StatefulSet", NS, "web", to_revision=3) == \
        "skipped rollback (current template already matches revision 3)"
    with pytest.raises(RollbackError, match="^unable to find specified revision 7 in history$"):
        undo(cluster, "StatefulSet", NS, "web", to_revision=7)
    assert undo(cluster, "StatefulSet", NS, "web", to_revision=2) == "rolled back"
    assert cluster.run_until(lambda: _sts_settled(cluster) and _images(cluster) == {"nginx:1.25"}, 300)
    assert [rev for rev, _ in history_of(cluster, "StatefulSet", NS, "web")] == [3, 4]


def test_statefulset_history_limit(cluster: Cluster) -> None:
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(2, claims=False, revisionHistoryLimit=2))
    assert cluster.run_until(lambda: _sts_settled(cluster), 120)
    for i in range(5):
        image = f"nginx:1.{i}"
        _set_image(cluster, "StatefulSet", "web", image)
        assert cluster.run_until(lambda: _sts_settled(cluster) and _images(cluster) == {image}, 300)  # noqa: B023
    assert [rev for rev, _ in history_of(cluster, "StatefulSet", NS, "web")] == [4, 5, 6]  # 2 old + the live one


def _ds_settled(cluster: Cluster) -> bool:
    s = cluster.store.get("apps/v1", "DaemonSet", "fluentd", namespace=NS).get("status") or {}
    return (s.get("updatedNumberScheduled") == s.get("numberAvailable") == s.get("desiredNumberScheduled") == 3
            and not terminating_pods(cluster) and len(live_pods(cluster)) == 3)


def test_daemonset_history_numbering_and_undo(cluster: Cluster) -> None:
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: _ds_settled(cluster), 60)
    assert history_of(cluster, "daemonset", NS, "fluentd") == [(1, None)]
    _set_image(cluster, "DaemonSet", "fluentd", "fluentd:v2")
    assert cluster.run_until(lambda: _ds_settled(cluster) and _images(cluster) == {"fluentd:v2"}, 120)
    assert history_of(cluster, "ds", NS, "fluentd") == [(1, None), (2, None)]
    assert undo(cluster, "DaemonSet", NS, "fluentd", to_revision=1) == "rolled back"
    assert cluster.run_until(lambda: _ds_settled(cluster) and _images(cluster) == {"fluentd:v1.16"}, 120)
    assert history_of(cluster, "DaemonSet", NS, "fluentd") == [(2, None), (3, None)]
    revisions = sorted(cluster.store.list("apps/v1", "ControllerRevision", namespace=NS), key=lambda r: r["revision"])
    hash_ = revisions[-1]["metadata"]["labels"]["controller-revision-hash"]
    assert revisions[-1]["metadata"]["name"] == f"fluentd-{hash_}"
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in live_pods(cluster).values()} == {hash_}


def test_daemonset_history_limit(cluster: Cluster) -> None:
    cluster.store.create(daemonset(revisionHistoryLimit=1))
    assert cluster.run_until(lambda: _ds_settled(cluster), 60)
    for image in ("fluentd:v2", "fluentd:v3", "fluentd:v4"):
        _set_image(cluster, "DaemonSet", "fluentd", image)
        assert cluster.run_until(lambda: _ds_settled(cluster) and _images(cluster) == {image}, 120)  # noqa: B023
    assert [rev for rev, _ in history_of(cluster, "DaemonSet", NS, "fluentd")] == [3, 4]


def test_rollout_errors(cluster: Cluster) -> None:
    with pytest.raises(NotFoundError):
        history_of(cluster, "StatefulSet", NS, "missing")
    with pytest.raises(ValueError, match="Deployment"):
        undo(cluster, "Deployment", NS, "web")
