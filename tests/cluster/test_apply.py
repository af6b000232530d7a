"""Server-side apply and managedFields: ownership, conflicts, force, field removal."""

from __future__ import annotations

import pytest

from helmlite.cluster import BadRequestError, Cluster, ConflictError

from .manifests import clone, configmap, deployment

NS = "default"


def entries(obj: dict) -> dict[tuple[str, str, str], dict]:
    return {(e["manager"], e["operation"], e.get("subresource", "")): e
            for e in obj["metadata"]["managedFields"]}


def get(cluster: Cluster, name: str = "web") -> dict:
    return cluster.store.get("apps/v1", "Deployment", name, namespace=NS)


def test_update_records_defaulted_fields_like_kubectl_create(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    obj = cluster.store.create(manifest, field_manager="kubectl-create")
    (entry,) = obj["metadata"]["managedFields"]
    assert {k: entry[k] for k in ("manager", "operation", "apiVersion", "time", "fieldsType")} == {
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1"}
    assert entry["fieldsV1"] == {
        "f:spec": {
            "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {},
            "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:containers": {'k:{"name":"nginx"}': {
                        ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                        "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
                            ".": {}, "f:containerPort": {}, "f:protocol": {}}},
                        "f:resources": {}, "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
                    "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {},
                    "f:terminationGracePeriodSeconds": {},
                },
            },
        },
    }


def test_apply_creates_and_records_only_applied_fields(cluster: Cluster) -> None:
    obj = cluster.store.apply(deployment(), field_manager="helm")
    assert obj["spec"]["strategy"]["type"] == "RollingUpdate"  # defaulted...
    (entry,) = obj["metadata"]["managedFields"]
    assert entry["operation"] == "Apply" and entry["manager"] == "helm"
    assert entry["fieldsV1"] == {  # ...but not owned by the applier
        "f:spec": {
            "f:replicas": {}, "f:selector": {},
            "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                           "f:spec": {"f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}}}},
        },
    }


def test_reapplying_the_same_config_is_a_noop(cluster: Cluster) -> None:
    first = cluster.store.apply(deployment(), field_manager="helm")
    again = cluster.store.apply(deployment(), field_manager="helm")
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert again["metadata"]["generation"] == 1


def test_conflict_with_an_update_manager(cluster: Cluster) -> None:
    cluster.store.create(deployment(replicas=3), field_manager="kubectl")
    with pytest.raises(ConflictError) as err:
        cluster.store.apply(deployment(replicas=5), field_manager="helm")
    assert str(err.value) == 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas'
    status = err.value.to_status()
    assert status["reason"] == "Conflict" and status["code"] == 409
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                            "message": 'conflict with "kubectl" using apps/v1',
                                            "field": ".spec.replicas"}]
    assert get(cluster)["spec"]["replicas"] == 3


def test_conflict_with_another_applier_names_no_version(cluster: Cluster) -> None:
    cluster.store.apply(deployment(replicas=3), field_manager="kubectl")
    with pytest.raises(ConflictError, match=r'^Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas$'):
        cluster.store.apply(deployment(replicas=5), field_manager="helm")


def test_conflict_with_the_hpa_scale_subresource(cluster: Cluster) -> None:
    cluster.store.apply(deployment(replicas=3), field_manager="helm")
    cluster.store.update_scale("apps/v1", "Deployment", "web", 6, namespace=NS, field_manager="kube-controller-manager")
    with pytest.raises(ConflictError) as err:
        cluster.store.apply(deployment(replicas=3), field_manager="helm")
    assert str(err.value) == ('Apply failed with 1 conflict: conflict with "kube-controller-manager" '
                              'with subresource "scale" using apps/v1: .spec.replicas')


def test_several_conflicts_are_grouped_by_manager(cluster: Cluster) -> None:
    cluster.store.apply(deployment(), field_manager="helm")
    cluster.store.patch("apps/v1", "Deployment", "web", {"spec": {"replicas": 1}}, namespace=NS, field_manager="b-scaler")
    cluster.store.patch("apps/v1", "Deployment", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:2"}]}}}}, namespace=NS, field_manager="a-setter")
    with pytest.raises(ConflictError) as err:
        cluster.store.apply(deployment(), field_manager="helm")
    assert str(err.value) == (
        'Apply failed with 2 conflicts: conflicts with "a-setter" using apps/v1:\n'
        '- .spec.template.spec.containers[name="nginx"].image\n'
        'conflicts with "b-scaler" using apps/v1:\n'
        "- .spec.replicas")


def test_force_takes_ownership(cluster: Cluster) -> None:
    cluster.store.create(deployment(replicas=3), field_manager="kubectl")
    obj = cluster.store.apply(deployment(replicas=5), field_manager="helm", force=True)
    assert obj["spec"]["replicas"] == 5
    owned = entries(obj)
    assert "f:replicas" in owned[("helm", "Apply", "")]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in owned[("kubectl", "Update", "")]["fieldsV1"]["f:spec"]
    # kubectl keeps what helm did not take.
    assert "f:strategy" in owned[("kubectl", "Update", "")]["fieldsV1"]["f:spec"]


def test_same_value_is_shared_without_conflict(cluster: Cluster) -> None:
    cluster.store.create(deployment(replicas=3), field_manager="kubectl")
    obj = cluster.store.apply(deployment(replicas=3), field_manager="helm")
    owned = entries(obj)
    assert "f:replicas" in owned[("helm", "Apply", "")]["fieldsV1"]["f:spec"]
    assert "f:replicas" in owned[("kubectl", "Update", "")]["fieldsV1"]["f:spec"]


def test_fields_no_longer_applied_are_removed(cluster: Cluster) -> None:
    manifest = deployment(replicas=5)
    manifest["metadata"]["labels"] = {"team": "a", "tier": "web"}
    cluster.store.apply(manifest, field_manager="helm")
    smaller = clone(manifest)
    del smaller["spec"]["replicas"]
    del smaller["metadata"]["labels"]["tier"]
    obj = cluster.store.apply(smaller, field_manager="helm")
    assert obj["metadata"]["labels"] == {"team": "a"}
    assert obj["spec"]["replicas"] == 1  # removed, then defaulted again
    assert obj["metadata"]["generation"] == 2


def test_fields_still_owned_by_someone_else_are_kept(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["metadata"]["labels"] = {"team": "a"}
    cluster.store.apply(manifest, field_manager="helm")
    cluster.store.apply({"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": "web", "labels": {"team": "a"}}}, field_manager="other")
    smaller = clone(manifest)
    del smaller["metadata"]["labels"]
    assert cluster.store.apply(smaller, field_manager="helm")["metadata"]["labels"] == {"team": "a"}


def test_removed_list_items_are_deleted(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    cluster.store.apply(manifest, field_manager="helm")
    obj = cluster.store.apply(deployment(), field_manager="helm")
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["nginx"]


def test_keyed_lists_merge_by_key(cluster: Cluster) -> None:
    cluster.store.create(deployment(), field_manager="kubectl-create")
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
             "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}}}}
    obj = cluster.store.apply(patch, field_manager="sidecar-injector")
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["nginx", "sidecar"]


def test_update_takes_ownership_from_appliers(cluster: Cluster) -> None:
    cluster.store.apply(deployment(), field_manager="helm")
    cluster.store.update_scale("apps/v1", "Deployment", "web", 4, namespace=NS, field_manager="kubectl-scale")
    owned = entries(get(cluster))
    assert "f:replicas" not in owned[("helm", "Apply", "")]["fieldsV1"]["f:spec"]
    assert owned[("kubectl-scale", "Update", "scale")]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}


def test_apply_status_subresource(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    status = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "status": {"replicas": 3}, "spec": {"replicas": 100}}
    obj = cluster.store.apply(status, field_manager="controller", subresource="status")
    assert obj["status"] == {"replicas": 3} and obj["spec"]["replicas"] == 3
    assert entries(obj)[("controller", "Apply", "status")]["fieldsV1"] == {"f:status": {"f:replicas": {}}}


def test_main_resource_apply_ignores_status(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["status"] = {"replicas": 3}
    obj = cluster.store.apply(manifest, field_manager="helm")
    assert "status" not in obj
    assert "f:status" not in entries(obj)[("helm", "Apply", "")]["fieldsV1"]


def test_finalizers_merge_as_a_set(cluster: Cluster) -> None:
    cluster.store.apply(configmap("c", finalizers=["a.io/x"]), field_manager="one")
    obj = cluster.store.apply(configmap("c", finalizers=["b.io/y"]), field_manager="two")
    assert obj["metadata"]["finalizers"] == ["a.io/x", "b.io/y"]
    owned = entries(obj)
    assert owned[("two", "Apply", "")]["fieldsV1"]["f:metadata"] == {"f:finalizers": {'v:"b.io/y"': {}}}


def test_apply_needs_a_manager_and_keys(cluster: Cluster) -> None:
    with pytest.raises(BadRequestError, match="fieldManager"):
        cluster.store.apply(deployment(), field_manager="")
    manifest = deployment()
    manifest["spec"]["template"]["spec"]["containers"] = [{"image": "nginx"}]
    with pytest.raises(BadRequestError, match='omits key field "name"'):
        cluster.store.apply(manifest, field_manager="helm")


def test_client_can_reset_managed_fields(cluster: Cluster) -> None:
    obj = cluster.store.create(deployment(), field_manager="kubectl-client-side-apply")
    obj["metadata"]["managedFields"] = [{}]
    obj["metadata"]["labels"] = {"x": "y"}
    obj = cluster.store.replace(obj, field_manager="helm")
    assert [e["manager"] for e in obj["metadata"]["managedFields"]] == ["helm"]
    assert entries(obj)[("helm", "Update", "")]["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:x": {}}}}
