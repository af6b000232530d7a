"""Defaulting (kubernetes-simulation.md §4.1) and the admission plugins that fill in fields."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from helmlite.cluster import Cluster, ForbiddenError, InvalidError
from helmlite.cluster.defaults import default_image_pull_policy

from .manifests import clone, deployment, pod

NS = "default"


def create(cluster: Cluster, manifest: dict[str, Any]) -> dict[str, Any]:
    return cluster.store.create(manifest)


POD_TEMPLATE_SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
    "securityContext": {},
}
CONTAINER_DEFAULTS = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "resources": {},
}


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("registry.local:5000/nginx", "Always"),
        ("registry.local:5000/nginx:1.25", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ("nginx:latest@sha256:" + "a" * 64, "IfNotPresent"),
    ],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    assert default_image_pull_policy(image) == policy


def test_deployment_defaults(cluster: Cluster) -> None:
    spec = create(cluster, deployment(replicas=None))["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert "minReadySeconds" not in spec
    template = spec["template"]["spec"]
    assert {k: template[k] for k in POD_TEMPLATE_SPEC_DEFAULTS} == POD_TEMPLATE_SPEC_DEFAULTS
    container = template["containers"][0]
    assert {k: container[k] for k in CONTAINER_DEFAULTS} == CONTAINER_DEFAULTS
    assert container["imagePullPolicy"] == "IfNotPresent"
    # Pod-only defaults do not apply to templates.
    assert "enableServiceLinks" not in template and "serviceAccountName" not in template


def test_deployment_keeps_given_values(cluster: Cluster) -> None:
    manifest = deployment(replicas=0)
    manifest["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    spec = create(cluster, manifest)["spec"]
    assert spec["replicas"] == 0
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": "25%"}


def test_recreate_strategy_gets_no_rolling_update(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["strategy"] = {"type": "Recreate"}
    assert create(cluster, manifest)["spec"]["strategy"] == {"type": "Recreate"}


def test_pod_defaults_and_admission(cluster: Cluster) -> None:
    manifest = pod("p", image="nginx")
    manifest["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    manifest["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "500m", "memory": "64Mi"}}
    manifest["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"port": 80}}
    obj = create(cluster, manifest)
    spec = obj["spec"]
    assert {k: spec[k] for k in POD_TEMPLATE_SPEC_DEFAULTS} == POD_TEMPLATE_SPEC_DEFAULTS
    assert spec["enableServiceLinks"] is True
    assert spec["serviceAccountName"] == "default" and spec["serviceAccount"] == "default"
    assert spec["priority"] == 0 and spec["preemptionPolicy"] == "PreemptLowerPriority"
    assert spec["tolerations"] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    ]
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "64Mi"}
    assert container["readinessProbe"] == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
                                           "timeoutSeconds": 1, "periodSeconds": 10,
                                           "successThreshold": 1, "failureThreshold": 3}
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    assert volume["projected"]["defaultMode"] == 420
    assert container["volumeMounts"] == [{"name": volume["name"], "readOnly": True,
                                          "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    assert obj["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


@pytest.mark.parametrize(
    ("resources", "qos"),
    [
        ({}, "BestEffort"),
        ({"requests": {"cpu": "100m"}}, "Burstable"),
        ({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}, "Guaranteed"),
        ({"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}, "Burstable"),
    ],
)
def test_pod_qos_class(cluster: Cluster, resources: dict[str, Any], qos: str) -> None:
    manifest = pod("p")
    manifest["spec"]["containers"][0]["resources"] = resources
    assert create(cluster, manifest)["status"]["qosClass"] == qos


def test_pod_without_token_automount(cluster: Cluster) -> None:
    spec = create(cluster, pod("p", automountServiceAccountToken=False))["spec"]
    assert "volumes" not in spec


def test_pod_priority_class(cluster: Cluster) -> None:
    spec = create(cluster, pod("p", priorityClassName="system-node-critical"))["spec"]
    assert spec["priority"] == 2000001000
    with pytest.raises(ForbiddenError, match='^pods "q" is forbidden: no PriorityClass with name gold was found$'):
        create(cluster, pod("q", priorityClassName="gold"))


def test_volume_defaults(cluster: Cluster) -> None:
    manifest = pod("p")
    manifest["spec"]["volumes"] = [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "c"}}]
    volumes = {v["name"]: v for v in create(cluster, manifest)["spec"]["volumes"]}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert volumes["cfg"]["configMap"] == {"name": "c", "defaultMode": 420}


def service(name: str = "web", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


def test_service_defaults_and_cluster_ip(cluster: Cluster) -> None:
    spec = create(cluster, service())["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    ip = ipaddress.ip_address(spec["clusterIP"])
    assert ip in ipaddress.ip_network("10.96.0.0/12") and str(ip) != "10.96.0.1"
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert "externalTrafficPolicy" not in spec


def test_kubernetes_service_holds_the_first_address(cluster: Cluster) -> None:
    assert cluster.store.get("v1", "Service", "kubernetes", namespace=NS)["spec"]["clusterIP"] == "10.96.0.1"
    with pytest.raises(InvalidError) as err:
        create(cluster, service(clusterIP="10.96.0.1"))
    assert str(err.value) == ('Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
                              "failed to allocate IP 10.96.0.1: provided IP is already allocated")


def test_cluster_ips_are_unique_and_requestable(cluster: Cluster) -> None:
    ips = {create(cluster, service(f"s{i}"))["spec"]["clusterIP"] for i in range(50)}
    assert len(ips) == 50
    assert create(cluster, service("dns", clusterIP="10.96.0.10"))["spec"]["clusterIP"] == "10.96.0.10"
    with pytest.raises(InvalidError, match=r"the provided IP \(10\.0\.0\.1\) is not in the valid range. "
                                           r"The range of valid IPs is 10\.96\.0\.0/12"):
        create(cluster, service("x", clusterIP="10.0.0.1"))


def test_deleted_service_frees_its_address(cluster: Cluster) -> None:
    create(cluster, service("a", clusterIP="10.96.0.20"))
    cluster.store.delete("v1", "Service", "a", namespace=NS)
    assert create(cluster, service("b", clusterIP="10.96.0.20"))["spec"]["clusterIP"] == "10.96.0.20"


def test_headless_service(cluster: Cluster) -> None:
    spec = create(cluster, service(clusterIP="None"))["spec"]
    assert spec["clusterIP"] == "None" and spec["clusterIPs"] == ["None"]


def test_node_port_allocation(cluster: Cluster) -> None:
    spec = create(cluster, service(type="NodePort"))["spec"]
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert spec["externalTrafficPolicy"] == "Cluster"
    lb = create(cluster, service("lb", type="LoadBalancer"))["spec"]
    assert lb["allocateLoadBalancerNodePorts"] is True and 30000 <= lb["ports"][0]["nodePort"] <= 32767
    assert lb["ports"][0]["nodePort"] != spec["ports"][0]["nodePort"]
    with pytest.raises(InvalidError, match=r"spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in "
                                           r"the valid range. The range of valid ports is 30000-32767"):
        create(cluster, service("bad", type="NodePort", ports=[{"port": 80, "nodePort": 80}]))
    taken = spec["ports"][0]["nodePort"]
    with pytest.raises(InvalidError, match="provided port is already allocated"):
        create(cluster, service("dup", type="NodePort", ports=[{"port": 80, "nodePort": taken}]))


def test_service_update_keeps_allocations(cluster: Cluster) -> None:
    first = create(cluster, service(type="NodePort"))
    manifest = service(type="NodePort")  # a re-applied manifest carries no allocated values
    manifest["metadata"]["labels"] = {"v": "2"}
    updated = cluster.store.replace(manifest)
    assert updated["spec"]["clusterIP"] == first["spec"]["clusterIP"]
    assert updated["spec"]["ports"][0]["nodePort"] == first["spec"]["ports"][0]["nodePort"]
    back = cluster.store.replace(service())  # NodePort -> ClusterIP drops the node port
    assert "nodePort" not in back["spec"]["ports"][0]
    assert back["spec"]["clusterIP"] == first["spec"]["clusterIP"]


def test_statefulset_defaults(cluster: Cluster) -> None:
    manifest = deployment("db")
    manifest["kind"] = "StatefulSet"
    manifest["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
    spec = create(cluster, manifest)["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["revisionHistoryLimit"] == 10
    claim = spec["volumeClaimTemplates"][0]
    assert claim["apiVersion"] == "v1" and claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["volumeMode"] == "Filesystem" and claim["status"] == {"phase": "Pending"}


def test_daemonset_defaults(cluster: Cluster) -> None:
    manifest = deployment("agent", replicas=None)
    manifest["kind"] = "DaemonSet"
    spec = create(cluster, manifest)["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["template"]["spec"]["restartPolicy"] == "Always"


def job(name: str = "pi", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}],
                                           "restartPolicy": "Never"}}, **spec}}


def test_job_defaults_and_generated_selector(cluster: Cluster) -> None:
    obj = create(cluster, job())
    spec, uid = obj["spec"], obj["metadata"]["uid"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert spec["completionMode"] == "NonIndexed" and spec["suspend"] is False
    assert spec["podReplacementPolicy"] == "TerminatingOrFailed" and spec["manualSelector"] is False
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
              "controller-uid": uid, "job-name": "pi"}
    assert spec["template"]["metadata"]["labels"] == labels
    assert obj["metadata"]["labels"] == labels


def test_job_parallelism_only(cluster: Cluster) -> None:
    spec = create(cluster, job(parallelism=3))["spec"]
    assert spec["parallelism"] == 3 and "completions" not in spec


def test_cronjob_defaults(cluster: Cluster) -> None:
    template = job()["spec"]
    spec = create(cluster, {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
                            "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": template}}})["spec"]
    assert spec["concurrencyPolicy"] == "Allow" and spec["suspend"] is False
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_pvc_defaults_and_default_storage_class(cluster: Cluster) -> None:
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    obj = create(cluster, claim)
    assert obj["spec"]["volumeMode"] == "Filesystem"
    assert obj["spec"]["storageClassName"] == "standard"
    assert obj["status"] == {"phase": "Pending"}
    explicit = clone(claim)
    explicit["metadata"]["name"] = "no-class"
    explicit["spec"]["storageClassName"] = ""
    assert create(cluster, explicit)["spec"]["storageClassName"] == ""


def test_hpa_v2_defaults(cluster: Cluster) -> None:
    spec = create(cluster, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}},
    })["spec"]
    assert spec["minReplicas"] == 1
    assert spec["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    assert spec["behavior"]["scaleUp"] == {
        "stabilizationWindowSeconds": 0, "selectPolicy": "Max",
        "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                     {"type": "Percent", "value": 100, "periodSeconds": 15}]}
    assert spec["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 60, "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def test_namespace_defaults(cluster: Cluster) -> None:
    ns = create(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}


def test_secret_and_network_policy_defaults(cluster: Cluster) -> None:
    assert create(cluster, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}})["type"] == "Opaque"
    policy = create(cluster, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np"},
                              "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}})
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert policy["spec"]["ingress"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]


def test_default_nodes(cluster: Cluster) -> None:
    nodes = cluster.store.list("v1", "Node")
    assert [n["metadata"]["name"] for n in nodes] == ["node-1", "node-2", "node-3"]
    for node in nodes:
        labels = node["metadata"]["labels"]
        assert labels["kubernetes.io/hostname"] == node["metadata"]["name"]
        assert labels["kubernetes.io/os"] == "linux"
        assert labels["topology.kubernetes.io/zone"].startswith("zone-")
        assert node["status"]["allocatable"]["cpu"] == "4"
        assert node["status"]["allocatable"]["memory"] == "16Gi"
        assert node["status"]["allocatable"]["pods"] == "110"
        ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
        assert ready["status"] == "True" and ready["reason"] == "KubeletReady"
    assert len({n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in nodes}) == 3
