"""Strategic merge patch: cases after apimachinery's strategicpatch test tables, the API errors,
and a differential test against the real kubectl (``kubectl patch --local --type strategic``
runs apimachinery's StrategicMergePatch with the compiled-in Go types)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helmlite.cluster.errors import (
    BadRequestError,
    RequestRejectedError,
    UnclassifiedError,
    UnsupportedMediaTypeError,
)
from helmlite.cluster.strategicpatch import apply_strategic_merge_patch

KUBECTL = os.environ.get("HELMLITE_KUBECTL_BIN", "/tmp/peers/kubectl/kubectl")


def _deployment(containers: list[dict[str, Any]], **pod_spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "finalizers": ["a", "b"],
                     "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "u1"}]},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": containers, **pod_spec}}},
    }


DEPLOYMENT = _deployment(
    [{"name": "a", "image": "x", "args": ["1", "2"], "env": [{"name": "E1", "value": "1"}, {"name": "E2", "value": "2"}],
      "ports": [{"containerPort": 80}, {"containerPort": 443}], "volumeMounts": [{"name": "v", "mountPath": "/v"}]},
     {"name": "b", "image": "y"},
     {"name": "c", "image": "z"}],
    volumes=[{"name": "v", "emptyDir": {}}],
    tolerations=[{"key": "k", "operator": "Exists"}],
)


def _containers(result: dict[str, Any]) -> list[dict[str, Any]]:
    return result["spec"]["template"]["spec"]["containers"]


# --- cases after apimachinery's patch_test.go, on real types --------------------------------

def test_merging_list_merges_by_key_and_appends_new_items() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "y2"}, {"name": "d", "image": "w"}]}}}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    # Upstream's order: live-only items keep their places where they compare with patch items;
    # a new item goes before the live-only items that follow it.
    assert [(c["name"], c["image"]) for c in _containers(result)] == [("a", "x"), ("b", "y2"), ("d", "w"), ("c", "z")]
    assert _containers(result)[0]["env"] == DEPLOYMENT["spec"]["template"]["spec"]["containers"][0]["env"]


def test_delete_directive_removes_the_item_with_that_key() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert [c["name"] for c in _containers(result)] == ["a", "c"]


def test_replace_directive_in_a_list_replaces_it() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "q", "image": "q"}, {"$patch": "replace"}]}}}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert _containers(result) == [{"name": "q", "image": "q"}]


def test_replace_and_delete_directives_on_maps() -> None:
    replace = {"spec": {"selector": {"$patch": "replace", "matchExpressions": []}}}
    assert apply_strategic_merge_patch(DEPLOYMENT, replace, "apps", "Deployment")["spec"]["selector"] == {
        "matchExpressions": []}
    delete = {"spec": {"strategy": {"$patch": "delete"}}}
    assert apply_strategic_merge_patch(DEPLOYMENT, delete, "apps", "Deployment")["spec"]["strategy"] == {}


def test_nested_merge_keys_env_ports_and_mounts() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{
        "name": "a", "env": [{"name": "E2", "value": "two"}, {"name": "E3", "value": "3"}],
        "ports": [{"containerPort": 443, "$patch": "delete"}],
        "volumeMounts": [{"mountPath": "/v", "readOnly": True}]}]}}}}
    a = _containers(apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment"))[0]
    assert a["env"] == [{"name": "E1", "value": "1"}, {"name": "E2", "value": "two"}, {"name": "E3", "value": "3"}]
    assert a["ports"] == [{"containerPort": 80}]
    assert a["volumeMounts"] == [{"name": "v", "mountPath": "/v", "readOnly": True}]


def test_atomic_lists_are_replaced() -> None:
    patch = {"spec": {"template": {"spec": {"tolerations": [{"key": "n"}],
                                            "containers": [{"name": "a", "args": ["3"]}]}}}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert result["spec"]["template"]["spec"]["tolerations"] == [{"key": "n"}]
    assert _containers(result)[0]["args"] == ["3"]


def test_primitive_merge_list_is_a_set_with_parallel_deletions() -> None:
    patch = {"metadata": {"finalizers": ["c", "a"], "$deleteFromPrimitiveList/finalizers": ["b"]}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert sorted(result["metadata"]["finalizers"]) == ["a", "c"]


def test_set_element_order_reorders_the_merged_list() -> None:
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
        "containers": [{"name": "a", "image": "x2"}]}}}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert [(c["name"], c["image"]) for c in _containers(result)] == [("c", "z"), ("a", "x2"), ("b", "y")]


def test_retain_keys_clears_unlisted_fields() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")["spec"]["strategy"] == {
        "type": "Recreate"}


def test_null_deletes_and_new_subtrees_lose_their_nulls() -> None:
    patch = {"spec": {"replicas": None, "paused": None, "minReadySeconds": 5,
                      "template": {"spec": {"affinity": {"nodeAffinity": None, "podAffinity": {}}}}}}
    result = apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert "replicas" not in result["spec"]
    assert result["spec"]["minReadySeconds"] == 5
    assert result["spec"]["template"]["spec"]["affinity"] == {"podAffinity": {}}


def test_pod_service_cronjob_paths() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}}
    patched = apply_strategic_merge_patch(pod, {"spec": {"containers": [{"name": "b", "image": "3"}]}}, "", "Pod")
    assert patched["spec"]["containers"] == [{"name": "a", "image": "1"}, {"name": "b", "image": "3"}]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}}
    patched = apply_strategic_merge_patch(service, {"spec": {"ports": [{"port": 443, "targetPort": 8443}]}}, "", "Service")
    assert patched["spec"]["ports"][1] == {"port": 443, "name": "https", "targetPort": 8443}
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "1"}]}}}}}}
    patch = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "2"}]}}}}}}
    patched = apply_strategic_merge_patch(cron, patch, "batch", "CronJob")
    assert [c["name"] for c in patched["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]] == ["b", "a"]
    # A list at a path without merge metadata (a ConfigMap has none) is replaced.
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "containers": [{"name": "a"}]}
    assert apply_strategic_merge_patch(other, {"containers": [{"name": "b"}]}, "", "ConfigMap")["containers"] == [
        {"name": "b"}]


def test_delete_directive_on_the_whole_object_empties_it() -> None:
    assert apply_strategic_merge_patch(DEPLOYMENT, {"$patch": "delete"}, "apps", "Deployment") == {}


def test_inputs_are_untouched() -> None:
    original = json.loads(json.dumps(DEPLOYMENT))
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}}}
    patch_copy = json.loads(json.dumps(patch))
    apply_strategic_merge_patch(original, patch, "apps", "Deployment")
    assert original == DEPLOYMENT and patch == patch_copy


# --- errors -------------------------------------------------------------------------------

def test_custom_resources_are_refused_with_415() -> None:
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        apply_strategic_merge_patch({"metadata": {"name": "x"}}, {"spec": {}}, "example.com", "Widget")
    assert caught.value.code == 415
    assert caught.value.message == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


@pytest.mark.parametrize(("patch", "error", "message"), [
    ({"spec": {"strategy": {"$retainKeys": "type"}}}, BadRequestError, "invalid patch format of retainKeys"),
    ({"spec": {"template": {"spec": {"$setElementOrderX/containers": []}}}}, BadRequestError,
     "invalid patch format of setElementOrder list"),
    ({"metadata": {"$deleteFromPrimitiveList": ["a"]}}, BadRequestError, "invalid patch format of primitive list"),
    ({"spec": {"template": {"spec": {"containers": [[1]]}}}}, UnclassifiedError,
     ("list element types are not identical: [[map[args:[1 2] env:[map[name:E1 value:1] map[name:E2 value:2]] "
      "image:x name:a ports:[map[containerPort:80] map[containerPort:443]] volumeMounts:[map[mountPath:/v name:v]]] "
      "map[image:y name:b] map[image:z name:c]] [[1]]]")),
    ({"metadata": {"finalizers": [["x"]]}, "spec": {}}, UnclassifiedError,
     "list element types are not identical: [[a b] [[x]]]"),
    ({"spec": {"template": {"spec": {"containers": [{"image": "q"}]}}}}, UnclassifiedError,
     "map: map[image:q] does not contain declared merge key: name"),
])
def test_errors_carry_upstream_messages_and_status(patch: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        apply_strategic_merge_patch(DEPLOYMENT, patch, "apps", "Deployment")
    assert caught.value.message == message


def test_list_of_lists_is_422() -> None:
    deployment = _deployment([])
    deployment["metadata"]["finalizers"] = []
    with pytest.raises(RequestRejectedError) as caught:
        apply_strategic_merge_patch(deployment, {"metadata": {"finalizers": [["x"]]}}, "apps", "Deployment")
    assert caught.value.cause == "lists of lists are not supported"


# --- differential test against the real kubectl --------------------------------------------

def _pod_spec(patch: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"template": {"spec": patch}}}


DIFFERENTIAL_CASES: list[dict[str, Any]] = [
    {"metadata": {"labels": {"x": "1"}, "annotations": None}},
    {"metadata": {"finalizers": ["c", "a"]}},
    {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a", "zz"]}},
    {"metadata": {"$deleteFromPrimitiveList/foo": ["a"]}},
    {"metadata": {"finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"]}},
    {"metadata": {"ownerReferences": [{"uid": "u2", "name": "o2", "kind": "Y", "apiVersion": "v1"}]}},
    {"metadata": {"ownerReferences": [{"uid": "u1", "$patch": "delete"}]}},
    {"metadata": {"finalizers": {"$patch": "delete"}}},
    {"spec": {"replicas": 3, "paused": None}},
    {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
    {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": {"maxSurge": 2}}}},
    {"spec": {"strategy": {"$patch": "delete"}}},
    {"spec": {"strategy": {"$patch": "merge", "type": "Recreate"}}},
    {"spec": {"selector": {"$patch": "replace", "matchLabels": {"x": "y"}}}},
    {"spec": {"newField": {"a": None, "b": {"c": None, "d": 1}}}},
    {"spec": {"newThing": {"$patch": "replace", "a": 1}}},
    _pod_spec({"containers": [{"name": "b", "image": "y2"}, {"name": "new", "image": "n"}]}),
    _pod_spec({"containers": [{"name": "new", "image": None, "env": [{"name": "x", "value": None}]}]}),
    _pod_spec({"containers": [{"name": "b", "$patch": "delete"}, {"name": "zz", "$patch": "delete"}]}),
    _pod_spec({"containers": [{"name": "q", "image": "q"}, {"$patch": "replace"}]}),
    _pod_spec({"containers": [{"name": "a", "$patch": "merge"}]}),
    _pod_spec({"containers": [{"name": "a", "$patch": "bogus"}]}),
    _pod_spec({"containers": [{"image": "nokey"}]}),
    _pod_spec({"containers": ["x"]}),
    _pod_spec({"containers": [{"name": "a", "args": ["3"], "$deleteFromPrimitiveList/args": ["1"]}]}),
    _pod_spec({"containers": [{"name": "a", "env": [{"name": "E2", "$patch": "delete"}, {"name": "E0", "value": "0"}],
                               "ports": [{"containerPort": 8080}, {"containerPort": 80, "protocol": "UDP"}]}]}),
    _pod_spec({"containers": [{"name": "z", "ports": [{"containerPort": 80, "$patch": "delete"}]}]}),
    _pod_spec({"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}),
    _pod_spec({"$setElementOrder/containers": [{"name": "c"}, {"name": "new"}, {"name": "a"}],
               "containers": [{"name": "new", "image": "n"}, {"name": "b", "$patch": "delete"}]}),
    _pod_spec({"$setElementOrder/containers": [{"name": "b"}], "containers": [{"name": "a", "image": "q"}]}),
    _pod_spec({"$setElementOrder/containers": "x"}),
    _pod_spec({"$setElementOrderX/containers": []}),
    _pod_spec({"$setElementOrder/initContainers": [{"name": "i2"}, {"name": "i1"}],
               "initContainers": [{"name": "i1"}, {"name": "i2", "$patch": "delete"}, {"name": "i3"}]}),
    _pod_spec({"$retainKeys": ["containers"], "containers": [{"name": "a"}]}),
    _pod_spec({"$retainKeys": ["initContainers"], "containers": [{"name": "a"}]}),
    _pod_spec({"volumes": [{"name": "v", "$patch": "delete"}, {"name": "w", "configMap": {"name": "c"}}]}),
    _pod_spec({"volumes": [{"name": "v", "$retainKeys": ["name", "secret"], "secret": {"secretName": "s"}}]}),
    _pod_spec({"tolerations": [{"key": "n", "operator": "Exists"}]}),
    _pod_spec({"imagePullSecrets": [{"name": "r"}], "hostAliases": [{"ip": "1.2.3.4", "hostnames": ["h"]}]}),
    {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": "web"}}}}},
    _pod_spec({"containers": [{"name": "b", "image": "y2"}, {"name": "d", "image": "w"}]}),
    {"spec": {"template": {"metadata": {"labels": {"extra": "1"}}, "spec": {"containers": [
        {"name": "c", "volumeMounts": [{"mountPath": "/w", "name": "w"}]}]}}}},
]

# Fields of the Deployment above plus items with varied key order, so that ordering matters.
DIFFERENTIAL_BASE = json.loads(json.dumps(DEPLOYMENT))
DIFFERENTIAL_BASE["spec"]["template"]["spec"]["initContainers"] = [{"name": "i1"}, {"name": "i2"}]


def _kubectl_strategic_patch(tmp_path: Path, doc: dict[str, Any], patch: Any) -> tuple[Any, str]:
    source = tmp_path / "object.json"
    source.write_text(json.dumps(doc))
    done = subprocess.run([KUBECTL, "patch", "--local", "-f", str(source), "--type", "strategic",
                           "-p", json.dumps(patch), "-o", "json"],
                          capture_output=True, text=True, timeout=60, check=False)
    if done.returncode == 0:
        return json.loads(done.stdout), ""
    return None, done.stderr.strip().removeprefix("error: ")


def _decoded(value: Any) -> Any:
    """kubectl prints the raw merge; the API server decodes it into the Go type first, which
    drops nulls and unknown ``$`` keys — the view ``apply_strategic_merge_patch`` returns."""
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items() if v is not None and not k.startswith("$")}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


@pytest.mark.skipif(not os.access(KUBECTL, os.X_OK), reason="the real kubectl binary is not installed")
@pytest.mark.parametrize("patch", DIFFERENTIAL_CASES, ids=[json.dumps(c)[:80] for c in DIFFERENTIAL_CASES])
def test_matches_kubectl(tmp_path: Path, patch: dict[str, Any]) -> None:
    expected, expected_error = _kubectl_strategic_patch(tmp_path, DIFFERENTIAL_BASE, patch)
    try:
        actual = apply_strategic_merge_patch(DIFFERENTIAL_BASE, patch, "apps", "Deployment")
    except RequestRejectedError as rejected:
        assert rejected.cause == expected_error.strip()
    except (BadRequestError, UnclassifiedError) as failed:
        assert failed.message.strip() == expected_error
    else:
        assert expected_error == ""
        assert actual == _decoded(expected)
