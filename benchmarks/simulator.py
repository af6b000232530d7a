"""Simulator benchmark: the cluster simulator at scale, in-process, with every default controller.

Scenarios (issue #3):

* ``nodes-pods``: 5,000 nodes and 10,000 bare pods to Running: nodes registered through the
  API pipeline, pods created, then the scheduler binds them and the kubelet model runs them.
  This is kwok's CI benchmark shape; kwok takes about 60 s for it through a real API server
  (kwok ``test/e2e/benchmark.go``; see ``../shared/notes/kubernetes-simulation.md`` §5).
* ``rolling-update``: a 1,000-replica Deployment on 100 nodes, to ready, then ``set image`` and
  the RollingUpdate (25 % surge / 25 % unavailable) until the rollout is complete.
* ``deployments``: 1,000 small Deployments (2 replicas each) on 100 nodes until all are
  available.
* ``daemonset-rollout``: a DaemonSet (``maxUnavailable: 1``) on 1,000 nodes, to available
  everywhere, then ``set image`` and the rolling update node by node until it is complete.
* ``statefulset-rollout``: a 500-replica ``OrderedReady`` StatefulSet (one claim per replica)
  on 100 nodes, scaled up one ordinal at a time, then ``set image`` and the rolling update
  from the highest ordinal down.

The last two measure the controllers' work per rollout step, which must not grow with the
node or replica count; besides the times they print how many times the controller computed
one node's (ordinal's) contribution to a sync, per node (replica).

For each phase it prints wall and CPU seconds, the objects the phase created (Events not
counted), objects/second and API writes/second (every stored change: creates, updates and
deletions, Events included). Virtual time is fast-forwarded, never slept. With several
``--runs`` the figures are medians. ``--quick`` shrinks every size by 100× (a smoke run).
Usage::

    python benchmarks/simulator.py [--runs 3] [--only nodes-pods,rolling-update,deployments,...] [--quick]
    python -m cProfile -s cumtime benchmarks/simulator.py --runs 1 --only nodes-pods   # where time goes
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from helmlite.cluster import Cluster, WatchEvent
from helmlite.cluster.bootstrap import node_manifest
from helmlite.cluster.rollout import set_image

KWOK_SECONDS = 60.0  # kwok CI: 5,000 nodes Ready and 10,000 pods Running, each "within 60 s"
# Virtual seconds any phase may take before the run counts as failed (a rollout of 1,000
# replicas takes a few minutes of virtual time).
VIRTUAL_TIMEOUT = 3600.0


@dataclass
class Phase:
    """One measured phase of a scenario."""

    scenario: str
    name: str
    wall: float
    cpu: float
    objects: int
    writes: int
    note: str = ""  # printed under the table (the controllers' visits per node or replica)


class Recorder:
    """Counts what the store creates and tracks pod phases and Deployment completion, from the
    watch stream, so that waiting predicates cost O(1) instead of a scan of every object."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.created = 0
        self.running: set[tuple[str, str]] = set()
        self.incomplete: set[tuple[str, str]] = set()
        cluster.store.add_listener(self._observe)

    def _observe(self, event: WatchEvent) -> None:
        group_kind = event.kind.group_kind
        meta = event.object["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if event.type == "ADDED" and group_kind != ("", "Event"):
            self.created += 1
        if group_kind == ("", "Pod"):
            if event.type != "DELETED" and (event.object.get("status") or {}).get("phase") == "Running":
                self.running.add(key)
            else:
                self.running.discard(key)
        elif group_kind == ("apps", "Deployment"):
            if event.type != "DELETED" and not deployment_complete(event.object):
                self.incomplete.add(key)
            else:
                self.incomplete.discard(key)

    def measure(self, scenario: str, name: str, work: Callable[[], object]) -> Phase:
        """Run ``work`` and return what it cost and created."""
        created, writes = self.created, self.cluster.store.change_count
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return Phase(scenario, name, wall, cpu, self.created - created, self.cluster.store.change_count - writes)

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = VIRTUAL_TIMEOUT) -> None:
        """Fast-forward virtual time until ``predicate`` holds.

        Raises:
            SystemExit: it did not within ``timeout`` virtual seconds (a broken simulator).
        """
        if not self.cluster.run_until(predicate, timeout):
            raise SystemExit(f"error: {what} not reached within {timeout:.0f} virtual seconds")


def deployment_complete(d: Mapping[str, Any]) -> bool:
    """``kubectl rollout status`` would report success (every replica updated and available)."""
    meta, status = d["metadata"], d.get("status") or {}
    replicas = (d.get("spec") or {}).get("replicas", 1)
    return (status.get("observedGeneration", 0) >= meta.get("generation", 0)
            and status.get("updatedReplicas", 0) == replicas == status.get("replicas", 0)
            and status.get("availableReplicas", 0) == replicas)


def deployment(name: str, replicas: int, image: str) -> dict[str, Any]:
    """A minimal Deployment, as ``kubectl create deployment NAME --image=IMAGE`` writes it."""
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


def cluster_with_nodes(phases: list[Phase], scenario: str, nodes: int) -> Recorder:
    """An empty cluster, then ``nodes`` Ready nodes registered through the API (a measured phase)."""
    cluster = Cluster.in_memory(nodes=0)
    recorder = Recorder(cluster)
    now = cluster.clock.now_rfc3339()

    def register() -> None:
        for i in range(1, nodes + 1):
            cluster.store.create(node_manifest(f"node-{i}", i, now=now), field_manager="kubelet", copy=False)
        cluster.reconcile()

    phases.append(recorder.measure(scenario, f"{nodes:,} nodes registered", register))
    return recorder


def nodes_and_pods(nodes: int, pods: int) -> list[Phase]:
    """Scenario (a): kwok's shape."""
    phases: list[Phase] = []
    recorder = cluster_with_nodes(phases, "nodes-pods", nodes)
    store = recorder.cluster.store

    def create_pods() -> None:
        for i in range(pods):
            store.create({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": f"pod-{i}", "namespace": "default"},
                          "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}, copy=False)

    def run_pods() -> None:
        recorder.wait(lambda: len(recorder.running) == pods, f"{pods} pods Running")

    phases.append(recorder.measure("nodes-pods", f"{pods:,} pods created", create_pods))
    phases.append(recorder.measure("nodes-pods", "scheduled, bound, Running", run_pods))
    return phases


def rolling_update(nodes: int, replicas: int) -> list[Phase]:
    """Scenario (b): one big Deployment, to ready and through a rolling update."""
    phases: list[Phase] = []
    recorder = cluster_with_nodes(phases, "rolling-update", nodes)
    cluster = recorder.cluster

    def to_ready() -> None:
        cluster.store.create(deployment("web", replicas, "nginx:1.25"), copy=False)
        recorder.wait(lambda: not recorder.incomplete, "Deployment ready")

    def update() -> None:
        set_image(cluster, "deployment", "default", "web", {"app": "nginx:1.27"})
        recorder.wait(lambda: not recorder.incomplete, "rollout complete")

    phases.append(recorder.measure("rolling-update", f"{replicas:,} replicas to ready", to_ready))
    phases.append(recorder.measure("rolling-update", "rolling update", update))
    return phases


def many_deployments(nodes: int, count: int, replicas: int) -> list[Phase]:
    """Scenario (c): many small Deployments, created at once, until all are available."""
    phases: list[Phase] = []
    recorder = cluster_with_nodes(phases, "deployments", nodes)
    cluster = recorder.cluster

    def create_and_wait() -> None:
        for i in range(count):
            cluster.store.create(deployment(f"app-{i}", replicas, "nginx:1.25"), copy=False)
        recorder.wait(lambda: not recorder.incomplete, f"{count} Deployments available")

    phases.append(recorder.measure("deployments", f"{count:,} × {replicas} replicas to available", create_and_wait))
    return phases


def workload(kind: str, name: str, replicas: int | None) -> dict[str, Any]:
    """A minimal DaemonSet (``maxUnavailable: 1``) or StatefulSet (``OrderedReady``, one claim
    per replica), as the seed tutorials write them."""
    labels = {"app": name}
    spec: dict[str, Any] = {"selector": {"matchLabels": labels},
                            "template": {"metadata": {"labels": labels},
                                         "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}
    if kind == "DaemonSet":
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
    else:
        spec.update(replicas=replicas, serviceName=name, volumeClaimTemplates=[{
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}])
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def workload_rolled(cluster: Cluster, kind: str, name: str) -> bool:
    """Every pod of the set runs its current template and is available (one read: O(1))."""
    obj = cluster.store.peek("apps", kind, "default", name)
    assert obj is not None
    status = obj.get("status") or {}
    if status.get("observedGeneration", 0) < obj["metadata"]["generation"]:
        return False
    if kind == "DaemonSet":
        desired = status.get("desiredNumberScheduled", 0)
        return desired > 0 and status.get("updatedNumberScheduled", 0) == desired == status.get("numberAvailable", 0)
    replicas = obj["spec"]["replicas"]
    return (status.get("updatedReplicas", 0) == replicas == status.get("availableReplicas", 0)
            and status.get("currentRevision") == status.get("updateRevision"))


def workload_rollout(scenario: str, kind: str, nodes: int, replicas: int | None) -> list[Phase]:
    """Scenarios (d) and (e): one DaemonSet or StatefulSet to available, then a rolling update;
    each phase notes the controller's visits per node (replica)."""
    phases: list[Phase] = []
    recorder = cluster_with_nodes(phases, scenario, nodes)
    cluster = recorder.cluster
    controller = cluster.controller("daemonset-controller" if kind == "DaemonSet" else "statefulset-controller")
    counter = "node_visits" if kind == "DaemonSet" else "ordinal_visits"
    size = nodes if kind == "DaemonSet" else replicas or 1
    kubectl_kind = kind.lower()
    # One node (ordinal) at a time: about 5 virtual seconds each (termination, start).
    timeout = VIRTUAL_TIMEOUT + 10.0 * size

    def visits() -> int:
        return int(getattr(controller, counter, 0))  # 0 on a tree from before the counter existed

    def to_available() -> None:
        cluster.store.create(workload(kind, "app", replicas), copy=False)
        recorder.wait(lambda: workload_rolled(cluster, kind, "app"), f"{kind} available", timeout)

    def update() -> None:
        set_image(cluster, kubectl_kind, "default", "app", {"app": "nginx:1.27"})
        recorder.wait(lambda: workload_rolled(cluster, kind, "app"), f"{kind} rollout complete", timeout)

    unit = "node" if kind == "DaemonSet" else "replica"
    for name, work in ((f"{size:,} {unit}s to available", to_available), ("rolling update", update)):
        before = visits()
        phase = recorder.measure(scenario, name, work)
        done = visits() - before
        phase.note = f"{done:,} {counter.replace('_', ' ')} ({done / size:.1f} per {unit})"
        phases.append(phase)
    return phases


def median_phases(runs: list[list[Phase]]) -> list[Phase]:
    """Phase by phase, the median of each figure over the runs."""
    return [Phase(same[0].scenario, same[0].name, statistics.median(p.wall for p in same),
                  statistics.median(p.cpu for p in same), same[0].objects, int(statistics.median(p.writes for p in same)),
                  same[0].note)
            for same in zip(*runs)]


def total_of(phases: list[Phase]) -> Phase:
    """The whole scenario as one row (the objects/s the issue asks for)."""
    return Phase(phases[0].scenario, "total", sum(p.wall for p in phases), sum(p.cpu for p in phases),
                 sum(p.objects for p in phases), sum(p.writes for p in phases))


def print_table(phases: list[Phase]) -> None:
    header = ("scenario", "phase", "wall s", "CPU s", "objects", "objects/s", "writes/s")
    rows = [(p.scenario, p.name, f"{p.wall:.2f}", f"{p.cpu:.2f}", f"{p.objects:,}",
             f"{p.objects / p.wall:,.0f}" if p.wall else "-", f"{p.writes / p.wall:,.0f}" if p.wall else "-")
            for p in phases]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))


SCENARIOS = ("nodes-pods", "rolling-update", "deployments", "daemonset-rollout", "statefulset-rollout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each scenario (medians are printed)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios to run")
    parser.add_argument("--quick", action="store_true", help="sizes ÷ 100 and one run: a smoke run")
    args = parser.parse_args()
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    scale, runs = (100, 1) if args.quick else (1, args.runs)
    plans: dict[str, Callable[[], list[Phase]]] = {
        "nodes-pods": lambda: nodes_and_pods(5000 // scale, 10_000 // scale),
        "rolling-update": lambda: rolling_update(100 // scale, 1000 // scale),
        "deployments": lambda: many_deployments(100 // scale, 1000 // scale, 2),
        "daemonset-rollout": lambda: workload_rollout("daemonset-rollout", "DaemonSet", 1000 // scale, None),
        "statefulset-rollout": lambda: workload_rollout("statefulset-rollout", "StatefulSet", 100 // scale,
                                                        500 // scale),
    }
    results: list[Phase] = []
    for scenario in only:
        phases = median_phases([plans[scenario]() for _ in range(runs)])
        results += [*phases, total_of(phases)]
    print_table(results)
    notes = [f"{p.scenario} / {p.name}: {p.note}" for p in results if p.note]
    if notes:
        print("\n" + "\n".join(notes))
    shape = next((p for p in results if p.scenario == "nodes-pods" and p.name == "total"), None)
    if shape is not None and not args.quick:
        print(f"\nnodes-pods: kwok's {KWOK_SECONDS:.0f} s ÷ helmlite's {shape.wall:.2f} s = {KWOK_SECONDS / shape.wall:.1f}×")


if __name__ == "__main__":
    main()
