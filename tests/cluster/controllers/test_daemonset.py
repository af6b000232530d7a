"""The DaemonSet controller: one pod per eligible node, node changes, rolling updates (DS-01..DS-11)."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.daemonset import (
    DAEMON_TOLERATIONS,
    REVISION_LABEL,
    DaemonSetController,
    daemon_tolerations,
    node_should_run,
)
from helmlite.cluster.controllers.scheduler import node_matches_required_affinity
from helmlite.cluster.podutil import NAME_ALPHABET
from helmlite.cluster.store import WatchEvent

from .sts_ds_support import (
    KubeletStub,
    add_node,
    daemonset,
    events_of,
    live_pods,
    set_phase,
    set_running,
    terminating_pods,
)

NS = "default"


@pytest.fixture
def stub() -> KubeletStub:
    return KubeletStub()


@pytest.fixture
def cluster(stub: KubeletStub) -> Cluster:
    return Cluster.in_memory(controllers=[DaemonSetController(), stub])


def ds_status(cluster: Cluster, name: str = "fluentd") -> dict[str, Any]:
    return cluster.store.get("apps/v1", "DaemonSet", name, namespace=NS).get("status") or {}


def pods_by_node(cluster: Cluster) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, pod in live_pods(cluster).items():
        node = pod["spec"].get("nodeName") or "?"
        out.setdefault(node, []).append(name)
    return {k: sorted(v) for k, v in sorted(out.items())}


def rolled_out(cluster: Cluster, desired: int) -> bool:
    s = ds_status(cluster)
    return (s.get("desiredNumberScheduled") == desired == s.get("updatedNumberScheduled") == s.get("numberAvailable")
            == s.get("currentNumberScheduled") and not terminating_pods(cluster)
            and len(live_pods(cluster)) == desired)


def set_image(cluster: Cluster, image: str, name: str = "fluentd") -> None:
    obj = cluster.store.get("apps/v1", "DaemonSet", name, namespace=NS)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
    cluster.store.replace(obj)


def label_node(cluster: Cluster, node: str, labels: dict[str, str | None]) -> None:
    cluster.store.patch("v1", "Node", node, {"metadata": {"labels": labels}}, field_manager="kubectl-label")


def image_of(pod: dict[str, Any]) -> str:
    return str(pod["spec"]["containers"][0]["image"])


# --- one pod per node -----------------------------------------------------------------------------

def test_one_pod_per_node_pinned_by_node_affinity(cluster: Cluster) -> None:
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: rolled_out(cluster, 3), timeout=60)
    by_node = pods_by_node(cluster)
    assert list(by_node) == ["node-1", "node-2", "node-3"] and all(len(v) == 1 for v in by_node.values())
    ds = cluster.store.get("apps/v1", "DaemonSet", "fluentd", namespace=NS)
    revisions = cluster.store.list("apps/v1", "ControllerRevision", namespace=NS)
    assert len(revisions) == 1 and revisions[0]["revision"] == 1
    hash_ = revisions[0]["metadata"]["labels"][REVISION_LABEL]
    assert revisions[0]["metadata"]["name"] == f"fluentd-{hash_}"
    for node, (name,) in by_node.items():
        pod = live_pods(cluster)[name]
        assert name.startswith("fluentd-") and len(name) == len("fluentd-") + 5
        assert all(ch in NAME_ALPHABET for ch in name[len("fluentd-"):])
        assert pod["metadata"]["labels"] == {"app": "fluentd", REVISION_LABEL: hash_}
        assert pod["metadata"]["ownerReferences"][0]["uid"] == ds["metadata"]["uid"]
        assert pod["spec"]["affinity"] == {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
        keys = [(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]]
        assert keys[:6] == [(t["key"], t["effect"]) for t in DAEMON_TOLERATIONS]
    created = [m for r, m in events_of(cluster, "fluentd") if r == "SuccessfulCreate"]
    assert sorted(created) == sorted(f"Created pod: {n}" for (n,) in by_node.values())
    assert ds["status"] == {"currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3,
                            "numberReady": 3, "observedGeneration": 1, "updatedNumberScheduled": 3,
                            "numberAvailable": 3}


def test_follows_a_node_label_change(cluster: Cluster) -> None:
    """DS-03/F-60: nodeSelector disktype=ssd; labelling a node adds its pod, unlabelling removes it."""
    cluster.store.create(daemonset(nodeSelector={"disktype": "ssd"}))
    cluster.advance(10)
    assert live_pods(cluster) == {} and ds_status(cluster)["desiredNumberScheduled"] == 0
    label_node(cluster, "node-2", {"disktype": "ssd"})
    cluster.reconcile()
    assert list(pods_by_node(cluster)) == ["node-2"]
    assert rolled_out(cluster, 1)
    label_node(cluster, "node-3", {"disktype": "ssd"})
    assert cluster.run_until(lambda: rolled_out(cluster, 2), 30)
    assert list(pods_by_node(cluster)) == ["node-2", "node-3"]
    (gone,) = pods_by_node(cluster)["node-2"]
    label_node(cluster, "node-2", {"disktype": None})
    cluster.reconcile()
    assert terminating_pods(cluster) == [gone]
    assert ("SuccessfulDelete", f"Deleted pod: {gone}") in events_of(cluster, "fluentd")
    assert cluster.run_until(lambda: rolled_out(cluster, 1), 60)
    assert list(pods_by_node(cluster)) == ["node-3"]


def test_nodes_added_and_removed(cluster: Cluster) -> None:
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    add_node(cluster, "node-4", 4)
    cluster.reconcile()
    assert cluster.run_until(lambda: rolled_out(cluster, 4), 30)
    assert "node-4" in pods_by_node(cluster)
    cluster.store.delete("v1", "Node", "node-1")
    cluster.reconcile()
    s = ds_status(cluster)
    assert s["desiredNumberScheduled"] == 3 and s["currentNumberScheduled"] == 3


def test_unscheduled_pod_for_a_vanished_node_is_deleted() -> None:
    cluster = Cluster.in_memory(controllers=[DaemonSetController()])  # no scheduler: pods stay unbound
    cluster.store.create(daemonset(nodeSelector={"pool": "x"}))
    add_node(cluster, "node-9", 9, labels={"pool": "x"})
    cluster.reconcile()
    (pod,) = live_pods(cluster).values()
    assert not pod["spec"].get("nodeName")
    assert ds_status(cluster)["currentNumberScheduled"] == 1
    cluster.store.delete("v1", "Node", "node-9")
    cluster.reconcile()
    assert live_pods(cluster) == {}
    assert ds_status(cluster)["desiredNumberScheduled"] == 0


def test_misscheduled_pods_are_counted_and_removed(cluster: Cluster) -> None:
    cluster.store.create(daemonset(nodeSelector={"role": "logs"}))
    for node in ("node-1", "node-2"):
        label_node(cluster, node, {"role": "logs"})
    assert cluster.run_until(lambda: rolled_out(cluster, 2), 30)
    label_node(cluster, "node-1", {"role": None})
    cluster.reconcile()
    assert cluster.run_until(lambda: rolled_out(cluster, 1), 30)
    assert ds_status(cluster)["numberMisscheduled"] == 0


# --- taints and tolerations -----------------------------------------------------------------------

def _node(labels: dict[str, str] | None = None, taints: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": "n1", "labels": labels or {}}, "spec": {"taints": taints or []}}


def _ds(**pod_spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}], **pod_spec}}}}


@pytest.mark.parametrize(("taint", "pod_spec", "verdict"), [
    ({"key": "dedicated", "value": "db", "effect": "NoSchedule"}, {}, (False, True)),
    ({"key": "dedicated", "value": "db", "effect": "NoExecute"}, {}, (False, False)),
    ({"key": "dedicated", "value": "db", "effect": "PreferNoSchedule"}, {}, (True, True)),
    ({"key": "dedicated", "value": "db", "effect": "NoSchedule"},
     {"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]}, (True, True)),
    ({"key": "dedicated", "value": "db", "effect": "NoSchedule"},
     {"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web"}]}, (False, True)),
    ({"key": "dedicated", "value": "db", "effect": "NoExecute"},
     {"tolerations": [{"key": "dedicated", "operator": "Exists"}]}, (True, True)),
    ({"key": "dedicated", "value": "db", "effect": "NoExecute"}, {"tolerations": [{"operator": "Exists"}]}, (True, True)),
    ({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}, {}, (False, True)),
    ({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
     {"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                       "effect": "NoSchedule"}]}, (True, True)),
    # the tolerations every DaemonSet pod gets
    ({"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}, {}, (True, True)),
    ({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}, {}, (True, True)),
    ({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}, {}, (True, True)),
    ({"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"}, {}, (True, True)),
    ({"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}, {}, (True, True)),
    ({"key": "node.kubernetes.io/pid-pressure", "effect": "NoSchedule"}, {}, (True, True)),
    ({"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}, {}, (False, True)),
    ({"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}, {"hostNetwork": True}, (True, True)),
])
def test_taints_and_tolerations(taint: dict[str, str], pod_spec: dict[str, Any], verdict: tuple[bool, bool]) -> None:
    assert node_should_run(_node(taints=[taint]), _ds(**pod_spec)) == verdict


@pytest.mark.parametrize(("pod_spec", "labels", "fits"), [
    ({}, {}, True),
    ({"nodeSelector": {"disktype": "ssd"}}, {"disktype": "ssd"}, True),
    ({"nodeSelector": {"disktype": "ssd"}}, {"disktype": "hdd"}, False),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}}, {"zone": "b"}, True),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]},
    ]}}}}, {"zone": "a"}, False),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["x"]}]},
        {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
    ]}}}}, {"gpu": "1"}, True),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}]}}}}, {"cores": "8"}, True),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["4"]}]}]}}}}, {"cores": "8"}, False),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}}, {}, True),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {}]}}}}, {}, False),
])
def test_node_selector_and_required_affinity(pod_spec: dict[str, Any], labels: dict[str, str], fits: bool) -> None:
    assert node_matches_required_affinity(pod_spec, _node(labels)) is fits


def test_default_tolerations_replace_equal_ones_and_add_the_rest() -> None:
    spec = {"tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                             "tolerationSeconds": 30}, {"key": "x", "operator": "Exists"}]}
    tolerations = daemon_tolerations(spec)
    assert tolerations[0] == {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}
    assert tolerations[1] == {"key": "x", "operator": "Exists"}
    assert len(tolerations) == 7


def test_tainted_nodes_in_a_cluster(cluster: Cluster) -> None:
    add_node(cluster, "master-1", 10, taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    assert "master-1" not in pods_by_node(cluster)
    cluster.store.create(daemonset("calico-node", tolerations=[{"operator": "Exists"}]))
    cluster.advance(5)
    calico = [p for p in live_pods(cluster).values() if p["metadata"]["name"].startswith("calico-node-")]
    assert sorted(p["spec"]["nodeName"] for p in calico) == ["master-1", "node-1", "node-2", "node-3"]
    # a NoExecute taint evicts the untolerating daemon pod; a NoSchedule one would not
    cluster.store.patch("v1", "Node", "node-3", {"spec": {"taints": [{"key": "maint", "effect": "NoSchedule"}]}})
    cluster.reconcile()
    assert "node-3" in pods_by_node(cluster) and not terminating_pods(cluster)
    assert ds_status(cluster)["desiredNumberScheduled"] == 2 and ds_status(cluster)["numberMisscheduled"] == 1
    cluster.store.patch("v1", "Node", "node-3", {"spec": {"taints": [{"key": "maint", "effect": "NoExecute"}]}})
    cluster.reconcile()
    assert len(terminating_pods(cluster)) == 1


# --- updates --------------------------------------------------------------------------------------

def _track_unavailable(cluster: Cluster, image: str) -> list[int]:
    """Record, after every pod change, how many nodes lack an available pod of any revision."""
    seen: list[int] = []

    def watch(event: WatchEvent) -> None:
        if event.kind.kind != "Pod":
            return
        nodes = {n["metadata"]["name"] for n in cluster.store.peek_all("", "Node")}
        covered = {p["spec"].get("nodeName") for p in cluster.store.peek_all("", "Pod", NS)
                   if not p["metadata"].get("deletionTimestamp") and (p.get("status") or {}).get("phase") == "Running"
                   and any(c.get("type") == "Ready" and c.get("status") == "True"
                           for c in p["status"].get("conditions") or [])}
        seen.append(len(nodes - covered))

    cluster.store.add_listener(watch)
    return seen


@pytest.mark.parametrize(("max_unavailable", "expected"), [(1, 1), (2, 2), ("50%", 2), ("34%", 2), ("33%", 1)])
def test_rolling_update_respects_max_unavailable(cluster: Cluster, max_unavailable: Any, expected: int) -> None:
    cluster.store.create(daemonset(updateStrategy={"type": "RollingUpdate",
                                                   "rollingUpdate": {"maxUnavailable": max_unavailable, "maxSurge": 0}}))
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    seen = _track_unavailable(cluster, "fluentd:v2")
    set_image(cluster, "fluentd:v2")
    cluster.reconcile()
    assert len(terminating_pods(cluster)) == expected
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 120)
    assert max(seen) == expected
    assert {image_of(p) for p in live_pods(cluster).values()} == {"fluentd:v2"}
    assert [r["revision"] for r in cluster.store.list("apps/v1", "ControllerRevision", namespace=NS)] in ([1, 2], [2, 1])


def test_rolling_update_replaces_unavailable_old_pods_first(cluster: Cluster) -> None:
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    sick = pods_by_node(cluster)["node-3"][0]
    set_running(cluster, NS, sick, ready=False)
    set_image(cluster, "fluentd:v2")
    cluster.reconcile()
    assert terminating_pods(cluster) == [sick]


def test_max_surge_starts_the_new_pod_beside_the_old_one(cluster: Cluster, stub: KubeletStub) -> None:
    cluster.store.create(daemonset(updateStrategy={"type": "RollingUpdate",
                                                   "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}))
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    stub.start_seconds = 5
    seen = _track_unavailable(cluster, "fluentd:v2")
    set_image(cluster, "fluentd:v2")
    cluster.reconcile()
    cluster.advance(1)
    by_node = pods_by_node(cluster)
    assert sorted(len(v) for v in by_node.values()) == [1, 1, 2]  # one node surges
    assert not terminating_pods(cluster)
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 120)
    assert max(seen) == 0  # no node was ever without a ready daemon pod


def test_on_delete_waits_for_the_user(cluster: Cluster) -> None:
    cluster.store.create(daemonset(updateStrategy={"type": "OnDelete"}))
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    set_image(cluster, "fluentd:v2")
    cluster.advance(60)
    assert {image_of(p) for p in live_pods(cluster).values()} == {"fluentd:v1.16"}
    assert ds_status(cluster).get("updatedNumberScheduled", 0) == 0
    victim = pods_by_node(cluster)["node-2"][0]
    cluster.store.delete("v1", "Pod", victim, namespace=NS)
    assert cluster.run_until(lambda: ds_status(cluster).get("updatedNumberScheduled") == 1
                             and ds_status(cluster).get("numberAvailable") == 3, 60)
    assert image_of(live_pods(cluster)[pods_by_node(cluster)["node-2"][0]]) == "fluentd:v2"


def test_failed_daemon_pods_are_killed_and_replaced(cluster: Cluster) -> None:
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    victim = pods_by_node(cluster)["node-1"][0]
    set_phase(cluster, NS, victim, "Failed")
    cluster.reconcile()
    assert ("FailedDaemonPod",
            f"Found failed daemon pod default/{victim} on node node-1, will try to kill it") in events_of(cluster, "fluentd")
    assert cluster.run_until(lambda: rolled_out(cluster, 3) and victim not in live_pods(cluster), 60)


def test_min_ready_seconds(cluster: Cluster) -> None:
    cluster.store.create(daemonset(minReadySeconds=30))
    cluster.advance(1)
    s = ds_status(cluster)
    assert (s["numberReady"], s.get("numberAvailable", 0), s["numberUnavailable"]) == (3, 0, 3)
    cluster.advance(30)
    s = ds_status(cluster)
    assert (s["numberAvailable"], s.get("numberUnavailable", 0)) == (3, 0)


def test_deleting_the_daemonset_deletes_its_pods(cluster: Cluster) -> None:
    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: rolled_out(cluster, 3), 30)
    cluster.store.delete("apps/v1", "DaemonSet", "fluentd", namespace=NS, propagation_policy="Background")
    assert cluster.run_until(lambda: not cluster.store.list("v1", "Pod", namespace=NS)
                             and not cluster.store.list("apps/v1", "ControllerRevision", namespace=NS), 60)


def test_template_node_name_and_generation_annotation(cluster: Cluster) -> None:
    manifest = daemonset()
    manifest["spec"]["template"]["spec"]["nodeName"] = "node-2"
    manifest["metadata"]["annotations"] = {"deprecated.daemonset.template.generation": "4"}
    cluster.store.create(manifest)
    cluster.advance(5)
    (pod,) = live_pods(cluster).values()
    assert pod["spec"]["nodeName"] == "node-2"
    assert pod["metadata"]["labels"]["pod-template-generation"] == "4"
    s = ds_status(cluster)
    assert (s["desiredNumberScheduled"], s["numberReady"]) == (1, 1)


def test_a_deleted_daemonset_leaves_no_compiled_selector_behind() -> None:
    """Regression: the selector cache kept every deleted DaemonSet's selector (a leak in a
    long-lived cluster). An orphan pod makes the controller compile it; deletion must drop it."""
    controller = DaemonSetController()
    cluster = Cluster.in_memory(controllers=[controller, KubeletStub()])
    cluster.store.create(daemonset())
    cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "stray", "namespace": NS, "labels": {"app": "fluentd"}},
                          "spec": {"containers": [{"name": "app", "image": "fluentd"}]}})
    cluster.reconcile()
    uid = cluster.store.get("apps/v1", "DaemonSet", "fluentd", namespace=NS)["metadata"]["uid"]
    assert controller._selectors.cached(uid) is not None
    cluster.store.delete("apps/v1", "DaemonSet", "fluentd", namespace=NS)
    cluster.reconcile()
    assert controller._selectors.cached(uid) is None
