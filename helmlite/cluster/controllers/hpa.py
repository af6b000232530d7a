"""The HorizontalPodAutoscaler controller (``pkg/controller/podautoscaler``; kubernetes-simulation.md §1.7).

Every ``SYNC_PERIOD_SECONDS`` of virtual time each HPA is reconciled, as
``horizontal.go reconcileAutoscaler`` does (a new or changed HPA waits for its next period,
like the controller's rate-limited queue):

* the target's ``/scale`` gives the current replicas and the pod selector; a target at 0
  replicas disables scaling (``ScalingDisabled``); outside [min, max] it is clamped first;
* each metric proposes a replica count and the largest wins. ``Resource`` and
  ``ContainerResource`` metrics read the simulated usage of ``helmlite.cluster.metrics``:
  utilisation of requests (``replica_calculator.go GetResourceReplicas``: 0.1 tolerance,
  ``ceil(ratio × ready pods)``, missing pods assumed at 100 % on scale-down and 0 % on
  scale-up, unready or still-initialising pods at 0 % on scale-up) or an average value;
  ``Pods``/``Object``/``External`` metrics fail, as without a custom metrics adapter;
* without ``behavior``: the highest recommendation of the last 300 s wins on scale-down and
  scale-up is limited to ``max(2 × current, 4)``; with ``behavior``: per-direction
  stabilisation windows and ``Pods``/``Percent`` rate policies with ``selectPolicy``;
* the target is scaled through ``/scale`` (field manager ``kube-controller-manager``) with a
  ``SuccessfulRescale`` event ("New size: 4; reason: cpu resource utilization (percentage of
  request) above target"), and the status carries ``currentReplicas``, ``desiredReplicas``,
  ``currentMetrics``, ``lastScaleTime`` and the ``AbleToScale``/``ScalingActive``/
  ``ScalingLimited`` conditions with Kubernetes' reasons and messages.

The recommendations and scale events the real controller keeps in memory decide
stabilisation; the simulator restarts its controllers on every command, so they are kept in
the ``STATE_ANNOTATION`` annotation of the HPA instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers.base import object_key, split_key
from helmlite.cluster.errors import ApiError, BadRequestError, NotFoundError
from helmlite.cluster.metrics import METRICS_WINDOW_SECONDS, PodUsage, pod_usages
from helmlite.cluster.podutil import pod_condition
from helmlite.cluster.quantity import parse_quantity
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "CPU_INITIALIZATION_PERIOD_SECONDS",
    "DOWNSCALE_STABILIZATION_SECONDS",
    "INITIAL_READINESS_DELAY_SECONDS",
    "STATE_ANNOTATION",
    "SYNC_PERIOD_SECONDS",
    "TOLERANCE",
    "HorizontalPodAutoscalerController",
    "format_milli_quantity",
]

# kube-controller-manager flags: --horizontal-pod-autoscaler-sync-period, -tolerance,
# -downscale-stabilization, -cpu-initialization-period, -initial-readiness-delay.
SYNC_PERIOD_SECONDS = 15
TOLERANCE = 0.1
DOWNSCALE_STABILIZATION_SECONDS = 300
CPU_INITIALIZATION_PERIOD_SECONDS = 300
INITIAL_READINESS_DELAY_SECONDS = 30
# horizontal.go scaleUpLimitFactor / scaleUpLimitMinimum (HPAs without behavior).
SCALE_UP_LIMIT_FACTOR = 2
SCALE_UP_LIMIT_MINIMUM = 4
STATE_ANNOTATION = "simulator.helmlite.io/hpa-state"
FIELD_MANAGER = "kube-controller-manager"
_HPA = ("autoscaling", "HorizontalPodAutoscaler")


class _MetricError(Exception):
    """A metric that cannot be computed.

    ``reason`` is the event and ``ScalingActive`` condition reason (``FailedGetResourceMetric``),
    ``str()`` the message both carry, and ``wrap`` the prefix ``computeReplicasForMetric``
    adds for the ``FailedComputeMetricsReplicas`` summary.
    """

    def __init__(self, message: str, reason: str = "", wrap: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.wrap = wrap


def format_milli_quantity(milli: int) -> str:
    """``resource.NewMilliQuantity(v, DecimalSI).String()``: ``500m``, ``2``, ``150M``."""
    if milli % 1000:
        return f"{milli}m"
    value = milli // 1000
    suffix = 0
    while value and value % 1000 == 0 and suffix < 6:
        value //= 1000
        suffix += 1
    return f"{value}{('', 'k', 'M', 'G', 'T', 'P', 'E')[suffix]}"


def _set_condition(conditions: list[dict[str, Any]], condition_type: str, status: str, reason: str,
                   message: str, now: str) -> None:
    """``setConditionInList``: lastTransitionTime moves only when the status does."""
    for condition in conditions:
        if condition["type"] == condition_type:
            if condition.get("status") != status:
                condition["lastTransitionTime"] = now
            condition.update(status=status, reason=reason, message=message)
            return
    conditions.append({"type": condition_type, "status": status, "lastTransitionTime": now,
                       "reason": reason, "message": message})


def _pod_requests(pods: Iterable[Mapping[str, Any]], resource: str, container: str) -> dict[str, int]:
    """``calculatePodRequests``: milli-requests per pod (regular and sidecar containers).

    Raises:
        _MetricError: a container has no request for the resource.
    """
    out = {}
    for pod in pods:
        spec = pod.get("spec") or {}
        containers = list(spec.get("containers") or [])
        containers += [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
        total = 0
        for c in containers:
            if container and c.get("name") != container:
                continue
            request = ((c.get("resources") or {}).get("requests") or {}).get(resource)
            if request is None:
                raise _MetricError(f"missing request for {resource} in container {c.get('name', '')} "
                                   f"of Pod {pod['metadata']['name']}")
            total += math.ceil(parse_quantity(request) * 1000)
        out[pod["metadata"]["name"]] = total
    return out


def _usage_milli(usage: PodUsage, resource: str, container: str) -> int:
    if resource == "cpu":
        return usage.cpu_millicores(container)
    return usage.memory_bytes(container) * 1000


class HorizontalPodAutoscalerController:
    """Keys: ``ns/name`` of an HPA, synced every ``SYNC_PERIOD_SECONDS``."""

    name = "horizontal-pod-autoscaler"
    watches = (_HPA,)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """None now: a new or changed HPA is picked up at its next period (``AddRateLimited``)."""
        if event.type != "DELETED":
            cluster.enqueue_after(self.name, object_key(event.object), SYNC_PERIOD_SECONDS)
        return ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Reconcile one HPA, then come back one period later."""
        namespace, name = split_key(key)
        hpa = cluster.store.peek("autoscaling", "HorizontalPodAutoscaler", namespace, name)
        if hpa is None:
            return
        _Reconcile(self, cluster, hpa).run()
        cluster.enqueue_after(self.name, key, SYNC_PERIOD_SECONDS)


class _Reconcile:
    """One ``reconcileAutoscaler`` pass."""

    def __init__(self, controller: HorizontalPodAutoscalerController, cluster: Cluster,
                 hpa: Mapping[str, Any]) -> None:
        self.controller = controller
        self.cluster = cluster
        self.hpa = hpa
        self.spec: Mapping[str, Any] = hpa.get("spec") or {}
        old_status = hpa.get("status") or {}
        self.old_status = old_status
        self.conditions: list[dict[str, Any]] = [dict(c) for c in old_status.get("conditions") or []]
        self.now = cluster.clock.now
        self.now_text = cluster.clock.now_rfc3339()
        self.state = self._load_state()
        self.old_state = json.dumps(self.state, sort_keys=True)

    # -- state kept across restarts --

    def _load_state(self) -> dict[str, list[list[float]]]:
        text = ((self.hpa.get("metadata") or {}).get("annotations") or {}).get(STATE_ANNOTATION)
        try:
            state = json.loads(text) if text else {}
        except ValueError:
            state = {}
        return {k: [list(map(float, e)) for e in state.get(k) or [] if isinstance(e, list) and len(e) == 2]
                for k in ("recommendations", "scaleUp", "scaleDown")}

    def _event(self, event_type: str, reason: str, message: str) -> None:
        self.cluster.events.record(self.hpa, event_type, reason, message, component=self.controller.name)

    def _condition(self, condition_type: str, status: str, reason: str, message: str) -> None:
        _set_condition(self.conditions, condition_type, status, reason, message, self.now_text)

    # -- main flow --

    def run(self) -> None:
        spec = self.spec
        target = spec.get("scaleTargetRef") or {}
        try:
            kind, _version = self.cluster.store.kinds.resolve(target.get("apiVersion", ""), target.get("kind", ""))
            scale = self.cluster.store.get_scale(kind.storage_api_version, kind.kind, target.get("name", ""),
                                                 namespace=self.hpa["metadata"]["namespace"])
        except ApiError as err:
            self._event("Warning", "FailedGetScale", str(err))
            self._condition("AbleToScale", "False", "FailedGetScale",
                            f"the HPA controller was unable to get the target's current scale: {err}")
            self._write_status(self.old_status.get("currentReplicas", 0), self.old_status.get("desiredReplicas", 0),
                               self.old_status.get("currentMetrics"), rescaled=False)
            return
        self._condition("AbleToScale", "True", "SucceededGetScale",
                        "the HPA controller was able to get the target's current scale")
        current = scale["spec"]["replicas"]
        if not self.state["recommendations"]:
            self.state["recommendations"] = [[self.now, float(current)]]
        minimum = spec.get("minReplicas", 1)
        maximum = spec.get("maxReplicas", 1)
        statuses: list[dict[str, Any]] | None = None
        reason = ""
        rescale = True
        if current == 0 and minimum != 0:
            desired = 0
            rescale = False
            self._condition("ScalingActive", "False", "ScalingDisabled",
                            "scaling is disabled since the replica count of the target is zero")
        elif current > maximum:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", maximum
        elif current < minimum:
            reason, desired = "Current number of replicas below Spec.MinReplicas", minimum
        else:
            proposal, metric_name, statuses, error = self._compute_replicas(scale)
            if proposal < 0:
                self._write_status(current, self.old_status.get("desiredReplicas", 0), statuses, rescaled=False)
                self._event("Warning", "FailedComputeMetricsReplicas", error)
                return
            desired = proposal
            if desired > current:
                reason = f"{metric_name} above target"
            elif desired < current:
                reason = "All metrics below target"
            if spec.get("behavior") is None:
                desired = self._normalize(current, desired, minimum, maximum)
            else:
                desired = self._normalize_with_behavior(current, desired, minimum, maximum)
            rescale = desired != current
        if rescale:
            meta = self.hpa["metadata"]
            try:
                self.cluster.store.update_scale(kind.storage_api_version, kind.kind, target.get("name", ""), desired,
                                                namespace=meta["namespace"], field_manager=FIELD_MANAGER)
            except ApiError as err:
                self._event("Warning", "FailedRescale", f"New size: {desired}; reason: {reason}; error: {err}")
                self._condition("AbleToScale", "False", "FailedUpdateScale",
                                f"the HPA controller was unable to update the target scale: {err}")
                self._write_status(current, self.old_status.get("desiredReplicas", 0), statuses, rescaled=False)
                return
            self._condition("AbleToScale", "True", "SucceededRescale",
                            f"the HPA controller was able to update the target scale to {desired}")
            self._event("Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
            self._store_scale_event(current, desired)
        else:
            desired = current
        self._write_status(current, desired, statuses, rescaled=rescale)

    # -- metrics --

    def _compute_replicas(self, scale: Mapping[str, Any]) -> tuple[int, str, list[dict[str, Any]], str]:
        """``computeReplicasForMetrics``: (replicas or -1, metric name, statuses, error text)."""
        selector_text = (scale.get("status") or {}).get("selector", "")
        namespace = self.hpa["metadata"]["namespace"]
        if not selector_text:
            self._event("Warning", "SelectorRequired", "selector is required")
            self._condition("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector")
            return -1, "", [], "selector is required"
        try:
            selector = LabelSelector.parse(selector_text)
        except BadRequestError as err:
            message = f"couldn't convert selector into a corresponding internal selector object: {err}"
            self._event("Warning", "InvalidSelector", message)
            self._condition("ScalingActive", "False", "InvalidSelector", message)
            return -1, "", [], message
        # by name: floating-point sums over them must not depend on the store's order (which
        # differs after a restore)
        pods: list[Mapping[str, Any]] = sorted(
            (p for p in self.cluster.store.peek_all("", "Pod", namespace)
             if selector.matches((p.get("metadata") or {}).get("labels"))), key=lambda p: p["metadata"]["name"])
        others = self._other_hpas_selecting(pods)
        if others:
            keys = [f"{namespace}/{self.hpa['metadata']['name']}", *others]
            message = f"pods by selector {selector_text} are controlled by multiple HPAs: [{' '.join(sorted(keys))}]"
            self._event("Warning", "AmbiguousSelector", message)
            self._condition("ScalingActive", "False", "AmbiguousSelector", message)
            return -1, "", [], message
        metrics = self.spec.get("metrics") or []
        spec_replicas = scale["spec"]["replicas"]
        statuses: list[dict[str, Any]] = [{"type": ""} for _ in metrics]
        replicas, metric_name = 0, ""
        invalid = 0
        first_error, first_condition = "", ("", "")
        usages: dict[str, PodUsage] | None = None
        for i, metric in enumerate(metrics):
            try:
                if metric.get("type") in ("Resource", "ContainerResource"):
                    if usages is None:
                        usages = pod_usages(self.cluster, namespace, selector)
                    proposal, name, status = self._resource_metric(metric, spec_replicas, pods, usages)
                else:
                    proposal, name, status = self._unsupported_metric(metric)
            except _MetricError as err:
                self._event("Warning", err.reason, str(err))
                if invalid == 0:
                    first_error = f"{err.wrap}{err}"
                    first_condition = (err.reason, f"the HPA was unable to compute the replica count: {err}")
                invalid += 1
                continue
            statuses[i] = status
            if replicas == 0 or proposal > replicas:
                replicas, metric_name = proposal, name
        error = f"invalid metrics ({invalid} invalid out of {len(metrics)}), first error is: {first_error}" if invalid else ""
        if invalid >= len(metrics) or (invalid and replicas < spec_replicas):
            self._condition("ScalingActive", "False", *first_condition)
            return -1, "", statuses, error
        self._condition("ScalingActive", "True", "ValidMetricFound",
                        f"the HPA was able to successfully calculate a replica count from {metric_name}")
        return replicas, metric_name, statuses, error

    def _other_hpas_selecting(self, pods: list[Mapping[str, Any]]) -> list[str]:
        """Keys of other HPAs in the namespace whose targets select one of these pods."""
        namespace, own = self.hpa["metadata"]["namespace"], self.hpa["metadata"]["name"]
        out = []
        for other in self.cluster.store.peek_all("autoscaling", "HorizontalPodAutoscaler", namespace):
            if other["metadata"]["name"] == own:
                continue
            ref = (other.get("spec") or {}).get("scaleTargetRef") or {}
            try:
                kind, _v = self.cluster.store.kinds.resolve(ref.get("apiVersion", ""), ref.get("kind", ""))
                scale = self.cluster.store.get_scale(kind.storage_api_version, kind.kind, ref.get("name", ""),
                                                     namespace=namespace)
                selector = LabelSelector.parse(scale["status"]["selector"])
            except (ApiError, KeyError):
                continue
            if scale["status"]["selector"] and any(selector.matches(p["metadata"].get("labels")) for p in pods):
                out.append(f"{namespace}/{other['metadata']['name']}")
        return out

    def _unsupported_metric(self, metric: Mapping[str, Any]) -> tuple[int, str, dict[str, Any]]:
        kind = metric.get("type", "")
        source = metric.get({"Pods": "pods", "Object": "object", "External": "external"}.get(kind, "")) or {}
        name = (source.get("metric") or {}).get("name", "")
        custom = "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
        if kind == "Pods":
            raise _MetricError(f"unable to get metric {name}: {custom}", "FailedGetPodsMetric",
                               "failed to get pods metric value: ")
        if kind == "Object":
            raise _MetricError(f"unable to get metric {name}: {custom}", "FailedGetObjectMetric",
                               "failed to get object metric value: ")
        if kind == "External":
            raise _MetricError(f"unable to get external metric {self.hpa['metadata']['namespace']}/{name}: unable to "
                               "fetch metrics from external metrics API: no external metrics API "
                               "(external.metrics.k8s.io) registered", "FailedGetExternalMetric",
                               f"failed to get {name} external metric: ")
        raise _MetricError(f'unknown metric source type "{kind}"', "InvalidMetricSourceType")

    def _resource_metric(self, metric: Mapping[str, Any], current: int, pods: list[Mapping[str, Any]],
                         usages: dict[str, PodUsage]) -> tuple[int, str, dict[str, Any]]:
        container_metric = metric.get("type") == "ContainerResource"
        source = metric.get("containerResource" if container_metric else "resource") or {}
        resource, container = source.get("name", ""), source.get("container", "") if container_metric else ""
        target = source.get("target") or {}
        reason = "FailedGetContainerResourceMetric" if container_metric else "FailedGetResourceMetric"
        wrap = (f"failed to get {container} container metric value: " if container_metric
                else f"failed to get {resource} resource metric value: ")
        metrics = {name: _usage_milli(u, resource, container) for name, u in usages.items()
                   if not container or any(c.name == container for c in u.containers)}
        no_metrics = f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        if target.get("averageValue") is not None:
            try:
                if not metrics:
                    raise _MetricError(no_metrics)
                replicas, value = self._plain_replicas(
                    metrics, pods, current, math.ceil(parse_quantity(target["averageValue"]) * 1000), resource)
            except _MetricError as err:
                raise _MetricError(f"failed to get {resource} usage: {err}", reason, wrap) from None
            current_status: dict[str, Any] = {"averageValue": format_milli_quantity(value)}
            name = f"{resource} resource"
        elif target.get("averageUtilization") is not None:
            try:
                if not metrics:
                    raise _MetricError(no_metrics)
                replicas, utilization, raw = self._utilization_replicas(
                    metrics, pods, current, target["averageUtilization"], resource, container)
            except _MetricError as err:
                raise _MetricError(f"failed to get {resource} utilization: {err}", reason, wrap) from None
            current_status = {"averageUtilization": utilization, "averageValue": format_milli_quantity(raw)}
            name = (f"{resource} container resource utilization (percentage of request)" if container_metric
                    else f"{resource} resource utilization (percentage of request)")
        else:
            raise _MetricError("invalid resource metric source: neither an average utilization target nor an "
                               "average value (usage) target was set", reason, wrap)
        if container_metric:
            status = {"type": "ContainerResource", "containerResource": {
                "name": resource, "container": container, "current": current_status}}
        else:
            status = {"type": "Resource", "resource": {"name": resource, "current": current_status}}
        return replicas, name, status

    def _group_pods(self, pods: list[Mapping[str, Any]], metrics: dict[str, int],
                    resource: str) -> tuple[int, set[str], set[str], set[str]]:
        """``groupPods``: ready count, unready, missing and ignored pod names."""
        ready, unready, missing, ignored = 0, set(), set(), set()
        for pod in pods:
            name, status = pod["metadata"]["name"], pod.get("status") or {}
            if pod["metadata"].get("deletionTimestamp") or status.get("phase") in ("Failed", "Succeeded"):
                ignored.add(name)
                continue
            if status.get("phase") == "Pending":
                unready.add(name)
                continue
            if name not in metrics:
                missing.add(name)
                continue
            if resource == "cpu":
                condition = pod_condition(pod, "Ready")
                start = status.get("startTime")
                if condition is None or not start:
                    unready.add(name)
                    continue
                started = parse_time(start)
                transition = parse_time(condition.get("lastTransitionTime") or start)
                if started + CPU_INITIALIZATION_PERIOD_SECONDS > self.now:
                    # A sample taken before one full window of readiness is not trusted.
                    is_unready = condition.get("status") == "False" or self.now < transition + METRICS_WINDOW_SECONDS
                else:
                    is_unready = (condition.get("status") == "False"
                                  and started + INITIAL_READINESS_DELAY_SECONDS > transition)
                if is_unready:
                    unready.add(name)
                    continue
            ready += 1
        return ready, unready, missing, ignored

    def _utilization_replicas(self, metrics: dict[str, int], pods: list[Mapping[str, Any]], current: int,
                              target: int, resource: str, container: str) -> tuple[int, int, int]:
        """``GetResourceReplicas``: (replicas, utilization %, average raw milli-usage)."""
        ready_count, unready, missing, ignored = self._group_pods(pods, metrics, resource)
        metrics = {k: v for k, v in metrics.items() if k not in ignored and k not in unready}
        requests = _pod_requests(pods, resource, container)
        if not metrics:
            raise _MetricError("did not receive metrics for any ready pods")
        ratio, utilization, raw = _utilization_ratio(metrics, requests, target, resource)
        rebalance_ignored = bool(unready) and ratio > 1.0
        if not rebalance_ignored and not missing:
            if abs(1.0 - ratio) <= TOLERANCE:
                return current, utilization, raw
            return math.ceil(ratio * ready_count), utilization, raw
        if missing:
            if ratio < 1.0:
                for name in missing:
                    # Assumed at 100 % of the request, or at the target if that is higher.
                    metrics[name] = max(requests.get(name, 0), requests.get(name, 0) * target // 100)
            elif ratio > 1.0:
                for name in missing:
                    metrics[name] = 0
        if rebalance_ignored:
            for name in unready:
                metrics[name] = 0
        new_ratio, _u, _r = _utilization_ratio(metrics, requests, target, resource)
        if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
            return current, utilization, raw
        new_replicas = math.ceil(new_ratio * len(metrics))
        if (new_ratio < 1.0 and new_replicas > current) or (new_ratio > 1.0 and new_replicas < current):
            return current, utilization, raw
        return new_replicas, utilization, raw

    def _plain_replicas(self, metrics: dict[str, int], pods: list[Mapping[str, Any]], current: int,
                        target: int, resource: str) -> tuple[int, int]:
        """``calcPlainMetricReplicas``: (replicas, average milli-value)."""
        ready_count, unready, missing, ignored = self._group_pods(pods, metrics, resource)
        metrics = {k: v for k, v in metrics.items() if k not in ignored and k not in unready}
        if not metrics:
            raise _MetricError("did not receive metrics for any ready pods")
        utilization = sum(metrics.values()) // len(metrics)
        ratio = utilization / target
        rebalance_ignored = bool(unready) and ratio > 1.0
        if not rebalance_ignored and not missing:
            if abs(1.0 - ratio) <= TOLERANCE:
                return current, utilization
            return math.ceil(ratio * ready_count), utilization
        if missing:
            for name in missing:
                metrics[name] = target if ratio < 1.0 else 0
        if rebalance_ignored:
            for name in unready:
                metrics[name] = 0
        new_ratio = (sum(metrics.values()) // len(metrics)) / target
        if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
            return current, utilization
        new_replicas = math.ceil(new_ratio * len(metrics))
        if (new_ratio < 1.0 and new_replicas > current) or (new_ratio > 1.0 and new_replicas < current):
            return current, utilization
        return new_replicas, utilization

    # -- normalisation --

    def _normalize(self, current: int, desired: int, minimum: int, maximum: int) -> int:
        """``normalizeDesiredReplicas``: downscale stabilisation, then the rules."""
        cutoff = self.now - DOWNSCALE_STABILIZATION_SECONDS
        recommendations = [r for r in self.state["recommendations"] if r[0] > cutoff]
        stabilized = max([desired, *(int(r[1]) for r in recommendations)])
        self.state["recommendations"] = [*recommendations, [self.now, float(desired)]]
        if stabilized != desired:
            self._condition("AbleToScale", "True", "ScaleDownStabilized",
                            "recent recommendations were higher than current one, applying the highest recent "
                            "recommendation")
        else:
            self._condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
        scale_up_limit = max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM)
        if maximum > scale_up_limit:
            upper, limit_reason, limit_message = scale_up_limit, "ScaleUpLimit", \
                "the desired replica count is increasing faster than the maximum scale rate"
        else:
            upper, limit_reason, limit_message = maximum, "TooManyReplicas", \
                "the desired replica count is more than the maximum replica count"
        if stabilized < minimum:
            result, limit_reason, limit_message = minimum, "TooFewReplicas", \
                "the desired replica count is less than the minimum replica count"
        elif stabilized > upper:
            result = upper
        else:
            result, limit_reason, limit_message = stabilized, "DesiredWithinRange", \
                "the desired count is within the acceptable range"
        self._condition("ScalingLimited", "True" if result != stabilized else "False", limit_reason, limit_message)
        return result

    def _rules(self, direction: str) -> dict[str, Any]:
        rules = dict(((self.spec.get("behavior") or {}).get(direction)) or {})
        if direction == "scaleDown" and rules.get("stabilizationWindowSeconds") is None:
            rules["stabilizationWindowSeconds"] = DOWNSCALE_STABILIZATION_SECONDS
        rules.setdefault("stabilizationWindowSeconds", 0)
        rules.setdefault("selectPolicy", "Max")
        return rules

    def _normalize_with_behavior(self, current: int, desired: int, minimum: int, maximum: int) -> int:
        """``normalizeDesiredReplicasWithBehaviors``: stabilisation windows, then rate policies."""
        up, down = self._rules("scaleUp"), self._rules("scaleDown")
        up_cutoff = self.now - up["stabilizationWindowSeconds"]
        down_cutoff = self.now - down["stabilizationWindowSeconds"]
        up_rec, down_rec = desired, desired
        kept = []
        for at, value in self.state["recommendations"]:
            if at > up_cutoff:
                up_rec = min(up_rec, int(value))
            if at > down_cutoff:
                down_rec = max(down_rec, int(value))
            if at > up_cutoff or at > down_cutoff:
                kept.append([at, value])
        self.state["recommendations"] = [*kept, [self.now, float(desired)]]
        stabilized = min(max(current, up_rec), down_rec)
        if stabilized != desired:
            if desired >= current:
                self._condition("AbleToScale", "True", "ScaleUpStabilized", "recent recommendations were lower than "
                                "current one, applying the lowest recent recommendation")
            else:
                self._condition("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher "
                                "than current one, applying the highest recent recommendation")
        else:
            self._condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
        result, reason, message = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        if stabilized > current:
            limit = max(self._scale_limit(current, up, up=True), current)
            if maximum > limit:
                allowed, why, text = limit, "ScaleUpLimit", \
                    "the desired replica count is increasing faster than the maximum scale rate"
            else:
                allowed, why, text = maximum, "TooManyReplicas", \
                    "the desired replica count is more than the maximum replica count"
            if stabilized > allowed:
                result, reason, message = allowed, why, text
        elif stabilized < current:
            limit = min(self._scale_limit(current, down, up=False), current)
            if minimum < limit:
                allowed, why, text = limit, "ScaleDownLimit", \
                    "the desired replica count is decreasing faster than the maximum scale rate"
            else:
                allowed, why, text = minimum, "TooFewReplicas", \
                    "the desired replica count is less than the minimum replica count"
            if stabilized < allowed:
                result, reason, message = allowed, why, text
        self._condition("ScalingLimited", "True" if result != stabilized else "False", reason, message)
        return result

    def _changes_in_period(self, key: str, period: float) -> int:
        cutoff = self.now - period
        return int(sum(change for at, change in self.state[key] if at > cutoff))

    def _scale_limit(self, current: int, rules: Mapping[str, Any], *, up: bool) -> int:
        """``calculateScaleUpLimitWithScalingRules`` / ``calculateScaleDownLimitWithBehaviors``."""
        select = rules.get("selectPolicy", "Max")
        if select == "Disabled":
            return current
        pick_min = (select == "Min") == up  # Min on scale-up / Max on scale-down → the smallest change
        result: int | None = None
        for policy in rules.get("policies") or []:
            period = policy.get("periodSeconds", 0)
            start = current - self._changes_in_period("scaleUp", period) + self._changes_in_period("scaleDown", period)
            value = policy.get("value", 0)
            if policy.get("type") == "Pods":
                proposed = start + value if up else start - value
            elif up:
                proposed = math.ceil(start * (1 + value / 100))
            else:
                proposed = int(start * (1 - value / 100))
            if result is None:
                result = proposed
            else:
                result = min(result, proposed) if pick_min else max(result, proposed)
        if result is None:
            return current
        return result

    def _store_scale_event(self, current: int, desired: int) -> None:
        """Remember a rescale for the rate policies (only HPAs with ``behavior`` use them)."""
        behavior = self.spec.get("behavior")
        if behavior is None:
            return
        key = "scaleUp" if desired > current else "scaleDown"
        rules = self._rules(key)
        longest = max((p.get("periodSeconds", 0) for p in rules.get("policies") or []), default=0)
        cutoff = self.now - longest
        self.state[key] = [e for e in self.state[key] if e[0] >= cutoff] + [[self.now, float(abs(desired - current))]]

    # -- status --

    def _write_status(self, current: int, desired: int, metrics: list[dict[str, Any]] | None, *,
                      rescaled: bool) -> None:
        status: dict[str, Any] = {}
        last_scale = format_time(self.now) if rescaled else self.old_status.get("lastScaleTime")
        if last_scale:
            status["lastScaleTime"] = last_scale
        if current:
            status["currentReplicas"] = current
        status["desiredReplicas"] = desired
        if metrics:
            status["currentMetrics"] = metrics
        if self.conditions:
            status["conditions"] = self.conditions
        meta = self.hpa["metadata"]
        store = self.cluster.store
        if status != self.old_status:
            try:
                store.update_status({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                     "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
                                     "status": status}, field_manager=FIELD_MANAGER, copy=False)
            except NotFoundError:
                return
        state = json.dumps(self.state, sort_keys=True)
        if state != self.old_state:
            try:
                store.patch("autoscaling/v2", "HorizontalPodAutoscaler", meta["name"],
                            {"metadata": {"annotations": {STATE_ANNOTATION: json.dumps(self.state,
                                                                                       separators=(",", ":"))}}},
                            namespace=meta["namespace"], field_manager=FIELD_MANAGER, copy=False)
            except NotFoundError:
                pass


def _utilization_ratio(metrics: Mapping[str, int], requests: Mapping[str, int], target: int,
                       resource: str) -> tuple[float, int, int]:
    """``GetResourceUtilizationRatio``: (ratio to target, utilization %, average raw milli-value).

    Raises:
        _MetricError: no metric matched a pod with a request.
    """
    total_metrics = total_requests = entries = 0
    for name, value in metrics.items():
        if name not in requests:
            continue
        total_metrics += value
        total_requests += requests[name]
        entries += 1
    if total_requests == 0:
        raise _MetricError("no metrics returned matched known pods")
    utilization = total_metrics * 100 // total_requests
    return utilization / target, utilization, total_metrics // entries
