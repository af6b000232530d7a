"""Validation the API server applies on create and update, with its exact error texts.

Each check mirrors one in ``k8s.io/apimachinery/pkg/util/validation`` or
``pkg/apis/<group>/validation`` (kubernetes-simulation.md §4.2). Errors are collected as
``FieldError``s and raised together as one ``InvalidError``, as the API server reports them.
Objects that could not even be decoded into their Go types (labels given as a list, a
malformed quantity) fail earlier with ``BadRequestError`` from ``check_decodable``.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from helmlite.cluster.errors import BadRequestError, FieldError, InvalidError
from helmlite.cluster.kinds import Kind
from helmlite.cluster.quantity import QUANTITY_ERROR, is_quantity, parse_quantity
from helmlite.cluster.selectors import LabelSelector

__all__ = [
    "validate_create",
    "validate_update",
    "check_decodable",
    "go_repr",
    "dns1123_subdomain_errors",
    "dns1123_label_errors",
    "dns1035_label_errors",
    "label_value_errors",
    "qualified_name_errors",
    "IMMUTABLE",
    "cron_schedule_error",
]

IMMUTABLE = "field is immutable"

# --- apimachinery pkg/util/validation ------------------------------------------------------

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # apimachinery RegexError: each example is "'x', " joined by " or ", hence the double spaces.
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    return msg + " (e.g. " + " or ".join(f"'{e}', " for e in examples) + f"regex used for validation is '{fmt}')"


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def _format_errors(value: str, max_length: int, fmt: str, message: str, *examples: str) -> list[str]:
    """apimachinery's pattern for a name format: the length limit, then the regex with its examples."""
    errs = []
    if len(value) > max_length:
        errs.append(_max_len(max_length))
    if not re.fullmatch(fmt, value):
        errs.append(_regex_error(message, fmt, *examples))
    return errs


def dns1123_label_errors(value: str) -> list[str]:
    """``IsDNS1123Label``: messages for a value that is not an RFC 1123 label."""
    return _format_errors(
        value, 63, _DNS1123_LABEL_FMT,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character", "my-name", "123-abc")


def dns1123_subdomain_errors(value: str) -> list[str]:
    """``IsDNS1123Subdomain``: messages for a value that is not an RFC 1123 subdomain."""
    return _format_errors(
        value, 253, _DNS1123_SUBDOMAIN_FMT,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        "and must start and end with an alphanumeric character", "example.com")


def dns1035_label_errors(value: str) -> list[str]:
    """``IsDNS1035Label`` (Service names): messages for an invalid value."""
    return _format_errors(
        value, 63, _DNS1035_LABEL_FMT,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character", "my-name", "abc-123")


def qualified_name_errors(value: str) -> list[str]:
    """``IsQualifiedName`` (label and annotation keys): ``[prefix/]name``."""
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ["prefix part " + "must be non-empty"]
        errs = ["prefix part " + m for m in dns1123_subdomain_errors(prefix)]
        if errs:
            return errs + _name_part_errors(name)
    else:
        return [_regex_error(
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character", _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    return _name_part_errors(name)


def _name_part_errors(name: str) -> list[str]:
    if not name:
        return ["name part must be non-empty"]
    errs = []
    if len(name) > 63:
        errs.append("name part " + _max_len(63))
    if not re.fullmatch(_QUALIFIED_NAME_FMT, name):
        errs.append("name part " + _regex_error(
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character", _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """``IsValidLabelValue``: messages for an invalid label value (empty is valid)."""
    errs = []
    if len(value) > 63:
        errs.append(_max_len(63))
    if not re.fullmatch(_LABEL_VALUE_FMT, value):
        errs.append(_regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
            "must start and end with an alphanumeric character", _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _path_segment_errors(value: str) -> list[str]:
    # path.IsValidPathSegmentName, used for RBAC object names (they may contain ':').
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


def _port_name_errors(port: str) -> list[str]:
    errs = []
    if len(port) > 15:
        errs.append(_max_len(15))
    if not re.fullmatch(r"[-a-z0-9]+", port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    elif not re.search(r"[a-z]", port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


# --- rendering values the way Go's fmt prints them -------------------------------------------

def _go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable():
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_repr(value: Any) -> str:
    """A value as ``field.Error`` prints it: strings ``%q``, numbers and bools ``%v``.

    Structured values print as compact JSON: the Go ``%#v`` dump of an internal struct
    cannot be reproduced faithfully from a dict (maps of strings and label selectors have
    exact renderers, ``go_string_map`` and ``go_label_selector``).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, str):
        return _go_quote(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def go_string_map(value: Mapping[str, Any] | None) -> str:
    """``map[string]string{"a":"b", "c":"d"}`` (Go sorts map keys when printing)."""
    if value is None:
        return "map[string]string(nil)"
    items = ", ".join(f"{_go_quote(str(k))}:{_go_quote(str(v))}" for k, v in sorted(value.items()))
    return "map[string]string{" + items + "}"


def _go_string_slice(values: Sequence[Any] | None) -> str:
    if values is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(_go_quote(str(v)) for v in values) + "}"


def go_label_selector(selector: Mapping[str, Any]) -> str:
    """``v1.LabelSelector{MatchLabels:map[string]string{…}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}``."""
    exprs = selector.get("matchExpressions")
    if exprs is None:
        rendered = "[]v1.LabelSelectorRequirement(nil)"
    else:
        rendered = "[]v1.LabelSelectorRequirement{" + ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{_go_quote(str(e.get('key', '')))}, "
            f"Operator:{_go_quote(str(e.get('operator', '')))}, Values:{_go_string_slice(e.get('values'))}}}"
            for e in exprs
        ) + "}"
    return f"v1.LabelSelector{{MatchLabels:{go_string_map(selector.get('matchLabels'))}, MatchExpressions:{rendered}}}"


# --- FieldError constructors (apimachinery field.Invalid, field.Required, …) -----------------

def _invalid(path: str, value: Any, detail: str, rendered: str | None = None) -> FieldError:
    return FieldError("Invalid", path, rendered if rendered is not None else go_repr(value), detail)


def _required(path: str, detail: str = "") -> FieldError:
    return FieldError("Required", path, detail=detail)


def _forbidden(path: str, detail: str) -> FieldError:
    return FieldError("Forbidden", path, detail=detail)


def _not_supported(path: str, value: Any, supported: Iterable[str]) -> FieldError:
    return FieldError("NotSupported", path, go_repr(value),
                      "supported values: " + ", ".join(_go_quote(s) for s in supported))


def _duplicate(path: str, value: Any) -> FieldError:
    return FieldError("Duplicate", path, go_repr(value))


def _not_found(path: str, value: Any) -> FieldError:
    return FieldError("NotFound", path, go_repr(value))


def _nonnegative(value: Any, path: str, errs: list[FieldError]) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        errs.append(_invalid(path, value, "must be greater than or equal to 0"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- decoding: what fails before validation, as 400 BadRequest --------------------------------

def check_decodable(kind: Kind, version: str, obj: Mapping[str, Any]) -> None:
    """Reject objects the API server could not decode into the kind's Go type.

    Raises:
        BadRequestError: ``Deployment in version "v1" cannot be handled as a Deployment: …``.
    """
    def fail(why: str) -> BadRequestError:
        return BadRequestError(f'{kind.kind} in version "{version}" cannot be handled as a {kind.kind}: {why}')

    meta = obj.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise fail(f"json: cannot unmarshal {_json_type(meta)} into Go struct field {kind.kind}.metadata of type v1.ObjectMeta")
    _check_string_maps(_dict(meta), "ObjectMeta.metadata", fail)
    for template_meta in _template_metadata(kind, obj):
        _check_string_maps(template_meta, "PodTemplateSpec.spec.template.metadata", fail)
    for container in _all_containers(kind, obj):
        resources = _dict(container.get("resources"))
        for section in ("limits", "requests"):
            for qty in _dict(resources.get(section)).values():
                if not is_quantity(qty):
                    raise fail(QUANTITY_ERROR)


def _check_string_maps(meta: Mapping[str, Any], where: str, fail: Callable[[str], BadRequestError]) -> None:
    for field_name in ("labels", "annotations"):
        value = meta.get(field_name)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise fail(f"json: cannot unmarshal {_json_type(value)} into Go struct field {where}.{field_name} "
                       "of type map[string]string")
        for v in value.values():
            if not isinstance(v, str):
                raise fail(f"json: cannot unmarshal {_json_type(v)} into Go struct field {where}.{field_name} "
                           "of type string")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


_TEMPLATE_KINDS = {("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"),
                   ("apps", "DaemonSet"), ("batch", "Job")}


def _pod_specs(kind: Kind, obj: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(path, podSpec)`` for the pod spec(s) an object carries."""
    spec = _dict(obj.get("spec"))
    if kind.group_kind == ("", "Pod"):
        return [("spec", spec)]
    if kind.group_kind in _TEMPLATE_KINDS:
        return [("spec.template.spec", _dict(_dict(spec.get("template")).get("spec")))]
    if kind.group_kind == ("batch", "CronJob"):
        job = _dict(_dict(spec.get("jobTemplate")).get("spec"))
        return [("spec.jobTemplate.spec.template.spec", _dict(_dict(job.get("template")).get("spec")))]
    return []


def _template_metadata(kind: Kind, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    spec = _dict(obj.get("spec"))
    if kind.group_kind in _TEMPLATE_KINDS:
        return [_dict(_dict(spec.get("template")).get("metadata"))]
    return []


def _all_containers(kind: Kind, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _path, pod_spec in _pod_specs(kind, obj):
        for field_name in ("initContainers", "containers"):
            out.extend(c for c in _list(pod_spec.get(field_name)) if isinstance(c, dict))
    return out


# --- object metadata ---------------------------------------------------------------------

def _name_errors_for(kind: Kind) -> Callable[[str], list[str]]:
    if kind.group_kind == ("", "Namespace") or kind.group_kind == ("apps", "StatefulSet"):
        return dns1123_label_errors
    if kind.group_kind == ("", "Service"):
        return dns1035_label_errors
    if kind.group == "rbac.authorization.k8s.io" or kind.group_kind == ("apiregistration.k8s.io", "APIService"):
        return _path_segment_errors
    return dns1123_subdomain_errors


TOTAL_ANNOTATION_SIZE = 256 * 1024


def _validate_labels(labels: Mapping[str, Any], path: str, errs: list[FieldError]) -> None:
    for key, value in labels.items():
        for msg in qualified_name_errors(key):
            errs.append(_invalid(path, key, msg))
        for msg in label_value_errors(str(value)):
            errs.append(_invalid(path, value, msg))


def _validate_annotations(annotations: Mapping[str, Any], path: str, errs: list[FieldError]) -> None:
    size = 0
    for key, value in annotations.items():
        for msg in qualified_name_errors(key.lower()):
            errs.append(_invalid(path, key, msg))
        size += len(key) + len(str(value))
    if size > TOTAL_ANNOTATION_SIZE:
        errs.append(FieldError("TooLong", path, detail=f"must have at most {TOTAL_ANNOTATION_SIZE} bytes"))


def _validate_metadata(kind: Kind, meta: Mapping[str, Any], errs: list[FieldError]) -> None:
    name = meta.get("name") or ""
    if not name:
        errs.append(_required("metadata.name", "name or generateName is required"))
    else:
        for msg in _name_errors_for(kind)(name):
            errs.append(_invalid("metadata.name", name, msg))
    if kind.namespaced:
        namespace = meta.get("namespace") or ""
        if not namespace:
            errs.append(_required("metadata.namespace"))
        else:
            for msg in dns1123_label_errors(namespace):
                errs.append(_invalid("metadata.namespace", namespace, msg))
    _validate_labels(_dict(meta.get("labels")), "metadata.labels", errs)
    _validate_annotations(_dict(meta.get("annotations")), "metadata.annotations", errs)
    for ref in _list(meta.get("ownerReferences")):
        ref = _dict(ref)
        for field_name, what in (("apiVersion", "version"), ("kind", "kind"), ("name", "name"), ("uid", "uid")):
            if not ref.get(field_name):
                errs.append(_invalid(f"metadata.ownerReferences.{field_name}", "", f"{what} must not be empty"))
    controllers = [r for r in _list(meta.get("ownerReferences")) if _dict(r).get("controller")]
    if len(controllers) > 1:
        names = ", ".join(f"{r.get('kind')}/{r.get('name')}" for r in controllers)
        errs.append(_invalid("metadata.ownerReferences", controllers,
                             f'Only one reference can have Controller set to true. Found "true" in references for {names}'))
    for finalizer in _list(meta.get("finalizers")):
        for msg in qualified_name_errors(str(finalizer)):
            errs.append(_invalid("metadata.finalizers", finalizer, msg))


# --- label selectors ---------------------------------------------------------------------

def _validate_label_selector(selector: Mapping[str, Any], path: str, errs: list[FieldError]) -> None:
    _validate_labels(_dict(selector.get("matchLabels")), f"{path}.matchLabels", errs)
    for i, expr in enumerate(_list(selector.get("matchExpressions"))):
        expr = _dict(expr)
        p = f"{path}.matchExpressions[{i}]"
        op, values = expr.get("operator"), expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                errs.append(_required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(_forbidden(f"{p}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(_invalid(f"{p}.operator", op, "not a valid selector operator"))
        for msg in qualified_name_errors(str(expr.get("key", ""))):
            errs.append(_invalid(f"{p}.key", expr.get("key", ""), msg))


# --- pods and pod templates --------------------------------------------------------------

_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_VOLUME_SOURCES = (
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
    "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
    "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
    "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
)


def _validate_pod_spec(spec: Mapping[str, Any], path: str, errs: list[FieldError], *,
                       claim_volumes: Iterable[str] = ()) -> None:
    volumes: set[str] = set()
    for i, volume in enumerate(_list(spec.get("volumes"))):
        volume = _dict(volume)
        p = f"{path}.volumes[{i}]"
        name = volume.get("name") or ""
        if not name:
            errs.append(_required(f"{p}.name"))
        else:
            for msg in dns1123_label_errors(name):
                errs.append(_invalid(f"{p}.name", name, msg))
            if name in volumes:
                errs.append(_duplicate(f"{p}.name", name))
            volumes.add(name)
        sources = [s for s in _VOLUME_SOURCES if volume.get(s) is not None]
        if not sources:
            errs.append(_required(p, "must specify a volume type"))
        for extra in sources[1:]:
            errs.append(_forbidden(f"{p}.{extra}", "may not specify more than 1 volume type"))

    containers = _list(spec.get("containers"))
    if not containers:
        errs.append(_required(f"{path}.containers"))
    names: set[str] = set()
    # A StatefulSet's pods also get a volume per volumeClaimTemplate.
    mountable = volumes | set(claim_volumes)
    for field_name in ("initContainers", "containers"):
        for i, container in enumerate(_list(spec.get(field_name))):
            _validate_container(_dict(container), f"{path}.{field_name}[{i}]", mountable, names,
                                init=field_name == "initContainers", errs=errs)

    restart = spec.get("restartPolicy")
    if restart not in _RESTART_POLICIES:
        errs.append(_not_supported(f"{path}.restartPolicy", restart, _RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    if dns not in _DNS_POLICIES:
        errs.append(_not_supported(f"{path}.dnsPolicy", dns, _DNS_POLICIES))
    _nonnegative(spec.get("terminationGracePeriodSeconds"), f"{path}.terminationGracePeriodSeconds", errs)
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= 0:
        errs.append(_invalid(f"{path}.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"))


def _validate_container(c: Mapping[str, Any], path: str, volumes: set[str], names: set[str], *,
                        init: bool, errs: list[FieldError]) -> None:
    name = c.get("name") or ""
    if not name:
        errs.append(_required(f"{path}.name"))
    else:
        for msg in dns1123_label_errors(name):
            errs.append(_invalid(f"{path}.name", name, msg))
        if name in names:
            errs.append(_duplicate(f"{path}.name", name))
        names.add(name)
    image = c.get("image")
    if not image:
        errs.append(_required(f"{path}.image"))
    elif image != image.strip():
        errs.append(_invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    policy = c.get("imagePullPolicy")
    if policy not in _PULL_POLICIES:
        errs.append(_not_supported(f"{path}.imagePullPolicy", policy, _PULL_POLICIES))

    port_names: set[str] = set()
    for i, port in enumerate(_list(c.get("ports"))):
        port = _dict(port)
        p = f"{path}.ports[{i}]"
        number = port.get("containerPort")
        if not number:
            errs.append(_required(f"{p}.containerPort"))
        elif not isinstance(number, int) or not 1 <= number <= 65535:
            errs.append(_invalid(f"{p}.containerPort", number, "must be between 1 and 65535, inclusive"))
        if port.get("name"):
            for msg in _port_name_errors(port["name"]):
                errs.append(_invalid(f"{p}.name", port["name"], msg))
            if port["name"] in port_names:
                errs.append(_duplicate(f"{p}.name", port["name"]))
            port_names.add(port["name"])
        if port.get("protocol") not in _PROTOCOLS:
            errs.append(_not_supported(f"{p}.protocol", port.get("protocol"), _PROTOCOLS))

    for i, env in enumerate(_list(c.get("env"))):
        env_name = _dict(env).get("name") or ""
        if not env_name:
            errs.append(_required(f"{path}.env[{i}].name"))
        elif "=" in env_name or not env_name.isprintable() or not env_name.isascii():
            errs.append(_invalid(f"{path}.env[{i}].name", env_name,
                                 "a valid environment variable name must consist only of printable ASCII "
                                 "characters other than '='"))

    for i, mount in enumerate(_list(c.get("volumeMounts"))):
        mount = _dict(mount)
        p = f"{path}.volumeMounts[{i}]"
        if not mount.get("name"):
            errs.append(_required(f"{p}.name"))
        elif mount["name"] not in volumes:
            errs.append(_not_found(f"{p}.name", mount["name"]))
        if not mount.get("mountPath"):
            errs.append(_required(f"{p}.mountPath"))

    resources = _dict(c.get("resources"))
    limits, requests = _dict(resources.get("limits")), _dict(resources.get("requests"))
    for resource, request in requests.items():
        if resource in limits:
            try:
                if parse_quantity(request) > parse_quantity(limits[resource]):
                    errs.append(_invalid(f"{path}.resources.requests", str(request),
                                         f"must be less than or equal to {resource} limit of {limits[resource]}"))
            except ValueError:
                pass  # check_decodable already rejected malformed quantities

    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(probe_name)
        if not isinstance(probe, dict):
            continue
        if init and probe_name != "startupProbe" and c.get("restartPolicy") != "Always":
            errs.append(_forbidden(f"{path}.{probe_name}", "may not be set for init containers without restartPolicy=Always"))
        success = probe.get("successThreshold")
        if probe_name != "readinessProbe" and success not in (None, 1):
            errs.append(_invalid(f"{path}.{probe_name}.successThreshold", success, "must be 1"))


def _validate_template(template: Mapping[str, Any], path: str, errs: list[FieldError], *,
                       claim_volumes: Iterable[str] = ()) -> None:
    meta = _dict(template.get("metadata"))
    # ValidatePodTemplateSpec reports template labels at "<path>.labels", not ".metadata.labels".
    _validate_labels(_dict(meta.get("labels")), f"{path}.labels", errs)
    _validate_annotations(_dict(meta.get("annotations")), f"{path}.annotations", errs)
    _validate_pod_spec(_dict(template.get("spec")), f"{path}.spec", errs, claim_volumes=claim_volumes)


# --- per-kind spec validation --------------------------------------------------------------

def _validate_pod(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    _validate_pod_spec(_dict(obj.get("spec")), "spec", errs)


def _validate_selector_and_template(spec: Mapping[str, Any], what: str, errs: list[FieldError], *,
                                    restart_policies: Sequence[str] = ("Always",),
                                    claim_volumes: Iterable[str] = ()) -> None:
    """Selector required and non-empty, template labels matching it, template restart policy."""
    selector = spec.get("selector")
    template = _dict(spec.get("template"))
    labels = _dict(template.get("metadata")).get("labels")
    if selector is None:
        errs.append(_required("spec.selector"))
    else:
        selector = _dict(selector)
        _validate_label_selector(selector, "spec.selector", errs)
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errs.append(_invalid("spec.selector", selector, f"empty selector is invalid for {what}",
                                 go_label_selector(selector)))
        else:
            try:
                compiled = LabelSelector.from_label_selector(selector)
            except BadRequestError:
                compiled = None  # the operator errors above already explain why
            if compiled is not None and not compiled.matches(labels or {}):
                errs.append(_invalid("spec.template.metadata.labels", labels,
                                     "`selector` does not match template `labels`", go_string_map(labels)))
    _validate_template(template, "spec.template", errs, claim_volumes=claim_volumes)
    restart = _dict(template.get("spec")).get("restartPolicy")
    if restart in _RESTART_POLICIES and restart not in restart_policies:
        errs.append(_not_supported("spec.template.spec.restartPolicy", restart, restart_policies))


def _int_or_percent(value: Any, path: str, errs: list[FieldError]) -> int | None:
    """Validate an IntOrString that must be a non-negative int or a percentage; its number."""
    if isinstance(value, bool) or value is None:
        errs.append(_invalid(path, value, "must be an integer or percentage (e.g '5%')"))
        return None
    if isinstance(value, int):
        _nonnegative(value, path, errs)
        return value
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]+%", value):
            errs.append(_invalid(path, value, "a valid percent string must be a numeric string followed by an "
                                              "ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                                              "'[0-9]+%')"))
            return None
        return int(value[:-1])
    errs.append(_invalid(path, value, "must be an integer or percentage (e.g '5%')"))
    return None


def _over_100_percent(value: Any, path: str, errs: list[FieldError]) -> None:
    if isinstance(value, str) and re.fullmatch(r"[0-9]+%", value) and int(value[:-1]) > 100:
        errs.append(_invalid(path, value, "must not be greater than 100%"))


def _validate_deployment(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    _nonnegative(spec.get("replicas"), "spec.replicas", errs)
    _validate_selector_and_template(spec, "deployment", errs)
    strategy = _dict(spec.get("strategy"))
    kind = strategy.get("type")
    if kind == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(_forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"))
    elif kind == "RollingUpdate":
        rolling = _dict(strategy.get("rollingUpdate"))
        p = "spec.strategy.rollingUpdate"
        unavailable = _int_or_percent(rolling.get("maxUnavailable"), f"{p}.maxUnavailable", errs)
        surge = _int_or_percent(rolling.get("maxSurge"), f"{p}.maxSurge", errs)
        if unavailable == 0 and surge == 0:
            errs.append(_invalid(f"{p}.maxUnavailable", rolling.get("maxUnavailable"), "may not be 0 when `maxSurge` is 0"))
        _over_100_percent(rolling.get("maxUnavailable"), f"{p}.maxUnavailable", errs)
    else:
        errs.append(_not_supported("spec.strategy", kind, ("Recreate", "RollingUpdate")))
    _nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds", errs)
    _nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit", errs)
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        _nonnegative(deadline, "spec.progressDeadlineSeconds", errs)
        if deadline <= (spec.get("minReadySeconds") or 0):
            errs.append(_invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))


def _validate_replicaset(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    _nonnegative(spec.get("replicas"), "spec.replicas", errs)
    _nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds", errs)
    # Upstream reuses the Deployment wording for ReplicaSets.
    _validate_selector_and_template(spec, "deployment", errs)


def _validate_statefulset(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    policy = spec.get("podManagementPolicy")
    if policy not in ("OrderedReady", "Parallel"):
        errs.append(_invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
    strategy = _dict(spec.get("updateStrategy"))
    if strategy.get("type") == "OnDelete":
        if strategy.get("rollingUpdate") is not None:
            errs.append(_invalid("spec.updateStrategy.rollingUpdate", strategy["rollingUpdate"],
                                 "only allowed for updateStrategy 'RollingUpdate'"))
    elif strategy.get("type") == "RollingUpdate":
        _nonnegative(_dict(strategy.get("rollingUpdate")).get("partition"), "spec.updateStrategy.rollingUpdate.partition", errs)
    else:
        errs.append(_invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'"))
    for which in ("whenDeleted", "whenScaled"):
        value = _dict(spec.get("persistentVolumeClaimRetentionPolicy")).get(which)
        if value not in ("Retain", "Delete"):
            errs.append(_not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{which}", value, ("Retain", "Delete")))
    _nonnegative(spec.get("replicas"), "spec.replicas", errs)
    _nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds", errs)
    claims = (_dict(_dict(t).get("metadata")).get("name") for t in _list(spec.get("volumeClaimTemplates")))
    _validate_selector_and_template(spec, "statefulset", errs, claim_volumes=[c for c in claims if c])


def _validate_daemonset(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    _validate_selector_and_template(spec, "daemonset", errs)
    _nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds", errs)
    _nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit", errs)
    strategy = _dict(spec.get("updateStrategy"))
    if strategy.get("type") == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        p = "spec.updateStrategy.rollingUpdate"
        if rolling is None:
            errs.append(_required(p))
            return
        unavailable = _int_or_percent(rolling.get("maxUnavailable"), f"{p}.maxUnavailable", errs)
        surge = _int_or_percent(rolling.get("maxSurge"), f"{p}.maxSurge", errs)
        _over_100_percent(rolling.get("maxUnavailable"), f"{p}.maxUnavailable", errs)
        _over_100_percent(rolling.get("maxSurge"), f"{p}.maxSurge", errs)
        if unavailable and surge:
            errs.append(_invalid(f"{p}.maxSurge", rolling.get("maxSurge"), "may not be set when maxUnavailable is non-zero"))
        elif unavailable == 0 and surge == 0:
            errs.append(_required(f"{p}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    elif strategy.get("type") != "OnDelete":
        errs.append(_not_supported("spec.updateStrategy", strategy, ("RollingUpdate", "OnDelete")))


def _validate_job_spec(spec: Mapping[str, Any], errs: list[FieldError], prefix: str = "spec") -> None:
    for field_name in ("parallelism", "completions", "backoffLimit"):
        _nonnegative(spec.get(field_name), f"{prefix}.{field_name}", errs)
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= 0:
        errs.append(_invalid(f"{prefix}.activeDeadlineSeconds", deadline, "must be greater than or equal to 1"))
    mode = spec.get("completionMode")
    if mode not in (None, "NonIndexed", "Indexed"):
        errs.append(_not_supported(f"{prefix}.completionMode", mode, ("NonIndexed", "Indexed")))
    if mode == "Indexed" and spec.get("completions") is None:
        errs.append(_required(f"{prefix}.completions", "when completion mode is Indexed"))
    template = _dict(spec.get("template"))
    _validate_template(template, f"{prefix}.template", errs)
    restart = _dict(template.get("spec")).get("restartPolicy")
    if restart == "Always":
        errs.append(_not_supported(f"{prefix}.template.spec.restartPolicy", restart, ("OnFailure", "Never")))


def _validate_job(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    selector = spec.get("selector")
    if selector is None:
        errs.append(_required("spec.selector"))
    else:
        _validate_label_selector(_dict(selector), "spec.selector", errs)
        labels = _dict(_dict(spec.get("template")).get("metadata")).get("labels")
        if not spec.get("manualSelector"):
            uid = _dict(obj.get("metadata")).get("uid", "")
            generated = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
            if selector != generated:
                errs.append(_invalid("spec.selector", selector, "`selector` not auto-generated",
                                     go_label_selector(_dict(selector))))
        elif not LabelSelector.from_label_selector(_dict(selector)).matches(labels or {}):
            errs.append(_invalid("spec.template.metadata.labels", labels,
                                 "`selector` does not match template `labels`", go_string_map(labels)))
    _validate_job_spec(spec, errs)


def cron_schedule_error(schedule: str) -> str | None:
    """The robfig/cron ``ParseStandard`` error for a schedule, or None if it parses."""
    text = schedule.strip()
    if not text:
        return "empty spec string"
    if text.startswith(("TZ=", "CRON_TZ=")):
        tz, _, text = text.partition(" ")
        try:
            zoneinfo.ZoneInfo(tz.split("=", 1)[1])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return f"provided bad location {tz.split('=', 1)[1]}: unknown time zone {tz.split('=', 1)[1]}"
        text = text.strip()
    if text.startswith("@"):
        if text in ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"):
            return None
        if text.startswith("@every "):
            if re.fullmatch(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+", text[7:].strip()):
                return None
            return f"failed to parse duration {text}: time: invalid duration \"{text[7:].strip()}\""
        return f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    months = {m: i + 1 for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
    days = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
    bounds = [(0, 59, None), (0, 23, None), (1, 31, None), (1, 12, months), (0, 6, days)]
    for field_text, (lo, hi, names) in zip(fields, bounds):
        for expr in field_text.split(","):
            error = _cron_range_error(expr, lo, hi, names)
            if error:
                return error
    return None


def _cron_range_error(expr: str, lo: int, hi: int, names: dict[str, int] | None) -> str | None:
    def parse_int(text: str) -> tuple[int, str | None]:
        if names and text.lower() in names:
            return names[text.lower()], None
        if not re.fullmatch(r"[+-]?\d+", text):
            return 0, f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
        num = int(text)
        if num < 0:
            return 0, f"negative number ({num}) not allowed: {text}"
        return num, None

    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    if low_high[0] in ("*", "?"):
        start, end = lo, hi
    else:
        start, err = parse_int(low_high[0])
        if err:
            return err
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end, err = parse_int(low_high[1])
            if err:
                return err
        else:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_and_step) == 2:
        step, err = parse_int(range_and_step[1])
        if err:
            return err
        if len(low_high) == 1:
            end = hi
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    if start < lo:
        return f"beginning of range ({start}) below minimum ({lo}): {expr}"
    if end > hi:
        return f"end of range ({end}) above maximum ({hi}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return None


def _validate_cronjob(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    name = _dict(obj.get("metadata")).get("name") or ""
    if len(name) > 52:
        errs.append(_invalid("metadata.name", name, _max_len(52)))
    spec = _dict(obj.get("spec"))
    schedule = spec.get("schedule")
    if not schedule:
        errs.append(_required("spec.schedule"))
    else:
        if "TZ" in schedule:
            errs.append(_invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
        else:
            error = cron_schedule_error(schedule)
            if error:
                errs.append(_invalid("spec.schedule", schedule, error))
    tz = spec.get("timeZone")
    if tz is not None:
        try:
            if tz == "Local" or not tz:
                raise zoneinfo.ZoneInfoNotFoundError(tz)
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errs.append(_invalid("spec.timeZone", tz, f"unknown time zone {tz}"))
    policy = spec.get("concurrencyPolicy")
    if policy not in ("Allow", "Forbid", "Replace"):
        errs.append(_not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace")))
    for field_name in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        _nonnegative(spec.get(field_name), f"spec.{field_name}", errs)
    job_spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
    _validate_job_spec(job_spec, errs, prefix="spec.jobTemplate.spec")


def _validate_hpa(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    target = _dict(spec.get("scaleTargetRef"))
    for field_name in ("kind", "name"):
        if not target.get(field_name):
            errs.append(_required(f"spec.scaleTargetRef.{field_name}"))
    min_replicas, max_replicas = spec.get("minReplicas"), spec.get("maxReplicas")
    if isinstance(min_replicas, int) and min_replicas < 1:
        errs.append(_invalid("spec.minReplicas", min_replicas, "must be greater than or equal to 1"))
    if not isinstance(max_replicas, int) or max_replicas < 1:
        errs.append(_invalid("spec.maxReplicas", max_replicas, "must be greater than 0"))
    elif isinstance(min_replicas, int) and max_replicas < min_replicas:
        errs.append(_invalid("spec.maxReplicas", max_replicas, "must be greater than or equal to `minReplicas`"))


_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _validate_service(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    kind = spec.get("type")
    if kind not in _SERVICE_TYPES:
        errs.append(_not_supported("spec.type", kind, _SERVICE_TYPES))
        return
    headless = spec.get("clusterIP") == "None"
    if kind == "ExternalName":
        if not spec.get("externalName"):
            errs.append(_required("spec.externalName"))
    elif headless and kind == "LoadBalancer":
        errs.append(_invalid("spec.clusterIP", "None", "may not be set to 'None' for LoadBalancer services"))
    ports = _list(spec.get("ports"))
    if not ports and not headless and kind != "ExternalName":
        errs.append(_required("spec.ports"))
    names: set[str] = set()
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        port = _dict(port)
        p = f"spec.ports[{i}]"
        name = port.get("name") or ""
        if len(ports) > 1 and not name:
            errs.append(_required(f"{p}.name"))
        elif name:
            for msg in dns1123_label_errors(name):
                errs.append(_invalid(f"{p}.name", name, msg))
            if name in names:
                errs.append(_duplicate(f"{p}.name", name))
            names.add(name)
        number = port.get("port")
        if not isinstance(number, int) or not 1 <= number <= 65535:
            errs.append(_invalid(f"{p}.port", number, "must be between 1 and 65535, inclusive"))
        if port.get("protocol") not in _PROTOCOLS:
            errs.append(_not_supported(f"{p}.protocol", port.get("protocol"), _PROTOCOLS))
        key = (number, port.get("protocol"))
        if key in seen:
            errs.append(_duplicate(p, {"port": number, "protocol": port.get("protocol")}))
        seen.add(key)
        target = port.get("targetPort")
        if isinstance(target, int) and not 1 <= target <= 65535:
            errs.append(_invalid(f"{p}.targetPort", target, "must be between 1 and 65535, inclusive"))
        elif isinstance(target, str):
            for msg in _port_name_errors(target):
                errs.append(_invalid(f"{p}.targetPort", target, msg))
        node_port = port.get("nodePort")
        if node_port is not None and kind not in ("NodePort", "LoadBalancer"):
            errs.append(_forbidden(f"{p}.nodePort", f"may not be used when `type` is '{kind}'"))


_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")


def _validate_pvc(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    modes = _list(spec.get("accessModes"))
    if not modes:
        errs.append(_required("spec.accessModes", "at least 1 access mode is required"))
    for mode in modes:
        if mode not in _ACCESS_MODES:
            errs.append(_not_supported("spec.accessModes", mode, _ACCESS_MODES))
    if "storage" not in _dict(_dict(spec.get("resources")).get("requests")):
        errs.append(_required("spec.resources[storage]"))


def _config_key_errors(data_field: str, data: Mapping[str, Any], errs: list[FieldError]) -> None:
    for key in data:
        if len(key) > 253 or not re.fullmatch(_CONFIG_KEY_FMT, key):
            errs.append(_invalid(f"{data_field}[{key}]", key, _regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                _CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name")))


def _validate_configmap(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    _config_key_errors("data", _dict(obj.get("data")), errs)
    _config_key_errors("binaryData", _dict(obj.get("binaryData")), errs)


def _validate_secret(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    data = _dict(obj.get("data"))
    _config_key_errors("data", data, errs)
    if obj.get("type") == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in data:
                errs.append(_required(f"data[{key}]"))


def _validate_ingress(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    for i, rule in enumerate(_list(_dict(obj.get("spec")).get("rules"))):
        for j, path in enumerate(_list(_dict(_dict(rule).get("http")).get("paths"))):
            path = _dict(path)
            p = f"spec.rules[{i}].http.paths[{j}]"
            path_type = path.get("pathType")
            if path_type is None:
                errs.append(_required(f"{p}.pathType", "pathType must be specified"))
            elif path_type not in ("Exact", "ImplementationSpecific", "Prefix"):
                errs.append(_not_supported(f"{p}.pathType", path_type, ("Exact", "ImplementationSpecific", "Prefix")))
            elif path_type in ("Exact", "Prefix") and not str(path.get("path", "")).startswith("/"):
                errs.append(_invalid(f"{p}.path", path.get("path", ""), "must be an absolute path"))


def _validate_pdb(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        errs.append(_invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"))


def _validate_crd(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    names = _dict(spec.get("names"))
    group = spec.get("group") or ""
    if not group:
        errs.append(_required("spec.group"))
    elif "." not in group:
        errs.append(_invalid("spec.group", group, "should be a domain with at least one dot"))
    for field_name in ("plural", "kind", "listKind"):
        if field_name != "listKind" and not names.get(field_name):
            errs.append(_required(f"spec.names.{field_name}"))
    name = _dict(obj.get("metadata")).get("name")
    if names.get("plural") and group and name != f"{names['plural']}.{group}":
        errs.append(_invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    scope = spec.get("scope")
    if scope not in ("Cluster", "Namespaced"):
        errs.append(_not_supported("spec.scope", scope, ("Cluster", "Namespaced")))
    versions = _list(spec.get("versions"))
    if not versions or sum(1 for v in versions if _dict(v).get("storage")) != 1:
        errs.append(_invalid("spec.versions", versions, "must have exactly one version marked as storage version"))


# --- API extension kinds (pkg/apis/admissionregistration/validation, kube-aggregator's ------
# apiregistration/validation, pkg/apis/node/validation): the checks that need no CEL compiler.

_FAILURE_POLICIES = ("Fail", "Ignore")
_MATCH_POLICIES = ("Equivalent", "Exact")
_NO_SIDE_EFFECTS = ("None", "NoneOnDryRun")
_OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
_RULE_SCOPES = ("*", "Cluster", "Namespaced")
_REINVOCATION_POLICIES = ("IfNeeded", "Never")
_ADMISSION_REVIEW_VERSIONS = ("v1", "v1beta1")
_VALIDATION_ACTIONS = ("Audit", "Deny", "Warn")


def _fully_qualified_name(name: str, path: str, errs: list[FieldError]) -> None:
    # utilvalidation.IsFullyQualifiedName: webhook names are domains of 3+ segments.
    if not name:
        errs.append(_required(path))
        return
    trimmed = name.removesuffix(".")
    messages = dns1123_subdomain_errors(trimmed)
    if messages:
        errs.append(_invalid(path, trimmed, ",".join(messages)))
    elif len(trimmed.split(".")) < 3:
        errs.append(_invalid(path, trimmed, "should be a domain with at least three segments separated by dots"))


def _validate_one_of(value: Any, path: str, supported: Sequence[str], errs: list[FieldError]) -> None:
    if value is not None and value not in supported:
        errs.append(_not_supported(path, value, supported))


def _validate_rule_with_operations(rule: Mapping[str, Any], path: str, errs: list[FieldError]) -> None:
    operations = _list(rule.get("operations"))
    if not operations:
        errs.append(_required(f"{path}.operations"))
    for i, operation in enumerate(operations):
        _validate_one_of(operation, f"{path}.operations[{i}]", _OPERATIONS, errs)
    for field_name in ("apiGroups", "apiVersions", "resources"):
        if not _list(rule.get(field_name)):
            errs.append(_required(f"{path}.{field_name}"))
    _validate_one_of(rule.get("scope"), f"{path}.scope", _RULE_SCOPES, errs)


def _validate_webhook_client(client: Mapping[str, Any], path: str, errs: list[FieldError]) -> None:
    url, service = client.get("url"), client.get("service")
    if (url is None) == (service is None):
        errs.append(_required(path, "exactly one of url or service is required"))
    elif service is not None:
        service = _dict(service)
        if not service.get("name"):
            errs.append(_required(f"{path}.service.name", "service name is required"))
        if not service.get("namespace"):
            errs.append(_required(f"{path}.service.namespace", "service namespace is required"))
        port = service.get("port", 443)
        if not isinstance(port, int) or not 1 <= port <= 65535:
            errs.append(_invalid(f"{path}.service.port", port,
                                 "port is not valid: must be between 1 and 65535, inclusive"))


def _validate_webhooks(obj: Mapping[str, Any], errs: list[FieldError], *, mutating: bool) -> None:
    names: set[str] = set()
    for i, hook in enumerate(_list(obj.get("webhooks"))):
        hook = _dict(hook)
        p = f"webhooks[{i}]"
        name = str(hook.get("name") or "")
        _fully_qualified_name(name, f"{p}.name", errs)
        for j, rule in enumerate(_list(hook.get("rules"))):
            _validate_rule_with_operations(_dict(rule), f"{p}.rules[{j}]", errs)
        _validate_one_of(hook.get("failurePolicy"), f"{p}.failurePolicy", _FAILURE_POLICIES, errs)
        _validate_one_of(hook.get("matchPolicy"), f"{p}.matchPolicy", _MATCH_POLICIES, errs)
        if hook.get("sideEffects") is None:
            errs.append(_required(f"{p}.sideEffects", "must specify one of " + ", ".join(_NO_SIDE_EFFECTS)))
        else:
            _validate_one_of(hook["sideEffects"], f"{p}.sideEffects", _NO_SIDE_EFFECTS, errs)
        timeout = hook.get("timeoutSeconds")
        if isinstance(timeout, int) and not 1 <= timeout <= 30:
            errs.append(_invalid(f"{p}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds"))
        for selector in ("namespaceSelector", "objectSelector"):
            if isinstance(hook.get(selector), dict):
                _validate_label_selector(hook[selector], f"{p}.{selector}", errs)
        if mutating:
            _validate_one_of(hook.get("reinvocationPolicy"), f"{p}.reinvocationPolicy", _REINVOCATION_POLICIES, errs)
        _validate_webhook_client(_dict(hook.get("clientConfig")), f"{p}.clientConfig", errs)
        versions = _list(hook.get("admissionReviewVersions"))
        if not versions:
            errs.append(_required(f"{p}.admissionReviewVersions",
                                  "must specify one of " + ", ".join(_ADMISSION_REVIEW_VERSIONS)))
        elif not any(v in _ADMISSION_REVIEW_VERSIONS for v in versions):
            errs.append(_invalid(f"{p}.admissionReviewVersions", versions,
                                 "must include at least one of " + ", ".join(_ADMISSION_REVIEW_VERSIONS),
                                 _go_string_slice(versions)))
        if name:
            if name in names:
                errs.append(_duplicate(f"{p}.name", name))
            names.add(name)


def _validate_mutating_webhooks(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    _validate_webhooks(obj, errs, mutating=True)


def _validate_validating_webhooks(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    _validate_webhooks(obj, errs, mutating=False)


def _validate_match_resources(match: Mapping[str, Any], path: str, errs: list[FieldError]) -> None:
    _validate_one_of(match.get("matchPolicy"), f"{path}.matchPolicy", _MATCH_POLICIES, errs)
    for selector in ("namespaceSelector", "objectSelector"):
        if isinstance(match.get(selector), dict):
            _validate_label_selector(match[selector], f"{path}.{selector}", errs)
    for field_name in ("resourceRules", "excludeResourceRules"):
        for i, rule in enumerate(_list(match.get(field_name))):
            _validate_rule_with_operations(_dict(rule), f"{path}.{field_name}[{i}]", errs)


def _validate_admission_policy(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    # The CEL expressions are not compiled: the simulator evaluates no policy.
    spec = _dict(obj.get("spec"))
    if spec.get("failurePolicy") is None:
        errs.append(_required("spec.failurePolicy"))
    else:
        _validate_one_of(spec["failurePolicy"], "spec.failurePolicy", _FAILURE_POLICIES, errs)
    match = spec.get("matchConstraints")
    if not isinstance(match, dict):
        errs.append(_required("spec.matchConstraints"))
    else:
        _validate_match_resources(match, "spec.matchConstraints", errs)
        if not _list(match.get("resourceRules")):
            errs.append(_required("spec.matchConstraints.resourceRules"))
    if not _list(spec.get("validations")) and not _list(spec.get("auditAnnotations")):
        detail = "validations or auditAnnotations must contain at least one item"
        errs.append(_required("spec.validations", detail))
        errs.append(_required("spec.auditAnnotations", detail))


def _validate_admission_policy_binding(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    policy = spec.get("policyName") or ""
    if not policy:
        errs.append(_required("spec.policyName"))
    for msg in dns1123_subdomain_errors(policy) if policy else ():
        errs.append(_invalid("spec.policyName", policy, msg))
    param_ref = spec.get("paramRef")
    if isinstance(param_ref, dict):
        if not param_ref.get("name") and param_ref.get("selector") is None:
            errs.append(_required("spec.paramRef", "one of name or selector must be specified"))
        elif param_ref.get("name") and param_ref.get("selector") is not None:
            errs.append(_forbidden("spec.paramRef.name", "name and selector are mutually exclusive"))
            errs.append(_forbidden("spec.paramRef.selector", "name and selector are mutually exclusive"))
        action = param_ref.get("parameterNotFoundAction")
        if not action:
            errs.append(_required("spec.paramRef.parameterNotFoundAction"))
        else:
            _validate_one_of(action, "spec.paramRef.parameterNotFoundAction", ("Deny", "Allow"), errs)
    if isinstance(spec.get("matchResources"), dict):
        # the API server's own field path has this spelling
        _validate_match_resources(spec["matchResources"], "spec.matchResouces", errs)
    actions = _list(spec.get("validationActions"))
    seen: set[str] = set()
    for i, action in enumerate(actions):
        _validate_one_of(action, f"spec.validationActions[{i}]", _VALIDATION_ACTIONS, errs)
        if action in seen:
            errs.append(_duplicate(f"spec.validationActions[{i}]", action))
        seen.add(action)
    if {"Deny", "Warn"} <= seen:
        errs.append(_invalid("spec.validationActions", actions,
                             "must not contain both Deny and Warn (repeating the same validation failure information "
                             "in the API response and headers serves no purpose)"))
    if not seen:
        errs.append(_required("spec.validationActions", "at least one validation action is required"))


def _base64_length(text: str) -> int:
    """How many bytes a base64 text decodes to (``caBundle`` is reported by its size)."""
    return len(text) * 3 // 4 - text.count("=")


def _validate_api_service(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    spec = _dict(obj.get("spec"))
    group, version = str(spec.get("group") or ""), str(spec.get("version") or "")
    name = _dict(obj.get("metadata")).get("name") or ""
    required_name = f"{version}.{group}"
    if name and not _path_segment_errors(name) and name != required_name:
        errs.append(_invalid("metadata.name", name,
                             f'must be `spec.version+"."+spec.group`: {_go_quote(required_name)}'))
    if not group and version != "v1":
        errs.append(_required("spec.group", "only v1 may have an empty group and it better be legacy kube"))
    for msg in dns1123_subdomain_errors(group) if group else ():
        errs.append(_invalid("spec.group", group, msg))
    for msg in dns1035_label_errors(version):
        errs.append(_invalid("spec.version", version, msg))
    for field_name, limit in (("groupPriorityMinimum", 20000), ("versionPriority", 1000)):
        value = spec.get(field_name, 0)
        if not isinstance(value, int) or not 0 < value <= limit:
            errs.append(_invalid(f"spec.{field_name}", value, f"must be positive and less than {limit}"))
    service = spec.get("service")
    if not isinstance(service, dict):
        if spec.get("caBundle"):
            errs.append(_invalid("spec.caBundle", None, "local APIServices may not have a caBundle",
                                 _go_quote(f"{_base64_length(str(spec['caBundle']))} bytes")))
        if spec.get("insecureSkipTLSVerify"):
            errs.append(_invalid("spec.insecureSkipTLSVerify", True,
                                 "local APIServices may not have insecureSkipTLSVerify"))
        return
    if not service.get("namespace"):
        errs.append(_required("spec.service.namespace"))
    if not service.get("name"):
        errs.append(_required("spec.service.name"))
    if spec.get("insecureSkipTLSVerify") and spec.get("caBundle"):
        errs.append(_invalid("spec.insecureSkipTLSVerify", True, "may not be true if caBundle is present"))


def _validate_runtime_class(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    handler = str(obj.get("handler") or "")
    for msg in dns1123_label_errors(handler):
        errs.append(_invalid("handler", handler, msg))


def _validate_volume_attributes_class(obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    if not obj.get("driverName"):
        errs.append(_required("driverName"))


_SPEC_VALIDATORS: dict[tuple[str, str], Callable[[Mapping[str, Any], list[FieldError]], None]] = {
    ("", "Pod"): _validate_pod,
    ("", "Service"): _validate_service,
    ("", "PersistentVolumeClaim"): _validate_pvc,
    ("", "ConfigMap"): _validate_configmap,
    ("", "Secret"): _validate_secret,
    ("apps", "Deployment"): _validate_deployment,
    ("apps", "ReplicaSet"): _validate_replicaset,
    ("apps", "StatefulSet"): _validate_statefulset,
    ("apps", "DaemonSet"): _validate_daemonset,
    ("batch", "Job"): _validate_job,
    ("batch", "CronJob"): _validate_cronjob,
    ("autoscaling", "HorizontalPodAutoscaler"): _validate_hpa,
    ("networking.k8s.io", "Ingress"): _validate_ingress,
    ("policy", "PodDisruptionBudget"): _validate_pdb,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _validate_crd,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): _validate_mutating_webhooks,
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): _validate_validating_webhooks,
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): _validate_admission_policy,
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"): _validate_admission_policy_binding,
    ("apiregistration.k8s.io", "APIService"): _validate_api_service,
    ("node.k8s.io", "RuntimeClass"): _validate_runtime_class,
    ("storage.k8s.io", "VolumeAttributesClass"): _validate_volume_attributes_class,
}


# --- updates -----------------------------------------------------------------------------

_POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)
_STS_UPDATE_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
    "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)
_PVC_UPDATE_FORBIDDEN = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"


def _immutable(new: Any, old: Any, path: str, errs: list[FieldError], rendered: str | None = None) -> None:
    if new != old:
        errs.append(_invalid(path, new, IMMUTABLE, rendered))


def _update_selector_immutable(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    new_sel = _dict(new.get("spec")).get("selector")
    old_sel = _dict(old.get("spec")).get("selector")
    if new_sel != old_sel:
        errs.append(_invalid("spec.selector", new_sel, IMMUTABLE,
                             go_label_selector(new_sel) if isinstance(new_sel, dict) else None))


def _update_pod(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    new_spec, old_spec = dict(_dict(new.get("spec"))), _dict(old.get("spec"))
    # Blank out everything a pod update may change, then any remaining difference is forbidden.
    for field_name in ("containers", "initContainers"):
        new_list, old_list = _list(new_spec.get(field_name)), _list(old_spec.get(field_name))
        if new_list and len(new_list) == len(old_list):
            new_spec[field_name] = [
                {**_dict(n), "image": _dict(o).get("image")} for n, o in zip(new_list, old_list)
            ]
    old_tolerations = _list(old_spec.get("tolerations"))
    if all(t in _list(new_spec.get("tolerations")) for t in old_tolerations):
        new_spec["tolerations"] = old_spec.get("tolerations")
    for field_name in ("activeDeadlineSeconds", "terminationGracePeriodSeconds"):
        new_spec[field_name] = old_spec.get(field_name)
    if len(_list(new_spec.get("schedulingGates"))) <= len(_list(old_spec.get("schedulingGates"))):
        new_spec["schedulingGates"] = old_spec.get("schedulingGates")
    normalise = {k: v for k, v in new_spec.items() if v is not None}
    if normalise != {k: v for k, v in old_spec.items() if v is not None}:
        errs.append(_forbidden("spec", _POD_UPDATE_FORBIDDEN))


def _update_statefulset(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    mutable = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
               "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
    new_rest = {k: v for k, v in _dict(new.get("spec")).items() if k not in mutable}
    old_rest = {k: v for k, v in _dict(old.get("spec")).items() if k not in mutable}
    if new_rest != old_rest:
        errs.append(_forbidden("spec", _STS_UPDATE_FORBIDDEN))


def _update_job(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    new_spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    _update_selector_immutable(new, old, errs)
    _immutable(new_spec.get("template"), old_spec.get("template"), "spec.template", errs)
    _immutable(new_spec.get("completionMode"), old_spec.get("completionMode"), "spec.completionMode", errs)
    elastic_indexed = (
        new_spec.get("completionMode") == "Indexed"
        and new_spec.get("completions") == new_spec.get("parallelism")
        and old_spec.get("completions") == old_spec.get("parallelism")
    )
    if not elastic_indexed:
        _immutable(new_spec.get("completions"), old_spec.get("completions"), "spec.completions", errs)


def _update_service(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    new_spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    old_ips = old_spec.get("clusterIPs")
    # Changing away from ExternalName may allocate; every other change of a set address is refused.
    if old_ips and old_spec.get("type") != "ExternalName" and new_spec.get("type") != "ExternalName":
        new_ips = new_spec.get("clusterIPs")
        if new_ips and new_ips[0] != old_ips[0]:
            errs.append(_invalid("spec.clusterIPs[0]", new_ips, "may not change once set", _go_string_slice(new_ips)))


def _update_pvc(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    new_spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    bound = _dict(old.get("status")).get("phase") == "Bound"

    def without_requests(spec: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in spec.items() if k != "volumeAttributesClassName"}
        # The PV controller binds a claim by setting spec.volumeName: allowed once, while empty.
        if not old_spec.get("volumeName"):
            out.pop("volumeName", None)
        resources = {k: v for k, v in _dict(out.get("resources")).items() if k != "requests"}
        out["resources"] = resources
        return out

    new_requests = _dict(_dict(new_spec.get("resources")).get("requests"))
    old_requests = _dict(_dict(old_spec.get("resources")).get("requests"))
    if without_requests(new_spec) != without_requests(old_spec) or (new_requests != old_requests and not bound):
        errs.append(_forbidden("spec", _PVC_UPDATE_FORBIDDEN))
        return
    try:
        if parse_quantity(new_requests.get("storage", 0)) < parse_quantity(old_requests.get("storage", 0)):
            errs.append(_forbidden("spec.resources.requests.storage", "field can not be less than previous value"))
    except ValueError:
        pass  # check_decodable rejected it


def _update_immutable_data(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    # ConfigMap and Secret: `immutable: true` freezes data (and itself).
    if old.get("immutable"):
        if not new.get("immutable"):
            errs.append(_forbidden("immutable", "field is immutable when `immutable` is set"))
        for field_name in ("data", "binaryData", "stringData"):
            if new.get(field_name) != old.get(field_name):
                errs.append(_forbidden(field_name, "field is immutable when `immutable` is set"))


def _update_secret(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    _immutable(new.get("type"), old.get("type"), "type", errs)
    _update_immutable_data(new, old, errs)


def _update_crd(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    new_spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    _immutable(new_spec.get("group"), old_spec.get("group"), "spec.group", errs)
    _immutable(_dict(new_spec.get("names")).get("plural"), _dict(old_spec.get("names")).get("plural"),
               "spec.names.plural", errs)


def _update_runtime_class(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    _immutable(new.get("handler"), old.get("handler"), "handler", errs)


def _update_volume_attributes_class(new: Mapping[str, Any], old: Mapping[str, Any], errs: list[FieldError]) -> None:
    _immutable(new.get("driverName"), old.get("driverName"), "driverName", errs)


_UPDATE_VALIDATORS: dict[tuple[str, str], Callable[[Mapping[str, Any], Mapping[str, Any], list[FieldError]], None]] = {
    ("", "Pod"): _update_pod,
    ("", "Service"): _update_service,
    ("", "PersistentVolumeClaim"): _update_pvc,
    ("", "ConfigMap"): _update_immutable_data,
    ("", "Secret"): _update_secret,
    ("apps", "Deployment"): _update_selector_immutable,
    ("apps", "ReplicaSet"): _update_selector_immutable,
    ("apps", "DaemonSet"): _update_selector_immutable,
    ("apps", "StatefulSet"): _update_statefulset,
    ("batch", "Job"): _update_job,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _update_crd,
    ("node.k8s.io", "RuntimeClass"): _update_runtime_class,
    ("storage.k8s.io", "VolumeAttributesClass"): _update_volume_attributes_class,
}


# --- entry points ------------------------------------------------------------------------

def _raise(kind: Kind, obj: Mapping[str, Any], errs: list[FieldError]) -> None:
    if errs:
        raise InvalidError(kind.kind, kind.group, _dict(obj.get("metadata")).get("name") or "", errs)


def validate_create(kind: Kind, obj: Mapping[str, Any]) -> None:
    """Validate a (defaulted) object about to be created.

    Raises:
        InvalidError: every field error found, in the API server's wording.
    """
    errs: list[FieldError] = []
    _validate_metadata(kind, _dict(obj.get("metadata")), errs)
    validator = _SPEC_VALIDATORS.get(kind.group_kind)
    if validator is not None:
        validator(obj, errs)
    _raise(kind, obj, errs)


def validate_update(kind: Kind, new: Mapping[str, Any], old: Mapping[str, Any], *, subresource: str | None = None) -> None:
    """Validate an update of ``old`` into ``new`` (both defaulted).

    Status writes only check metadata rules; spec writes re-validate the whole object and add
    the kind's immutability rules.

    Raises:
        InvalidError: every field error found.
    """
    errs: list[FieldError] = []
    new_meta, old_meta = _dict(new.get("metadata")), _dict(old.get("metadata"))
    if old_meta.get("deletionTimestamp"):
        added = set(_list(new_meta.get("finalizers"))) - set(_list(old_meta.get("finalizers")))
        if added:
            errs.append(_forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"))
    if subresource != "status":
        meta_errs: list[FieldError] = []
        _validate_metadata(kind, new_meta, meta_errs)
        # Names cannot change on update; an old invalid name must not block e.g. finalizer removal.
        errs.extend(e for e in meta_errs if e.field != "metadata.name")
        validator = _SPEC_VALIDATORS.get(kind.group_kind)
        if validator is not None:
            validator(new, errs)
        update_validator = _UPDATE_VALIDATORS.get(kind.group_kind)
        if update_validator is not None:
            update_validator(new, old, errs)
    _raise(kind, new, errs)
