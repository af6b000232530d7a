"""``kubectl describe`` for the simulated cluster (``k8s.io/kubectl/pkg/describe``).

Each describer writes lines through a prefix writer (two spaces per level, tab-separated
fields) and the page is aligned with Go's tabwriter (minwidth 0, padding 2), as kubectl's
``tabbedString`` does. Times print as kubectl prints them (RFC 1123 with a numeric zone, UTC),
ages with ``HumanDuration``; the ``Events:`` section lists the object's events oldest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import parse_time
from helmlite.cluster.printers.builtin import (
    access_modes,
    format_label_selector,
    format_labels,
    hpa_targets,
    node_roles,
    service_external_ip,
)
from helmlite.cluster.printers.duration import since
from helmlite.cluster.printers.tabwriter import DESCRIBE_SETTINGS, tabwrite
from helmlite.cluster.rollout import describe_pod_template

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.kinds import Kind

__all__ = ["describe", "describe_events", "format_date"]

Obj = Mapping[str, Any]
# kubectl cuts annotation values in describe at this length.
_MAX_ANNOTATION_LEN = 140
_SKIP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def format_date(timestamp: str | None) -> str:
    """``Time.Format(time.RFC1123Z)``: ``Thu, 01 Jan 2026 00:00:05 +0000``."""
    if not timestamp:
        return "<unset>"
    return datetime.fromtimestamp(parse_time(timestamp), tz=UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


class _Page:
    """kubectl's PrefixWriter: ``write(level, text)`` with two spaces of indent per level."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, level: int, text: str) -> None:
        self.lines.append("  " * level + text)

    def labels(self, level: int, title: str, values: Mapping[str, str] | None, *, annotations: bool = False) -> None:
        """``printLabelsMultiline`` / ``printAnnotationsMultiline``: one ``k=v`` per line."""
        values = {k: v for k, v in (values or {}).items() if not (annotations and k in _SKIP_ANNOTATIONS)}
        if not values:
            self.write(level, f"{title}:\t<none>\n")
            return
        for i, key in enumerate(sorted(values)):
            if annotations:
                value = str(values[key])
                text = f"{key}: {value[:_MAX_ANNOTATION_LEN] + '...' if len(value) > _MAX_ANNOTATION_LEN else value}"
            else:
                text = f"{key}={values[key]}"
            self.write(level, (f"{title}:\t" if i == 0 else "\t") + text + "\n")

    def text(self) -> str:
        return tabwrite("".join(self.lines), DESCRIBE_SETTINGS)


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _header(page: _Page, obj: Obj, *, namespaced: bool = True) -> None:
    meta = _meta(obj)
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    if namespaced:
        page.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")


def describe_events(page: _Page, events: list[Obj], now: float) -> None:
    """The ``Events:`` section (``DescribeEvents``)."""
    if not events:
        page.write(0, "Events:\t<none>\n")
        return
    page.write(0, "Events:\n")
    page.write(1, "Type\tReason\tAge\tFrom\tMessage\n")
    page.write(1, "----\t------\t----\t----\t-------\n")
    for event in events:
        first = since(event.get("firstTimestamp") or event.get("eventTime"), now)
        count = event.get("count") or 0
        age = f"{since(event.get('lastTimestamp'), now)} (x{count} over {first})" if count > 1 else first
        source = event.get("source") or {}
        origin = source.get("component") or event.get("reportingController") or event.get("reportingComponent") or ""
        if source.get("host"):
            origin = f"{origin}, {source['host']}" if origin else source["host"]
        page.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{age}\t{origin}\t"
                      f"{str(event.get('message', '')).strip()}\n")


def _events_for(cluster: Cluster, obj: Obj) -> list[Obj]:
    meta = _meta(obj)
    namespace = meta.get("namespace") or "default"
    uid = meta.get("uid")
    events = [e for e in cluster.store.peek_all("", "Event", namespace)
              if (e.get("involvedObject") or {}).get("uid") == uid]
    # kubectl sorts by first timestamp (SortableEvents), stably.
    return sorted(events, key=lambda e: (e.get("firstTimestamp") or "", e["metadata"].get("name", "")))


def _controlled_by(page: _Page, obj: Obj) -> None:
    owner = next((r for r in _meta(obj).get("ownerReferences") or [] if r.get("controller")), None)
    if owner is not None:
        page.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")


def _append_template(page: _Page, template: Obj) -> None:
    for line in describe_pod_template(template).splitlines(keepends=True):
        page.lines.append(line)


def _replicas_status(pods: list[Obj]) -> str:
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        phase = (pod.get("status") or {}).get("phase")
        if phase in counts:
            counts[phase] += 1
    return (f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / "
            f"{counts['Failed']} Failed")


def _owned_pods(cluster: Cluster, obj: Obj) -> list[Obj]:
    uid = _meta(obj).get("uid", "")
    return [child for kind, child in cluster.store.children_of(uid) if kind.group_kind == ("", "Pod")]


def _conditions_table(page: _Page, obj: Obj, *, with_reason: bool) -> None:
    conditions = (obj.get("status") or {}).get("conditions") or []
    if not conditions:
        return
    page.write(0, "Conditions:\n")
    if with_reason:
        page.write(1, "Type\tStatus\tReason\n")
        page.write(1, "----\t------\t------\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")
    else:
        page.write(1, "Type\tStatus\n")
        for c in conditions:
            page.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \n")


# --- describers ------------------------------------------------------------------------------


def _describe_deployment(cluster: Cluster, d: Obj, page: _Page) -> None:
    meta, spec, status = _meta(d), d.get("spec") or {}, d.get("status") or {}
    _header(page, d)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    replicas = spec.get("replicas", 0)
    unavailable = status.get("unavailableReplicas", 0)
    page.write(0, f"Replicas:\t{replicas} desired | {status.get('updatedReplicas', 0)} updated | "
                  f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
                  f"{unavailable} unavailable\n")
    strategy = spec.get("strategy") or {}
    page.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    page.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        page.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable')} max unavailable, "
                      f"{rolling.get('maxSurge')} max surge\n")
    _append_template(page, spec.get("template") or {})
    _conditions_table(page, d, with_reason=True)
    uid = meta.get("uid", "")
    sets = [rs for kind, rs in cluster.store.children_of(uid) if kind.group_kind == ("apps", "ReplicaSet")]
    template = spec.get("template") or {}
    new, old = None, []
    from helmlite.cluster.controllers.deployment import equal_ignore_hash

    for rs in sets:
        if new is None and equal_ignore_hash((rs.get("spec") or {}).get("template") or {}, template):
            new = rs
        elif ((rs.get("spec") or {}).get("replicas") or 0) > 0:
            old.append(rs)

    def rs_text(rs: Obj) -> str:
        return (f"{_meta(rs).get('name', '')} ({(rs.get('status') or {}).get('replicas', 0)}/"
                f"{(rs.get('spec') or {}).get('replicas', 0)} replicas created)")

    page.write(0, f"OldReplicaSets:\t{', '.join(rs_text(rs) for rs in old) or '<none>'}\n")
    page.write(0, f"NewReplicaSet:\t{rs_text(new) if new is not None else '<none>'}\n")
    describe_events(page, _events_for(cluster, d), cluster.clock.now)


def _describe_replicated(cluster: Cluster, obj: Obj, page: _Page) -> None:
    """ReplicaSet, StatefulSet, DaemonSet: selector, replica counts, pod status, template."""
    meta, spec, status = _meta(obj), obj.get("spec") or {}, obj.get("status") or {}
    kind = obj.get("kind")
    _header(page, obj)
    if kind == "StatefulSet":
        page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    page.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    if kind == "DaemonSet":
        page.write(0, f"Node-Selector:\t{format_labels(((spec.get('template') or {}).get('spec') or {}).get('nodeSelector'))}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    if kind != "StatefulSet":
        _controlled_by(page, obj)
    pods = _owned_pods(cluster, obj)
    if kind == "DaemonSet":
        page.write(0, f"Desired Number of Nodes Scheduled: {status.get('desiredNumberScheduled', 0)}\n")
        page.write(0, f"Current Number of Nodes Scheduled: {status.get('currentNumberScheduled', 0)}\n")
        page.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.get('updatedNumberScheduled', 0)}\n")
        page.write(0, f"Number of Nodes Scheduled with Available Pods: {status.get('numberAvailable', 0)}\n")
        page.write(0, f"Number of Nodes Misscheduled: {status.get('numberMisscheduled', 0)}\n")
        page.write(0, f"Pods Status:\t{_replicas_status(pods)}\n")
    elif kind == "StatefulSet":
        page.write(0, f"Replicas:\t{spec.get('replicas', 0)} desired | {status.get('replicas', 0)} total\n")
        page.write(0, f"Update Strategy:\t{(spec.get('updateStrategy') or {}).get('type', '')}\n")
        partition = ((spec.get("updateStrategy") or {}).get("rollingUpdate") or {}).get("partition")
        if partition is not None:
            page.write(1, f"Partition:\t{partition}\n")
        page.write(0, f"Pods Status:\t{_replicas_status(pods)}\n")
    else:
        page.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 0)} desired\n")
        page.write(0, f"Pods Status:\t{_replicas_status(pods)}\n")
    _append_template(page, spec.get("template") or {})
    if kind == "ReplicaSet":
        _conditions_table(page, obj, with_reason=True)
    describe_events(page, _events_for(cluster, obj), cluster.clock.now)


def _container_state(page: _Page, level: int, title: str, state: Obj) -> None:
    if "running" in state:
        page.write(level, f"{title}:\tRunning\n")
        page.write(level + 1, f"Started:\t{format_date(state['running'].get('startedAt'))}\n")
    elif "waiting" in state:
        page.write(level, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            page.write(level + 1, f"Reason:\t{state['waiting']['reason']}\n")
    elif "terminated" in state:
        t = state["terminated"]
        page.write(level, f"{title}:\tTerminated\n")
        if t.get("reason"):
            page.write(level + 1, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            page.write(level + 1, f"Message:\t{t['message']}\n")
        page.write(level + 1, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        page.write(level + 1, f"Started:\t{format_date(t.get('startedAt'))}\n")
        page.write(level + 1, f"Finished:\t{format_date(t.get('finishedAt'))}\n")
    else:
        page.write(level, f"{title}:\tWaiting\n")


def _describe_containers(page: _Page, title: str, containers: list[Obj], statuses: list[Obj]) -> None:
    by_name = {s.get("name"): s for s in statuses}
    page.write(0, f"{title}:\n")
    for c in containers:
        s = by_name.get(c.get("name"), {})
        page.write(1, f"{c.get('name', '')}:\n")
        if s.get("containerID"):
            page.write(2, f"Container ID:\t{s['containerID']}\n")
        page.write(2, f"Image:\t{c.get('image', '')}\n")
        page.write(2, f"Image ID:\t{s.get('imageID', '')}\n")
        ports = c.get("ports") or []
        port_text = ", ".join(f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}" for p in ports)
        host_text = ", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
        page.write(2, f"{'Ports' if len(ports) > 1 else 'Port'}:\t{port_text or '<none>'}\n")
        page.write(2, f"{'Host Ports' if len(ports) > 1 else 'Host Port'}:\t{host_text or '<none>'}\n")
        for field, heading in (("command", "Command"), ("args", "Args")):
            if c.get(field):
                page.write(2, f"{heading}:\n")
                for part in c[field]:
                    page.write(3, f"{part}\n")
        _container_state(page, 2, "State", s.get("state") or {})
        if s.get("lastState"):
            _container_state(page, 2, "Last State", s["lastState"])
        page.write(2, f"Ready:\t{'True' if s.get('ready') else 'False'}\n")
        page.write(2, f"Restart Count:\t{s.get('restartCount', 0)}\n")
        resources = c.get("resources") or {}
        for section in ("limits", "requests"):
            if resources.get(section):
                page.write(2, f"{section.capitalize()}:\n")
                for key in sorted(resources[section]):
                    page.write(3, f"{key}:\t{resources[section][key]}\n")
        env = c.get("env") or []
        page.write(2, "Environment:" + ("\t<none>\n" if not env else "\n"))
        for e in env:
            page.write(3, f"{e.get('name', '')}:\t{e.get('value', '')}\n")
        mounts = c.get("volumeMounts") or []
        page.write(2, "Mounts:" + ("\t<none>\n" if not mounts else "\n"))
        for m in sorted(mounts, key=lambda m: m.get("mountPath", "")):
            page.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({'ro' if m.get('readOnly') else 'rw'})\n")


def _describe_pod(cluster: Cluster, pod: Obj, page: _Page) -> None:
    meta, spec, status = _meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    _header(page, pod)
    page.write(0, f"Priority:\t{spec.get('priority', 0)}\n")
    if spec.get("priorityClassName"):
        page.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    page.write(0, f"Service Account:\t{spec.get('serviceAccountName', '')}\n")
    node = spec.get("nodeName")
    page.write(0, f"Node:\t{node + '/' + status.get('hostIP', '') if node else '<none>'}\n")
    if status.get("startTime"):
        page.write(0, f"Start Time:\t{format_date(status['startTime'])}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    if meta.get("deletionTimestamp"):
        page.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], cluster.clock.now)})\n")
        page.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        page.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        page.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        page.write(0, f"Message:\t{status['message']}\n")
    page.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    page.write(0, "IPs:" + ("\t<none>\n" if not ips else "\n"))
    for ip in ips:
        page.write(1, f"IP:\t{ip.get('ip', '')}\n")
    _controlled_by(page, pod)
    if spec.get("initContainers"):
        _describe_containers(page, "Init Containers", spec["initContainers"], status.get("initContainerStatuses") or [])
    _describe_containers(page, "Containers", spec.get("containers") or [], status.get("containerStatuses") or [])
    _conditions_table(page, pod, with_reason=False)
    volumes = spec.get("volumes") or []
    page.write(0, "Volumes:" + ("\t<none>\n" if not volumes else "\n"))
    for v in volumes:
        page.write(1, f"{v.get('name', '')}:\n")
        source = next((k for k in v if k != "name"), "")
        if source == "projected":
            page.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
            for src in (v["projected"].get("sources") or []):
                if "serviceAccountToken" in src:
                    page.write(2, f"TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds', 3607)}\n")
                elif "configMap" in src:
                    page.write(2, f"ConfigMapName:\t{src['configMap'].get('name', '')}\n")
                    page.write(2, f"Optional:\t{'true' if src['configMap'].get('optional') else 'false'}\n")
                elif "downwardAPI" in src:
                    page.write(2, "DownwardAPI:\ttrue\n")
        else:
            page.write(2, f"Type:\t{source[:1].upper() + source[1:]}\n")
    page.write(0, f"QoS Class:\t{status.get('qosClass', '')}\n")
    page.labels(0, "Node-Selectors", spec.get("nodeSelector"))
    tolerations = spec.get("tolerations") or []
    texts = []
    for t in tolerations:
        text = t.get("key", "")
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and t.get("value") is None:
            text += " op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        texts.append(text)
    page.write(0, "Tolerations:\t" + ("<none>\n" if not texts else texts[0] + "\n"))
    for text in texts[1:]:
        page.write(0, f"\t{text}\n")
    describe_events(page, _events_for(cluster, pod), cluster.clock.now)


def _describe_service(cluster: Cluster, svc: Obj, page: _Page) -> None:
    meta, spec = _meta(svc), svc.get("spec") or {}
    _header(page, svc)
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    page.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    page.write(0, f"IP Family Policy:\t{spec.get('ipFamilyPolicy', 'SingleStack')}\n")
    page.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or ['IPv4'])}\n")
    page.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    page.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or [spec.get('clusterIP', '')])}\n")
    if spec.get("type") == "LoadBalancer":
        page.write(0, f"LoadBalancer Ingress:\t{service_external_ip(svc)}\n")
    endpoints = cluster.store.peek("", "Endpoints", meta.get("namespace", ""), meta.get("name", "")) or {}
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        page.write(0, f"Port:\t{name}\t{port.get('port')}/{port.get('protocol', 'TCP')}\n")
        target = port.get("targetPort", port.get("port"))
        page.write(0, f"TargetPort:\t{target}/{port.get('protocol', 'TCP')}\n")
        if port.get("nodePort"):
            page.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{port.get('protocol', 'TCP')}\n")
        addresses = []
        for subset in endpoints.get("subsets") or []:
            for ep_port in subset.get("ports") or []:
                if ep_port.get("name", "") == port.get("name", ""):
                    addresses += [f"{a.get('ip')}:{ep_port.get('port')}" for a in subset.get("addresses") or []]
        page.write(0, f"Endpoints:\t{','.join(addresses)}\n")
    page.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        page.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    page.write(0, f"Internal Traffic Policy:\t{spec.get('internalTrafficPolicy', 'Cluster')}\n")
    describe_events(page, _events_for(cluster, svc), cluster.clock.now)


def _describe_node(cluster: Cluster, node: Obj, page: _Page) -> None:
    meta, spec, status = _meta(node), node.get("spec") or {}, node.get("status") or {}
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    page.write(0, f"Roles:\t{node_roles(node)}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    taints = [f"{t.get('key', '')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect', '')}"
              for t in spec.get("taints") or []]
    page.write(0, "Taints:\t" + ("<none>\n" if not taints else taints[0] + "\n"))
    for taint in taints[1:]:
        page.write(0, f"\t{taint}\n")
    page.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    page.write(0, "Conditions:\n")
    page.write(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
    page.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
    for c in status.get("conditions") or []:
        page.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{format_date(c.get('lastHeartbeatTime'))} \t"
                      f"{format_date(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    page.write(0, "Addresses:\n")
    for a in status.get("addresses") or []:
        page.write(1, f"{a.get('type', '')}:\t{a.get('address', '')}\n")
    for title, field in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        page.write(0, f"{title}:\n")
        for key in sorted(status.get(field) or {}):
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
        page.write(0, f"PodCIDRs:\t{','.join(spec.get('podCIDRs') or [spec['podCIDR']])}\n")
    if spec.get("providerID"):
        page.write(0, f"ProviderID:\t{spec['providerID']}\n")
    pods = [p for p in cluster.store.peek_all("", "Pod") if (p.get("spec") or {}).get("nodeName") == meta.get("name")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    page.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    page.write(1, "Namespace\tName\tAge\n")
    page.write(1, "---------\t----\t---\n")
    for p in sorted(pods, key=lambda p: (_meta(p).get("namespace", ""), _meta(p).get("name", ""))):
        page.write(1, f"{_meta(p).get('namespace', '')}\t{_meta(p).get('name', '')}\t"
                      f"{since(_meta(p).get('creationTimestamp'), cluster.clock.now)}\n")
    describe_events(page, _events_for(cluster, node), cluster.clock.now)


def _describe_job(cluster: Cluster, job: Obj, page: _Page) -> None:
    meta, spec, status = _meta(job), job.get("spec") or {}, job.get("status") or {}
    _header(page, job)
    page.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    _controlled_by(page, job)
    page.write(0, f"Parallelism:\t{spec.get('parallelism', 1)}\n")
    page.write(0, f"Completions:\t{spec.get('completions', '<unset>')}\n")
    page.write(0, f"Completion Mode:\t{spec.get('completionMode', 'NonIndexed')}\n")
    page.write(0, f"Suspend:\t{'true' if spec.get('suspend') else 'false'}\n")
    page.write(0, f"Backoff Limit:\t{spec.get('backoffLimit', 6)}\n")
    if status.get("startTime"):
        page.write(0, f"Start Time:\t{format_date(status['startTime'])}\n")
    if status.get("completionTime"):
        page.write(0, f"Completed At:\t{format_date(status['completionTime'])}\n")
    page.write(0, f"Pods Statuses:\t{status.get('active', 0)} Active ({status.get('ready', 0)} Ready) / "
                  f"{status.get('succeeded', 0)} Succeeded / {status.get('failed', 0)} Failed\n")
    _append_template(page, spec.get("template") or {})
    describe_events(page, _events_for(cluster, job), cluster.clock.now)


def _describe_cron_job(cluster: Cluster, cj: Obj, page: _Page) -> None:
    meta, spec, status = _meta(cj), cj.get("spec") or {}, cj.get("status") or {}
    _header(page, cj)
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    page.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', 'Allow')}\n")
    page.write(0, f"Suspend:\t{'True' if spec.get('suspend') else 'False'}\n")
    page.write(0, f"Successful Job History Limit:\t{spec.get('successfulJobsHistoryLimit', 3)}\n")
    page.write(0, f"Failed Job History Limit:\t{spec.get('failedJobsHistoryLimit', 1)}\n")
    page.write(0, f"Starting Deadline Seconds:\t{spec.get('startingDeadlineSeconds', '<unset>')}\n")
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    page.write(0, f"Selector:\t{format_label_selector(job_spec.get('selector'))}\n")
    page.write(0, f"Parallelism:\t{job_spec.get('parallelism', '<unset>')}\n")
    page.write(0, f"Completions:\t{job_spec.get('completions', '<unset>')}\n")
    _append_template(page, job_spec.get("template") or {})
    last = status.get("lastScheduleTime")
    page.write(0, f"Last Schedule Time:\t{format_date(last) if last else '<unset>'}\n")
    active = [ref.get("name", "") for ref in status.get("active") or []]
    page.write(0, f"Active Jobs:\t{', '.join(active) or '<none>'}\n")
    describe_events(page, _events_for(cluster, cj), cluster.clock.now)


def _describe_hpa(cluster: Cluster, hpa: Obj, page: _Page) -> None:
    meta, spec, status = _meta(hpa), hpa.get("spec") or {}, hpa.get("status") or {}
    _header(page, hpa)
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"CreationTimestamp:\t{format_date(meta.get('creationTimestamp'))}\n")
    ref = spec.get("scaleTargetRef") or {}
    page.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    page.write(0, "Metrics:\t( current / target )\n")
    for target in hpa_targets(hpa).split(", "):
        if target != "<none>":
            name, _, values = target.partition(": ")
            label = f"resource {name} on pods  (as a percentage of request)" if values.endswith("%") else name
            page.write(1, f"{label}:\t{values or name}\n")
    page.write(0, f"Min replicas:\t{spec.get('minReplicas', 1)}\n")
    page.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
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


def _describe_pvc(cluster: Cluster, pvc: Obj, page: _Page) -> None:
    meta, spec, status = _meta(pvc), pvc.get("spec") or {}, pvc.get("status") or {}
    _header(page, pvc)
    page.write(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
    phase = "Terminating" if meta.get("deletionTimestamp") else status.get("phase", "")
    page.write(0, f"Status:\t{phase}\n")
    page.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"Finalizers:\t[{' '.join(meta.get('finalizers') or [])}]\n")
    page.write(0, f"Capacity:\t{(status.get('capacity') or {}).get('storage', '')}\n")
    page.write(0, f"Access Modes:\t{access_modes(status.get('accessModes'))}\n")
    page.write(0, f"VolumeMode:\t{spec.get('volumeMode', 'Filesystem')}\n")
    users = [_meta(p).get("name", "") for p in cluster.store.peek_all("", "Pod", meta.get("namespace"))
             if any((v.get("persistentVolumeClaim") or {}).get("claimName") == meta.get("name")
                    for v in (p.get("spec") or {}).get("volumes") or [])]
    page.write(0, f"Used By:\t{min(users) if users else '<none>'}\n")
    for user in sorted(users)[1:]:
        page.write(0, f"\t{user}\n")
    describe_events(page, _events_for(cluster, pvc), cluster.clock.now)


def _describe_namespace(cluster: Cluster, ns: Obj, page: _Page) -> None:
    meta = _meta(ns)
    page.write(0, f"Name:\t{meta.get('name', '')}\n")
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"Status:\t{(ns.get('status') or {}).get('phase', '')}\n")
    page.write(0, "\nNo resource quota.\n")
    page.write(0, "\nNo LimitRange resource.\n")


def _describe_data(cluster: Cluster, obj: Obj, page: _Page) -> None:
    """ConfigMap (values shown) and Secret (sizes only), as kubectl prints them."""
    meta = _meta(obj)
    _header(page, obj)
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    if obj.get("kind") == "Secret":
        import base64

        page.write(0, f"\nType:\t{obj.get('type', '')}\n")
        page.write(0, "\nData\n====\n")
        for key in sorted(obj.get("data") or {}):
            size = len(base64.b64decode(obj["data"][key] or ""))
            page.write(0, f"{key}:\t{size} bytes\n")
        return
    page.write(0, "\nData\n====\n")
    for key in sorted(obj.get("data") or {}):
        page.write(0, f"{key}:\n----\n{obj['data'][key]}\n\n")
    page.write(0, "\nBinaryData\n====\n")
    for key in sorted(obj.get("binaryData") or {}):
        page.write(0, f"{key}: {len(obj['binaryData'][key])} bytes\n")
    describe_events(page, _events_for(cluster, obj), cluster.clock.now)


def _describe_generic(cluster: Cluster, obj: Obj, page: _Page) -> None:
    """kubectl's generic describer: metadata, then the remaining fields as an indented tree."""
    meta = _meta(obj)
    _header(page, obj, namespaced=bool(meta.get("namespace")))
    page.labels(0, "Labels", meta.get("labels"))
    page.labels(0, "Annotations", meta.get("annotations"), annotations=True)
    page.write(0, f"API Version:\t{obj.get('apiVersion', '')}\n")
    page.write(0, f"Kind:\t{obj.get('kind', '')}\n")
    rest = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    rest["metadata"] = {k: v for k, v in meta.items()
                        if k not in ("name", "namespace", "labels", "annotations", "managedFields")}
    _tree(page, 0, rest)
    describe_events(page, _events_for(cluster, obj), cluster.clock.now)


def _tree(page: _Page, level: int, value: Mapping[str, Any]) -> None:
    for key in sorted(value):
        item = value[key]
        title = key[:1].upper() + key[1:]
        if isinstance(item, Mapping):
            page.write(level, f"{title}:\n")
            _tree(page, level + 1, item)
        elif isinstance(item, list):
            page.write(level, f"{title}:\n")
            for element in item:
                if isinstance(element, Mapping):
                    _tree(page, level + 1, element)
                else:
                    page.write(level + 1, f"{element}\n")
        else:
            page.write(level, f"{title}:\t{item}\n")


_DESCRIBERS: dict[tuple[str, str], Callable[[Cluster, Obj, _Page], None]] = {
    ("", "Pod"): _describe_pod,
    ("apps", "Deployment"): _describe_deployment,
    ("apps", "ReplicaSet"): _describe_replicated,
    ("apps", "StatefulSet"): _describe_replicated,
    ("apps", "DaemonSet"): _describe_replicated,
    ("batch", "Job"): _describe_job,
    ("batch", "CronJob"): _describe_cron_job,
    ("", "Service"): _describe_service,
    ("", "Node"): _describe_node,
    ("autoscaling", "HorizontalPodAutoscaler"): _describe_hpa,
    ("", "PersistentVolumeClaim"): _describe_pvc,
    ("", "Namespace"): _describe_namespace,
    ("", "ConfigMap"): _describe_data,
    ("", "Secret"): _describe_data,
}


def describe(cluster: Cluster, kind: Kind, obj: Obj) -> str:
    """What ``kubectl describe`` prints for ``obj`` (a stored object of ``kind``)."""
    page = _Page()
    _DESCRIBERS.get(kind.group_kind, _describe_generic)(cluster, obj, page)
    return page.text()

