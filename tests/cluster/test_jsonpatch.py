"""JSON patch (RFC 6902) as kube-apiserver applies it: results, API errors, and a differential
test against the real kubectl (``kubectl patch --local --type json`` runs the same evanphx
json-patch v4 code as the API server)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helmlite.cluster.errors import (
    BadRequestError,
    RequestEntityTooLargeError,
    RequestRejectedError,
)
from helmlite.cluster.jsonpatch import MAX_COPY_BYTES, MAX_OPERATIONS, apply_json_patch

KUBECTL = os.environ.get("HELMLITE_KUBECTL_BIN", "/tmp/peers/kubectl/kubectl")

CONFIG_MAP: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "c", "labels": {"a": "1"}, "finalizers": ["f1", "f2", "f3"],
                 "annotations": {"nulled": None, "x/y~z": "slash"}},
    "data": {"k": "v", "l": "w"},
}


# --- RFC 6902 appendix A (the cases the API server's library agrees with) ---------------------

@pytest.mark.parametrize(("doc", "patch", "expected"), [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"foo": "bar"}, [{"op": "copy", "from": "/foo", "path": "/baz"}], {"foo": "bar", "baz": "bar"}),
])
def test_rfc_examples(doc: Any, patch: list[dict[str, Any]], expected: Any) -> None:
    assert apply_json_patch(doc, patch) == expected


def test_inputs_are_untouched_and_result_shares_nothing() -> None:
    doc = {"a": {"b": [1, 2]}}
    value = {"deep": [1]}
    patch = [{"op": "add", "path": "/a/b/-", "value": value}, {"op": "copy", "from": "/a", "path": "/c"}]
    result = apply_json_patch(doc, patch)
    assert doc == {"a": {"b": [1, 2]}}
    result["a"]["b"][2]["deep"].append(2)
    assert value == {"deep": [1]}
    assert result["c"]["b"][2] == {"deep": [1]}  # copy took its own snapshot


def test_test_compares_json_values_not_python_values() -> None:
    with pytest.raises(RequestRejectedError):
        apply_json_patch({"a": True}, [{"op": "test", "path": "/a", "value": 1}])
    with pytest.raises(RequestRejectedError):
        apply_json_patch({"a": {"x": 1}}, [{"op": "test", "path": "/a", "value": {"x": 1, "y": 2}}])
    assert apply_json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 1.0}]) == {"a": 1}


# --- errors as the API server reports them -------------------------------------------------

def test_failing_operation_is_422_with_the_cause_in_details() -> None:
    with pytest.raises(RequestRejectedError) as caught:
        apply_json_patch({"spec": {"replicas": 1}}, [{"op": "test", "path": "/spec/replicas", "value": 2}])
    status = caught.value.to_status()
    assert status["code"] == 422 and status["reason"] == "Invalid"
    assert status["message"] == "the server rejected our request due to an error in our request"
    assert status["details"] == {"causes": [{"message": "testing value /spec/replicas failed: test failed"}]}


@pytest.mark.parametrize(("body", "message"), [
    ({"op": "add"}, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    (["x"], "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
])
def test_malformed_body_is_400(body: Any, message: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        apply_json_patch({}, body)
    assert caught.value.message == message


def test_operation_count_is_bounded() -> None:
    ops = [{"op": "test", "path": "/a", "value": 1}] * (MAX_OPERATIONS + 1)
    with pytest.raises(RequestEntityTooLargeError) as caught:
        apply_json_patch({"a": 1}, ops)
    assert caught.value.code == 413
    assert caught.value.message == f"The allowed maximum operations in a JSON patch is 10000, got {MAX_OPERATIONS + 1}"
    assert apply_json_patch({"a": 1}, ops[:MAX_OPERATIONS]) == {"a": 1}


def test_copy_growth_is_bounded() -> None:
    # Copying /a into itself doubles it each time: the accumulated copies must stop at the limit.
    doc = {"a": {"blob": "x" * 1000}}
    growth = [{"op": "copy", "from": "/a", "path": f"/a/c{i}"} for i in range(40)]
    with pytest.raises(RequestRejectedError) as caught:
        apply_json_patch(doc, growth)
    cause = caught.value.cause
    assert cause.startswith("Unable to complete the copy, the accumulated size increase of copy is ")
    assert cause.endswith(f"exceeding the limit {MAX_COPY_BYTES}")
    assert len(apply_json_patch(doc, growth[:8])["a"]) == 9


# --- differential test against the real kubectl ----------------------------------------------

DIFFERENTIAL_CASES: list[list[Any]] = [
    [{"op": "add", "path": "/data/new", "value": "1"}],
    [{"op": "add", "path": "/metadata/annotations/x~1y~0z", "value": "replaced"}],
    [{"op": "add", "path": "/metadata/finalizers/-", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/0", "value": "f0"}],
    [{"op": "add", "path": "/metadata/finalizers/3", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/4", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/-1", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/-4", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/-5", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/+1", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/x", "value": "f4"}],
    [{"op": "add", "path": "/metadata/finalizers/0/x", "value": "f4"}],
    [{"op": "add", "path": "/metadata/missing/deeper", "value": "x"}],
    [{"op": "add", "path": "/metadata/annotations/nulled/x", "value": "1"}],
    [{"op": "add", "path": "/data/k/x", "value": "1"}],
    [{"op": "add", "path": "/data/q"}],
    [{"op": "add", "path": "", "value": {}}],
    [{"op": "add", "path": 5, "value": "x"}],
    [{"op": "add", "value": "x"}],
    [{"op": "remove", "path": "/data/k"}],
    [{"op": "remove", "path": "/data/zz"}],
    [{"op": "remove", "path": "/metadata/annotations/nulled"}],
    [{"op": "remove", "path": "/metadata/finalizers/-1"}],
    [{"op": "remove", "path": "/metadata/finalizers/3"}],
    [{"op": "remove", "path": "/metadata/finalizers/-"}],
    [{"op": "remove", "path": "/"}],
    [{"op": "replace", "path": "/data/k", "value": {"now": ["an", "object"]}}],
    [{"op": "replace", "path": "/data/absent", "value": "added"}],
    [{"op": "replace", "path": "/metadata/finalizers/-1", "value": "z"}],
    [{"op": "replace", "path": "/metadata/finalizers/9", "value": "z"}],
    [{"op": "replace", "path": "/nope/x", "value": "z"}],
    [{"op": "replace", "path": 5, "value": "z"}],
    [{"op": "move", "from": "/data/k", "path": "/metadata/labels/k"}],
    [{"op": "move", "from": "/data/zz", "path": "/data/q"}],
    [{"op": "move", "from": "/data/k", "path": "/data/k/x"}],
    [{"op": "move", "from": "/nope/x", "path": "/data/q"}],
    [{"op": "move", "path": "/data/q"}],
    [{"op": "move", "from": "/metadata/finalizers/0", "path": "/metadata/finalizers/-"}],
    [{"op": "copy", "from": "/data", "path": "/metadata/annotations"}],
    [{"op": "copy", "from": "/data/zz", "path": "/data/q"}],
    [{"op": "copy", "from": "/metadata/finalizers/9", "path": "/data/q"}],
    [{"op": "copy", "from": "/data/k", "path": "/nope/q"}],
    [{"op": "copy", "from": "/data/k"}],
    [{"op": "test", "path": "/data/k", "value": "v"}, {"op": "replace", "path": "/data/k", "value": "v2"}],
    [{"op": "test", "path": "/data/k", "value": "nope"}],
    [{"op": "test", "path": "/data/zz", "value": None}],
    [{"op": "test", "path": "/data/zz", "value": "x"}],
    [{"op": "test", "path": "/data/zz"}],
    [{"op": "test", "path": "/data/k"}],
    [{"op": "test", "path": "/metadata/annotations/nulled", "value": None}],
    [{"op": "test", "path": "/metadata/finalizers/-1", "value": "f3"}],
    [{"op": "test", "path": "/metadata/finalizers/5", "value": "z"}],
    [{"op": "test", "path": "/metadata/labels", "value": {"a": "1", "b": "2"}}],
    [{"op": "test", "path": "/nope/x", "value": 1}],
    [{"op": "bogus", "path": "/data/k"}],
    [{"path": "/data/k"}],
    [{"op": 5, "path": "/data/k"}],
    [None],
]


def _kubectl_json_patch(tmp_path: Path, doc: dict[str, Any], patch: Any) -> tuple[dict[str, Any] | None, str]:
    """The patched object, or kubectl's error message (without its ``error: `` prefix)."""
    source = tmp_path / "object.json"
    source.write_text(json.dumps(doc))
    done = subprocess.run([KUBECTL, "patch", "--local", "-f", str(source), "--type", "json",
                           "-p", json.dumps(patch), "-o", "json"],
                          capture_output=True, text=True, timeout=60, check=False)
    if done.returncode == 0:
        return json.loads(done.stdout), ""
    return None, done.stderr.strip().removeprefix("error: ")


def _kubectl_view_of(message: str) -> str:
    """kubectl rewrites one evanphx message client-side (cmd/patch getPatchedJSON)."""
    if "doc is missing key" in message:
        return f"Object to be patched is missing field ({message[message.index('key:') + 5:]})"
    return message


@pytest.mark.skipif(not os.access(KUBECTL, os.X_OK), reason="the real kubectl binary is not installed")
@pytest.mark.parametrize("patch", DIFFERENTIAL_CASES, ids=[json.dumps(c)[:70] for c in DIFFERENTIAL_CASES])
def test_matches_kubectl(tmp_path: Path, patch: list[Any]) -> None:
    expected, expected_error = _kubectl_json_patch(tmp_path, CONFIG_MAP, patch)
    try:
        actual = apply_json_patch(CONFIG_MAP, patch)
    except RequestRejectedError as rejected:
        assert _kubectl_view_of(rejected.cause) == expected_error
    except BadRequestError as bad:
        assert bad.message == expected_error
    else:
        assert expected_error == ""
        assert actual == expected
