"""The timer heap stays bounded in a long-running process (``helmlite cluster serve``).

Cancelled and superseded timers leave stale heap entries behind; those at +∞ (timers that only
carry a value to the next command, rewritten at every pod admission) never reach the top of the
heap, so without compaction the heap grows for the life of the process. The tests count heap
entries against pending timers — never time — and check that compaction changes no firing order.
"""

from __future__ import annotations

import math
from typing import Any

from helmlite.cluster import EPOCH, Cluster, VirtualClock


def test_cancelled_timers_at_infinity_do_not_accumulate() -> None:
    """A value carried in a timer key at +∞ and rewritten 10,000 times (cancel the old key,
    schedule the new one, as the kubelet's IPAM reservation does) keeps the heap small."""
    clock = VirtualClock()
    clock.schedule(EPOCH + 10, "real")
    for value in range(10_000):
        if value:
            clock.cancel(f"carrier={value - 1}")
        clock.schedule(math.inf, f"carrier={value}")
        assert clock.heap_entries() <= 2 * len(clock.pending())
    assert clock.pending() == [(EPOCH + 10, "real"), (math.inf, "carrier=9999")]


def test_superseded_timers_do_not_accumulate_and_order_is_kept() -> None:
    """Rescheduling keys earlier over and over leaves superseded entries; compaction drops them
    without changing which timers fire, or when, or in which order."""
    clock = VirtualClock()
    fired: list[tuple[float, str]] = []
    clock.on_timer = lambda key: fired.append((clock.now - EPOCH, key))
    for key in ("c", "a", "b"):
        clock.schedule(EPOCH + 5_000, key)
    for step in range(4_000, 0, -1):
        for key in ("c", "a", "b"):
            clock.schedule(EPOCH + step, key)
        assert clock.heap_entries() <= 2 * len(clock.pending())
    clock.cancel("a")
    assert clock.advance(10_000) == 2
    assert fired == [(1, "c"), (1, "b")]  # same instant: in the order they were (last) scheduled
    assert clock.heap_entries() == 0


def test_firing_keeps_the_heap_compact() -> None:
    """Firing live timers shrinks the pending set; the stale entries at +∞ left from earlier
    cancellations are dropped as soon as they outnumber the live ones."""
    clock = VirtualClock()
    for n in range(100):
        clock.schedule(EPOCH + n + 1, f"due-{n}")
        clock.schedule(math.inf, f"carrier-{n}")
    for n in range(100):
        clock.cancel(f"carrier-{n}")
    for _ in range(100):
        clock.advance(1)
        assert clock.heap_entries() <= 2 * len(clock.pending())
    assert clock.pending() == []


def _pod(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": "node-1", "restartPolicy": "Never",
                     "containers": [{"name": "app", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}


def test_a_long_running_cluster_keeps_its_timer_heap_bounded_as_pods_come_and_go() -> None:
    """Every pod admission rewrites the node's IPAM reservation timer at +∞; over 400 pods
    the heap stays within twice the pending timers (which the event TTL bounds)."""
    cluster = Cluster.in_memory(seed=0)
    for n in range(400):
        cluster.store.create(_pod(f"pod-{n}"), field_manager="test")
        cluster.advance(30)
        cluster.store.delete("v1", "Pod", f"pod-{n}", namespace="default", grace_period_seconds=0)
        cluster.advance(30)
    assert cluster.clock.heap_entries() <= 2 * len(cluster.clock.pending())


def test_the_scheduler_forgets_the_timers_of_pods_that_no_longer_wait() -> None:
    """Pods that waited as unschedulable and were then deleted or scheduled leave no
    ``unschedulable`` timer behind (a long-running server would otherwise keep one per pod)."""
    cluster = Cluster.in_memory(seed=0)
    for n in range(20):
        pod = _pod(f"waiting-{n}")
        del pod["spec"]["nodeName"]
        pod["spec"]["nodeSelector"] = {"disk": "ssd"}  # no node has it yet
        cluster.store.create(pod, field_manager="test")
    cluster.advance(5)
    waiting = [key for _, key in cluster.clock.pending() if "unschedulable:" in key]
    assert len(waiting) == 20
    for n in range(10):
        cluster.store.delete("v1", "Pod", f"waiting-{n}", namespace="default", grace_period_seconds=0)
    node = cluster.store.get("v1", "Node", "node-1")
    node["metadata"].setdefault("labels", {})["disk"] = "ssd"
    cluster.store.replace(node, field_manager="test")
    cluster.advance(60)
    assert [key for _, key in cluster.clock.pending() if "unschedulable:" in key] == []
