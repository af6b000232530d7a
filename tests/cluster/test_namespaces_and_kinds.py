"""Namespace lifecycle, the kinds registry, and CustomResourceDefinitions."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster, ForbiddenError, NoKindMatchError, NotFoundError

from .manifests import configmap, deployment, pod


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def test_initial_state(cluster: Cluster) -> None:
    assert [n["metadata"]["name"] for n in cluster.store.list("v1", "Namespace")] == [
        "default", "kube-node-lease", "kube-public", "kube-system"]
    service = cluster.store.get("v1", "Service", "kubernetes", namespace="default")
    assert service["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]
    assert [s["metadata"]["name"] for s in cluster.store.list("storage.k8s.io/v1", "StorageClass")] == ["standard"]


def test_namespace_deletion_cascades(cluster: Cluster) -> None:
    cluster.store.create(namespace("team"))
    cluster.store.create(configmap("c", namespace="team"))
    cluster.store.create(deployment(namespace="team"))
    cluster.store.create(pod("p", namespace="team"))
    terminating = cluster.store.delete("v1", "Namespace", "team")
    assert terminating["status"]["phase"] == "Terminating"
    assert terminating["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    assert terminating["spec"]["finalizers"] == ["kubernetes"]
    cluster.reconcile()
    for api_version, kind in (("v1", "ConfigMap"), ("apps/v1", "Deployment"), ("v1", "Pod")):
        assert cluster.store.list(api_version, kind, namespace="team") == []
    with pytest.raises(NotFoundError, match='namespaces "team" not found'):
        cluster.store.get("v1", "Namespace", "team")


def test_terminating_namespace_refuses_new_content(cluster: Cluster) -> None:
    cluster.store.create(namespace("team"))
    cluster.store.create(configmap("held", namespace="team", finalizers=["example.com/hold"]))
    cluster.store.delete("v1", "Namespace", "team")
    cluster.reconcile()
    ns = cluster.store.get("v1", "Namespace", "team")
    assert ns["status"]["phase"] == "Terminating"
    with pytest.raises(ForbiddenError) as err:
        cluster.store.create(configmap("new", namespace="team"))
    assert str(err.value) == ('configmaps "new" is forbidden: unable to create new content in namespace team '
                              "because it is being terminated")
    cluster.store.patch("v1", "ConfigMap", "held", {"metadata": {"finalizers": None}}, namespace="team")
    cluster.reconcile()
    assert "team" not in [n["metadata"]["name"] for n in cluster.store.list("v1", "Namespace")]


def test_events_in_a_terminating_namespace_are_dropped(cluster: Cluster) -> None:
    cluster.store.create(namespace("team"))
    held = cluster.store.create(configmap("held", namespace="team", finalizers=["example.com/hold"]))
    cluster.store.delete("v1", "Namespace", "team")
    assert cluster.events.record(held, "Normal", "Test", "hello", component="test") is None


@pytest.mark.parametrize(
    ("name", "api_version", "kind"),
    [("po", "v1", "Pod"), ("deploy", "apps/v1", "Deployment"), ("rs", "apps/v1", "ReplicaSet"),
     ("sts", "apps/v1", "StatefulSet"), ("ds", "apps/v1", "DaemonSet"), ("svc", "v1", "Service"),
     ("ep", "v1", "Endpoints"), ("cm", "v1", "ConfigMap"), ("pvc", "v1", "PersistentVolumeClaim"),
     ("pv", "v1", "PersistentVolume"), ("ns", "v1", "Namespace"), ("no", "v1", "Node"),
     ("hpa", "autoscaling/v2", "HorizontalPodAutoscaler"), ("cj", "batch/v1", "CronJob"),
     ("ing", "networking.k8s.io/v1", "Ingress"), ("sa", "v1", "ServiceAccount"), ("jobs", "batch/v1", "Job"),
     ("deployments.apps", "apps/v1", "Deployment"), ("Secret", "v1", "Secret"),
     ("crd", "apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("pc", "scheduling.k8s.io/v1", "PriorityClass"),
     ("pdb", "policy/v1", "PodDisruptionBudget"), ("sc", "storage.k8s.io/v1", "StorageClass"),
     ("leases", "coordination.k8s.io/v1", "Lease"), ("clusterroles", "rbac.authorization.k8s.io/v1", "ClusterRole"),
     ("endpointslices", "discovery.k8s.io/v1", "EndpointSlice"), ("netpol", "networking.k8s.io/v1", "NetworkPolicy")],
)
def test_resource_names(cluster: Cluster, name: str, api_version: str, kind: str) -> None:
    found = cluster.kinds.lookup_resource(name)
    assert (found.storage_api_version, found.kind) == (api_version, kind)


def test_scopes(cluster: Cluster) -> None:
    namespaced = {k.kind for k in cluster.kinds if k.namespaced}
    assert {"Pod", "Deployment", "Role", "Lease", "Event"} <= namespaced
    assert not namespaced & {"Node", "Namespace", "PersistentVolume", "ClusterRole", "StorageClass",
                             "PriorityClass", "CustomResourceDefinition", "IngressClass"}


def test_unknown_kinds(cluster: Cluster) -> None:
    with pytest.raises(NoKindMatchError) as err:
        cluster.store.create({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    assert str(err.value) == 'no matches for kind "Widget" in version "example.com/v1"'
    assert err.value.code == 404
    with pytest.raises(NoKindMatchError, match='no matches for kind "Deployment" in version "apps/v1beta1"'):
        cluster.store.create({**deployment(), "apiVersion": "apps/v1beta1"})
    with pytest.raises(NotFoundError, match='the server doesn\'t have a resource type "widgets"'):
        cluster.kinds.lookup_resource("widgets")


def widget_crd(scope: str = "Namespaced") -> dict:
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": scope,
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                 "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}}},
                              {"name": "v1beta1", "served": True, "storage": False}]},
    }


def widget(name: str = "w", version: str = "v1") -> dict:
    return {"apiVersion": f"example.com/{version}", "kind": "Widget", "metadata": {"name": name},
            "spec": {"size": 3}, "status": {"ready": True}}


def test_crd_registers_a_kind(cluster: Cluster) -> None:
    crd = cluster.store.create(widget_crd())
    conditions = {c["type"]: c for c in crd["status"]["conditions"]}
    assert conditions["Established"]["status"] == "True"
    assert conditions["NamesAccepted"]["reason"] == "NoConflicts"
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["spec"]["names"]["listKind"] == "WidgetList"
    assert cluster.kinds.lookup_resource("wd").kind == "Widget"
    obj = cluster.store.create(widget())
    assert obj["metadata"]["generation"] == 1 and "status" not in obj  # status subresource
    as_beta = cluster.store.get("example.com/v1beta1", "Widget", "w", namespace="default")
    assert as_beta["apiVersion"] == "example.com/v1beta1" and as_beta["spec"] == {"size": 3}
    obj["spec"]["size"] = 4
    assert cluster.store.replace(obj)["metadata"]["generation"] == 2


def test_crd_deletion_removes_instances_and_the_kind(cluster: Cluster) -> None:
    cluster.store.create(widget_crd())
    cluster.store.create(widget())
    cluster.store.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com")
    cluster.reconcile()
    with pytest.raises(NoKindMatchError):
        cluster.store.list("example.com/v1", "Widget")
    cluster.store.create(widget_crd())  # re-created: no stale instances come back
    assert cluster.store.list("example.com/v1", "Widget") == []


def test_cluster_scoped_custom_resources(cluster: Cluster) -> None:
    cluster.store.create(widget_crd("Cluster"))
    obj = cluster.store.create({**widget(), "metadata": {"name": "w", "namespace": "ignored"}})
    assert "namespace" not in obj["metadata"]
    assert cluster.store.get("example.com/v1", "Widget", "w")["metadata"]["name"] == "w"


def test_builtin_kinds_win_resource_name_lookups(cluster: Cluster) -> None:
    crd = widget_crd()
    crd["metadata"]["name"] = "deployments.apps.example.com"
    crd["spec"].update(group="apps.example.com", names={"plural": "deployments", "kind": "Deployment"})
    cluster.store.create(crd)
    assert cluster.kinds.lookup_resource("deploy").group == "apps"
