"""Deployments end to end with every default controller: the real scheduler and kubelet
models run the pods, faults make them fail (seeds D-15, D-42..D-44, D-73)."""

from __future__ import annotations

import time

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers import default_controllers
from helmlite.cluster.faults import add_fault
from helmlite.cluster.rollout import RolloutError, rollout_history, rollout_undo, set_image, watch_rollout_status

from ..manifests import deployment
from .deployment_support import deployment_complete, rs_of, scaling_events


def test_seed_rollout_with_the_scheduler_and_kubelet() -> None:
    cluster = Cluster.in_memory(controllers=default_controllers())
    cluster.store.create(deployment("web", replicas=3, image="nginx:1.7.9"))
    done, _lines = watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)
    assert done
    pods = cluster.store.list("v1", "Pod", namespace="default")
    assert all(p["status"]["phase"] == "Running" and p["spec"].get("nodeName") for p in pods)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    done, lines = watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)
    assert done and lines[-1] == 'deployment "web" successfully rolled out'
    old, new = (r["metadata"]["name"] for r in rs_of(cluster, "web"))
    assert scaling_events(cluster) == [
        f"Scaled up replica set {old} from 0 to 3",
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 3 to 2",
        f"Scaled up replica set {new} from 1 to 2",
        f"Scaled down replica set {old} from 2 to 1",
        f"Scaled up replica set {new} from 2 to 3",
        f"Scaled down replica set {old} from 1 to 0",
    ]


def test_unpullable_image_exceeds_the_deadline_and_undo_recovers() -> None:
    cluster = Cluster.in_memory(controllers=default_controllers())
    d = deployment("web", replicas=3, image="nginx:1.7.9")
    d["spec"]["progressDeadlineSeconds"] = 120
    cluster.store.create(d)
    assert watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)[0]
    add_fault(cluster, {"kind": "image-pull", "image": "nginx:1.99"})
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.99"})
    started = cluster.clock.now
    with pytest.raises(RolloutError, match='deployment "web" exceeded its progress deadline'):
        watch_rollout_status(cluster, "deployment", "default", "web", timeout=900)
    assert 120 < cluster.clock.now - started < 125
    waiting = [p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason")
               for p in cluster.store.list("v1", "Pod", namespace="default")
               if p["spec"]["containers"][0]["image"] == "nginx:1.99"]
    assert waiting and set(waiting) <= {"ErrImagePull", "ImagePullBackOff"}
    # maxUnavailable 0: the three old pods kept serving throughout.
    assert [r["status"].get("availableReplicas", 0) for r in rs_of(cluster, "web")] == [3, 0]
    assert rollout_undo(cluster, "deployment", "default", "web") == "deployment.apps/web rolled back"
    assert watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)[0]
    assert [h.revision for h in rollout_history(cluster, "deployment", "default", "web")] == [2, 3]
    assert {p["spec"]["containers"][0]["image"] for p in cluster.store.list("v1", "Pod", namespace="default")
            if not p["metadata"].get("deletionTimestamp")} == {"nginx:1.7.9"}


def test_recreate_with_graceful_termination() -> None:
    cluster = Cluster.in_memory(controllers=default_controllers())
    d = deployment("web", replicas=2, image="nginx:1.7.9")
    d["spec"]["strategy"] = {"type": "Recreate"}
    cluster.store.create(d)
    assert watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)[0]
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    overlap = []

    def check() -> bool:
        images = {p["spec"]["containers"][0]["image"] for p in cluster.store.list("v1", "Pod", namespace="default")}
        overlap.append(len(images) > 1)
        return deployment_complete(cluster, "web")

    assert cluster.run_until(check, 600)
    assert not any(overlap)  # never old and new pods at once


def test_scale_check_1000_replicas_over_100_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    """Printed, not asserted: a 1,000-replica rolling update on 100 nodes (issue benchmark b)."""
    started = time.perf_counter()
    cluster = Cluster.in_memory(nodes=100, controllers=default_controllers())
    cluster.store.create(deployment("web", replicas=1000, image="nginx:1.7.9"))
    assert cluster.run_until(lambda: deployment_complete(cluster, "web"), 3600)
    ready = time.perf_counter()
    virtual = cluster.clock.now
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    assert cluster.run_until(lambda: deployment_complete(cluster, "web"), 3600)
    rolled = time.perf_counter()
    with capsys.disabled():
        print(f"\n[deployment scale] 1000 replicas / 100 nodes: to ready {ready - started:.2f} s, "
              f"rolling update {rolled - ready:.2f} s wall ({cluster.clock.now - virtual:.0f} s virtual, "
              f"{len(scaling_events(cluster))} ScalingReplicaSet events)")
