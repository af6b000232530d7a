"""Scale check: 10,000 pods onto 5,000 nodes, to Running. Prints the wall time; asserts only
the outcome (kwok's CI benchmark takes about 60 s for the same shape through a real API server)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from helmlite.cluster import Cluster

NODES = 5_000
PODS = 10_000


def test_ten_thousand_pods_on_five_thousand_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    cluster = Cluster.in_memory(nodes=NODES)
    nodes_ready = time.perf_counter()
    for i in range(PODS):
        cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                              "metadata": {"name": f"pod-{i}", "namespace": "default"},
                              "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}, copy=False)
    created = time.perf_counter()
    cluster.reconcile()  # scheduling, binding and admission happen here
    scheduled = time.perf_counter()
    assert cluster.run_until(
        lambda: all((p.get("status") or {}).get("phase") == "Running" for p in cluster.store.peek_all("", "Pod")), 60)
    running = time.perf_counter()
    per_node = Counter(p["spec"]["nodeName"] for p in cluster.store.peek_all("", "Pod"))
    assert len(per_node) == NODES and max(per_node.values()) == 2  # LeastAllocated spreads them evenly
    with capsys.disabled():
        print(f"\n[scale] {NODES} nodes: {nodes_ready - started:.2f}s; "
              f"{PODS} pod creates: {created - nodes_ready:.2f}s; "
              f"scheduled+admitted: {scheduled - created:.2f}s; to Running: {running - scheduled:.2f}s; "
              f"total {running - started:.2f}s ({(NODES + PODS) / (running - started):.0f} objects/s)")
