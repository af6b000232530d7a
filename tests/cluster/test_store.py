"""CRUD, resourceVersion/generation rules, subresources, merge patch, deletion, watch events."""

from __future__ import annotations

import datetime
import re

import pytest

from helmlite.cluster import (
    AlreadyExistsError,
    BadRequestError,
    Cluster,
    ConflictError,
    InvalidError,
    NotFoundError,
    WatchEvent,
)
from helmlite.cluster.patch import json_merge_patch

from .manifests import clone, configmap, deployment, pod

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_create_sets_server_metadata(cluster: Cluster) -> None:
    before = cluster.store.resource_version
    obj = cluster.store.create(deployment())
    meta = obj["metadata"]
    assert UUID4.match(meta["uid"])
    assert meta["namespace"] == "default"
    assert meta["generation"] == 1
    assert meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert meta["resourceVersion"] == str(before + 1)
    assert isinstance(meta["resourceVersion"], str)
    assert [e["manager"] for e in meta["managedFields"]] == ["helmlite"]


def test_kinds_without_generation_have_none(cluster: Cluster) -> None:
    assert "generation" not in cluster.store.create(configmap("c"))["metadata"]


def test_resource_versions_are_monotonic_cluster_wide(cluster: Cluster) -> None:
    versions = [int(cluster.store.create(configmap(f"c{i}"))["metadata"]["resourceVersion"]) for i in range(3)]
    versions.append(int(cluster.store.create(deployment())["metadata"]["resourceVersion"]))
    assert versions == sorted(versions) and len(set(versions)) == 4


def test_get_not_found_message_and_status(cluster: Cluster) -> None:
    with pytest.raises(NotFoundError) as err:
        cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    assert str(err.value) == 'deployments.apps "web" not found'
    assert err.value.to_status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps "web" not found', "reason": "NotFound", "code": 404,
        "details": {"name": "web", "group": "apps", "kind": "deployments"},
    }
    with pytest.raises(NotFoundError, match='^pods "x" not found$'):
        cluster.store.get("v1", "Pod", "x", namespace="default")


def test_create_existing_is_already_exists(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    with pytest.raises(AlreadyExistsError) as err:
        cluster.store.create(deployment())
    assert str(err.value) == 'deployments.apps "web" already exists'
    assert err.value.code == 409 and err.value.reason == "AlreadyExists"


def test_namespace_must_exist(cluster: Cluster) -> None:
    with pytest.raises(NotFoundError, match='^namespaces "nope" not found$'):
        cluster.store.create(configmap("c", namespace="nope"))


def test_replace_with_stale_resource_version_conflicts(cluster: Cluster) -> None:
    first = cluster.store.create(deployment())
    second = clone(first)
    second["metadata"]["labels"] = {"x": "1"}
    cluster.store.replace(second)
    stale = clone(first)
    stale["spec"]["replicas"] = 9
    with pytest.raises(ConflictError) as err:
        cluster.store.replace(stale)
    assert str(err.value) == (
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
        "please apply your changes to the latest version and try again")
    assert err.value.to_status()["code"] == 409


def test_replace_without_resource_version_is_unconditional(cluster: Cluster) -> None:
    obj = cluster.store.create(deployment())
    del obj["metadata"]["resourceVersion"]
    obj["spec"]["replicas"] = 5
    assert cluster.store.replace(obj)["spec"]["replicas"] == 5


def test_generation_bumps_only_on_spec_changes(cluster: Cluster) -> None:
    obj = cluster.store.create(deployment())
    obj["metadata"]["labels"] = {"team": "a"}
    obj = cluster.store.replace(obj)
    assert obj["metadata"]["generation"] == 1
    obj["spec"]["replicas"] = 4
    obj = cluster.store.replace(obj)
    assert obj["metadata"]["generation"] == 2
    obj["status"] = {"replicas": 4}
    obj = cluster.store.update_status(obj)
    assert obj["metadata"]["generation"] == 2
    assert obj["status"] == {"replicas": 4}


def test_main_resource_ignores_status_and_status_ignores_spec(cluster: Cluster) -> None:
    obj = cluster.store.create(deployment())
    obj["status"] = {"replicas": 7}
    obj = cluster.store.replace(obj)
    assert "status" not in obj
    obj["spec"]["replicas"] = 10
    obj["status"] = {"replicas": 2}
    obj = cluster.store.update_status(obj)
    assert obj["spec"]["replicas"] == 3
    assert obj["status"] == {"replicas": 2}


def test_status_given_on_create_is_reset(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["status"] = {"replicas": 3}
    assert "status" not in cluster.store.create(manifest)


def test_noop_update_keeps_resource_version(cluster: Cluster) -> None:
    obj = cluster.store.create(deployment())
    again = cluster.store.replace(obj)
    assert again["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]


def test_generate_name_appends_five_safe_characters(cluster: Cluster) -> None:
    obj = cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "web-"}})
    assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{5}", obj["metadata"]["name"])


def test_same_seed_same_uids_different_seed_different() -> None:
    uids = []
    for seed in (7, 7, 8):
        cluster = Cluster.in_memory(seed=seed)
        uids.append(cluster.store.create(configmap("c"))["metadata"]["uid"])
    assert uids[0] == uids[1] != uids[2]


def test_list_is_sorted_and_filters(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}})
    for ns, name, tier in (("default", "z", "web"), ("default", "b", "db"), ("a", "m", "web")):
        cm = configmap(name, namespace=ns)
        cm["metadata"]["labels"] = {"tier": tier}
        cluster.store.create(cm)
    names = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in cluster.store.list("v1", "ConfigMap")
             if o["metadata"]["name"] != "kube-root-ca.crt"]
    assert names == [("a", "m"), ("default", "b"), ("default", "z")]
    web = cluster.store.list("v1", "ConfigMap", label_selector="tier=web")
    assert [o["metadata"]["name"] for o in web] == ["m", "z"]
    in_default = cluster.store.list("v1", "ConfigMap", namespace="default", label_selector="tier in (web,db)")
    assert [o["metadata"]["name"] for o in in_default] == ["b", "z"]
    by_name = cluster.store.list("v1", "ConfigMap", field_selector="metadata.name=b")
    assert [o["metadata"]["name"] for o in by_name] == ["b"]


def test_list_pods_by_field_selector(cluster: Cluster) -> None:
    cluster.store.create(pod("a"))
    cluster.store.create(pod("b"))
    cluster.store.bind_pod("b", "node-2", namespace="default")
    assert [p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", field_selector="spec.nodeName=node-2")] == ["b"]
    assert [p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", field_selector="spec.nodeName=")] == ["a"]
    assert len(cluster.store.list("v1", "Pod", field_selector="status.phase=Pending")) == 2


def test_returned_objects_are_copies(cluster: Cluster) -> None:
    obj = cluster.store.create(deployment())
    obj["spec"]["replicas"] = 99
    got = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    assert got["spec"]["replicas"] == 3
    got["metadata"]["labels"] = {"mutated": "yes"}
    assert "labels" not in cluster.store.get("apps/v1", "Deployment", "web", namespace="default")["metadata"]


def test_input_objects_are_not_retained(cluster: Cluster) -> None:
    manifest = deployment()
    cluster.store.create(manifest)
    manifest["spec"]["replicas"] = 42
    assert cluster.store.get("apps/v1", "Deployment", "web", namespace="default")["spec"]["replicas"] == 3
    assert "uid" not in manifest["metadata"]


def test_non_json_input_is_a_bad_request(cluster: Cluster) -> None:
    manifest = configmap("c")
    manifest["metadata"]["annotations"] = {"when": datetime.date(2026, 1, 1)}
    with pytest.raises(BadRequestError):
        cluster.store.create(manifest)


def test_labels_as_a_list_cannot_be_decoded(cluster: Cluster) -> None:
    manifest = pod()
    manifest["metadata"]["labels"] = [{"name": "app"}]
    with pytest.raises(BadRequestError) as err:
        cluster.store.create(manifest)
    assert str(err.value) == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal array into Go struct field '
        "ObjectMeta.metadata.labels of type map[string]string")


def test_null_members_are_dropped_and_defaulted(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["replicas"] = None
    assert cluster.store.create(manifest)["spec"]["replicas"] == 1


# --- merge patch ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # RFC 7386 appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_json_merge_patch_rfc7386(target: object, patch: object, result: object) -> None:
    assert json_merge_patch(target, patch) == result


def test_patch_merges_and_deletes(cluster: Cluster) -> None:
    cm = configmap("c", data={"a": "1", "b": "2"})
    cm["metadata"]["labels"] = {"keep": "y", "drop": "y"}
    cluster.store.create(cm)
    out = cluster.store.patch("v1", "ConfigMap", "c", {"data": {"a": "9", "b": None}, "metadata": {"labels": {"drop": None}}},
                              namespace="default", field_manager="kubectl-patch")
    assert out["data"] == {"a": "9"}
    assert out["metadata"]["labels"] == {"keep": "y"}
    assert {e["manager"] for e in out["metadata"]["managedFields"]} == {"helmlite", "kubectl-patch"}


def test_patch_with_stale_resource_version_conflicts(cluster: Cluster) -> None:
    cluster.store.create(configmap("c"))
    with pytest.raises(ConflictError):
        cluster.store.patch("v1", "ConfigMap", "c", {"metadata": {"resourceVersion": "1"}, "data": {"x": "y"}},
                            namespace="default")


def test_patch_status_subresource(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    out = cluster.store.patch("apps/v1", "Deployment", "web", {"status": {"replicas": 1}, "spec": {"replicas": 9}},
                              namespace="default", subresource="status")
    assert out["status"] == {"replicas": 1} and out["spec"]["replicas"] == 3


def test_patch_missing_object(cluster: Cluster) -> None:
    with pytest.raises(NotFoundError, match='configmaps "nope" not found'):
        cluster.store.patch("v1", "ConfigMap", "nope", {"data": {}}, namespace="default")


# --- subresources ----------------------------------------------------------------------

def test_scale_subresource(cluster: Cluster) -> None:
    cluster.store.create(deployment())
    scale = cluster.store.get_scale("apps/v1", "Deployment", "web", namespace="default")
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 3}
    assert scale["status"] == {"replicas": 0, "selector": "app=web"}
    updated = cluster.store.update_scale("apps/v1", "Deployment", "web", 5, namespace="default",
                                         field_manager="kube-controller-manager")
    assert updated["spec"]["replicas"] == 5
    obj = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    assert obj["spec"]["replicas"] == 5 and obj["metadata"]["generation"] == 2
    entry = next(e for e in obj["metadata"]["managedFields"] if e["manager"] == "kube-controller-manager")
    assert entry["subresource"] == "scale" and entry["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    with pytest.raises(NotFoundError):
        cluster.store.get_scale("v1", "ConfigMap", "x", namespace="default")


def test_bind_pod(cluster: Cluster) -> None:
    cluster.store.create(pod("p"))
    bound = cluster.store.bind_pod("p", "node-1", namespace="default")
    assert bound["spec"]["nodeName"] == "node-1"
    assert bound["status"]["conditions"][0] == {"type": "PodScheduled", "status": "True",
                                                 "lastTransitionTime": "2026-01-01T00:00:00Z"}
    with pytest.raises(ConflictError) as err:
        cluster.store.bind_pod("p", "node-2", namespace="default")
    assert str(err.value) == ('Operation cannot be fulfilled on pods/binding "p": '
                              'pod p is already assigned to node "node-1"')


def test_hpa_is_served_as_v1_and_v2(cluster: Cluster) -> None:
    cluster.store.create({
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "maxReplicas": 10, "targetCPUUtilizationPercentage": 50},
    })
    v2 = cluster.store.get("autoscaling/v2", "HorizontalPodAutoscaler", "web", namespace="default")
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["minReplicas"] == 1
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]
    v1 = cluster.store.get("autoscaling/v1", "HorizontalPodAutoscaler", "web", namespace="default")
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"] == {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                          "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50}
    v1["spec"]["maxReplicas"] = 4
    cluster.store.replace(v1)
    v2 = cluster.store.get("autoscaling/v2", "HorizontalPodAutoscaler", "web", namespace="default")
    assert v2["spec"]["maxReplicas"] == 4 and v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 50


def test_secret_string_data_is_folded_into_data(cluster: Cluster) -> None:
    secret = cluster.store.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                                   "stringData": {"password": "hunter2"}})
    assert secret["data"] == {"password": "aHVudGVyMg=="}
    assert "stringData" not in secret and secret["type"] == "Opaque"


# --- deletion ------------------------------------------------------------------------------

def test_delete_removes_plain_objects(cluster: Cluster) -> None:
    cluster.store.create(configmap("c"))
    last = cluster.store.delete("v1", "ConfigMap", "c", namespace="default")
    assert last["metadata"]["name"] == "c"
    with pytest.raises(NotFoundError):
        cluster.store.get("v1", "ConfigMap", "c", namespace="default")
    with pytest.raises(NotFoundError):
        cluster.store.delete("v1", "ConfigMap", "c", namespace="default")


def test_delete_preconditions(cluster: Cluster) -> None:
    cluster.store.create(configmap("c"))
    with pytest.raises(ConflictError, match="Precondition failed: UID in precondition: nope, UID in object meta: "):
        cluster.store.delete("v1", "ConfigMap", "c", namespace="default", preconditions={"uid": "nope"})


def test_unscheduled_pod_is_deleted_at_once(cluster: Cluster) -> None:
    cluster.store.create(pod("p"))
    cluster.store.delete("v1", "Pod", "p", namespace="default")
    assert cluster.store.list("v1", "Pod") == []


def test_scheduled_pod_deletion_is_graceful(cluster: Cluster) -> None:
    cluster.store.create(pod("p"))
    cluster.store.bind_pod("p", "node-1", namespace="default")
    terminating = cluster.store.delete("v1", "Pod", "p", namespace="default")
    assert terminating["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z"
    assert terminating["metadata"]["deletionGracePeriodSeconds"] == 30
    assert terminating["metadata"]["generation"] == 2
    assert cluster.store.get("v1", "Pod", "p", namespace="default")["metadata"]["deletionTimestamp"]
    cluster.store.delete("v1", "Pod", "p", namespace="default", grace_period_seconds=0)
    assert cluster.store.list("v1", "Pod") == []


def test_finalizers_hold_deletion(cluster: Cluster) -> None:
    cluster.store.create(configmap("c", finalizers=["example.com/hold"]))
    held = cluster.store.delete("v1", "ConfigMap", "c", namespace="default")
    assert held["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    assert held["metadata"]["deletionGracePeriodSeconds"] == 0
    held["metadata"]["finalizers"].append("example.com/more")
    with pytest.raises(InvalidError) as err:
        cluster.store.replace(held)
    assert "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted" in str(err.value)
    cluster.store.patch("v1", "ConfigMap", "c", {"metadata": {"finalizers": None}}, namespace="default")
    with pytest.raises(NotFoundError):
        cluster.store.get("v1", "ConfigMap", "c", namespace="default")


def test_unknown_propagation_policy(cluster: Cluster) -> None:
    cluster.store.create(configmap("c"))
    with pytest.raises(BadRequestError, match="propagationPolicy: Unsupported value"):
        cluster.store.delete("v1", "ConfigMap", "c", namespace="default", propagation_policy="Sideways")


# --- watch events ------------------------------------------------------------------------

def test_listeners_see_added_modified_deleted(cluster: Cluster) -> None:
    seen: list[WatchEvent] = []
    cluster.store.add_listener(seen.append)
    obj = cluster.store.create(configmap("c"))
    obj["data"] = {"k": "changed"}
    cluster.store.replace(obj)
    cluster.store.delete("v1", "ConfigMap", "c", namespace="default")
    mine = [(e.type, e.object["data"]["k"]) for e in seen if e.kind.kind == "ConfigMap"]
    assert mine == [("ADDED", "v"), ("MODIFIED", "changed"), ("DELETED", "changed")]
    assert seen[1].old is not None and seen[1].old["data"] == {"k": "v"}
