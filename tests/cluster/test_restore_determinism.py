"""A cluster reopened from its file at every command behaves as one that stayed in memory (issue #3).

Every CLI command restores the simulator from the cluster file, catches it up, applies its
change and commits; controllers are rebuilt from scratch each time. So any state a controller
keeps only in memory (an allocator position, a "first seen" time, an announcement already
made) or any order it takes from the store's iteration (creation order in a live store,
storage order in a restored one) makes the outcome depend on how the steps were split into
commands. The property test runs the invariant machine's random steps on an in-memory cluster
and on a twin reopened from its file for every step, and demands identical state digests; the
regression tests pin each divergence found that way.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.nodelifecycle import add_node, cordon, uncordon
from helmlite.cluster.faults import add_fault, remove_fault

from .test_invariants import (
    MANAGER,
    NS,
    STATEFULSETS,
    SimulatorMachine,
    apply,
    cluster_state,
    daemonset_manifest,
    headless_service,
)

T0 = 1_800_000_000.0  # the wall clock stands still: time moves only when a step advances it
Step = Callable[[Cluster], object]


def _open(path: Path, seed: int) -> Any:
    return Cluster.open(path, seed=seed, wall_clock=lambda: T0)


class ReopenedTwin:
    """A cluster that lives in a file and is reopened (restored from scratch) for every step."""

    def __init__(self, path: Path, seed: int) -> None:
        self.path, self.seed = path, seed

    def run(self, step: Step) -> None:
        with _open(self.path, self.seed) as cluster:
            step(cluster)

    def state(self) -> str:
        with _open(self.path, self.seed) as cluster:
            return cluster_state(cluster)

    def read(self, look: Callable[[Cluster], Any]) -> Any:
        with _open(self.path, self.seed) as cluster:
            return look(cluster)


def run_twins(tmp_path: Path, steps: Sequence[Step], seed: int = 0) -> tuple[Cluster, ReopenedTwin]:
    """Run ``steps`` on an in-memory cluster and on a reopened twin, comparing states after each."""
    memory = Cluster.in_memory(seed)
    twin = ReopenedTwin(tmp_path / "cluster.db", seed)
    twin.run(lambda c: None)  # create the file from the same seed
    for number, step in enumerate(steps, 1):
        step(memory)
        memory.reconcile()
        twin.run(step)
        assert cluster_state(memory) == twin.state(), f"the reopened twin diverged at step {number}"
    return memory, twin


# --- the property --------------------------------------------------------------------------------

class ReopenedMachine(SimulatorMachine):
    """The invariant machine, its second twin replaced by one reopened from a file every step."""

    twin: ReopenedTwin
    directory: str | None = None

    def each(self, operation: Callable[[Cluster], object]) -> None:
        memory = self.clusters[0]
        operation(memory)
        memory.reconcile()
        self.twin.run(operation)

    @initialize(seed=st.integers(0, 2**32 - 1))
    def start(self, seed: int) -> None:
        self.directory = tempfile.mkdtemp(prefix="helmlite-restore-")
        self.twin = ReopenedTwin(Path(self.directory) / "cluster.db", seed)
        self.clusters = [Cluster.in_memory(seed)]

        def services(cluster: Cluster) -> None:
            for name in STATEFULSETS:
                cluster.store.create(headless_service(name), field_manager=MANAGER)
        self.each(services)

    @invariant()
    def twins_agree(self) -> None:
        if self.clusters:
            assert cluster_state(self.clusters[0]) == self.twin.state(), "the reopened twin diverged"

    def teardown(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


# Every step opens the file twice (the step, then the comparison): fewer, shorter runs than the
# in-memory machine keep CI fast; HELMLITE_HYPOTHESIS_PROFILE=long does not change them.
ReopenedMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TestReopenedTwinAgrees = ReopenedMachine.TestCase


# --- regressions -----------------------------------------------------------------------------------

def _pod(name: str, node: str, command: str = "sleep 3600") -> dict[str, Any]:
    """A pod bound to ``node`` (left to the scheduler if empty) whose shell ignores SIGTERM."""
    spec: dict[str, Any] = {"restartPolicy": "Never", "containers": [
        {"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", command]}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def _create(manifest: dict[str, Any]) -> Step:
    return lambda c: c.store.create(copy.deepcopy(manifest), field_manager=MANAGER)


def _delete_pod(name: str, grace: int | None = None) -> Step:
    return lambda c: c.store.delete("v1", "Pod", name, namespace=NS, grace_period_seconds=grace)


def _pod_ip(name: str) -> Callable[[Cluster], str]:
    return lambda c: (c.store.get("v1", "Pod", name, namespace=NS).get("status") or {}).get("podIP", "")


def test_a_freed_pod_ip_is_not_reused_after_a_reopen(tmp_path: Path) -> None:
    """host-local IPAM hands out the next IP after the last one reserved, also across commands:
    the reservation outlives the process, so the freed highest IP is not handed out again."""
    memory, twin = run_twins(tmp_path, [
        _create(_pod("first", "node-1")),
        _create(_pod("second", "node-1")),
        _delete_pod("second", grace=0),
        _create(_pod("third", "node-1")),
    ])
    assert _pod_ip("first")(memory) == "10.244.1.2"
    assert _pod_ip("third")(memory) == twin.read(_pod_ip("third")) == "10.244.1.4"


def test_a_re_added_node_starts_its_pod_ips_afresh(tmp_path: Path) -> None:
    """A node deleted and registered again under its name is a new machine: no reservation."""
    memory, twin = run_twins(tmp_path, [
        _create(_pod("first", "node-1")),
        _delete_pod("first", grace=0),
        lambda c: c.store.delete("v1", "Node", "node-1"),
        lambda c: add_node(c, "node-1"),
        _create(_pod("again", "node-1")),
    ])
    assert _pod_ip("again")(memory) == twin.read(_pod_ip("again")) == "10.244.1.2"


def _killing_counts(cluster: Cluster, pod: str) -> list[int]:
    return [e.get("count", 1) for e in cluster.store.peek_all("", "Event", NS)
            if e["involvedObject"]["name"] == pod and e["reason"] == "Killing"]


def test_a_pod_kill_is_announced_once_when_the_next_command_comes_in_the_same_second(tmp_path: Path) -> None:
    """``Killing`` is recorded when the kubelet starts stopping the pod; a later command that
    syncs the still-terminating pod (here: a fault change re-syncs every pod) must not record it
    again, even in the same virtual second (a CLI command at once after the delete)."""
    memory, twin = run_twins(tmp_path, [
        _create(_pod("slow", "node-1")),  # sh as PID 1 ignores SIGTERM: it stops after the grace period
        lambda c: c.advance(20),
        _delete_pod("slow"),
        lambda c: add_fault(c, {"kind": "image-pull", "image": "nginx:9.9"}),
        lambda c: c.advance(40),
    ])
    assert _killing_counts(memory, "slow") == twin.read(lambda c: _killing_counts(c, "slow")) == [1]
    assert memory.store.peek("", "Pod", NS, "slow") is None


def test_a_toleration_counts_from_when_an_undated_taint_was_first_seen(tmp_path: Path) -> None:
    """A NoExecute taint without ``timeAdded`` counts from when the taint manager first saw it;
    a command reopening the cluster must count from the same instant."""
    tolerant = _pod("tolerant", "node-1")
    tolerant["spec"]["tolerations"] = [{"key": "maintenance", "operator": "Exists", "effect": "NoExecute",
                                        "tolerationSeconds": 60}]

    def taint(cluster: Cluster) -> None:
        cluster.store.patch("v1", "Node", "node-1", {"spec": {"taints": [
            {"key": "maintenance", "effect": "NoExecute"}]}}, field_manager=MANAGER)

    def evicted(cluster: Cluster) -> bool:
        pod = cluster.store.peek("", "Pod", NS, "tolerant")
        return pod is None or bool(pod["metadata"].get("deletionTimestamp"))

    memory, twin = run_twins(tmp_path, [
        _create(tolerant),
        lambda c: c.advance(5),
        taint,
        lambda c: c.advance(30),
        lambda c: c.advance(29),
    ])
    assert not evicted(memory) and not twin.read(evicted)
    twin.run(lambda c: c.advance(2))
    memory.advance(2)
    assert evicted(memory) and twin.read(evicted)
    assert cluster_state(memory) == twin.state()


def test_pods_of_a_recovering_node_get_their_events_in_name_order(tmp_path: Path) -> None:
    """Controllers must not take an order from the store's iteration: a live store iterates in
    creation order, a restored one in storage order. Here the taint manager cancels the
    pending evictions of a node that recovers, for pods created in reverse name order."""
    fault: list[str] = []
    memory, _twin = run_twins(tmp_path, [
        _create(_pod("zz", "node-1")),
        _create(_pod("aa", "node-1")),
        lambda c: c.advance(10),
        lambda c: fault.append(add_fault(c, {"kind": "node-not-ready", "node": "node-1", "mode": "not-ready"})),
        lambda c: c.advance(5),
        lambda c: remove_fault(c, fault[-1]),
    ])
    cancelled = sorted((int(e["metadata"]["resourceVersion"]), e["involvedObject"]["name"])
                       for e in memory.store.peek_all("", "Event", NS) if e["reason"] == "TaintManagerEviction")
    assert [name for _rv, name in cancelled] == ["aa", "zz"]


def test_an_unschedulable_pod_is_retried_when_a_node_frees_up_after_a_reopen(tmp_path: Path) -> None:
    """The scheduler's unschedulable queue (and its back-off) survives the command: uncordoning
    a node in a later command schedules the waiting pods at once, not at the 5-minute flush,
    and in the same order (the pods were queued in reverse name order)."""
    memory, twin = run_twins(tmp_path, [
        *(lambda c, n=node: cordon(c, n) for node in ("node-1", "node-2", "node-3")),
        _create(_pod("waiting", "")),
        _create(_pod("also-waiting", "")),
        lambda c: c.advance(5),
        lambda c: uncordon(c, "node-2"),
    ])
    assert memory.store.get("v1", "Pod", "waiting", namespace=NS)["spec"].get("nodeName") == "node-2"
    assert [_pod_ip(name)(memory) for name in ("also-waiting", "waiting")] == ["10.244.2.2", "10.244.2.3"]
    assert twin.read(_pod_ip("waiting")) == "10.244.2.3"


def test_daemon_sets_sync_in_name_order_when_a_node_joins(tmp_path: Path) -> None:
    """Two DaemonSets created in reverse name order both react to a new node in the same order
    whether or not the cluster was reopened in between."""
    run_twins(tmp_path, [
        lambda c: apply(c, daemonset_manifest("ds2", "nginx:1.25")),
        lambda c: apply(c, daemonset_manifest("ds1", "nginx:1.25")),
        lambda c: c.store.patch("v1", "Node", "node-1", {"metadata": {"labels": {"disk": "ssd"}}},
                                field_manager=MANAGER),
        lambda c: add_node(c, "extra-1", labels={"disk": "ssd"}),
        lambda c: c.advance(30),
    ])
