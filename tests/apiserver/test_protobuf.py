"""The Kubernetes protobuf envelope: real client-go bodies and round trips.

``data/kubectl-create/<command>.pb`` are the request bodies the real kubectl v1.37.1 sent for
``kubectl create <command> …`` (captured by a 127.0.0.1 forwarding proxy in front of the served
simulator), and ``<command>.json`` what the same command prints with ``--dry-run=client -o json``
— the JSON form of the same object. ``data/helm-uninstall-*.pb`` were captured from the real Helm v4.3.1 (``helm uninstall r1
--kube-apiserver http://127.0.0.1:PORT``) against a throw-away 127.0.0.1 ``http.server`` that
listed one release Secret in JSON and saved the request bodies: the PUT of the Secret with status
``uninstalling`` and the DELETE's DeleteOptions, both ``application/vnd.kubernetes.protobuf``.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from helmlite.apiserver.protobuf import (
    MAGIC,
    MAX_BODY_BYTES,
    decode_delete_options,
    decode_object,
    encode_object,
)
from helmlite.cluster.errors import (
    BadRequestError,
    RequestEntityTooLargeError,
    UnsupportedMediaTypeError,
)

DATA = Path(__file__).parent / "data"


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _field(1, api_version.encode()) + _field(2, kind.encode())
    return MAGIC + _field(1, type_meta) + _field(2, raw) + _field(3, b"") + _field(4, b"")


def test_decodes_helms_release_secret_and_reencodes_it_byte_for_byte() -> None:
    body = (DATA / "helm-uninstall-put-secret.pb").read_bytes()
    secret = decode_object(body)
    assert secret["kind"] == "Secret" and secret["apiVersion"] == "v1"
    assert secret["type"] == "helm.sh/release.v1"
    assert secret["metadata"]["name"] == "sh.helm.release.v1.r1.v1"
    labels = secret["metadata"]["labels"]
    assert {k: labels[k] for k in ("name", "owner", "status", "version")} == {
        "name": "r1", "owner": "helm", "status": "uninstalling", "version": "1"}
    assert labels["modifiedAt"].isdigit()
    # JSON carries Secret bytes as base64; Helm's bytes are themselves base64(gzip(release JSON)).
    release = json.loads(gzip.decompress(base64.b64decode(base64.b64decode(secret["data"]["release"]))))
    assert (release["name"], release["version"], release["info"]["status"]) == ("r1", 1, "uninstalling")
    assert encode_object(secret) == body


def test_decodes_helms_delete_options() -> None:
    body = (DATA / "helm-uninstall-delete-options.pb").read_bytes()
    assert decode_delete_options(body) == {"kind": "DeleteOptions", "apiVersion": "v1"}


def test_delete_options_fields() -> None:
    preconditions = _field(1, b"uid-1") + _field(2, b"42")
    raw = (_field(1, 30) + _field(2, preconditions) + _field(3, 0) + _field(4, b"Foreground")
           + _field(5, b"All"))
    options = decode_delete_options(_envelope("v1", "DeleteOptions", raw))
    assert options == {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 30,
                       "preconditions": {"uid": "uid-1", "resourceVersion": "42"},
                       "orphanDependents": False, "propagationPolicy": "Foreground", "dryRun": ["All"]}
    negative = decode_delete_options(_envelope("v1", "DeleteOptions", _field(1, -1)))
    assert negative["gracePeriodSeconds"] == -1


FULL_METADATA: dict[str, Any] = {
    "name": "s", "generateName": "s-", "namespace": "team", "uid": "0b9c", "resourceVersion": "17",
    "generation": 3, "creationTimestamp": "2025-03-04T05:06:07Z", "deletionTimestamp": "2025-03-05T00:00:00Z",
    "deletionGracePeriodSeconds": 30,
    "labels": {"b": "2", "a": "1"}, "annotations": {"note": "héllo"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u1",
                         "controller": True, "blockOwnerDeletion": False},
                        {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "u2"}],
    "finalizers": ["kubernetes.io/x", "y"],
    "managedFields": [{"manager": "helm", "operation": "Apply", "apiVersion": "v1", "time": "2025-03-04T05:06:07Z",
                       "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:k": {}}}},
                      {"manager": "kubectl", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
                       "fieldsV1": {"f:status": {}}, "subresource": "status"}],
}


@pytest.mark.parametrize("obj", [
    {"kind": "Secret", "apiVersion": "v1", "metadata": FULL_METADATA,
     "data": {"k": base64.b64encode(b"\x00\xffbinary").decode(), "empty": ""},
     "type": "Opaque", "stringData": {"plain": "text"}, "immutable": True},
    {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c", "namespace": "default"},
     "data": {"k": "v", "multi": "line\nline"}, "binaryData": {"b": base64.b64encode(b"\x01\x02").decode()},
     "immutable": False},
    {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "bare"}},
])
def test_round_trip(obj: dict[str, Any]) -> None:
    body = encode_object(obj)
    assert body.startswith(MAGIC)
    assert decode_object(body) == obj
    assert encode_object(decode_object(body)) == body


def test_unknown_kinds_are_415() -> None:
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        decode_object(_envelope("example.com/v1", "Widget", b""))
    assert caught.value.code == 415
    assert caught.value.message.startswith(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml")
    assert "example.com/v1 Widget" in caught.value.message
    with pytest.raises(UnsupportedMediaTypeError):
        encode_object({"apiVersion": "example.com/v1", "kind": "Widget"})
    with pytest.raises(UnsupportedMediaTypeError):
        decode_delete_options(_envelope("v1", "Secret", b""))


@pytest.mark.parametrize("body", [
    b'{"kind":"Secret"}',                                   # JSON, no magic
    MAGIC + b"\x0a\x05\x0a",                                 # length past the end
    MAGIC + b"\x08" + b"\xff" * 11,                          # endless varint
    MAGIC + b"\x0b",                                         # group wire type
    _envelope("v1", "Secret", _field(1, _field(1, b"\xff\xfe"))),  # name not UTF-8
    _envelope("v1", "Secret", _field(1, 5)),                 # metadata as a varint
])
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(BadRequestError) as caught:
        decode_object(body)
    assert caught.value.code == 400
    assert caught.value.message.startswith("malformed protobuf body: ")


def test_body_size_is_bounded() -> None:
    with pytest.raises(RequestEntityTooLargeError) as caught:
        decode_object(MAGIC + b"\x00" * MAX_BODY_BYTES)
    assert caught.value.code == 413


def test_unknown_fields_are_skipped() -> None:
    raw = _field(1, _field(1, b"s") + _field(99, b"future")) + _field(3, b"Opaque") + _field(42, 7)
    assert decode_object(_envelope("v1", "Secret", raw)) == {
        "kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s"}, "type": "Opaque"}


KUBECTL_CREATE = DATA / "kubectl-create"


def _without_empty(value: Any) -> Any:
    """Go's JSON keeps empty non-pointer structs (``"resources": {}``) and zero times (``null``);
    protobuf cannot tell those from absent, so compare without them."""
    if isinstance(value, dict):
        pruned = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


@pytest.mark.parametrize("command", sorted(p.stem for p in KUBECTL_CREATE.glob("*.json")))
def test_decodes_what_kubectl_create_sends_as_its_json_form(command: str) -> None:
    decoded = decode_object((KUBECTL_CREATE / f"{command}.pb").read_bytes())
    expected = json.loads((KUBECTL_CREATE / f"{command}.json").read_text())
    # A PodDisruptionBudget's status counts are not omitempty in JSON; kubectl sends them as zeros.
    expected.pop("status", None)
    decoded.pop("status", None)
    assert _without_empty(decoded) == _without_empty(expected)


@pytest.mark.parametrize("body", sorted(KUBECTL_CREATE.glob("*.pb")), ids=lambda p: p.stem)
def test_reencodes_kubectl_bodies_byte_for_byte(body: Path) -> None:
    data = body.read_bytes()
    assert encode_object(decode_object(data)) == data


def test_job_created_from_a_cron_job_keeps_its_owner_and_template() -> None:
    job = decode_object((KUBECTL_CREATE / "job-from-cronjob.pb").read_bytes())
    assert job["metadata"]["name"] == "fromcron"
    assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    owner = job["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("CronJob", "tick", True)
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert (container["image"], container["command"]) == ("busybox", ["date"])


FULL_DEPLOYMENT: dict[str, Any] = {
    "kind": "Deployment", "apiVersion": "apps/v1",
    "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web"}},
    "spec": {
        "replicas": 0, "revisionHistoryLimit": 2, "progressDeadlineSeconds": 120, "minReadySeconds": 5,
        "selector": {"matchLabels": {"app": "web"},
                     "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
        "template": {
            "metadata": {"labels": {"app": "web"}, "annotations": {"checksum": "abc"}},
            "spec": {
                "serviceAccountName": "web", "automountServiceAccountToken": False,
                "terminationGracePeriodSeconds": 0, "nodeSelector": {"disk": "ssd"},
                "securityContext": {"runAsUser": 1000, "runAsNonRoot": True, "fsGroup": 2000,
                                    "supplementalGroups": [1, 2], "seccompProfile": {"type": "RuntimeDefault"}},
                "imagePullSecrets": [{"name": "registry"}],
                "initContainers": [{"name": "init", "image": "busybox", "command": ["sh", "-c", "true"]}],
                "containers": [{
                    "name": "app", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                    "args": ["--port", "8080"], "workingDir": "/srv",
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "env": [{"name": "MODE", "value": "prod"},
                            {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                            {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "pass",
                                                                            "optional": False}}},
                            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory",
                                                                               "divisor": "1Mi"}}}],
                    "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "settings"}}],
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}},
                    "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True},
                                     {"name": "tmp", "mountPath": "/tmp"}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                                      "initialDelaySeconds": 3, "periodSeconds": 10, "failureThreshold": 3},
                    "readinessProbe": {"tcpSocket": {"port": 8080}, "timeoutSeconds": 1},
                    "startupProbe": {"exec": {"command": ["cat", "/ready"]}, "successThreshold": 1},
                    "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
                    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"]}},
                }],
                "volumes": [
                    {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                    {"name": "tmp", "emptyDir": {}},
                    {"name": "cfg", "configMap": {"name": "settings", "defaultMode": 420,
                                                  "items": [{"key": "a", "path": "a.conf"}]}},
                    {"name": "sec", "secret": {"secretName": "creds", "optional": True}},
                    {"name": "all", "projected": {"sources": [
                        {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
                        {"downwardAPI": {"items": [{"path": "labels",
                                                    "fieldRef": {"fieldPath": "metadata.labels"}}]}}]}},
                ],
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                        "labelSelector": {"matchLabels": {"app": "web"}}}}]},
                             "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                                 "nodeSelectorTerms": [{"matchExpressions": [
                                     {"key": "zone", "operator": "In", "values": ["z1"]}]}]}}},
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule",
                                 "tolerationSeconds": 30}],
                "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                               "whenUnsatisfiable": "DoNotSchedule",
                                               "labelSelector": {"matchLabels": {"app": "web"}}}],
                "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["db"]}],
                "dnsConfig": {"options": [{"name": "ndots", "value": "2"}]},
                "priorityClassName": "high",
            },
        },
    },
}


def test_a_full_pod_template_round_trips() -> None:
    body = encode_object(FULL_DEPLOYMENT)
    assert decode_object(body) == FULL_DEPLOYMENT
    assert encode_object(decode_object(body)) == body


def test_pointer_zeros_are_kept_and_non_pointer_zeros_dropped() -> None:
    # replicas is *int32 (0 means "scale to zero"); minReadySeconds is int32 (0 means unset).
    spec = _field(1, 0) + _field(5, 0) + _field(7, 0)
    decoded = decode_object(_envelope("apps/v1", "Deployment", _field(2, spec)))
    assert decoded["spec"] == {"replicas": 0}
