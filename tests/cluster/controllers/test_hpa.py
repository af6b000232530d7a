"""The HorizontalPodAutoscaler controller: the seed scenario, tolerance, limits, behavior
policies, failure conditions, and state that survives reopening the cluster."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.clock import EPOCH
from helmlite.cluster.controllers import controller_ref, object_key, split_key
from helmlite.cluster.controllers.hpa import (
    STATE_ANNOTATION,
    HorizontalPodAutoscalerController,
    format_milli_quantity,
)
from helmlite.cluster.metrics import set_load
from helmlite.cluster.store import WatchEvent

from .pod_driver import AutoKubelet


class ReplicaFollower:
    """Stands in for the Deployment and ReplicaSet controllers: keeps ``spec.replicas`` pods
    owned by each Deployment (newest deleted first) and reports ``status.replicas``."""

    name = "replica-follower"
    watches = (("apps", "Deployment"), ("", "Pod"))

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        if event.kind.group_kind == ("apps", "Deployment"):
            return [object_key(event.object)]
        ref = controller_ref(event.object)
        return [f"{event.object['metadata']['namespace']}/{ref['name']}"] if ref else []

    def sync(self, cluster: Cluster, key: str) -> None:
        namespace, name = split_key(key)
        deploy = cluster.store.peek("apps", "Deployment", namespace, name)
        if deploy is None:
            return
        pods = [p for kind, p in cluster.store.children_of(deploy["metadata"]["uid"])
                if kind.kind == "Pod" and not p["metadata"].get("deletionTimestamp")]
        pods.sort(key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
        want = deploy["spec"]["replicas"]
        template = deploy["spec"]["template"]
        for _ in range(want - len(pods)):
            cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {
                "generateName": f"{name}-", "namespace": namespace, "labels": dict(template["metadata"]["labels"]),
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                     "uid": deploy["metadata"]["uid"], "controller": True}]},
                "spec": template["spec"]})
        for pod in reversed(pods[want:] if want < len(pods) else []):
            cluster.store.delete("v1", "Pod", pod["metadata"]["name"], namespace=namespace, grace_period_seconds=0)
        replicas = max(want, 0)
        if (deploy.get("status") or {}).get("replicas") != replicas:
            cluster.store.update_status({"apiVersion": "apps/v1", "kind": "Deployment",
                                         "metadata": {"name": name, "namespace": namespace},
                                         "status": {"replicas": replicas}})


def controllers() -> list[Any]:
    return [ReplicaFollower(), AutoKubelet(), HorizontalPodAutoscalerController()]


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=controllers())


def deployment(replicas: int = 1, *, cpu: str | None = "10m", memory: str | None = None) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    container: dict[str, Any] = {"name": "app", "image": "nginx"}
    if requests:
        container["resources"] = {"requests": requests}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}}}}


def hpa_v1(name: str = "web", *, target: str = "web", minimum: int = 1, maximum: int = 10, cpu: int = 10) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                     "minReplicas": minimum, "maxReplicas": maximum, "targetCPUUtilizationPercentage": cpu}}


def hpa_v2(*, minimum: int = 1, maximum: int = 10, metrics: list[dict[str, Any]] | None = None,
           behavior: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                            "minReplicas": minimum, "maxReplicas": maximum,
                            "metrics": metrics or [cpu_utilization(50)]}
    if behavior is not None:
        spec["behavior"] = behavior
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": spec}


def cpu_utilization(percent: int) -> dict[str, Any]:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}}}


def replicas(cluster: Cluster) -> int:
    return cluster.store.peek("apps", "Deployment", "default", "web")["spec"]["replicas"]


def hpa_status(cluster: Cluster) -> dict[str, Any]:
    return cluster.store.peek("autoscaling", "HorizontalPodAutoscaler", "default", "web").get("status") or {}


def condition(cluster: Cluster, condition_type: str) -> tuple[str, str, str]:
    c = next(c for c in hpa_status(cluster)["conditions"] if c["type"] == condition_type)
    return c["status"], c["reason"], c["message"]


def hpa_events(cluster: Cluster) -> list[tuple[str, str, str, str]]:
    out = [e for e in cluster.store.list("v1", "Event", namespace="default")
           if e["involvedObject"]["kind"] == "HorizontalPodAutoscaler"]
    out.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["resourceVersion"]))
    return [(e["firstTimestamp"][11:19], e["type"], e["reason"], e["message"]) for e in out]


def at(cluster: Cluster, seconds: float) -> None:
    """Advance to ``seconds`` after the cluster's epoch (the HPA syncs on multiples of 15)."""
    cluster.advance(EPOCH + seconds - cluster.clock.now)


UP = "cpu resource utilization (percentage of request) above target"


def test_min_1_max_10_at_10_percent_scales_up_under_load_and_down_after_the_window(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    cluster.store.create(hpa_v1())  # kubectl autoscale deployment hpa-nginx --cpu-percent=10 --min=1 --max=10
    at(cluster, 14)
    assert hpa_status(cluster) == {}  # TARGETS <unknown>/10% until the first sync
    at(cluster, 15)
    assert hpa_status(cluster)["currentMetrics"][0]["resource"]["current"] == {"averageUtilization": 0,
                                                                               "averageValue": "0"}
    set_load(cluster, "deployment", "default", "web", utilization=58)  # a busy loop against the service
    at(cluster, 30)
    assert replicas(cluster) == 4  # 1 → ceil(5.8) = 6, limited to max(2 × 1, 4)
    at(cluster, 45)
    assert replicas(cluster) == 8
    at(cluster, 60)
    assert replicas(cluster) == 10
    assert condition(cluster, "ScalingLimited") == (
        "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    v1 = cluster.store.get("autoscaling/v1", "HorizontalPodAutoscaler", "web", namespace="default")
    # 58 % of a 10m request is 5.8m, which the metrics pipeline reads as 6m (MilliValue rounds up).
    # currentReplicas is what the sync found (8); the REPLICAS column catches up one sync later.
    assert v1["status"]["currentCPUUtilizationPercentage"] == 60
    assert (v1["status"]["currentReplicas"], v1["status"]["desiredReplicas"]) == (8, 10)
    at(cluster, 75)
    assert hpa_status(cluster)["currentReplicas"] == 10
    at(cluster, 120)  # the 00:02:00 sync still sees the load
    set_load(cluster, "deployment", "default", "web")  # load stops
    at(cluster, 405)
    assert replicas(cluster) == 10
    assert condition(cluster, "AbleToScale") == (
        "True", "ScaleDownStabilized",
        "recent recommendations were higher than current one, applying the highest recent recommendation")
    at(cluster, 420)  # 300 s after the last high recommendation
    assert replicas(cluster) == 1
    assert [e[1:] for e in hpa_events(cluster)] == [
        ("Normal", "SuccessfulRescale", f"New size: 4; reason: {UP}"),
        ("Normal", "SuccessfulRescale", f"New size: 8; reason: {UP}"),
        ("Normal", "SuccessfulRescale", f"New size: 10; reason: {UP}"),
        ("Normal", "SuccessfulRescale", "New size: 1; reason: All metrics below target"),
    ]
    status = hpa_status(cluster)
    assert status["lastScaleTime"] == "2026-01-01T00:07:00Z" and status["desiredReplicas"] == 1
    assert condition(cluster, "AbleToScale") == (
        "True", "SucceededRescale", "the HPA controller was able to update the target scale to 1")
    assert condition(cluster, "ScalingActive") == (
        "True", "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)")


def _steady(cluster: Cluster, utilization: int, pods: int = 4) -> int:
    """Replicas proposed for ``pods`` pods at ``utilization`` % of a 100m request, target 50 %."""
    cluster.store.create(deployment(pods, cpu="100m"))
    cluster.store.create(hpa_v2(maximum=20, behavior={"scaleDown": {"stabilizationWindowSeconds": 0}}))
    set_load(cluster, "deployment", "default", "web", utilization=utilization)
    at(cluster, 15)
    return replicas(cluster)


@pytest.mark.parametrize(("utilization", "expected"), [
    (50, 4),   # on target
    (54, 4),   # ratio 1.08: within the 0.1 tolerance
    (45, 4),   # ratio 0.9: |1 - 0.9| is just under 0.1 in float64
    (55, 5),   # ratio 1.1: |1 - 1.1| is just over 0.1 in float64 → ceil(1.1 × 4)
    (56, 5),   # ceil(4.48)
    (30, 3),   # ceil(2.4)
    (10, 1),   # ceil(0.8)
    (0, 1),    # nothing used: down to minReplicas
    (200, 8),  # ceil(16) limited by the default scale-up policies (4 pods or 100 % per 15 s)
])
def test_tolerance_and_formula(cluster: Cluster, utilization: int, expected: int) -> None:
    assert _steady(cluster, utilization) == expected


def test_out_of_range_targets_are_clamped_first(cluster: Cluster) -> None:
    cluster.store.create(deployment(12, cpu="100m"))
    cluster.store.create(hpa_v2(minimum=2, maximum=10))
    at(cluster, 15)
    assert replicas(cluster) == 10
    assert hpa_events(cluster)[-1][2:] == ("SuccessfulRescale",
                                           "New size: 10; reason: Current number of replicas above Spec.MaxReplicas")
    cluster.store.update_scale("apps/v1", "Deployment", "web", 1, namespace="default")
    at(cluster, 30)
    assert replicas(cluster) == 2
    assert hpa_events(cluster)[-1][3] == "New size: 2; reason: Current number of replicas below Spec.MinReplicas"


def test_a_target_at_zero_replicas_disables_scaling(cluster: Cluster) -> None:
    cluster.store.create(deployment(0))
    cluster.store.create(hpa_v1())
    at(cluster, 15)
    assert replicas(cluster) == 0
    assert condition(cluster, "ScalingActive") == (
        "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
    assert hpa_status(cluster)["desiredReplicas"] == 0 and "currentReplicas" not in hpa_status(cluster)


def test_scale_up_limit_without_behavior(cluster: Cluster) -> None:
    cluster.store.create(deployment(3, cpu="100m"))
    cluster.store.create(hpa_v2(maximum=50))
    set_load(cluster, "deployment", "default", "web", utilization=500)
    at(cluster, 15)
    assert replicas(cluster) == 6  # ceil(10 × 3) = 30, limited to 2 × 3
    assert condition(cluster, "ScalingLimited") == (
        "True", "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")


@pytest.mark.parametrize(("scale_up", "expected"), [
    # one pod per minute: +1 at 15 s, nothing until the first change leaves the 60 s period
    ({"stabilizationWindowSeconds": 0, "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
     [2, 2, 2, 2, 3, 3, 3, 3, 4]),
    # doubling every 15 s
    ({"policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}, [2, 4, 8, 16, 20, 20, 20, 20, 20]),
    # Min picks the smaller change of 4 pods or 100 %
    ({"selectPolicy": "Min", "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                          {"type": "Percent", "value": 100, "periodSeconds": 15}]},
     [2, 4, 8, 12, 16, 20, 20, 20, 20]),
    ({"selectPolicy": "Disabled"}, [1] * 9),
])
def test_scale_up_policies(cluster: Cluster, scale_up: dict[str, Any], expected: list[int]) -> None:
    cluster.store.create(deployment(1, cpu="100m"))
    cluster.store.create(hpa_v2(maximum=20, behavior={"scaleUp": scale_up}))
    set_load(cluster, "deployment", "default", "web", utilization=5000)
    seen = []
    for i in range(1, 10):
        at(cluster, 15 * i)
        seen.append(replicas(cluster))
    assert seen == expected


def test_scale_down_policy_and_window(cluster: Cluster) -> None:
    cluster.store.create(deployment(5, cpu="100m"))
    cluster.store.create(hpa_v2(behavior={"scaleDown": {"stabilizationWindowSeconds": 30, "policies": [
        {"type": "Pods", "value": 1, "periodSeconds": 15}]}}))
    seen = []
    for i in range(1, 9):
        at(cluster, 15 * i)
        seen.append(replicas(cluster))
    # The first recommendation (5, the current size) holds for 30 s; then one pod per period.
    assert seen == [5, 5, 4, 3, 2, 1, 1, 1]
    assert condition(cluster, "ScalingLimited")[1] in ("TooFewReplicas", "DesiredWithinRange")


def test_missing_requests_fail_the_metric(cluster: Cluster) -> None:
    cluster.store.create(deployment(cpu=None))
    cluster.store.create(hpa_v1())
    at(cluster, 15)
    (pod,) = [p["metadata"]["name"] for p in cluster.store.peek_all("", "Pod", "default")]
    inner = f"failed to get cpu utilization: missing request for cpu in container app of Pod {pod}"
    assert condition(cluster, "ScalingActive") == (
        "False", "FailedGetResourceMetric", f"the HPA was unable to compute the replica count: {inner}")
    assert hpa_events(cluster) == [
        ("00:00:15", "Warning", "FailedGetResourceMetric", inner),
        ("00:00:15", "Warning", "FailedComputeMetricsReplicas",
         f"invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: {inner}"),
    ]
    assert hpa_status(cluster)["currentMetrics"] == [{"type": ""}]
    assert hpa_status(cluster)["currentReplicas"] == 1 and hpa_status(cluster)["desiredReplicas"] == 0


def test_no_metrics_yet(cluster: Cluster) -> None:
    cluster.store.create(hpa_v1())
    at(cluster, 10)
    cluster.store.create(deployment())  # its pod has run 5 s at the first sync: nothing to report yet
    at(cluster, 15)
    assert condition(cluster, "ScalingActive")[2] == (
        "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for "
        "resource cpu: no metrics returned from resource metrics API")


def test_missing_target(cluster: Cluster) -> None:
    cluster.store.create(hpa_v1(target="nope"))
    at(cluster, 15)
    message = 'deployments.apps "nope" not found'
    assert condition(cluster, "AbleToScale") == (
        "False", "FailedGetScale", f"the HPA controller was unable to get the target's current scale: {message}")
    assert hpa_events(cluster) == [("00:00:15", "Warning", "FailedGetScale", message)]


def test_two_hpas_on_one_target_are_ambiguous(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    cluster.store.create(hpa_v1())
    cluster.store.create(hpa_v1("web-2"))
    at(cluster, 15)
    status, reason, message = condition(cluster, "ScalingActive")
    assert (status, reason) == ("False", "AmbiguousSelector")
    assert message == "pods by selector app=web are controlled by multiple HPAs: [default/web default/web-2]"


def test_average_value_memory_target(cluster: Cluster) -> None:
    cluster.store.create(deployment(2, cpu=None, memory="128Mi"))
    cluster.store.create(hpa_v2(metrics=[{"type": "Resource", "resource": {
        "name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}]))
    set_load(cluster, "deployment", "default", "web", memory_bytes_per_pod=200 * 1024 * 1024)
    at(cluster, 15)
    assert replicas(cluster) == 4
    assert hpa_status(cluster)["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "209715200"}}}]
    assert hpa_events(cluster)[-1][3] == "New size: 4; reason: memory resource above target"


def test_custom_metrics_are_unavailable(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    cluster.store.create(hpa_v2(metrics=[{"type": "Pods", "pods": {
        "metric": {"name": "packets-per-second"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}]))
    at(cluster, 15)
    assert condition(cluster, "ScalingActive")[:2] == ("False", "FailedGetPodsMetric")


def test_scale_down_stabilization_survives_reopening_the_cluster(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    wall = [1_000_000.0]

    def command() -> Any:
        return Cluster.open(path, controllers=controllers(), wall_clock=lambda: wall[0])

    with command() as cluster:
        cluster.store.create(deployment())
        cluster.store.create(hpa_v1())
        set_load(cluster, "deployment", "default", "web", utilization=58)
        at(cluster, 120)
        assert replicas(cluster) == 10
        set_load(cluster, "deployment", "default", "web")
    for minute in range(3, 7):  # a command a minute: each one restarts the controllers
        with command() as cluster:
            at(cluster, minute * 60)
            assert replicas(cluster) == 10
            assert STATE_ANNOTATION in cluster.store.peek(
                "autoscaling", "HorizontalPodAutoscaler", "default", "web")["metadata"]["annotations"]
    with command() as cluster:
        at(cluster, 405)
        assert replicas(cluster) == 10
        at(cluster, 420)
        assert replicas(cluster) == 1


@pytest.mark.parametrize(("milli", "text"), [
    (0, "0"), (5, "5m"), (1500, "1500m"), (2000, "2"), (100_000_000, "100k"), (209715200000, "209715200"),
    (150_000_000_000, "150M"),
])
def test_format_milli_quantity(milli: int, text: str) -> None:
    assert format_milli_quantity(milli) == text
