"""``kubectl describe`` for the simulated cluster (``k8s.io/kubectl/pkg/describe``).

Each describer writes lines through a prefix writer (two spaces per level, tab-separated
fields) and the page is aligned with Go's tabwriter (minwidth 0, padding 2), as kubectl's
``tabbedString`` does. Times print as kubectl prints them (RFC 1123 with a numeric zone, UTC),
ages with ``HumanDuration``; the ``Events:`` section lists the object's events oldest first.
Every describer is checked line by line against the real kubectl v1.37 describing the same
objects through ``helmlite cluster serve`` (tests/cli/cluster/test_vs_kubectl.py).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import parse_time
from helmlite.cluster.printers.builtin import (
    access_modes,
    format_label_selector,
    format_labels,
    node_roles,
)
from helmlite.cluster.printers.duration import human_duration, since
from helmlite.cluster.printers.tabwriter import DESCRIBE_SETTINGS, tabwrite
from helmlite.cluster.quantity import parse_quantity

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.kinds import Kind

__all__ = ["describe", "describe_events", "describe_pod_template", "format_date"]

Obj = Mapping[str, Any]
# kubectl folds annotation values longer than this (key included) onto their own lines.
_MAX_ANNOTATION_LEN = 140
_SKIP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
# kubectl lists at most this many endpoints per service port, then "+ N more...".
_MAX_ENDPOINTS = 3


def format_date(timestamp: str | None) -> str:
    """``Time.Format(time.RFC1123Z)``: ``Thu, 01 Jan 2026 00:00:05 +0000``; a zero time
    prints as Go's zero time does."""
    if not timestamp:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return datetime.fromtimestamp(parse_time(timestamp), tz=UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _go_bool(value: Any) -> str:
    """``%v`` of a Go bool."""
    return "true" if value else "false"


def _title_bool(value: Any) -> str:
    """kubectl's ``printBool``: ``True``/``False``."""
    return "True" if value else "False"


def _go_list(values: Iterable[Any] | None) -> str:
    """``%v`` of a Go slice: ``[a b]``."""
    return "[" + " ".join(str(v) for v in values or []) + "]"


class _Page:
    """kubectl's PrefixWriter: ``write(level, text)`` with two spaces of indent per level."""

    def __init__(self, *, show_events: bool = True) -> None:
        self.lines: list[str] = []
        self.show_events = show_events

    def write(self, level: int, text: str) -> None:
        self.lines.append("  " * level + text)

    def raw(self, text: str) -> None:
        """Text kubectl writes inside another write's format string (so without indent)."""
        self.lines.append(text)

    def labels(self, title: str, values: Mapping[str, str] | None) -> None:
        """``printLabelsMultiline``: one ``k=v`` per line, keys sorted."""
        values = values or {}
        if not values:
            self.write(0, f"{title}:\t<none>\n")
            return
        for i, key in enumerate(sorted(values)):
            self.write(0, (f"{title}:\t" if i == 0 else "\t") + f"{key}={values[key]}\n")

    def annotations(self, title: str, values: Mapping[str, str] | None) -> None:
        """``printAnnotationsMultiline``: ``k: v``; a long or multi-line value goes under its
        key, each line indented and cut at 138 characters."""
        keys = sorted(k for k in values or {} if k not in _SKIP_ANNOTATIONS)
        if not keys:
            self.write(0, f"{title}:\t<none>\n")
            return
        assert values is not None
        for i, key in enumerate(keys):
            prefix = f"{title}:\t" if i == 0 else "\t"
            value = str(values[key]).removesuffix("\n")
            if len(value) + len(key) + 2 > _MAX_ANNOTATION_LEN or "\n" in value:
                self.write(0, f"{prefix}{key}:\n")
                for part in value.split("\n"):
                    cut = part if len(part) <= _MAX_ANNOTATION_LEN - 2 else part[:_MAX_ANNOTATION_LEN - 2] + "..."
                    self.write(0, f"\t  {cut}\n")
            else:
                self.write(0, f"{prefix}{key}: {value}\n")

    def text(self) -> str:
        return tabwrite("".join(self.lines), DESCRIBE_SETTINGS)


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _spec(obj: Obj) -> Mapping[str, Any]:
    return obj.get("spec") or {}


def _status(obj: Obj) -> Mapping[str, Any]:
    return obj.get("status") or {}


def _name_namespace(page: _Page, obj: Obj) -> None:
    page.write(0, f"Name:\t{_meta(obj).get('name', '')}\n")
    page.write(0, f"Namespace:\t{_meta(obj).get('namespace', '')}\n")


def _labels_annotations(page: _Page, obj: Obj) -> None:
    page.labels("Labels", _meta(obj).get("labels"))
    page.annotations("Annotations", _meta(obj).get("annotations"))


def _selector(selector: Mapping[str, Any] | None) -> str:
    """``LabelSelectorAsSelector(…).String()``: like ``FormatLabelSelector`` but empty (not
    ``<none>``) for a selector that selects everything."""
    text = format_label_selector(selector)
    return "" if text == "<none>" else text


def _quantity_text(value: Fraction, binary: bool) -> str:
    """``Quantity.String()`` of a sum: whole numbers plain, fractions of a core in ``m``,
    binary quantities in the largest ``Ki``/``Mi``/``Gi``… unit that divides them."""
    if value == 0:
        return "0"
    if binary:
        for suffix, factor in (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if value % factor == 0:
                return f"{value // factor}{suffix}"
    if value.denominator == 1:
        for suffix, factor in (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
            if value % factor == 0:
                return f"{value // factor}{suffix}"
        return str(value.numerator)
    return f"{math.ceil(value * 1000)}m"


def _is_binary(text: Any) -> bool:
    return isinstance(text, str) and text.endswith("i")


# --- events ----------------------------------------------------------------------------------


def describe_events(page: _Page, events: list[Obj], now: float) -> None:
    """The ``Events:`` section (``DescribeEvents``): the reporting component (not its host)
    and the message prefixed by the field path it is about (``spec.containers{app}: …``).
    Nothing when the page was asked for without events."""
    if not page.show_events:
        return
    if not events:
        page.write(0, "Events:\t<none>\n")
        return
    page.write(0, "Events:\n")
    page.write(1, "Type\tReason\tAge\tFrom\tMessage\n")
    page.write(1, "----\t------\t----\t----\t-------\n")
    for event in events:
        first = since(event.get("eventTime") or event.get("firstTimestamp"), now)
        series = event.get("series")
        count = event.get("count") or 0
        if series:
            age = f"{since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
        elif count > 1:
            age = f"{since(event.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            age = first
        origin = (event.get("source") or {}).get("component") or event.get("reportingController") or ""
        message = str(event.get("message", "")).strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        page.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{age}\t{origin}\t{message}\n")


def _events_for(cluster: Cluster, obj: Obj, *, also_named: bool = False) -> list[Obj]:
    """The events about ``obj`` (by uid; with ``also_named`` also those whose involved uid is
    the object's name, as kubelets report about their node), sorted as ``SortableEvents``."""
    meta = _meta(obj)
    # A cluster-scoped object's events are searched in every namespace, as kubectl does.
    uids = {meta.get("uid"), meta.get("name")} if also_named else {meta.get("uid")}
    events = [e for e in cluster.store.peek_all("", "Event", meta.get("namespace") or None)
              if (e.get("involvedObject") or {}).get("uid") in uids
              and (e.get("involvedObject") or {}).get("name") == meta.get("name")]
    return sorted(events, key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")


def _controlled_by(page: _Page, obj: Obj) -> None:
    owner = next((r for r in _meta(obj).get("ownerReferences") or [] if r.get("controller")), None)
    if owner is not None:
        page.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")


# --- pods and pod templates ------------------------------------------------------------------


def _port_list(ports: list[Obj], field: str) -> str:
    """``describeContainerPorts``/``…HostPorts``: ``80/TCP (http), 9090/TCP``."""
    texts = []
    for port in ports:
        text = f"{port.get(field, 0)}/{port.get('protocol', 'TCP')}"
        texts.append(f"{text} ({port['name']})" if port.get("name") else text)
    return ", ".join(texts)


def _probe(probe: Obj) -> str:
    """``DescribeProbe``: the handler, then its timings."""
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
             f"period={probe.get('periodSeconds', 10)}s successThreshold={probe.get('successThreshold', 1)} "
             f"failureThreshold={probe.get('failureThreshold', 3)}")
    if "exec" in probe:
        return f"exec {_go_list((probe['exec'] or {}).get('command'))} {attrs}"
    if "httpGet" in probe:
        get = probe["httpGet"] or {}
        host, port = str(get.get("host", "")), str(get.get("port", ""))
        authority = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        return f"http-get {str(get.get('scheme', 'HTTP')).lower()}://{authority}{get.get('path', '')} {attrs}"
    if "tcpSocket" in probe:
        socket = probe["tcpSocket"] or {}
        return f"tcp-socket {socket.get('host', '')}:{socket.get('port', '')} {attrs}"
    if "grpc" in probe:
        grpc = probe["grpc"] or {}
        return f"grpc <pod>:{grpc.get('port', 0)} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


_FIELD_PATH = re.compile(r"^metadata\.(labels|annotations)\['(.*)'\]$")


def _pod_field(pod: Obj | None, path: str) -> str:
    """``fieldpath.ExtractFieldPathAsString`` for the downward-API paths a pod supports;
    empty without a pod (a template) or for an unknown path."""
    if pod is None:
        return ""
    meta, spec, status = _meta(pod), _spec(pod), _status(pod)
    match = _FIELD_PATH.match(path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    if path in ("metadata.labels", "metadata.annotations"):
        values = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{values[k]}"' for k in sorted(values))
    sources = {"metadata": meta, "spec": spec, "status": status}
    section, _, field = path.partition(".")
    value = (sources.get(section) or {}).get(field, "")
    return str(value) if not isinstance(value, (dict, list)) else ""


def _container_resource(container: Obj, ref: Obj) -> str:
    """``ExtractContainerResourceValue``: the container's request or limit in units of the
    divisor, rounded up (``limits.cpu`` of ``500m`` → ``1``)."""
    section, _, name = str(ref.get("resource", "")).partition(".")
    resources = (container.get("resources") or {}).get(section) or {}
    try:
        value = parse_quantity(resources.get(name, 0))
        divisor = parse_quantity(ref.get("divisor") or 1) or Fraction(1)
    except ValueError:
        return ""
    return str(math.ceil(value / divisor))


def _describe_env(page: _Page, container: Obj, pod: Obj | None) -> None:
    if container.get("envFrom"):
        page.write(2, "Environment Variables from:\n")
        for source in container["envFrom"]:
            ref, origin = ((source.get("configMapRef"), "ConfigMap") if source.get("configMapRef") is not None
                           else (source.get("secretRef") or {}, "Secret"))
            ref = ref or {}
            optional = _go_bool(ref.get("optional"))
            if source.get("prefix"):
                page.write(3, f"{ref.get('name', '')}\t{origin} with prefix '{source['prefix']}'\tOptional: {optional}\n")
            else:
                page.write(3, f"{ref.get('name', '')}\t{origin}\tOptional: {optional}\n")
    env = container.get("env") or []
    page.write(2, "Environment:" + ("\t<none>\n" if not env else "\n"))
    for variable in env:
        name, source = variable.get("name", ""), variable.get("valueFrom")
        if source is None:
            for i, line in enumerate(str(variable.get("value", "")).split("\n")):
                page.write(3, f"{name}:\t{line}\n" if i == 0 else f"\t{line}\n")
        elif source.get("fieldRef") is not None:
            ref = source["fieldRef"]
            value = _pod_field(pod, ref.get("fieldPath", ""))
            page.write(3, f"{name}:\t{value} ({ref.get('apiVersion', 'v1')}:{ref.get('fieldPath', '')})\n")
        elif source.get("resourceFieldRef") is not None:
            ref = source["resourceFieldRef"]
            value = _container_resource(container, ref)
            if value == "0" and ref.get("resource") in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            page.write(3, f"{name}:\t{value} ({ref.get('resource', '')})\n")
        elif source.get("secretKeyRef") is not None:
            ref = source["secretKeyRef"]
            page.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>\t"
                          f"Optional: {_go_bool(ref.get('optional'))}\n")
        elif source.get("configMapKeyRef") is not None:
            ref = source["configMapKeyRef"]
            page.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' of config map '{ref.get('name', '')}'>\t"
                          f"Optional: {_go_bool(ref.get('optional'))}\n")


def _container_state(page: _Page, title: str, state: Obj) -> None:
    if state.get("running") is not None:
        page.write(2, f"{title}:\tRunning\n")
        page.write(3, f"Started:\t{format_date(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        page.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            page.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        terminated = state["terminated"]
        page.write(2, f"{title}:\tTerminated\n")
        if terminated.get("reason"):
            page.write(3, f"Reason:\t{terminated['reason']}\n")
        if terminated.get("message"):
            page.write(3, f"Message:\t{terminated['message']}\n")
        page.write(3, f"Exit Code:\t{terminated.get('exitCode', 0)}\n")
        if (terminated.get("signal") or 0) > 0:
            page.write(3, f"Signal:\t{terminated['signal']}\n")
        page.write(3, f"Started:\t{format_date(terminated.get('startedAt'))}\n")
        page.write(3, f"Finished:\t{format_date(terminated.get('finishedAt'))}\n")
    else:
        page.write(2, f"{title}:\tWaiting\n")


def _describe_resources(page: _Page, resources: Obj | None, level: int) -> None:
    for section in ("limits", "requests"):
        values = (resources or {}).get(section) or {}
        if values:
            page.write(level, f"{section.capitalize()}:\n")
        for key in sorted(values):
            page.write(level + 1, f"{key}:\t{values[key]}\n")


def _describe_containers(page: _Page, title: str, containers: list[Obj], statuses: list[Obj] | None,
                         pod: Obj | None, space: str) -> None:
    """``describeContainers``: ``space`` is ``"  "`` inside a pod template, which shifts the
    title and the container names (not the fields) by two and one columns."""
    by_name = {s.get("name"): s for s in statuses or []}
    page.write(0, f"{space}{title}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        page.write(1, f"{' ' if space else ''}{container.get('name', '')}:\n")
        if status is not None:
            page.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        page.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            page.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = container.get("ports") or []
        for field, single, plural in (("containerPort", "Port", "Ports"), ("hostPort", "Host Port", "Host Ports")):
            text = _port_list(ports, field)
            page.write(2, f"{plural}:\t{text}\n" if "," in text else f"{single}:\t{text or '<none>'}\n")
        seccomp = (container.get("securityContext") or {}).get("seccompProfile")
        if seccomp:
            page.write(2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
            if seccomp.get("type") == "Localhost":
                page.write(3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
        for field, heading in (("command", "Command"), ("args", "Args")):
            if container.get(field):
                page.write(2, f"{heading}:\n")
                for part in container[field]:
                    for line in str(part).split("\n"):
                        page.write(3, f"{line}\n")
        if status is not None:
            _container_state(page, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated") is not None:
                _container_state(page, "Last State", status["lastState"])
            page.write(2, f"Ready:\t{_title_bool(status.get('ready'))}\n")
            page.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _describe_resources(page, container.get("resources"), 2)
        for field, heading in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                               ("startupProbe", "Startup")):
            if container.get(field):
                page.write(2, f"{heading}:\t{_probe(container[field])}\n")
        _describe_env(page, container, pod)
        mounts = container.get("volumeMounts") or []
        page.write(2, "Mounts:" + ("\t<none>\n" if not mounts else "\n"))
        for mount in sorted(mounts, key=lambda m: m.get("mountPath", "")):
            flags = ["ro" if mount.get("readOnly") else "rw"]
            if mount.get("subPath"):
                flags.append(f"path={json.dumps(mount['subPath'])}")
            page.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n")
        devices = container.get("volumeDevices") or []
        if devices:
            page.write(2, "Devices:\n")
            for device in sorted(devices, key=lambda d: d.get("devicePath", "")):
                page.write(3, f"{device.get('devicePath', '')} from {device.get('name', '')}\n")


# (title, fields) per volume source: what ``describeVolumes`` prints under ``Type:``.
_VOLUME_SOURCES: dict[str, tuple[str, tuple[tuple[str, str, Any], ...]]] = {
    "hostPath": ("HostPath (bare host directory volume)", (("Path", "path", ""), ("HostPathType", "type", "<none>"))),
    "secret": ("Secret (a volume populated by a Secret)", (("SecretName", "secretName", ""), ("Optional", "optional", False))),
    "configMap": ("ConfigMap (a volume populated by a ConfigMap)", (("Name", "name", ""), ("Optional", "optional", False))),
    "persistentVolumeClaim": ("PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
                              (("ClaimName", "claimName", ""), ("ReadOnly", "readOnly", False))),
    "nfs": ("NFS (an NFS mount that lasts the lifetime of a pod)",
            (("Server", "server", ""), ("Path", "path", ""), ("ReadOnly", "readOnly", False))),
    "gitRepo": ("GitRepo (a volume that is pulled from git when the pod is created)",
                (("Repository", "repository", ""), ("Revision", "revision", ""))),
    "local": ("LocalVolume (a persistent volume backed by local storage on a node)", (("Path", "path", ""),)),
    "image": ("Image (a container image or OCI artifact)", (("Reference", "reference", ""), ("PullPolicy", "pullPolicy", ""))),
}


def _go_value(value: Any) -> str:
    return _go_bool(value) if isinstance(value, bool) else str(value)


def _describe_volume_source(page: _Page, volume: Obj) -> None:
    """One volume's ``Type:`` line and details (the sources a simulated pod can use; any
    other source prints its kubectl type name only)."""
    if volume.get("emptyDir") is not None:
        empty = volume["emptyDir"]
        size = empty.get("sizeLimit")
        page.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n")
        page.raw(f"    Medium:\t{empty.get('medium', '')}\n")
        page.raw(f"    SizeLimit:\t{size if size and parse_quantity(size) > 0 else '<unset>'}\n")
        return
    if volume.get("projected") is not None:
        page.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
        for source in volume["projected"].get("sources") or []:
            if source.get("secret") is not None:
                page.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n")
                page.raw(f"    Optional:\t{_go_bool(source['secret'].get('optional'))}\n")
            elif source.get("downwardAPI") is not None:
                page.write(2, "DownwardAPI:\ttrue\n")
            elif source.get("configMap") is not None:
                page.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n")
                page.raw(f"    Optional:\t{_go_bool(source['configMap'].get('optional'))}\n")
            elif source.get("serviceAccountToken") is not None:
                page.write(2, f"TokenExpirationSeconds:\t{source['serviceAccountToken'].get('expirationSeconds', 3600)}\n")
        return
    if volume.get("downwardAPI") is not None:
        page.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n")
        page.raw("    Items:\n")
        for item in volume["downwardAPI"].get("items") or []:
            if item.get("fieldRef"):
                page.write(3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n")
            if item.get("resourceFieldRef"):
                page.write(3, f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n")
        return
    if volume.get("csi") is not None:
        csi = volume["csi"]
        page.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n")
        page.raw(f"    Driver:\t{csi.get('driver', '')}\n")
        page.raw(f"    FSType:\t{csi.get('fsType', '')}\n")
        page.raw(f"    ReadOnly:\t{_go_bool(csi.get('readOnly'))}\n")
        attributes = csi.get("volumeAttributes") or {}
        # Every Write of kubectl's prefix writer indents, continuation pieces included.
        page.write(2, "VolumeAttributes:\t" + ("<none>\n" if not attributes else ""))
        for i, key in enumerate(sorted(attributes)):
            if i:
                page.write(2, "")
                page.write(2, "\t")
            page.write(2, f"{key}={attributes[key]}\n")
        return
    if volume.get("ephemeral") is not None:
        page.write(2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted "
                      "with the pod)\n")
        return
    for field, (title, details) in _VOLUME_SOURCES.items():
        source = volume.get(field)
        if source is not None:
            page.write(2, f"Type:\t{title}\n")
            for label, key, default in details:
                page.raw(f"    {label}:\t{_go_value(source.get(key, default))}\n")
            return
    page.write(1, "<unknown>\n")


def _describe_volumes(page: _Page, volumes: list[Obj], space: str) -> None:
    if not volumes:
        page.write(0, f"{space}Volumes:\t<none>\n")
        return
    page.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        page.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        _describe_volume_source(page, volume)


def _tolerations(page: _Page, title: str, tolerations: list[Obj] | None) -> None:
    """``printPodTolerationsMultiline``: ``key=value:Effect op=Exists for Ns``, sorted by key."""
    if not tolerations:
        page.write(0, f"{title}:\t<none>\n")
        return
    for i, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        text = toleration.get("key", "")
        if toleration.get("value"):
            text += f"={toleration['value']}"
        if toleration.get("effect"):
            text += f":{toleration['effect']}"
        if toleration.get("operator") == "Exists" and not toleration.get("value"):
            text += " op=Exists" if toleration.get("key") or toleration.get("effect") else "op=Exists"
        if toleration.get("tolerationSeconds") is not None:
            text += f" for {toleration['tolerationSeconds']}s"
        page.write(0, (f"{title}:\t" if i == 0 else "\t") + text + "\n")


def _topology_spread(page: _Page, constraints: list[Obj] | None, space: str) -> None:
    for i, tsc in enumerate(sorted(constraints or [], key=lambda c: c.get("topologyKey", ""))):
        text = (f"{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')} when max skew "
                f"{tsc.get('maxSkew', 0)} is exceeded")
        if tsc.get("labelSelector") is not None:
            text += f" for selector {format_label_selector(tsc['labelSelector'])}"
        page.write(0, (f"{space}Topology Spread Constraints:\t" if i == 0 else f"{space}\t") + text + "\n")


def _describe_template(page: _Page, template: Obj | None) -> None:
    """``DescribePodTemplate`` into ``page``."""
    page.write(0, "Pod Template:\n")
    if template is None:
        page.write(1, "<unset>")
        return
    meta, spec = _meta(template), _spec(template)
    page.labels("  Labels", meta.get("labels"))
    if meta.get("annotations"):
        page.annotations("  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        page.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        _describe_containers(page, "Init Containers", spec["initContainers"], None, None, "  ")
    _describe_containers(page, "Containers", spec.get("containers") or [], None, None, "  ")
    _describe_volumes(page, spec.get("volumes") or [], "  ")
    _topology_spread(page, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        page.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    page.labels("  Node-Selectors", spec.get("nodeSelector"))
    _tolerations(page, "  Tolerations", spec.get("tolerations"))


def describe_pod_template(template: Obj | None) -> str:
    """What ``DescribePodTemplate`` writes, tabs unaligned (``rollout history --revision``
    aligns it together with its own header lines)."""
    page = _Page()
    _describe_template(page, template)
    return "".join(page.lines)


def _pod_status_counts(cluster: Cluster, owner: Obj) -> str:
    """``getPodStatusForController``: the phases of the pods ``owner`` controls."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    uid = _meta(owner).get("uid", "")
    for kind, pod in cluster.store.children_of(uid):
        controller = next((r for r in _meta(pod).get("ownerReferences") or [] if r.get("controller")), None)
        phase = _status(pod).get("phase")
        if kind.group_kind == ("", "Pod") and controller is not None and controller.get("uid") == uid \
                and phase in counts:
            counts[phase] += 1
    return (f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / "
            f"{counts['Failed']} Failed")


def _describe_pod(cluster: Cluster, pod: Obj, page: _Page) -> None:
    meta, spec, status = _meta(pod), _spec(pod), _status(pod)
    _name_namespace(page, pod)
    if spec.get("priority") is not None:
        page.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        page.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        page.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        page.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    page.write(0, f"Node:\t{node + '/' + status.get('hostIP', '') if node else '<none>'}\n")
    if status.get("startTime"):
        page.write(0, f"Start Time:\t{format_date(status['startTime'])}\n")
    _labels_annotations(page, pod)
    if meta.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        page.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], cluster.clock.now)})\n")
        page.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        page.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        page.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        page.write(0, f"Message:\t{status['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        page.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            page.write(0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    page.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    page.write(0, "IPs:" + ("\t<none>\n" if not ips else "\n"))
    for ip in ips:
        page.write(1, f"IP:\t{ip.get('ip', '')}\n")
    _controlled_by(page, pod)
    if status.get("nominatedNodeName"):
        page.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        page.write(0, "Resources:\n")
        _describe_resources(page, spec["resources"], 1)
    if spec.get("initContainers"):
        _describe_containers(page, "Init Containers", spec["initContainers"], status.get("initContainerStatuses") or [],
                             pod, "")
    _describe_containers(page, "Containers", spec.get("containers") or [], status.get("containerStatuses") or [],
                         pod, "")
    if spec.get("readinessGates"):
        page.write(0, "Readiness Gates:\n  Type\tStatus\n")
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        for gate in spec["readinessGates"]:
            page.write(1, f"{gate.get('conditionType', '')} \t{conditions.get(gate.get('conditionType'), '<none>')} \n")
    if status.get("conditions"):
        page.write(0, "Conditions:\n  Type\tStatus\n")
        for condition in status["conditions"]:
            page.write(1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    _describe_volumes(page, spec.get("volumes") or [], "")
    page.write(0, f"QoS Class:\t{status.get('qosClass', '')}\n")
    page.labels("Node-Selectors", spec.get("nodeSelector"))
    _tolerations(page, "Tolerations", spec.get("tolerations"))
    _topology_spread(page, spec.get("topologySpreadConstraints"), "")
    describe_events(page, _events_for(cluster, pod), cluster.clock.now)


# --- workloads -------------------------------------------------------------------------------


def _replica_sets_of(cluster: Cluster, d: Obj) -> tuple[list[Obj], Obj | None]:
    """``deploymentutil.GetAllReplicaSets``: every old ReplicaSet (scaled down or not) and the
    oldest one whose template matches the Deployment's."""
    from helmlite.cluster.controllers.deployment import equal_ignore_hash

    template = _spec(d).get("template") or {}
    owned = [rs for kind, rs in cluster.store.children_of(_meta(d).get("uid", ""))
             if kind.group_kind == ("apps", "ReplicaSet")]
    owned.sort(key=lambda rs: _meta(rs).get("name", ""))
    matching = sorted((rs for rs in owned if equal_ignore_hash(_spec(rs).get("template") or {}, template)),
                      key=lambda rs: (_meta(rs).get("creationTimestamp", ""), _meta(rs).get("name", "")))
    new = matching[0] if matching else None
    return [rs for rs in owned if rs is not new], new


def _replica_sets_text(sets: list[Obj]) -> str:
    return ", ".join(f"{_meta(rs).get('name', '')} ({_status(rs).get('replicas', 0)}/"
                     f"{_spec(rs).get('replicas', 0)} replicas created)" for rs in sets) or "<none>"


def _conditions_with_reason(page: _Page, obj: Obj) -> None:
    conditions = _status(obj).get("conditions") or []
    if conditions:
        page.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        page.write(1, "----\t------\t------\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _describe_deployment(cluster: Cluster, d: Obj, page: _Page) -> None:
    meta, spec, status = _meta(d), _spec(d), _status(d)
    _name_namespace(page, d)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    _labels_annotations(page, d)
    page.write(0, f"Selector:\t{_selector(spec.get('selector'))}\n")
    page.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
                  f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
                  f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    page.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    page.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        page.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', 0)} max unavailable, "
                      f"{rolling.get('maxSurge', 0)} max surge\n")
    _describe_template(page, spec.get("template") or {})
    _conditions_with_reason(page, d)
    old, new = _replica_sets_of(cluster, d)
    if old or new is not None:
        page.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
        page.write(0, f"NewReplicaSet:\t{_replica_sets_text([new] if new is not None else [])}\n")
    describe_events(page, _events_for(cluster, d), cluster.clock.now)


def _describe_replica_set(cluster: Cluster, rs: Obj, page: _Page) -> None:
    spec, status = _spec(rs), _status(rs)
    _name_namespace(page, rs)
    page.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    _labels_annotations(page, rs)
    _controlled_by(page, rs)
    page.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    page.write(0, f"Pods Status:\t{_pod_status_counts(cluster, rs)}\n")
    _describe_template(page, spec.get("template") or {})
    _conditions_with_reason(page, rs)
    describe_events(page, _events_for(cluster, rs), cluster.clock.now)


def _describe_stateful_set(cluster: Cluster, sts: Obj, page: _Page) -> None:
    meta, spec, status = _meta(sts), _spec(sts), _status(sts)
    _name_namespace(page, sts)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    page.write(0, f"Selector:\t{_selector(spec.get('selector'))}\n")
    _labels_annotations(page, sts)
    page.write(0, f"Service Name:\t{spec.get('serviceName', '')}\n")
    page.write(0, f"Pod Management Policy:\t{spec.get('podManagementPolicy', 'OrderedReady')}\n")
    page.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    page.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate") or {}
    if rolling.get("partition") is not None:
        page.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            page.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        page.write(0, "Persistent Volume Claim Retention Policy:\n")
        page.write(1, f"WhenDeleted:\t{retention.get('whenDeleted', 'Retain')}\n")
        page.write(1, f"WhenScaled:\t{retention.get('whenScaled', 'Retain')}\n")
    page.write(0, f"Pods Status:\t{_pod_status_counts(cluster, sts)}\n")
    _describe_template(page, spec.get("template") or {})
    claims = spec.get("volumeClaimTemplates") or []
    page.write(0, "Volume Claims:" + ("\t<none>\n" if not claims else "\n"))
    for claim in claims:
        claim_spec = _spec(claim)
        page.write(1, f"Name:\t{_meta(claim).get('name', '')}\n")
        page.write(1, f"StorageClass:\t{claim_spec.get('storageClassName', '')}\n")
        page.labels("  Labels", _meta(claim).get("labels"))
        page.labels("  Annotations", _meta(claim).get("annotations"))
        storage = ((claim_spec.get("resources") or {}).get("requests") or {}).get("storage")
        page.write(1, f"Capacity:\t{storage if storage is not None else '<default>'}\n")
        page.write(1, f"Access Modes:\t{_go_list(claim_spec.get('accessModes'))}\n")
    describe_events(page, _events_for(cluster, sts), cluster.clock.now)


def _describe_daemon_set(cluster: Cluster, ds: Obj, page: _Page) -> None:
    spec, status = _spec(ds), _status(ds)
    _name_namespace(page, ds)
    page.write(0, f"Selector:\t{_selector(spec.get('selector'))}\n")
    node_selector = _spec(spec.get("template") or {}).get("nodeSelector")
    page.write(0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    _labels_annotations(page, ds)
    page.write(0, f"Desired Number of Nodes Scheduled: {status.get('desiredNumberScheduled', 0)}\n")
    page.write(0, f"Current Number of Nodes Scheduled: {status.get('currentNumberScheduled', 0)}\n")
    page.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.get('updatedNumberScheduled', 0)}\n")
    page.write(0, f"Number of Nodes Scheduled with Available Pods: {status.get('numberAvailable', 0)}\n")
    page.write(0, f"Number of Nodes Misscheduled: {status.get('numberMisscheduled', 0)}\n")
    page.write(0, f"Pods Status:\t{_pod_status_counts(cluster, ds)}\n")
    _describe_template(page, spec.get("template") or {})
    describe_events(page, _events_for(cluster, ds), cluster.clock.now)


def _seconds_between(start: str, end: str) -> float:
    return parse_time(end) - parse_time(start)


def _describe_job(cluster: Cluster, job: Obj, page: _Page) -> None:
    spec, status = _spec(job), _status(job)
    _name_namespace(page, job)
    page.write(0, f"Selector:\t{_selector(spec.get('selector'))}\n")
    _labels_annotations(page, job)
    _controlled_by(page, job)
    if spec.get("parallelism") is not None:
        page.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    page.write(0, f"Completions:\t{spec['completions'] if spec.get('completions') is not None else '<unset>'}\n")
    if spec.get("completionMode"):
        page.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        page.write(0, f"Suspend:\t{_go_bool(spec['suspend'])}\n")
    if spec.get("backoffLimit") is not None:
        page.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        page.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if status.get("startTime"):
        page.write(0, f"Start Time:\t{format_date(status['startTime'])}\n")
    if status.get("completionTime"):
        page.write(0, f"Completed At:\t{format_date(status['completionTime'])}\n")
    if status.get("startTime") and status.get("completionTime"):
        page.write(0, f"Duration:\t{human_duration(_seconds_between(status['startTime'], status['completionTime']))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        page.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    counts = f"{status.get('succeeded', 0)} Succeeded / {status.get('failed', 0)} Failed"
    if status.get("ready") is None:
        page.write(0, f"Pods Statuses:\t{status.get('active', 0)} Active / {counts}\n")
    else:
        page.write(0, f"Pods Statuses:\t{status.get('active', 0)} Active ({status['ready']} Ready) / {counts}\n")
    if spec.get("completionMode") == "Indexed":
        indexes = status.get("completedIndexes") or ""
        cut = indexes.find(",", 50)
        page.write(0, f"Completed Indexes:\t{(indexes[:cut + 1] + '...' if cut >= 0 else indexes) or '<none>'}\n")
    _describe_template(page, spec.get("template") or {})
    describe_events(page, _events_for(cluster, job), cluster.clock.now)


def _or_unset(value: Any, suffix: str = "") -> str:
    return "<unset>" if value is None else f"{value}{suffix}"


def _describe_cron_job(cluster: Cluster, cj: Obj, page: _Page) -> None:
    spec, status = _spec(cj), _status(cj)
    _name_namespace(page, cj)
    _labels_annotations(page, cj)
    page.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    page.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    page.write(0, f"Suspend:\t{_or_unset(None if spec.get('suspend') is None else _title_bool(spec['suspend']))}\n")
    page.write(0, f"Time Zone:\t{_or_unset(spec.get('timeZone'))}\n")
    page.write(0, f"Successful Job History Limit:\t{_or_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    page.write(0, f"Failed Job History Limit:\t{_or_unset(spec.get('failedJobsHistoryLimit'))}\n")
    page.write(0, f"Starting Deadline Seconds:\t{_or_unset(spec.get('startingDeadlineSeconds'), 's')}\n")
    job_spec = _spec(spec.get("jobTemplate") or {})
    selector = job_spec.get("selector")
    page.write(0, f"Selector:\t{_selector(selector) if selector is not None else '<unset>'}\n")
    page.write(0, f"Parallelism:\t{_or_unset(job_spec.get('parallelism'))}\n")
    page.write(0, f"Completions:\t{_or_unset(job_spec.get('completions'))}\n")
    if job_spec.get("activeDeadlineSeconds") is not None:
        page.write(0, f"Active Deadline Seconds:\t{job_spec['activeDeadlineSeconds']}s\n")
    _describe_template(page, job_spec.get("template") or {})
    page.write(0, f"Last Schedule Time:\t{format_date(status['lastScheduleTime']) if status.get('lastScheduleTime') else '<unset>'}\n")
    active = [ref.get("name", "") for ref in status.get("active") or []]
    page.write(0, f"Active Jobs:\t{', '.join(active) or '<none>'}\n")
    describe_events(page, _events_for(cluster, cj), cluster.clock.now)


def _hpa_metric(page: _Page, metric: Obj, current_status: Obj) -> None:
    """One line of ``Metrics: ( current / target )`` for an autoscaling/v2 metric."""
    metric_type = metric.get("type")
    field = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods", "Object": "object",
             "External": "external"}.get(str(metric_type))
    if field is None:
        page.write(1, f'<unknown metric type "{metric_type}">\n')
        return
    source = metric.get(field) or {}
    target = source.get("target") or {}
    observed = (current_status.get(field) or {}).get("current") if current_status.get(field) else None

    def current(key: str) -> str:
        return str(observed[key]) if observed is not None and observed.get(key) is not None else "<unknown>"

    metric_name = (source.get("metric") or {}).get("name", "")
    if metric_type == "External":
        kind = "target average value" if target.get("averageValue") is not None else "target value"
        key = "averageValue" if target.get("averageValue") is not None else "value"
        page.write(1, f'"{metric_name}" ({kind}):\t{current(key)} / {target.get(key, "")}\n')
    elif metric_type == "Pods":
        page.write(1, f'"{metric_name}" on pods:\t{current("averageValue")} / {target.get("averageValue", "")}\n')
    elif metric_type == "Object":
        described = source.get("describedObject") or {}
        key = "averageValue" if target.get("type") == "AverageValue" else "value"
        kind = "target average value" if key == "averageValue" else "target value"
        page.write(1, f'"{metric_name}" on {described.get("kind", "")}/{described.get("name", "")} ({kind}):\t'
                      f'{current(key)} / {target.get(key, "")}\n')
    else:
        title = (f"resource {source.get('name', '')} on pods" if metric_type == "Resource" else
                 f'resource {source.get("name", "")} of container "{source.get("container", "")}" on pods')
        if target.get("averageValue") is not None:
            page.write(1, f"{title}:\t{current('averageValue')} / {target['averageValue']}\n")
        else:
            observed = observed or {}
            utilization = observed.get("averageUtilization")
            now_text = (f"{utilization}% ({observed.get('averageValue', '0')})" if utilization is not None
                        else "<unknown>")
            goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
            # kubectl writes the title and this part in two writes, both indented.
            page.write(1, f"{title}  (as a percentage of request):\t{now_text} / {goal}\n")


def _describe_hpa(cluster: Cluster, hpa: Obj, page: _Page) -> None:
    meta, spec, status = _meta(hpa), _spec(hpa), _status(hpa)
    _name_namespace(page, hpa)
    _labels_annotations(page, hpa)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    ref = spec.get("scaleTargetRef") or {}
    page.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    page.write(0, "Metrics:\t( current / target )\n")
    current = status.get("currentMetrics") or []
    for i, metric in enumerate(spec.get("metrics") or []):
        _hpa_metric(page, metric, current[i] if i < len(current) else {})
    page.write(0, f"Min replicas:\t{_or_unset(spec.get('minReplicas'))}\n")
    page.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    behavior = spec.get("behavior")
    if behavior is not None:
        page.write(0, "Behavior:\n")
        for direction, key in (("Scale Up", "scaleUp"), ("Scale Down", "scaleDown")):
            rules = behavior.get(key)
            if rules is None:
                continue
            page.write(1, f"{direction}:\n")
            if rules.get("stabilizationWindowSeconds") is not None:
                page.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
            if rules.get("policies"):
                page.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
                page.write(2, "Policies:\n")
                for policy in rules["policies"]:
                    page.write(3, f"- Type: {policy.get('type', '')}\tValue: {policy.get('value', 0)}\t"
                                  f"Period: {policy.get('periodSeconds', 0)} seconds\n")
    page.write(0, f"{ref.get('kind', '')} pods:\t{status.get('currentReplicas', 0)} current / "
                  f"{status.get('desiredReplicas', 0)} desired\n")
    conditions = status.get("conditions") or []
    if conditions:
        page.write(0, "Conditions:\n")
        page.write(1, "Type\tStatus\tReason\tMessage\n")
        page.write(1, "----\t------\t------\t-------\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
    describe_events(page, _events_for(cluster, hpa), cluster.clock.now)


# --- networking ------------------------------------------------------------------------------


def _endpoint_slices(cluster: Cluster, namespace: str, service: str) -> list[Obj]:
    return [s for s in cluster.store.peek_all("discovery.k8s.io", "EndpointSlice", namespace)
            if (_meta(s).get("labels") or {}).get("kubernetes.io/service-name") == service]


def _format_endpoint_slices(slices: list[Obj], port_name: str) -> str:
    """``formatEndpointSlices``: the ready addresses behind one service port (``ip:port``),
    the first three then ``+ N more...``; ``<none>`` without slices."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    count = 0
    for eps in slices:
        endpoints = [e for e in eps.get("endpoints") or []
                     if (e.get("conditions") or {}).get("ready") is not False and e.get("addresses")]
        if not eps.get("ports"):
            for endpoint in endpoints:
                if len(shown) < _MAX_ENDPOINTS:
                    shown.append(endpoint["addresses"][0])
                count += 1
            continue
        for port in eps["ports"]:
            if (port.get("name") or "") != port_name:
                continue
            for endpoint in endpoints:
                address = endpoint["addresses"][0]
                if len(shown) < _MAX_ENDPOINTS:
                    shown.append(f"[{address}]:{port.get('port')}" if ":" in address else f"{address}:{port.get('port')}")
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - _MAX_ENDPOINTS} more..." if count > _MAX_ENDPOINTS else text


def _describe_service(cluster: Cluster, svc: Obj, page: _Page) -> None:
    meta, spec, status = _meta(svc), _spec(svc), _status(svc)
    _name_namespace(page, svc)
    _labels_annotations(page, svc)
    page.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    page.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        page.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    page.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    page.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    page.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        page.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        page.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        page.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        texts = [(f"{i['ip']} ({i['ipMode']})" if i.get("ipMode") else i["ip"]) if i.get("ip") else i.get("hostname", "")
                 for i in ingress]
        page.write(0, f"LoadBalancer Ingress:\t{', '.join(texts)}\n")
    slices = _endpoint_slices(cluster, meta.get("namespace", ""), meta.get("name", ""))
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "TCP")
        page.write(0, f"Port:\t{name}\t{port.get('port')}/{protocol}\n")
        page.write(0, f"TargetPort:\t{port.get('targetPort', port.get('port'))}/{protocol}\n")
        if port.get("appProtocol") is not None:
            page.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            page.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        page.write(0, f"Endpoints:\t{_format_endpoint_slices(slices, port.get('name') or '')}\n")
    page.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        page.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        page.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        page.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        page.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("trafficDistribution"):
        page.write(0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    describe_events(page, _events_for(cluster, svc), cluster.clock.now)


def _describe_endpoints(cluster: Cluster, ep: Obj, page: _Page) -> None:
    _name_namespace(page, ep)
    _labels_annotations(page, ep)
    page.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        page.write(1, f"Addresses:\t{ready or '<none>'}\n")
        page.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            page.write(1, "Ports:\n")
            page.write(2, "Name\tPort\tProtocol\n")
            page.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                page.write(2, f"{port.get('name') or '<unset>'}\t{port.get('port')}\t{port.get('protocol', 'TCP')}\n")
        page.write(0, "\n")
    describe_events(page, _events_for(cluster, ep), cluster.clock.now)


def _describe_endpoint_slice(cluster: Cluster, eps: Obj, page: _Page) -> None:
    _name_namespace(page, eps)
    _labels_annotations(page, eps)
    page.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        page.write(0, "Ports: <unset>\n")
    else:
        page.write(0, "Ports:\n")
        page.write(1, "Name\tPort\tProtocol\n")
        page.write(1, "----\t----\t--------\n")
        for port in ports:
            page.write(1, f"{port.get('name') or '<unset>'}\t{_or_unset(port.get('port'))}\t{port.get('protocol', 'TCP')}\n")
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        page.write(0, "Endpoints: <none>\n")
    else:
        page.write(0, "Endpoints:\n")
        for endpoint in endpoints:
            page.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n")
            page.write(2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            page.write(3, f"Ready:\t{'<unset>' if ready is None else _go_bool(ready)}\n")
            page.write(2, f"Hostname:\t{_or_unset(endpoint.get('hostname'))}\n")
            if endpoint.get("targetRef"):
                page.write(2, f"TargetRef:\t{endpoint['targetRef'].get('kind', '')}/{endpoint['targetRef'].get('name', '')}\n")
            page.write(2, f"NodeName:\t{_or_unset(endpoint.get('nodeName'))}\n")
            page.write(2, f"Zone:\t{_or_unset(endpoint.get('zone'))}\n")
    describe_events(page, _events_for(cluster, eps), cluster.clock.now)


def _ingress_backend(cluster: Cluster, namespace: str, backend: Obj) -> str:
    """``describeBackendV1``: ``svc:port (endpoints)`` or the resource a backend names."""
    service = backend.get("service")
    if service is not None:
        port = service.get("port") or {}
        text = f"{service.get('name', '')}:{port.get('number') or port.get('name', '')}"
        svc = cluster.store.peek("", "Service", namespace, service.get("name", ""))
        if svc is None:
            return f'{text} (<error: services "{service.get("name", "")}" not found>)'
        port_name = ""
        for sp in _spec(svc).get("ports") or []:
            if (port.get("number") and port["number"] == sp.get("port")) or (port.get("name") and port["name"] == sp.get("name")):
                port_name = sp.get("name") or ""
        return f"{text} ({_format_endpoint_slices(_endpoint_slices(cluster, namespace, service.get('name', '')), port_name)})"
    resource = backend.get("resource")
    if resource is not None:
        return (f"APIGroup: {resource.get('apiGroup') or '<none>'}, Kind: {resource.get('kind', '')}, "
                f"Name: {resource.get('name', '')}")
    return ""


def _describe_ingress(cluster: Cluster, ing: Obj, page: _Page) -> None:
    meta, spec = _meta(ing), _spec(ing)
    namespace = meta.get("namespace", "")
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    page.labels("Labels", meta.get("labels"))
    page.write(0, f"Namespace:\t{namespace}\n")
    addresses = sorted({i.get("ip") or i.get("hostname") for i in (_status(ing).get("loadBalancer") or {}).get("ingress") or []
                        if i.get("ip") or i.get("hostname")})
    page.write(0, f"Address:\t{','.join(addresses)}\n")
    page.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = spec.get("defaultBackend")
    default_text = _ingress_backend(cluster, namespace, default) if default is not None else "<default>"
    page.write(0, f"Default backend:\t{default_text}\n")
    if spec.get("tls"):
        page.write(0, "TLS:\n")
        for tls in spec["tls"]:
            hosts = ",".join(tls.get("hosts") or [])
            page.write(1, f"{tls['secretName']} terminates {hosts}\n" if tls.get("secretName") else f"SNI routes {hosts}\n")
    page.write(0, "Rules:\n  Host\tPath\tBackends\n")
    page.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        page.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            page.write(2, f"\t{path.get('path', '')} \t{_ingress_backend(cluster, namespace, path.get('backend') or {})}\n")
    if count == 0:
        page.write(1, f"*\t*\t{default_text}\n")
    page.annotations("Annotations", meta.get("annotations"))
    describe_events(page, _events_for(cluster, ing), cluster.clock.now)


# --- storage ---------------------------------------------------------------------------------


def _describe_pv(cluster: Cluster, pv: Obj, page: _Page) -> None:
    meta, spec, status = _meta(pv), _spec(pv), _status(pv)
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    _labels_annotations(page, pv)
    page.write(0, f"Finalizers:\t{_go_list(meta.get('finalizers'))}\n")
    page.write(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
    if meta.get("deletionTimestamp"):
        page.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], cluster.clock.now)})\n")
    else:
        page.write(0, f"Status:\t{status.get('phase', '')}\n")
    claim = spec.get("claimRef")
    page.write(0, f"Claim:\t{claim.get('namespace', '') + '/' + claim.get('name', '') if claim else ''}\n")
    page.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    page.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        page.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    page.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '0')}\n")
    required = (spec.get("nodeAffinity") or {}).get("required")
    if required is None:
        page.write(0, "Node Affinity:\t<none>\n")
    else:
        page.write(0, "Node Affinity:\t\n")
        terms = required.get("nodeSelectorTerms") or []
        page.write(1, "Required Terms:\t" + ("<none>\n" if not terms else "\n"))
        for i, term in enumerate(terms):
            expressions = term.get("matchExpressions") or []
            page.write(2, f"Term {i}:\t" + ("<none>\n" if not expressions else ""))
            for j, req in enumerate(expressions):
                text = f"{req.get('key', '')} {str(req.get('operator', '')).lower()}"
                if req.get("values"):
                    text += f" [{', '.join(req['values'])}]"
                page.write(0, ("" if j == 0 else "    \t") + text + "\n")
    page.write(0, f"Message:\t{status.get('message', '')}\n")
    page.write(0, "Source:\n")
    _describe_volume_source(page, spec)
    describe_events(page, _events_for(cluster, pv), cluster.clock.now)


def _describe_pvc(cluster: Cluster, pvc: Obj, page: _Page) -> None:
    meta, spec, status = _meta(pvc), _spec(pvc), _status(pvc)
    _name_namespace(page, pvc)
    page.write(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
    if meta.get("deletionTimestamp"):
        page.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], cluster.clock.now)})\n")
    else:
        page.write(0, f"Status:\t{status.get('phase', '')}\n")
    page.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    _labels_annotations(page, pvc)
    page.write(0, f"Finalizers:\t{_go_list(meta.get('finalizers'))}\n")
    bound = bool(spec.get("volumeName"))
    page.write(0, f"Capacity:\t{(status.get('capacity') or {}).get('storage', '0') if bound else ''}\n")
    page.write(0, f"Access Modes:\t{access_modes(status.get('accessModes')) if bound else ''}\n")
    if spec.get("volumeMode"):
        page.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    source = spec.get("dataSource")
    if source is not None:
        page.write(0, "DataSource:\n")
        if source.get("apiGroup") is not None:
            page.write(1, f"APIGroup:\t{source['apiGroup']}\n")
        page.write(1, f"Kind:\t{source.get('kind', '')}\n")
        page.write(1, f"Name:\t{source.get('name', '')}\n")
    users = sorted(_meta(p).get("name", "") for p in cluster.store.peek_all("", "Pod", meta.get("namespace"))
                   for v in _spec(p).get("volumes") or []
                   if (v.get("persistentVolumeClaim") or {}).get("claimName") == meta.get("name"))
    page.write(0, f"Used By:\t{users[0] if users else '<none>'}\n")
    for user in users[1:]:
        page.write(0, f"\t{user}\n")
    conditions = status.get("conditions") or []
    if conditions:
        page.write(0, "Conditions:\n")
        page.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        page.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{format_date(c.get('lastProbeTime'))} \t"
                          f"{format_date(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    describe_events(page, _events_for(cluster, pvc), cluster.clock.now)


def _describe_storage_class(cluster: Cluster, sc: Obj, page: _Page) -> None:
    meta = _meta(sc)
    annotations = meta.get("annotations") or {}
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    default = any(annotations.get(k) == "true" for k in ("storageclass.kubernetes.io/is-default-class",
                                                          "storageclass.beta.kubernetes.io/is-default-class"))
    page.write(0, f"IsDefaultClass:\t{'Yes' if default else 'No'}\n")
    page.write(0, f"Annotations:\t{format_labels(annotations)}\n")
    page.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    page.write(0, f"Parameters:\t{format_labels(sc.get('parameters'))}\n")
    expansion = sc.get("allowVolumeExpansion")
    page.write(0, f"AllowVolumeExpansion:\t{'<unset>' if expansion is None else _title_bool(expansion)}\n")
    options = sc.get("mountOptions") or []
    page.write(0, "MountOptions:" + ("\t<none>\n" if not options else "\n"))
    for option in options:
        page.write(1, f"{option}\n")
    if sc.get("reclaimPolicy"):
        page.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode"):
        page.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    topologies = sc.get("allowedTopologies")
    if topologies is not None:
        page.write(0, "AllowedTopologies:\t" + ("<none>\n" if not topologies else "\n"))
        for i, term in enumerate(topologies):
            expressions = term.get("matchLabelExpressions") or []
            page.write(1, f"Term {i}:\t" + ("<none>\n" if not expressions else ""))
            for j, req in enumerate(expressions):
                text = f"{req.get('key', '')} in" + (f" [{', '.join(req['values'])}]" if req.get("values") else "")
                page.write(0, ("" if j == 0 else "  \t") + text + "\n")
    describe_events(page, _events_for(cluster, sc), cluster.clock.now)


# --- cluster ---------------------------------------------------------------------------------


def _pod_totals(pod: Obj, section: str) -> dict[str, tuple[Fraction, bool]]:
    """``resourcehelper.PodRequests``/``PodLimits``: the containers' sum, raised to any init
    container's own value; each with whether it was written in binary units."""
    spec = _spec(pod)
    totals: dict[str, tuple[Fraction, bool]] = {}
    for container in spec.get("containers") or []:
        for name, value in ((container.get("resources") or {}).get(section) or {}).items():
            amount, binary = totals.get(name, (Fraction(0), _is_binary(value)))
            totals[name] = (amount + parse_quantity(value), binary)
    for container in spec.get("initContainers") or []:
        for name, value in ((container.get("resources") or {}).get(section) or {}).items():
            amount = parse_quantity(value)
            if amount > totals.get(name, (Fraction(0), False))[0]:
                totals[name] = (amount, _is_binary(value))
    return totals


def _share(amount: Fraction, allocatable: Fraction) -> int:
    return int(amount / allocatable * 100) if allocatable else 0


def _describe_node_resources(page: _Page, node: Obj, pods: Sequence[Obj], now: float) -> None:
    """``describeNodeResource``: each pod's CPU and memory requests and limits as a share of
    what the node can allocate, then the node's totals."""
    status = _status(node)
    allocatable = status.get("allocatable") or status.get("capacity") or {}

    def capacity(name: str) -> Fraction:
        return parse_quantity(allocatable.get(name, 0))

    page.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    page.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    page.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    requests: dict[str, tuple[Fraction, bool]] = {}
    limits: dict[str, tuple[Fraction, bool]] = {}
    for pod in pods:
        pod_requests, pod_limits = _pod_totals(pod, "requests"), _pod_totals(pod, "limits")
        cells = []
        for values, name in ((pod_requests, "cpu"), (pod_limits, "cpu"), (pod_requests, "memory"), (pod_limits, "memory")):
            amount, binary = values.get(name, (Fraction(0), False))
            cells.append(f"{_quantity_text(amount, binary)} ({_share(amount, capacity(name))}%)")
        page.write(1, f"{_meta(pod).get('namespace', '')}\t{_meta(pod).get('name', '')}\t\t{cells[0]}\t{cells[1]}\t"
                      f"{cells[2]}\t{cells[3]}\t{since(_meta(pod).get('creationTimestamp'), now)}\n")
        for totals, values in ((requests, pod_requests), (limits, pod_limits)):
            for name, (amount, binary) in values.items():
                total, total_binary = totals.get(name, (Fraction(0), binary))
                totals[name] = (total + amount, total_binary)
    page.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    page.write(1, "Resource\tRequests\tLimits\n")
    page.write(1, "--------\t--------\t------\n")
    hugepages = sorted(name for name in allocatable if name.startswith("hugepages-"))
    for name in ("cpu", "memory", "ephemeral-storage", *hugepages):
        request, request_binary = requests.get(name, (Fraction(0), False))
        limit, limit_binary = limits.get(name, (Fraction(0), False))
        page.write(1, f"{name}\t{_quantity_text(request, request_binary)} ({_share(request, capacity(name))}%)\t"
                      f"{_quantity_text(limit, limit_binary)} ({_share(limit, capacity(name))}%)\n")
    standard = {"cpu", "memory", "ephemeral-storage", "pods"}
    for name in sorted(n for n in allocatable if n not in standard and not n.startswith("hugepages-")):
        request, request_binary = requests.get(name, (Fraction(0), False))
        limit, limit_binary = limits.get(name, (Fraction(0), False))
        page.write(1, f"{name}\t{_quantity_text(request, request_binary)}\t{_quantity_text(limit, limit_binary)}\n")


def _describe_node(cluster: Cluster, node: Obj, page: _Page) -> None:
    meta, spec, status = _meta(node), _spec(node), _status(node)
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    page.write(0, f"Roles:\t{node_roles(node)}\n")
    _labels_annotations(page, node)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    taints = sorted(spec.get("taints") or [], key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    if not taints:
        page.write(0, "Taints:\t<none>\n")
    for i, taint in enumerate(taints):
        text = f"{taint.get('key', '')}{'=' + taint['value'] if taint.get('value') else ''}:{taint.get('effect', '')}"
        page.write(0, ("Taints:\t" if i == 0 else "\t") + text + "\n")
    page.write(0, f"Unschedulable:\t{_go_bool(spec.get('unschedulable'))}\n")
    lease = cluster.store.peek("coordination.k8s.io", "Lease", "kube-node-lease", meta.get("name", ""))
    if lease is None:
        page.write(0, f'Lease:\tFailed to get lease: leases.coordination.k8s.io "{meta.get("name", "")}" not found\n')
    else:
        lease_spec = _spec(lease)
        page.write(0, "Lease:\n")
        page.write(1, f"HolderIdentity:\t{_or_unset(lease_spec.get('holderIdentity'))}\n")
        for title, field in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
            page.write(1, f"{title}:\t{format_date(lease_spec[field]) if lease_spec.get(field) else '<unset>'}\n")
    conditions = status.get("conditions") or []
    if conditions:
        page.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        page.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{format_date(c.get('lastHeartbeatTime'))} \t"
                          f"{format_date(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    page.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        page.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for title, field in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if status.get(field):
            page.write(0, f"{title}:\n")
            for key in sorted(status[field]):
                page.write(1, f"{key}:\t{status[field][key]}\n")
    info = status.get("nodeInfo") or {}
    page.write(0, "System Info:\n")
    for title, field in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                         ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                         ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                         ("Container Runtime Version", "containerRuntimeVersion"), ("Kubelet Version", "kubeletVersion")):
        page.write(1, f"{title}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        page.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        page.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        page.write(0, f"ProviderID:\t{spec['providerID']}\n")
    pods = [p for p in cluster.store.peek_all("", "Pod") if _spec(p).get("nodeName") == meta.get("name")
            and _status(p).get("phase") not in ("Succeeded", "Failed")]
    pods.sort(key=lambda p: (_meta(p).get("namespace", ""), _meta(p).get("name", "")))
    _describe_node_resources(page, node, pods, cluster.clock.now)
    describe_events(page, _events_for(cluster, node, also_named=True), cluster.clock.now)


def _describe_namespace(cluster: Cluster, ns: Obj, page: _Page) -> None:
    meta, status = _meta(ns), _status(ns)
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    _labels_annotations(page, ns)
    page.write(0, f"Status:\t{status.get('phase', '')}\n")
    conditions = status.get("conditions") or []
    if conditions:
        page.write(0, "Conditions:\n")
        page.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        page.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{format_date(c.get('lastTransitionTime'))}\t"
                          f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    name = meta.get("name", "")
    quotas = sorted(cluster.store.peek_all("", "ResourceQuota", name), key=lambda q: _meta(q).get("name", ""))
    page.write(0, "\n")
    if not quotas:
        page.write(0, "No resource quota.\n")
    else:
        page.write(0, "Resource Quotas\n")
        for quota in quotas:
            page.write(1, f"Name:\t{_meta(quota).get('name', '')}\n")
            page.write(1, "Resource\tUsed\tHard\n")
            page.write(1, "--------\t---\t---\n")
            hard, used = _status(quota).get("hard") or {}, _status(quota).get("used") or {}
            for resource in sorted(hard):
                page.write(1, f"{resource}\t{used.get(resource, '0')}\t{hard[resource]}\n")
    page.write(0, "\n")
    if not any(True for _ in cluster.store.peek_all("", "LimitRange", name)):
        page.write(0, "No LimitRange resource.\n")
    else:
        page.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
        page.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
        for limit_range in cluster.store.peek_all("", "LimitRange", name):
            for item in _spec(limit_range).get("limits") or []:
                fields = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
                for resource in sorted({r for f in fields for r in item.get(f) or {}}):
                    values = "\t".join(str((item.get(f) or {}).get(resource, "-")) for f in fields)
                    page.write(0, f" {item.get('type', '')}\t{resource}\t{values}\n")


def _describe_config_map(cluster: Cluster, cm: Obj, page: _Page) -> None:
    _name_namespace(page, cm)
    _labels_annotations(page, cm)
    page.write(0, "\nData\n====\n")
    for key in sorted(cm.get("data") or {}):
        page.write(0, f"{key}:\n----\n")
        page.write(0, f"{cm['data'][key]}\n")
        page.write(0, "\n")
    page.write(0, "\nBinaryData\n====\n")
    for key in sorted(cm.get("binaryData") or {}):
        page.write(0, f"{key}: {len(base64.b64decode(cm['binaryData'][key] or ''))} bytes\n")
    page.write(0, "\n")
    describe_events(page, _events_for(cluster, cm), cluster.clock.now)


def _describe_secret(cluster: Cluster, secret: Obj, page: _Page) -> None:
    """Sizes only, except a service-account token, which kubectl shows."""
    _name_namespace(page, secret)
    _labels_annotations(page, secret)
    page.write(0, f"\nType:\t{secret.get('type', '')}\n")
    page.write(0, "\nData\n====\n")
    for key in sorted(secret.get("data") or {}):
        value = base64.b64decode(secret["data"][key] or "")
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            page.write(0, f"{key}:\t{value.decode('utf-8', 'replace')}\n")
        else:
            page.write(0, f"{key}:\t{len(value)} bytes\n")


def _describe_service_account(cluster: Cluster, sa: Obj, page: _Page) -> None:
    _name_namespace(page, sa)
    _labels_annotations(page, sa)
    secrets = [s.get("name", "") for s in sa.get("imagePullSecrets") or []]
    if not secrets:
        page.write(0, "Image pull secrets:\t<none>\n")
    for i, name in enumerate(secrets):
        page.write(0, f"{'Image pull secrets:' if i == 0 else ' ' * 19}\t{name}\n")
    describe_events(page, _events_for(cluster, sa), cluster.clock.now)


def _describe_priority_class(cluster: Cluster, pc: Obj, page: _Page) -> None:
    meta = _meta(pc)
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    page.write(0, f"Value:\t{pc.get('value', 0)}\n")
    page.write(0, f"GlobalDefault:\t{_go_bool(pc.get('globalDefault'))}\n")
    page.write(0, f"PreemptionPolicy:\t{pc.get('preemptionPolicy', '')}\n")
    page.write(0, f"Description:\t{pc.get('description', '')}\n")
    page.write(0, f"Annotations:\t{format_labels(meta.get('annotations'))}\n")
    describe_events(page, _events_for(cluster, pc), cluster.clock.now)


# --- rbac, network policies, disruption budgets, certificate requests --------------------------


def _policy_rule_sort_key(rule: Obj) -> str:
    """The generated ``PolicyRule.String()`` kubectl sorts compacted rules by (verbs first)."""
    return (f"&PolicyRule{{Verbs:{_go_list(rule.get('verbs'))},APIGroups:{_go_list(rule.get('apiGroups'))},"
            f"Resources:{_go_list(rule.get('resources'))},ResourceNames:{_go_list(rule.get('resourceNames'))},"
            f"NonResourceURLs:{_go_list(rule.get('nonResourceURLs'))},}}")


def _compact_rules(rules: Iterable[Obj]) -> list[dict[str, list[str]]]:
    """``BreakdownRule`` every rule to one group, resource, verb and name, then ``CompactRules``
    (rules on the same group, resource and name merge their verbs), sorted stably by
    ``PolicyRule.String()``."""
    pieces: list[dict[str, list[str]]] = []
    for rule in rules:
        verbs, names = list(rule.get("verbs") or []), list(rule.get("resourceNames") or [])
        for group in rule.get("apiGroups") or []:
            for resource in rule.get("resources") or []:
                for verb in verbs:
                    for name in names or [None]:
                        piece = {"verbs": [verb], "apiGroups": [group], "resources": [resource]}
                        if name is not None:
                            piece["resourceNames"] = [name]
                        pieces.append(piece)
        for url in rule.get("nonResourceURLs") or []:
            pieces.extend({"verbs": [verb], "nonResourceURLs": [url]} for verb in verbs)
    compacted: list[dict[str, list[str]]] = []
    simple: dict[tuple[str, str, str | None], dict[str, list[str]]] = {}
    for piece in pieces:
        if "nonResourceURLs" in piece:
            compacted.append(piece)
            continue
        resource_name = piece.get("resourceNames")
        key = (piece["apiGroups"][0], piece["resources"][0], resource_name[0] if resource_name else None)
        if key in simple:
            simple[key]["verbs"].extend(piece["verbs"])
        else:
            simple[key] = {k: list(v) for k, v in piece.items()}
    # Upstream appends the merged rules in map order; the stable sort below orders all but
    # rules whose String() is equal, which are then identical rows anyway.
    compacted.extend(simple.values())
    return sorted(compacted, key=_policy_rule_sort_key)


def _combine_resource_group(resources: list[str], groups: list[str]) -> str:
    """``CombineResourceGroup``: ``deployments.apps``, ``pods/log``, ``deployments.apps/scale``."""
    if not resources:
        return ""
    resource, _, subresource = resources[0].partition("/")
    if groups and groups[0]:
        resource += "." + groups[0]
    return resource + ("/" + subresource if subresource else "")


def _describe_role(cluster: Cluster, role: Obj, page: _Page) -> None:
    """Role and ClusterRole: the rules broken down and compacted as kubectl shows them."""
    page.write(0, f"Name:\t{_meta(role).get('name', '')}\n")
    _labels_annotations(page, role)
    page.write(0, "PolicyRule:\n")
    page.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    page.write(1, "---------\t-----------------\t--------------\t-----\n")
    for rule in _compact_rules(role.get("rules") or []):
        page.write(1, f"{_combine_resource_group(rule.get('resources') or [], rule.get('apiGroups') or [])}\t"
                      f"{_go_list(rule.get('nonResourceURLs'))}\t{_go_list(rule.get('resourceNames'))}\t"
                      f"{_go_list(rule.get('verbs'))}\n")


def _describe_role_binding(cluster: Cluster, binding: Obj, page: _Page) -> None:
    """RoleBinding and ClusterRoleBinding: the role referred to and the subjects."""
    ref = binding.get("roleRef") or {}
    page.write(0, f"Name:\t{_meta(binding).get('name', '')}\n")
    _labels_annotations(page, binding)
    page.write(0, "Role:\n")
    page.write(1, f"Kind:\t{ref.get('kind', '')}\n")
    page.write(1, f"Name:\t{ref.get('name', '')}\n")
    page.write(0, "Subjects:\n")
    page.write(1, "Kind\tName\tNamespace\n")
    page.write(1, "----\t----\t---------\n")
    for subject in binding.get("subjects") or []:
        page.write(1, f"{subject.get('kind', '')}\t{subject.get('name', '')}\t{subject.get('namespace', '')}\n")


def _go_time_string(timestamp: str | None) -> str:
    """``time.Time.String()`` of a decoded ``metav1.Time`` (kubectl's local zone, UTC here):
    ``2026-01-01 00:00:05 +0000 UTC``."""
    if not timestamp:
        return "0001-01-01 00:00:00 +0000 UTC"
    return datetime.fromtimestamp(parse_time(timestamp), tz=UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def _network_policy_peers(page: _Page, rules: list[Obj], direction: str) -> None:
    """``printNetworkPolicySpecIngressFrom``/``…EgressTo``: per rule its ports and peers,
    rules separated by a dashed line."""
    indent = "    "
    peers_field, peer_title = ("from", "From") if direction == "ingress" else ("to", "To")
    if not rules:
        page.write(0, f"{indent}<none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    for i, rule in enumerate(rules):
        ports = rule.get("ports") or []
        if not ports:
            page.write(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for port in ports:
            number = port.get("port")
            shown = "<nil>" if number is None else str(number)
            protocol = port.get("protocol") or "TCP"
            if port.get("endPort") is not None:
                page.write(0, f"{indent}To Port Range: {shown}-{port['endPort']}/{protocol}\n")
            else:
                page.write(0, f"{indent}To Port: {shown}/{protocol}\n")
        peers = rule.get(peers_field) or []
        if not peers:
            unrestricted = "source" if direction == "ingress" else "destination"
            page.write(0, f"{indent}{peer_title}: <any> (traffic not restricted by {unrestricted})\n")
        for peer in peers:
            page.write(0, f"{indent}{peer_title}:\n")
            if peer.get("namespaceSelector") is not None:
                page.write(1, f"{indent}NamespaceSelector: {format_label_selector(peer['namespaceSelector'])}\n")
            if peer.get("podSelector") is not None:
                page.write(1, f"{indent}PodSelector: {format_label_selector(peer['podSelector'])}\n")
            if peer.get("podSelector") is None and peer.get("namespaceSelector") is None and peer.get("ipBlock"):
                block = peer["ipBlock"]
                page.write(1, f"{indent}IPBlock:\n")
                page.write(2, f"{indent}CIDR: {block.get('cidr', '')}\n")
                page.write(2, f"{indent}Except: {', '.join(block.get('except') or [])}\n")
        if i != len(rules) - 1:
            page.write(0, f"{indent}----------\n")


def _describe_network_policy(cluster: Cluster, policy: Obj, page: _Page) -> None:
    meta, spec = _meta(policy), _spec(policy)
    _name_namespace(page, policy)
    page.write(0, f"Created on:\t{_go_time_string(meta.get('creationTimestamp'))}\n")
    _labels_annotations(page, policy)
    page.write(0, "Spec:\n")
    # kubectl writes the selector one indent level deeper than its title, on the same line.
    selector = spec.get("podSelector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        page.raw("  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        page.raw(f"  PodSelector:     {format_label_selector(selector)}\n")
    types = spec.get("policyTypes") or []
    for direction, rules_field, title in (("ingress", "ingress", "Ingress"), ("egress", "egress", "Egress")):
        if title in types:
            page.write(1, f"Allowing {direction} traffic:\n")
            _network_policy_peers(page, spec.get(rules_field) or [], direction)
        else:
            page.write(1, f"Not affecting {direction} traffic\n")
    page.write(1, f"Policy Types: {', '.join(types)}\n")


def _describe_pod_disruption_budget(cluster: Cluster, pdb: Obj, page: _Page) -> None:
    spec, status = _spec(pdb), _status(pdb)
    _name_namespace(page, pdb)
    if spec.get("minAvailable") is not None:
        page.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        page.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    selector = spec.get("selector")
    page.write(0, f"Selector:\t{format_label_selector(selector) if selector is not None else '<unset>'}\n")
    page.write(0, "Status:\n")
    page.write(2, f"Allowed disruptions:\t{status.get('disruptionsAllowed', 0)}\n")
    page.write(2, f"Current:\t{status.get('currentHealthy', 0)}\n")
    page.write(2, f"Desired:\t{status.get('desiredHealthy', 0)}\n")
    page.write(2, f"Total:\t{status.get('expectedPods', 0)}\n")
    describe_events(page, _events_for(cluster, pdb), cluster.clock.now)


def _csr_subject_lines(page: _Page, title: str, values: Sequence[str]) -> None:
    """``printListHelper``: the first value after the title, the rest on their own lines."""
    for i, value in enumerate(values):
        page.write(0, (f"\t{title}:\t" if i == 0 else "\t\t") + f"{value}\n")


def _describe_certificate_signing_request(cluster: Cluster, csr: Obj, page: _Page) -> None:
    """The request's metadata and the subject and alternative names decoded from its PEM; an
    undecodable request fails as kubectl's does."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from helmlite.cluster.errors import BadRequestError
    from helmlite.cluster.printers.builtin import certificate_signing_request_condition

    meta, spec = _meta(csr), _spec(csr)
    try:
        request = x509.load_pem_x509_csr(base64.b64decode(spec.get("request") or ""))
    except ValueError as error:
        raise BadRequestError(f"failed to parse csr: {error}") from error
    subject = request.subject

    def names(oid: x509.ObjectIdentifier) -> list[str]:
        return [str(attribute.value) for attribute in subject.get_attributes_for_oid(oid)]

    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    page.write(0, f"Labels:\t{format_labels(meta.get('labels'))}\n")
    page.write(0, f"Annotations:\t{format_labels(meta.get('annotations'))}\n")
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    page.write(0, f"Requesting User:\t{spec.get('username', '')}\n")
    if spec.get("signerName"):
        page.write(0, f"Signer:\t{spec['signerName']}\n")
    if spec.get("expirationSeconds") is not None:
        page.write(0, f"Requested Duration:\t{human_duration(int(spec['expirationSeconds']))}\n")
    page.write(0, f"Status:\t{certificate_signing_request_condition(csr)}\n")
    page.write(0, "Subject:\n")
    page.write(0, f"\tCommon Name:\t{(names(NameOID.COMMON_NAME) or [''])[0]}\n")
    page.write(0, f"\tSerial Number:\t{(names(NameOID.SERIAL_NUMBER) or [''])[0]}\n")
    for title, oid in (("Organization", NameOID.ORGANIZATION_NAME),
                       ("Organizational Unit", NameOID.ORGANIZATIONAL_UNIT_NAME), ("Country", NameOID.COUNTRY_NAME),
                       ("Locality", NameOID.LOCALITY_NAME), ("Province", NameOID.STATE_OR_PROVINCE_NAME),
                       ("StreetAddress", NameOID.STREET_ADDRESS), ("PostalCode", NameOID.POSTAL_CODE)):
        _csr_subject_lines(page, title, names(oid))
    try:
        alternative = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        alternative = None
    if alternative is not None and len(alternative):
        page.write(0, "Subject Alternative Names:\n")
        _csr_subject_lines(page, "DNS Names", alternative.get_values_for_type(x509.DNSName))
        _csr_subject_lines(page, "Email Addresses", alternative.get_values_for_type(x509.RFC822Name))
        _csr_subject_lines(page, "URIs", alternative.get_values_for_type(x509.UniformResourceIdentifier))
        _csr_subject_lines(page, "IP Addresses", [str(ip) for ip in alternative.get_values_for_type(x509.IPAddress)])
    describe_events(page, _events_for(cluster, csr), cluster.clock.now)


# --- anything else ---------------------------------------------------------------------------


def _smart_label(field: str) -> str:
    """kubectl's ``smartLabelFor``: ``creationTimestamp`` → ``Creation Timestamp``,
    ``apiVersion`` → ``API Version``; a field with characters other than letters and ``-``
    stays as it is."""
    if any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|-+", field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if (i + 1 < len(parts) and len(part) >= 2 and part.isupper() and parts[i + 1][:1].isupper()):
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    words = []
    for part in merged:
        if part.upper() in ("API", "URL", "UID", "GUID"):
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        words.append(part)
    return " ".join(words)


_GENERIC_SKIP = (".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
                 ".metadata.annotations")


def _go_scalar(value: Any) -> str:
    """``%v`` of a decoded JSON scalar."""
    if isinstance(value, bool):
        return _go_bool(value)
    if value is None:
        return "<nil>"
    return str(value)


def _unstructured(page: _Page, level: int, content: Mapping[str, Any], prefix: str) -> None:
    """``printUnstructuredContent``: fields sorted, maps and lists nested one level deeper."""
    for field in sorted(content):
        value, path = content[field], f"{prefix}.{field}"
        if path in _GENERIC_SKIP:
            continue
        if isinstance(value, Mapping):
            page.write(level, f"{_smart_label(field)}:\n")
            _unstructured(page, level + 1, value, path)
        elif isinstance(value, list):
            page.write(level, f"{_smart_label(field)}:\n")
            for child in value:
                if isinstance(child, Mapping):
                    _unstructured(page, level + 1, child, path)
                else:
                    page.write(level + 1, f"{_go_scalar(child)}\n")
        else:
            page.write(level, f"{_smart_label(field)}:\t{_go_scalar(value)}\n")


def _describe_generic(cluster: Cluster, obj: Obj, page: _Page) -> None:
    """kubectl's generic describer: metadata, then every other field as an indented tree."""
    _name_namespace(page, obj)
    _labels_annotations(page, obj)
    _unstructured(page, 0, obj, "")
    describe_events(page, _events_for(cluster, obj), cluster.clock.now)


_DESCRIBERS: dict[tuple[str, str], Callable[[Cluster, Obj, _Page], None]] = {
    ("", "Pod"): _describe_pod,
    ("apps", "Deployment"): _describe_deployment,
    ("apps", "ReplicaSet"): _describe_replica_set,
    ("apps", "StatefulSet"): _describe_stateful_set,
    ("apps", "DaemonSet"): _describe_daemon_set,
    ("batch", "Job"): _describe_job,
    ("batch", "CronJob"): _describe_cron_job,
    ("autoscaling", "HorizontalPodAutoscaler"): _describe_hpa,
    ("", "Service"): _describe_service,
    ("", "Endpoints"): _describe_endpoints,
    ("discovery.k8s.io", "EndpointSlice"): _describe_endpoint_slice,
    ("networking.k8s.io", "Ingress"): _describe_ingress,
    ("", "PersistentVolume"): _describe_pv,
    ("", "PersistentVolumeClaim"): _describe_pvc,
    ("storage.k8s.io", "StorageClass"): _describe_storage_class,
    ("", "Node"): _describe_node,
    ("", "Namespace"): _describe_namespace,
    ("", "ConfigMap"): _describe_config_map,
    ("", "Secret"): _describe_secret,
    ("", "ServiceAccount"): _describe_service_account,
    ("scheduling.k8s.io", "PriorityClass"): _describe_priority_class,
    ("rbac.authorization.k8s.io", "Role"): _describe_role,
    ("rbac.authorization.k8s.io", "ClusterRole"): _describe_role,
    ("rbac.authorization.k8s.io", "RoleBinding"): _describe_role_binding,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _describe_role_binding,
    ("networking.k8s.io", "NetworkPolicy"): _describe_network_policy,
    ("policy", "PodDisruptionBudget"): _describe_pod_disruption_budget,
    ("certificates.k8s.io", "CertificateSigningRequest"): _describe_certificate_signing_request,
}


def describe(cluster: Cluster, kind: Kind, obj: Obj, *, show_events: bool = True) -> str:
    """What ``kubectl describe`` prints for ``obj`` (a stored object of ``kind``); kubectl
    shows events only for an object asked for by its exact name (``show_events``)."""
    page = _Page(show_events=show_events)
    _DESCRIBERS.get(kind.group_kind, _describe_generic)(cluster, obj, page)
    return page.text()
