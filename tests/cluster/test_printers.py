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


def test_kinds_without_a_printer_show_created_at(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": {"name": "reader"}, "rules": []})
    result = _table(cluster, "rbac.authorization.k8s.io", "ClusterRole")
    assert [c["name"] for c in result["columnDefinitions"]] == ["Name", "Created At"]
    assert result["rows"][0]["cells"] == ["reader", "2026-01-01T00:00:00Z"]


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
