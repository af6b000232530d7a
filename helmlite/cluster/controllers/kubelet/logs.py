"""Synthetic container logs: what ``kubectl logs`` shows for a simulated container.

Nothing really runs, so a container instance's log is derived from its status and spec: a
``[helmlite]`` line when it started, whatever its simulated program prints (``echo`` output,
``perl … bpi(N)``'s digits, a ``container-exit`` fault's message), and a line when it exited.
The instance chosen follows the kubelet's rules (``validateContainerLogStatus``): the running
container, else the last terminated one; ``previous`` asks for ``lastState``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.kubelet.podstatus import runs_to_completion
from helmlite.cluster.errors import BadRequestError
from helmlite.cluster.faults import fault_set
from helmlite.cluster.images import InvalidImageNameError, image_info, simulated_run

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = ["container_logs", "DEFAULT_CONTAINER_ANNOTATION"]

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def container_logs(cluster: Cluster, namespace: str, pod: str, container: str | None = None,
                   previous: bool = False) -> str:
    """The log of one container of a pod (``kubectl logs POD [-c CONTAINER] [--previous]``).

    ``container`` defaults as kubectl picks it: the ``kubectl.kubernetes.io/default-container``
    annotation, else the first container.

    Raises:
        NotFoundError: no such pod.
        BadRequestError: no such container, or no log to show, with the API's message
            (``container "app" in pod "web" is waiting to start: ContainerCreating``,
            ``previous terminated container "app" in pod "web" not found``).
    """
    obj = cluster.store.get("v1", "Pod", pod, namespace=namespace, copy=False)
    spec = obj.get("spec") or {}
    specs = {c["name"]: c for key in ("initContainers", "containers", "ephemeralContainers")
             for c in spec.get(key) or [] if isinstance(c, Mapping) and c.get("name")}
    if container is None:
        annotations = obj["metadata"].get("annotations") or {}
        default = annotations.get(DEFAULT_CONTAINER_ANNOTATION)
        containers = spec.get("containers") or []
        container = default if default in specs else (containers[0]["name"] if containers else "")
    if container not in specs:
        raise BadRequestError(f"container {container} is not valid for pod {pod}")
    status = obj.get("status") or {}
    cs: Mapping[str, Any] | None = None
    for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        for candidate in status.get(key) or []:
            if candidate.get("name") == container:
                cs = candidate
    state = (cs or {}).get("state") or {}
    last = ((cs or {}).get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            raise BadRequestError(f'previous terminated container "{container}" in pod "{pod}" not found')
        return _render(cluster, obj, specs[container], last, int((cs or {}).get("restartCount", 1)) - 1)
    if "running" in state:
        return _render(cluster, obj, specs[container], state["running"], int((cs or {}).get("restartCount", 0)),
                       running=True)
    if "terminated" in state:
        terminated = state["terminated"]
        if terminated.get("containerID"):
            return _render(cluster, obj, specs[container], terminated, int((cs or {}).get("restartCount", 0)))
        if last and last.get("containerID"):
            return _render(cluster, obj, specs[container], last, int((cs or {}).get("restartCount", 1)) - 1)
        raise BadRequestError(f'container "{container}" in pod "{pod}" is terminated')
    if last is not None:
        if not last.get("containerID"):
            raise BadRequestError(f'container "{container}" in pod "{pod}" is terminated')
        return _render(cluster, obj, specs[container], last, max(int((cs or {}).get("restartCount", 1)) - 1, 0))
    reason = (state.get("waiting") or {}).get("reason") or ("ContainerCreating" if not spec.get("initContainers")
                                                            else "PodInitializing")
    if reason == "ErrImagePull":
        raise BadRequestError(f'container "{container}" in pod "{pod}" is waiting to start: image can\'t be pulled')
    if reason == "ImagePullBackOff":
        raise BadRequestError(f'container "{container}" in pod "{pod}" is waiting to start: trying and failing to '
                              "pull image")
    raise BadRequestError(f'container "{container}" in pod "{pod}" is waiting to start: {reason}')


def _render(cluster: Cluster, pod: Mapping[str, Any], container: Mapping[str, Any], instance: Mapping[str, Any],
            run_index: int, *, running: bool = False) -> str:
    try:
        info = image_info(container.get("image", ""))
        image = info.ref.normalized
    except InvalidImageNameError:
        info, image = None, container.get("image", "")
    annotations = pod["metadata"].get("annotations") or {}
    spec = pod.get("spec") or {}
    # container names are unique across a pod's init, regular and ephemeral containers
    init = any(c.get("name") == container.get("name") for c in spec.get("initContainers") or [])
    run = simulated_run(container, info, annotations, runs_to_completion=runs_to_completion(spec, container, init=init))
    name = container["name"]
    lines = [f"[helmlite] {instance.get('startedAt', '')} started container {name} "
             f"(image {image}, run {run_index + 1})"]
    lines.extend(run.output)
    fault = fault_set(cluster).for_pod("container-exit", pod, name)
    if fault is not None and fault.get("message") and not running and instance.get("exitCode") == fault.get("exitCode"):
        lines.append(str(fault.get("message")))
    if not running:
        code = instance.get("exitCode", 0)
        reason = instance.get("reason", "")
        lines.append(f"[helmlite] {instance.get('finishedAt', '')} container {name} exited with code {code}"
                     + (f" ({reason})" if reason else ""))
    return "\n".join(lines) + "\n"
