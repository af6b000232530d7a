"""``helmlite cluster logs``: kubectl logs for the simulator's synthetic container logs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from helmlite.cli.cluster.common import namespace, open_cluster
from helmlite.cli.cluster.failures import error_line
from helmlite.cli.options import global_options

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = ["logs"]

# Kinds whose pods ``logs TYPE/NAME`` picks from (kubectl's AttachablePodForObject).
_POD_OWNERS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController", "Service"}
_PHASE_ORDER = {"Running": 0, "Unknown": 1, "Pending": 2}


@click.command(short_help="print the logs for a container in a pod")
@global_options
@click.argument("target", metavar="(POD | TYPE/NAME)")
@click.option("-c", "--container", default=None, help="the container (default: the pod's default container)")
@click.option("-p", "--previous", is_flag=True, help="the previous, terminated instance of the container")
@click.option("--tail", type=int, default=-1, show_default=True, help="only the last N lines (-1: all)")
@click.option("--timestamps", is_flag=True, help="prefix each line with the time the instance started (RFC 3339)")
def logs(target: str, container: str | None, previous: bool, tail: int, timestamps: bool) -> None:
    """Print a container's log. Nothing really runs in the simulator, so the log is what the
    container's lifecycle implies: when it started and exited, what a simulated program
    prints (echo, a container-exit fault's message), and its exit code.

    With TYPE/NAME (deploy/web, sts/db, job/pi) a pod of that workload is chosen as kubectl
    chooses it: running and ready pods first.

    \b
    Examples:
      helmlite cluster logs web-7d9c5b8f6-x2k4z
      helmlite cluster logs deploy/web -c nginx
      helmlite cluster logs job/pi --tail=5
      helmlite cluster logs web-0 --previous          # the crashed instance
    """
    from helmlite.cluster.controllers.kubelet.logs import (
        DEFAULT_CONTAINER_ANNOTATION,
        container_logs,
    )
    from helmlite.cluster.errors import ApiError, NotFoundError

    with open_cluster() as cluster:
        ns = namespace()
        try:
            pod = _pod_for(cluster, target, ns)
        except NotFoundError as exc:
            # kubectl wraps the lookup's failure in its own error, naming the namespace.
            raise click.ClickException(f"error from server (NotFound): {exc} in namespace \"{ns}\"") from None
        spec = pod.get("spec") or {}
        names = [c.get("name", "") for c in spec.get("containers") or []]
        all_names = [c.get("name", "") for key in ("initContainers", "containers", "ephemeralContainers")
                     for c in spec.get(key) or []]
        if container is not None and container not in all_names:
            # kubectl checks the container against the pod before asking the server.
            raise click.ClickException(f"container {container} is not valid for pod {pod['metadata']['name']} "
                                       f"out of: {', '.join(all_names)}")
        default = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
        if container is None and len(names) > 1 and default not in names:
            click.echo(f'Defaulted container "{names[0]}" out of: {", ".join(names)}', err=True)
        try:
            text = container_logs(cluster, ns, pod["metadata"]["name"], container, previous)
        except ApiError as exc:
            click.echo(error_line(exc), err=True)
            raise click.exceptions.Exit(1) from None
    lines = text.splitlines()
    if tail >= 0:
        lines = lines[len(lines) - tail:] if tail else []
    if timestamps:
        shown = container or (default if default in names else names[0] if names else "")
        started = _instance_start(pod, str(shown), previous)
        lines = [f"{started} {line}" for line in lines]
    click.echo("".join(f"{line}\n" for line in lines), nl=False)


def _pod_for(cluster: Cluster, target: str, ns: str) -> dict[str, Any]:
    """The pod ``target`` names: ``POD``, ``pod/POD``, or one pod of a workload."""
    if "/" not in target:
        return cluster.store.get("v1", "Pod", target, namespace=ns, copy=False)
    type_name, _, name = target.partition("/")
    kind = cluster.kinds.lookup_resource(type_name)
    if kind.kind == "Pod":
        return cluster.store.get("v1", "Pod", name, namespace=ns, copy=False)
    if kind.kind not in _POD_OWNERS:
        raise click.UsageError(f"cannot get the logs of a {kind.kind}: name a pod or a workload")
    from helmlite.cluster.selectors import LabelSelector

    owner = cluster.store.get(kind.storage_api_version, kind.kind, name, namespace=ns, copy=False)
    spec = owner.get("spec") or {}
    # A Service (and a ReplicationController) selects with a plain map, the others with a LabelSelector.
    plain = kind.kind in ("Service", "ReplicationController")
    selector = (LabelSelector.from_set(spec.get("selector") or {}) if plain
                else LabelSelector.from_label_selector(spec.get("selector")))
    pods = [p for p in cluster.store.list("v1", "Pod", namespace=ns, copy=False)
            if selector.matches(p["metadata"].get("labels") or {})] if not selector.empty else []
    if not pods:
        raise click.UsageError(f"no pods found for {target}")
    pods.sort(key=_logging_order)
    if len(pods) > 1:
        click.echo(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}", err=True)
    return pods[0]


def _logging_order(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    """kubectl's ``podutils.ByLogging``: assigned, running, ready (longest first), most
    restarts, oldest."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    ready: Mapping[str, Any] = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), {})
    is_ready = ready.get("status") == "True"
    restarts = max((c.get("restartCount", 0) for c in status.get("containerStatuses") or ()), default=0)
    return (not spec.get("nodeName"), _PHASE_ORDER.get(status.get("phase", ""), 3), not is_ready,
            ready.get("lastTransitionTime") or "~" if is_ready else "", -restarts,
            pod["metadata"].get("creationTimestamp") or "~")


def _instance_start(pod: Mapping[str, Any], container: str, previous: bool) -> str:
    """When the logged container instance started, as RFC 3339 with nanoseconds (kubelet's
    ``--timestamps`` format)."""
    status = pod.get("status") or {}
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in status.get(key) or ():
            if cs.get("name") != container:
                continue
            states = [cs.get("lastState") or {}] if previous else [cs.get("state") or {}, cs.get("lastState") or {}]
            for state in states:
                for detail in state.values():
                    if isinstance(detail, dict) and detail.get("startedAt"):
                        return str(detail["startedAt"]).replace("Z", ".000000000Z")
    return ""
