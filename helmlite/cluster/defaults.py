"""Defaulting as the API server's ``SetDefaults_*`` functions do it (kubernetes-simulation.md §4.1).

Pure functions: they fill in missing fields of a plain dict in place and never overwrite a
value the client set. They run on every write (before validation), so they are idempotent.
Defaults that need cluster state (service account token volumes, the default StorageClass,
priorities) are admission's job, in ``admission.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helmlite.cluster.kinds import Kind

__all__ = ["apply_defaults", "default_image_pull_policy", "default_pod_spec"]


def _sub(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """``parent[key]`` as a dict, created when missing or null."""
    value = parent.get(key)
    if not isinstance(value, dict):
        value = {}
        parent[key] = value
    return value


def _opt(parent: Any, key: str) -> dict[str, Any] | None:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else None


def default_image_pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or an untagged image without digest, else ``IfNotPresent``
    (also for a missing image: the API server's image parser fails and falls through)."""
    if "@" in image or not image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _default_probe(probe: dict[str, Any]) -> None:
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    _default_handler(probe)


def _default_handler(handler: dict[str, Any]) -> None:
    http = _opt(handler, "httpGet")
    if http is not None:
        if not http.get("path"):
            http["path"] = "/"
        http.setdefault("scheme", "HTTP")


def _default_container(c: dict[str, Any], *, pod: bool, host_network: bool) -> None:
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = default_image_pull_policy(c.get("image") or "")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    resources = _sub(c, "resources")
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if pod and host_network and "containerPort" in port:
                port.setdefault("hostPort", port["containerPort"])
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = _opt(c, name)
        if probe is not None:
            _default_probe(probe)
    lifecycle = _opt(c, "lifecycle")
    for hook in ("postStart", "preStop"):
        handler = _opt(lifecycle, hook) if lifecycle else None
        if handler is not None:
            _default_handler(handler)
    for env in c.get("env") or []:
        field_ref = _opt(_opt(env, "valueFrom") or {}, "fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")
    if pod:
        # SetDefaults_Pod: a limit without a request implies the request.
        limits = resources.get("limits")
        if isinstance(limits, dict) and limits:
            requests = _sub(resources, "requests")
            for name, value in limits.items():
                requests.setdefault(name, value)


_VOLUME_SOURCES_WITH_MODE = ("secret", "configMap", "downwardAPI", "projected")


def _default_volume(volume: dict[str, Any]) -> None:
    sources = [k for k in volume if k != "name"]
    if not sources:
        volume["emptyDir"] = {}
        return
    for key in _VOLUME_SOURCES_WITH_MODE:
        source = _opt(volume, key)
        if source is not None:
            source.setdefault("defaultMode", 420)
    for item in (_opt(volume, "downwardAPI") or {}).get("items") or []:
        field_ref = _opt(item, "fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")
    host_path = _opt(volume, "hostPath")
    if host_path is not None:
        host_path.setdefault("type", "")


def default_pod_spec(spec: dict[str, Any], *, pod: bool) -> None:
    """PodSpec defaults; ``pod`` adds those that apply to Pods but not to templates."""
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    spec.setdefault("terminationGracePeriodSeconds", 30)
    if not spec.get("schedulerName"):
        spec["schedulerName"] = "default-scheduler"
    _sub(spec, "securityContext")
    host_network = bool(spec.get("hostNetwork"))
    for field_name in ("initContainers", "containers"):
        for container in spec.get(field_name) or []:
            if isinstance(container, dict):
                _default_container(container, pod=pod, host_network=host_network)
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            _default_volume(volume)
    if pod:
        spec.setdefault("enableServiceLinks", True)


def _default_template(parent: dict[str, Any]) -> None:
    template = _opt(parent, "template")
    if template is not None:
        default_pod_spec(_sub(template, "spec"), pod=False)


def _pod(obj: dict[str, Any]) -> None:
    default_pod_spec(_sub(obj, "spec"), pod=True)


def _deployment(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("replicas", 1)
    strategy = _sub(spec, "strategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _sub(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _default_template(spec)


def _replicaset(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("replicas", 1)
    _default_template(spec)


def _statefulset(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    if not spec.get("podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    strategy = _sub(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        _sub(strategy, "rollingUpdate").setdefault("partition", 0)
    retention = _sub(spec, "persistentVolumeClaimRetentionPolicy")
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    _default_template(spec)
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            _sub(claim, "spec").setdefault("volumeMode", "Filesystem")
            _sub(claim, "status").setdefault("phase", "Pending")


def _daemonset(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    strategy = _sub(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _sub(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _default_template(spec)


def _job(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = (_opt(_opt(spec, "template") or {}, "metadata") or {}).get("labels")
    meta = _sub(obj, "metadata")
    if template_labels and not meta.get("labels"):
        meta["labels"] = dict(template_labels)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed")
    spec.setdefault("manualSelector", False)
    _default_template(spec)


def _cronjob(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_spec = _opt(_opt(spec, "jobTemplate") or {}, "spec")
    if job_spec is not None:
        _default_template(job_spec)


def _hpa(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
        }]
    behavior = _opt(spec, "behavior")
    if behavior is not None:
        up = _sub(behavior, "scaleUp")
        up.setdefault("stabilizationWindowSeconds", 0)
        up.setdefault("selectPolicy", "Max")
        if not up.get("policies"):
            up["policies"] = [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15},
            ]
        down = _sub(behavior, "scaleDown")
        down.setdefault("selectPolicy", "Max")
        if not down.get("policies"):
            down["policies"] = [{"type": "Percent", "value": 100, "periodSeconds": 15}]


def _service(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        client_ip = _sub(_sub(spec, "sessionAffinityConfig"), "clientIP")
        client_ip.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if not port.get("targetPort") and "port" in port:
                port["targetPort"] = port["port"]
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def _secret(obj: dict[str, Any]) -> None:
    if not obj.get("type"):
        obj["type"] = "Opaque"


def _namespace(obj: dict[str, Any]) -> None:
    meta = _sub(obj, "metadata")
    if meta.get("name"):
        _sub(meta, "labels")["kubernetes.io/metadata.name"] = meta["name"]


def _pvc(obj: dict[str, Any]) -> None:
    _sub(obj, "spec").setdefault("volumeMode", "Filesystem")


def _pv(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")


def _node(obj: dict[str, Any]) -> None:
    status = _opt(obj, "status")
    if status is not None and status.get("capacity") and not status.get("allocatable"):
        status["allocatable"] = dict(status["capacity"])


def _endpoints(obj: dict[str, Any]) -> None:
    for subset in obj.get("subsets") or []:
        for port in (subset or {}).get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")


def _network_policy(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in (rule or {}).get("ports") or []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")


def _priority_class(obj: dict[str, Any]) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")


def _storage_class(obj: dict[str, Any]) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def _crd(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    _sub(spec, "conversion").setdefault("strategy", "None")
    names = _sub(spec, "names")
    if names.get("kind"):
        names.setdefault("singular", names["kind"].lower())
        names.setdefault("listKind", names["kind"] + "List")


def _webhooks(obj: dict[str, Any], *, mutating: bool) -> None:
    # admissionregistration/v1 SetDefaults_ValidatingWebhook / _MutatingWebhook, _Rule and
    # _ServiceReference.
    for hook in obj.get("webhooks") or []:
        if not isinstance(hook, dict):
            continue
        hook.setdefault("failurePolicy", "Fail")
        hook.setdefault("matchPolicy", "Equivalent")
        hook.setdefault("namespaceSelector", {})
        hook.setdefault("objectSelector", {})
        hook.setdefault("timeoutSeconds", 10)
        if mutating:
            hook.setdefault("reinvocationPolicy", "Never")
        for rule in hook.get("rules") or []:
            if isinstance(rule, dict):
                rule.setdefault("scope", "*")
        service = _opt(_opt(hook, "clientConfig"), "service")
        if service is not None:
            service.setdefault("port", 443)


def _mutating_webhooks(obj: dict[str, Any]) -> None:
    _webhooks(obj, mutating=True)


def _validating_webhooks(obj: dict[str, Any]) -> None:
    _webhooks(obj, mutating=False)


def _match_resources(match: dict[str, Any]) -> None:
    match.setdefault("matchPolicy", "Equivalent")
    match.setdefault("namespaceSelector", {})
    match.setdefault("objectSelector", {})
    for field_name in ("resourceRules", "excludeResourceRules"):
        for rule in match.get(field_name) or []:
            if isinstance(rule, dict):
                rule.setdefault("scope", "*")


def _validating_admission_policy(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("failurePolicy", "Fail")
    match = _opt(spec, "matchConstraints")
    if match is not None:
        _match_resources(match)


def _validating_admission_policy_binding(obj: dict[str, Any]) -> None:
    match = _opt(_opt(obj, "spec"), "matchResources")
    if match is not None:
        _match_resources(match)


def _api_service(obj: dict[str, Any]) -> None:
    service = _opt(_opt(obj, "spec"), "service")
    if service is not None:
        service.setdefault("port", 443)


def _csi_driver(obj: dict[str, Any]) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("attachRequired", True)
    spec.setdefault("podInfoOnMount", False)
    spec.setdefault("storageCapacity", False)
    spec.setdefault("fsGroupPolicy", "ReadWriteOnceWithFSType")
    if not spec.get("volumeLifecycleModes"):
        spec["volumeLifecycleModes"] = ["Persistent"]
    spec.setdefault("requiresRepublish", False)
    spec.setdefault("seLinuxMount", False)


_DEFAULTERS: dict[tuple[str, str], Callable[[dict[str, Any]], None]] = {
    ("", "Pod"): _pod,
    ("", "Service"): _service,
    ("", "Secret"): _secret,
    ("", "Namespace"): _namespace,
    ("", "PersistentVolumeClaim"): _pvc,
    ("", "PersistentVolume"): _pv,
    ("", "Node"): _node,
    ("", "Endpoints"): _endpoints,
    ("apps", "Deployment"): _deployment,
    ("apps", "ReplicaSet"): _replicaset,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cronjob,
    ("autoscaling", "HorizontalPodAutoscaler"): _hpa,
    ("networking.k8s.io", "NetworkPolicy"): _network_policy,
    ("scheduling.k8s.io", "PriorityClass"): _priority_class,
    ("storage.k8s.io", "StorageClass"): _storage_class,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): _mutating_webhooks,
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): _validating_webhooks,
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): _validating_admission_policy,
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"): _validating_admission_policy_binding,
    ("apiregistration.k8s.io", "APIService"): _api_service,
    ("storage.k8s.io", "CSIDriver"): _csi_driver,
}


def apply_defaults(kind: Kind, obj: dict[str, Any]) -> None:
    """Fill in the defaults the API server sets for ``kind`` (in place; idempotent)."""
    defaulter = _DEFAULTERS.get(kind.group_kind)
    if defaulter is not None:
        defaulter(obj)
