"""Server-side printing: Tables per kind, ages, tabwriter alignment, CRD printer columns."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.printers import (
    GET_SETTINGS,
    PrintOptions,
    TableBlock,
    format_tables,
    human_duration,
    render_jsonpath,
    table,
    tabwrite,
)

from .manifests import deployment, pod


@pytest.mark.parametrize("seconds, text", [
    (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (45, "45s"), (119, "119s"), (120, "2m"), (312, "5m12s"),
    (599, "9m59s"), (600, "10m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"), (5 * 3600 + 120, "5h2m"),
    (8 * 3600, "8h"), (47 * 3600, "47h"), (2 * 86400 + 5 * 3600, "2d5h"), (3 * 86400, "3d"), (8 * 86400, "8d"),
    (730 * 86400, "2y"), (731 * 86400, "2y1d"), (8 * 365 * 86400, "8y"),
])
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_tabwriter_pads_three_spaces_with_minimum_width_six() -> None:
    assert tabwrite("NAME\tIP\tX\na\tb\tlast\n", GET_SETTINGS) == "NAME   IP    X\na      b     last\n"


def _table(cluster: Cluster, group: str, kind: str, namespace: str = "default") -> dict:
    k = cluster.kinds.get(group, kind)
    assert k is not None
    objects = cluster.store.list(k.storage_api_version, kind, namespace=namespace if k.namespaced else "")
    return table(k, objects, now=cluster.clock.now)


def test_deployment_table_as_the_api_server_sends_it(cluster: Cluster) -> None:
    cluster.store.apply(deployment("web", replicas=2), field_manager="kubectl")
    cluster.advance(30)
    result = _table(cluster, "apps", "Deployment")
    assert result["kind"] == "Table" and result["apiVersion"] == "meta.k8s.io/v1"
    assert [(c["name"], c["type"], c["priority"]) for c in result["columnDefinitions"]] == [
        ("Name", "string", 0), ("Ready", "string", 0), ("Up-to-date", "string", 0), ("Available", "string", 0),
        ("Age", "string", 0), ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1)]
    (row,) = result["rows"]
    assert row["cells"] == ["web", "2/2", 2, 2, "30s", "nginx", "nginx:1.25", "app=web"]
    assert row["object"]["kind"] == "PartialObjectMetadata" and row["object"]["metadata"]["name"] == "web"
    full = table(cluster.kinds.get("apps", "Deployment"), [cluster.store.get("apps/v1", "Deployment", "web",
                                                                             namespace="default")],
                 now=cluster.clock.now, include_object=True)
    assert full["rows"][0]["object"]["kind"] == "Deployment"


def test_pod_status_follows_the_lifecycle(cluster: Cluster) -> None:
    cluster.store.create(pod("p"))
    cluster.reconcile()
    assert _table(cluster, "", "Pod")["rows"][0]["cells"][1:4] == ["0/1", "ContainerCreating", "0"]
    cluster.advance(60)
    cells = _table(cluster, "", "Pod")["rows"][0]["cells"]
    assert cells[1:5] == ["1/1", "Running", "0", "60s"]
    assert cells[6].startswith("node-") and cells[7:] == ["<none>", "<none>"]
    cluster.store.delete("v1", "Pod", "p", namespace="default")
    assert _table(cluster, "", "Pod")["rows"][0]["cells"][2] == "Terminating"


def test_completed_job_pod_and_job_columns(cluster: Cluster) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "c", "image": "busybox:1.36", "command": ["true"]}]}}}}
    cluster.store.create(job)
    cluster.advance(120)
    pod_row = _table(cluster, "", "Pod")["rows"][0]
    assert pod_row["cells"][1:3] == ["0/1", "Completed"]
    assert pod_row["conditions"][0]["reason"] == "Succeeded"
    job_cells = _table(cluster, "batch", "Job")["rows"][0]["cells"]
    assert job_cells[:3] == ["once", "Complete", "1/1"] and job_cells[4] == "2m"


def test_service_node_and_namespace_cells(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np"},
                          "spec": {"type": "NodePort", "selector": {"app": "web"},
                                   "ports": [{"port": 80, "nodePort": 31234}]}})
    rows = {r["cells"][0]: r["cells"] for r in _table(cluster, "", "Service")["rows"]}
    assert rows["np"][1:5] == ["NodePort", rows["np"][2], "<none>", "80:31234/TCP"]
    assert rows["np"][6] == "app=web" and rows["kubernetes"][4] == "443/TCP"
    cluster.store.patch("v1", "Node", "node-1", {"spec": {"unschedulable": True}})
    nodes = {r["cells"][0]: r["cells"] for r in _table(cluster, "", "Node")["rows"]}
    assert nodes["node-1"][1] == "Ready,SchedulingDisabled" and nodes["node-2"][1] == "Ready"
    assert next(r["cells"][:2] for r in _table(cluster, "", "Namespace")["rows"]) == ["default", "Active"]


def test_hpa_targets_before_and_with_metrics(cluster: Cluster) -> None:
    cluster.store.apply(deployment("web", replicas=1), field_manager="kubectl")
    cluster.store.create({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                          "metadata": {"name": "web"},
                          "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                                   "minReplicas": 1, "maxReplicas": 10,
                                   "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                                       "type": "Utilization", "averageUtilization": 10}}}]}})
    cells = _table(cluster, "autoscaling", "HorizontalPodAutoscaler")["rows"][0]["cells"]
    assert cells[1:6] == ["Deployment/web", "cpu: <unknown>/10%", "1", 10, cells[5]]


def test_crd_printer_columns_and_default_age(cluster: Cluster) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}},
                                  "additionalPrinterColumns": [
                                      {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                                      {"name": "Color", "type": "string", "jsonPath": ".spec.colors[0]",
                                       "priority": 1}]}]}}
    cluster.store.create(crd)
    cluster.reconcile()
    cluster.store.create({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                          "spec": {"size": 3, "colors": ["red", "blue"]}})
    from helmlite.cluster.printers import find_crd

    kind = cluster.kinds.get("example.com", "Widget")
    objects = cluster.store.list("example.com/v1", "Widget", namespace="default")
    result = table(kind, objects, now=cluster.clock.now, crd=find_crd(cluster.store, kind))
    assert [(c["name"], c["priority"]) for c in result["columnDefinitions"]] == [
        ("Name", 0), ("Size", 0), ("Color", 1)]
    assert result["rows"][0]["cells"] == ["w", 3, "red"]
    plain = table(kind, objects, now=cluster.clock.now)
    assert [c["name"] for c in plain["columnDefinitions"]] == ["Name", "Age"]


@pytest.mark.parametrize("group, kind, namespace", [
    ("rbac.authorization.k8s.io", "ClusterRole", ""),
    ("rbac.authorization.k8s.io", "Role", "default"),
    ("", "LimitRange", "default"),
    # Its store registers the default convertor although upstream has a print function for it.
    ("storage.k8s.io", "CSIStorageCapacity", "default"),
])
def test_kinds_without_a_printer_show_created_at(cluster: Cluster, group: str, kind: str, namespace: str) -> None:
    api_version = f"{group}/v1" if group else "v1"
    body = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    if namespace:
        body["metadata"]["namespace"] = namespace
    if kind == "CSIStorageCapacity":
        body["storageClassName"] = "standard"
    cluster.store.create(body)
    result = _table(cluster, group, kind)
    assert [c["name"] for c in result["columnDefinitions"]] == ["Name", "Created At"]
    assert result["rows"][0]["cells"] == ["x", "2026-01-01T00:00:00Z"]


_CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "shortNames": ["gd", "gdg"]},
                 "versions": [{"name": name, "served": served, "storage": name == "v1",
                               "schema": {"openAPIV3Schema": {"type": "object"}}}
                              for name, served in (("v1beta1", True), ("v1", True), ("v2alpha1", False))]},
        "status": {"conditions": [{"type": "Established", "status": "True"}]}}

# (group, kind, object, column names with priority-1 ones marked "*", cells) — the cells as
# upstream's print functions fill them (pkg/printers/internalversion/printers.go, kube-aggregator's
# APIService convertor, apiextensions' CRD convertor), at 30s of age.
_CLUSTER_KINDS = [
    ("node.k8s.io", "RuntimeClass", {"handler": "runc"}, ["Name", "Handler", "Age"], ["x", "runc", "30s"]),
    ("storage.k8s.io", "VolumeAttributesClass",
     {"metadata": {"annotations": {"volumeattributesclass.alpha.kubernetes.io/is-default-class": "true"}},
      "driverName": "csi.example.com", "parameters": {"iops": "3000"}},
     ["Name", "DriverName", "Age"], ["x (default)", "csi.example.com", "30s"]),
    ("storage.k8s.io", "CSINode", {"spec": {"drivers": [{"name": "a", "nodeID": "n"}, {"name": "b", "nodeID": "n"}]}},
     ["Name", "Drivers", "Age"], ["x", 2, "30s"]),
    ("storage.k8s.io", "CSIDriver", {"spec": {"tokenRequests": [{"audience": "a"}, {"audience": "b"}],
                                              "volumeLifecycleModes": ["Persistent", "Ephemeral"]}},
     ["Name", "AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests", "RequiresRepublish", "Modes",
      "Age"], ["x", True, False, False, "a,b", False, "Persistent,Ephemeral", "30s"]),
    ("storage.k8s.io", "VolumeAttachment", {"spec": {"attacher": "csi.example.com", "nodeName": "node-1",
                                                     "source": {"persistentVolumeName": "pv-1"}}},
     ["Name", "Attacher", "PV", "Node", "Attached", "Age"], ["x", "csi.example.com", "pv-1", "node-1", False, "30s"]),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
     {"webhooks": [{"name": "a.example.com", "clientConfig": {"url": "https://a.example.com"},
                    "sideEffects": "None", "admissionReviewVersions": ["v1"]}]},
     ["Name", "Webhooks", "Age"], ["x", 1, "30s"]),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", {}, ["Name", "Webhooks", "Age"], ["x", 0, "30s"]),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy",
     {"spec": {"paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
               "validations": [{"expression": "true"}, {"expression": "1 == 1"}]}},
     ["Name", "Validations", "ParamKind", "Age"], ["x", 2, "v1/ConfigMap", "30s"]),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding",
     {"spec": {"policyName": "p", "paramRef": {"name": "limits"}, "validationActions": ["Deny"]}},
     ["Name", "PolicyName", "ParamRef", "Age"], ["x", "p", "*/limits", "30s"]),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding",
     {"spec": {"policyName": "p", "paramRef": {"selector": {"matchLabels": {"b": "2", "a": "1"}}},
               "validationActions": ["Deny"]}},
     ["Name", "PolicyName", "ParamRef", "Age"],
     ["x", "p", ("&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},"
                 "MatchExpressions:[]LabelSelectorRequirement{},}"), "30s"]),
    ("certificates.k8s.io", "CertificateSigningRequest",
     {"spec": {"signerName": "example.com/signer", "username": "alice", "expirationSeconds": 7200,
               "request": "", "usages": ["client auth"]},
      "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "Y2VydA=="}},
     ["Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"],
     ["x", "30s", "example.com/signer", "alice", "120m", "Approved,Issued"]),
    ("apiregistration.k8s.io", "APIService",
     {"spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100,
               "service": {"namespace": "kube-system", "name": "metrics-server"}},
      "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}},
     ["Name", "Service", "Available", "Age"], ["x", "kube-system/metrics-server", "False (MissingEndpoints)", "30s"]),
    ("apiextensions.k8s.io", "CustomResourceDefinition", _CRD,
     ["Name", "Scope", "Versions", "Created At", "*Group", "*Kind", "*ShortNames", "*Established"],
     ["gadgets.example.com", "Namespaced", "v1(storage),v1beta1", "2026-01-01T00:00:00Z", "example.com", "Gadget",
      "gd,gdg", True]),
    ("resource.k8s.io", "DeviceClass", {}, ["Name", "Age"], ["x", "30s"]),
    ("resource.k8s.io", "ResourceSlice", {"spec": {"driver": "gpu.example.com", "nodeName": "node-1",
                                                   "pool": {"name": "p", "generation": 1, "resourceSliceCount": 1}}},
     ["Name", "Node", "Driver", "Pool", "Age"], ["x", "node-1", "gpu.example.com", "p", "30s"]),
]


@pytest.mark.parametrize("group, kind, body, columns, cells", _CLUSTER_KINDS,
                         ids=[f"{case[1]}-{i}" for i, case in enumerate(_CLUSTER_KINDS)])
def test_cluster_scoped_kinds_print_as_upstream(cluster: Cluster, group: str, kind: str, body: dict,
                                                columns: list[str], cells: list) -> None:
    k = cluster.kinds.get(group, kind)
    assert k is not None
    obj = {"apiVersion": k.storage_api_version, "kind": kind, **body,
           "metadata": {"name": "x", "creationTimestamp": "2026-01-01T00:00:00Z", **body.get("metadata", {})}}
    result = table(k, [obj], now=cluster.clock.now + 30)
    assert [("*" if c["priority"] else "") + c["name"] for c in result["columnDefinitions"]] == columns
    assert result["rows"][0]["cells"] == cells


@pytest.mark.parametrize("status, state", [
    ({}, "pending"),
    ({"allocation": {"devices": {}}}, "allocated"),
    ({"allocation": {"devices": {}}, "reservedFor": [{"resource": "pods", "name": "p", "uid": "u"}]},
     "allocated,reserved"),
])
def test_resource_claim_state(cluster: Cluster, status: dict, state: str) -> None:
    k = cluster.kinds.get("resource.k8s.io", "ResourceClaim")
    assert k is not None
    claim = {"metadata": {"name": "c", "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {}, "status": status}
    assert table(k, [claim], now=cluster.clock.now)["rows"][0]["cells"][1] == state


@pytest.mark.parametrize("metrics, current, text", [
    ([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 10}}}],
     [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45}}}], "cpu: 45%/10%"),
    ([{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}}],
     [{"type": "Resource", "resource": {"name": "memory", "current": {}}}], "memory: <nil>/1Gi"),
    ([{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}],
     [], "<unknown>/1k"),
    ([{"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "AverageValue",
                                                                             "averageValue": "30"}}}],
     [{"type": "External", "external": {"current": {}}}], "<unknown>/30 (avg)"),
    ([{"type": "Resource", "resource": {"name": n, "target": {"type": "Utilization", "averageUtilization": 50}}}
      for n in ("cpu", "memory", "gpu")], [], "cpu: <unknown>/50%, memory: <unknown>/50% + 1 more..."),
    ([{"type": "Nonsense"}], [], "<unknown type>"),
])
def test_hpa_targets_cells(metrics: list, current: list, text: str) -> None:
    from helmlite.cluster.printers.builtin import hpa_targets

    assert hpa_targets({"spec": {"metrics": metrics}, "status": {"currentMetrics": current}}) == text


def test_label_selector_cells_say_error_when_the_selector_does_not_parse() -> None:
    from helmlite.cluster.printers.builtin import format_label_selector

    assert format_label_selector({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}) == "<error>"
    assert format_label_selector({}) == "<none>"


def test_format_tables_prefixes_kinds_and_separates_blocks(cluster: Cluster) -> None:
    cluster.store.apply(deployment("web", replicas=1), field_manager="kubectl")
    cluster.advance(10)
    deploy_kind, svc_kind = cluster.kinds.get("apps", "Deployment"), cluster.kinds.get("", "Service")
    blocks = [TableBlock(_table(cluster, "apps", "Deployment"), "deployment.apps"),
              TableBlock(_table(cluster, "", "Service"), "service")]
    assert deploy_kind is not None and svc_kind is not None
    assert format_tables(blocks) == (
        "NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "deployment.apps/web   1/1     1            1           10s\n"
        "\n"
        "NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   10s\n")
    assert format_tables(blocks[:1], PrintOptions(no_headers=True, show_labels=True)) == (
        "web   1/1   1     1     10s   <none>\n")


def test_jsonpath_subset() -> None:
    data = {"items": [{"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x"}}}, {"metadata": {"name": "b"}}]}
    assert render_jsonpath("{.items[*].metadata.name}", data) == "a b"
    assert render_jsonpath(r"{.items[0].metadata.labels.app\.kubernetes\.io/name}", data) == "x"
    assert render_jsonpath("{.items[-1].metadata}", data) == '{"name":"b"}'
    with pytest.raises(ValueError, match="filters"):
        render_jsonpath("{.items[?(@.x)]}", data)
