"""What ``kubectl rollout``, ``kubectl set image`` and ``kubectl scale`` do, as functions.

These are client-side operations in kubectl (``pkg/polymorphichelpers``, ``pkg/cmd/rollout``,
``pkg/cmd/set``, ``pkg/cmd/scale``); here they read the simulated store and write to it the
way kubectl does — patches and scale-subresource updates under kubectl's field managers
(``kubectl-rollout``, ``kubectl-set``; ``kubectl`` for scale and undo, which name none) — so field
ownership looks as it would on a real cluster. Each action returns the line kubectl prints (``deployment.apps/web
rolled back``); refusals raise ``RolloutError`` with kubectl's message (printed after
``error:`` by kubectl).

Deployments keep their history in ReplicaSets (revision annotations); StatefulSets and
DaemonSets in ControllerRevisions, handled by ``helmlite.cluster.history``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time
from helmlite.cluster.controllers.base import controller_ref
from helmlite.cluster.controllers.deployment import (
    ANNOTATIONS_TO_SKIP,
    POD_TEMPLATE_HASH_LABEL,
    equal_ignore_hash,
    revision,
)
from helmlite.cluster.describe import describe_pod_template
from helmlite.cluster.errors import SimulatorError
from helmlite.cluster.store import copy_object

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = [
    "CHANGE_CAUSE_ANNOTATION",
    "RESTARTED_AT_ANNOTATION",
    "ROLLOUT_FIELD_MANAGER",
    "SCALE_FIELD_MANAGER",
    "SET_FIELD_MANAGER",
    "USER_AGENT_FIELD_MANAGER",
    "RolloutError",
    "RolloutRevision",
    "format_rollout_history",
    "pause",
    "resolve_workload",
    "restart",
    "resume",
    "rollout_history",
    "rollout_status",
    "rollout_undo",
    "scale",
    "set_image",
    "undo_warning",
    "watch_rollout_status",
]

CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
# kubectl's default --field-manager per command.
ROLLOUT_FIELD_MANAGER = "kubectl-rollout"
SET_FIELD_MANAGER = "kubectl-set"
# kubectl scale and rollout undo (v1.37) name no field manager: the API server records the
# name of the client's user agent instead.
USER_AGENT_FIELD_MANAGER = "kubectl"
SCALE_FIELD_MANAGER = USER_AGENT_FIELD_MANAGER


class RolloutError(SimulatorError):
    """kubectl refused a rollout operation; ``str(err)`` is its message without ``error:``."""


@dataclass(frozen=True)
class _Workload:
    group: str
    kind: str
    plural: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/v1" if self.group else "v1"

    @property
    def group_kind(self) -> str:
        """``Deployment.apps``: how kubectl names a GroupKind in messages."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def resource(self) -> str:
        """``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def name_of(self, name: str) -> str:
        """``deployment.apps/web``: kubectl's name printer."""
        return f"{self.kind.lower()}.{self.group}/{name}" if self.group else f"{self.kind.lower()}/{name}"


_WORKLOADS = {
    "Deployment": _Workload("apps", "Deployment", "deployments"),
    "ReplicaSet": _Workload("apps", "ReplicaSet", "replicasets"),
    "StatefulSet": _Workload("apps", "StatefulSet", "statefulsets"),
    "DaemonSet": _Workload("apps", "DaemonSet", "daemonsets"),
    "Pod": _Workload("", "Pod", "pods"),
    "ReplicationController": _Workload("", "ReplicationController", "replicationcontrollers"),
    "Job": _Workload("batch", "Job", "jobs"),
    "CronJob": _Workload("batch", "CronJob", "cronjobs"),
}
_ALIASES = {"deploy": "Deployment", "rs": "ReplicaSet", "sts": "StatefulSet", "ds": "DaemonSet", "po": "Pod",
            "rc": "ReplicationController", "cj": "CronJob"}


def resolve_workload(kind: str) -> _Workload:
    """A workload kind from how kubectl accepts it: ``deployment``, ``deploy``, ``deployments``,
    ``Deployment``, ``deployments.apps``, ``deployment.v1.apps``.

    Raises:
        RolloutError: ``the server doesn't have a resource type "x"``.
    """
    head = kind.split(".", 1)[0].lower()
    for canonical, workload in _WORKLOADS.items():
        if head in (canonical.lower(), workload.plural) or _ALIASES.get(head) == canonical:
            return workload
    raise RolloutError(f'the server doesn\'t have a resource type "{kind}"')


def _get(cluster: Cluster, workload: _Workload, namespace: str, name: str) -> dict[str, Any]:
    """The stored object (read-only). Raises NotFoundError like the API server."""
    return cluster.store.get(workload.api_version, workload.kind, name, namespace=namespace, copy=False)


# --- rollout status ---------------------------------------------------------------------------


def rollout_status(cluster: Cluster, kind: str, namespace: str, name: str, *,
                   revision_number: int = 0) -> tuple[bool, str]:
    """``kubectl rollout status`` once: (done, the line kubectl prints, without newline).

    Raises:
        NotFoundError: no such object.
        RolloutError: ``deployment "web" exceeded its progress deadline``, an unsupported
        kind (``no status viewer has been implemented for ReplicaSet.apps``), a strategy
        without rollouts, or a revision mismatch.
    """
    workload = resolve_workload(kind)
    viewer = _STATUS_VIEWERS.get(workload.kind)
    if viewer is None:
        raise RolloutError(f"no status viewer has been implemented for {workload.group_kind}")
    return viewer(_get(cluster, workload, namespace, name), revision_number)


def _deployment_status(d: Mapping[str, Any], revision_number: int) -> tuple[bool, str]:
    meta, spec, status = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    name = meta["name"]
    if revision_number > 0:
        current = revision(d)
        if current is None:
            raise RolloutError(f'cannot get the revision of deployment "{name}"')
        if current != revision_number:
            raise RolloutError(f"desired revision ({revision_number}) is different from the running revision ({current})")
    if meta.get("generation", 0) <= status.get("observedGeneration", 0):
        progressing = next((c for c in status.get("conditions") or () if c.get("type") == "Progressing"), None)
        if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
            raise RolloutError(f'deployment "{name}" exceeded its progress deadline')
        replicas = spec.get("replicas")
        updated = status.get("updatedReplicas", 0)
        if replicas is not None and updated < replicas:
            return False, (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} '
                           "new replicas have been updated...")
        if status.get("replicas", 0) > updated:
            return False, (f'Waiting for deployment "{name}" rollout to finish: {status.get("replicas", 0) - updated} '
                           "old replicas are pending termination...")
        available = status.get("availableReplicas", 0)
        if available < updated:
            return False, (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} '
                           "updated replicas are available...")
        return True, f'deployment "{name}" successfully rolled out'
    return False, "Waiting for deployment spec update to be observed..."


def _daemonset_status(ds: Mapping[str, Any], _revision: int) -> tuple[bool, str]:
    meta, spec, status = ds["metadata"], ds.get("spec") or {}, ds.get("status") or {}
    if ((spec.get("updateStrategy") or {}).get("type") or "RollingUpdate") != "RollingUpdate":
        raise RolloutError("rollout status is only available for RollingUpdate strategy type")
    name = meta["name"]
    if meta.get("generation", 0) <= status.get("observedGeneration", 0):
        desired = status.get("desiredNumberScheduled", 0)
        updated = status.get("updatedNumberScheduled", 0)
        if updated < desired:
            return False, (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} '
                           "new pods have been updated...")
        available = status.get("numberAvailable", 0)
        if available < desired:
            return False, (f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} '
                           "updated pods are available...")
        return True, f'daemon set "{name}" successfully rolled out'
    return False, "Waiting for daemon set spec update to be observed..."


def _statefulset_status(sts: Mapping[str, Any], _revision: int) -> tuple[bool, str]:
    meta, spec, status = sts["metadata"], sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if (strategy.get("type") or "RollingUpdate") != "RollingUpdate":
        raise RolloutError("rollout status is only available for RollingUpdate strategy type")
    if not status.get("observedGeneration") or meta.get("generation", 0) > status.get("observedGeneration", 0):
        return False, "Waiting for statefulset spec update to be observed..."
    replicas = spec.get("replicas")
    ready = status.get("readyReplicas", 0)
    if replicas is not None and ready < replicas:
        return False, f"Waiting for {replicas - ready} pods to be ready..."
    updated = status.get("updatedReplicas", 0)
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if replicas is not None and partition is not None and updated < replicas - partition:
            return False, (f"Waiting for partitioned roll out to finish: {updated} out of {replicas - partition} "
                           "new pods have been updated...")
        return True, f"partitioned roll out complete: {updated} new pods have been updated..."
    if status.get("updateRevision") != status.get("currentRevision"):
        return False, (f"waiting for statefulset rolling update to complete {updated} pods at revision "
                       f"{status.get('updateRevision')}...")
    return True, (f"statefulset rolling update complete {status.get('currentReplicas', 0)} pods at revision "
                  f"{status.get('currentRevision')}...")


_STATUS_VIEWERS: dict[str, Callable[[Mapping[str, Any], int], tuple[bool, str]]] = {
    "Deployment": _deployment_status,
    "DaemonSet": _daemonset_status,
    "StatefulSet": _statefulset_status,
}


def watch_rollout_status(cluster: Cluster, kind: str, namespace: str, name: str, *,
                         timeout: float) -> tuple[bool, list[str]]:
    """``kubectl rollout status`` (watching): fast-forward virtual time until the rollout is
    done or ``timeout`` virtual seconds pass; returns (done, the distinct lines printed).

    Raises:
        RolloutError: as ``rollout_status`` (e.g. the progress deadline was exceeded).
    """
    lines: list[str] = []
    failure: list[RolloutError] = []

    def check() -> bool:
        try:
            done, line = rollout_status(cluster, kind, namespace, name)
        except RolloutError as err:
            failure.append(err)
            return True
        if not lines or lines[-1] != line:
            lines.append(line)
        return done

    # kubectl prints the state it finds before anything else happens.
    if check():
        if failure:
            raise failure[0]
        return True, lines
    finished = cluster.run_until(check, timeout)
    if failure:
        raise failure[0]
    return finished, lines


# --- rollout history --------------------------------------------------------------------------


@dataclass(frozen=True)
class RolloutRevision:
    """One entry of ``kubectl rollout history``."""

    revision: int
    change_cause: str | None
    template: dict[str, Any] = field(compare=False, repr=False)


def _deployment_replica_sets(cluster: Cluster, d: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ReplicaSets ``d`` controls (kubectl's ``getDeploymentReplicaSets``)."""
    uid = d["metadata"]["uid"]
    return [rs for kind, rs in cluster.store.children_of(uid)
            if kind.group_kind == ("apps", "ReplicaSet") and (controller_ref(rs) or {}).get("uid") == uid]


def rollout_history(cluster: Cluster, kind: str, namespace: str, name: str) -> list[RolloutRevision]:
    """``kubectl rollout history``: the revisions, oldest first, with their change-cause
    (``kubernetes.io/change-cause``) and pod template.

    Raises:
        NotFoundError: no such object. RolloutError: a kind without history.
    """
    workload = resolve_workload(kind)
    obj = _get(cluster, workload, namespace, name)
    if workload.kind == "Deployment":
        history: dict[int, RolloutRevision] = {}
        for rs in _deployment_replica_sets(cluster, obj):
            number = revision(rs)
            if number is None:
                continue
            cause = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION) or None
            history[number] = RolloutRevision(number, cause, (rs.get("spec") or {}).get("template") or {})
        return [history[n] for n in sorted(history)]
    if workload.kind in ("StatefulSet", "DaemonSet"):
        from helmlite.cluster import history as controller_history

        return [RolloutRevision(int(r.get("revision", 0)),
                                (r["metadata"].get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION) or None,
                                controller_history.template_of(r))
                for r in controller_history.controlled_revisions(cluster, obj)]
    raise RolloutError(f'no history viewer has been implemented for "{workload.group_kind}"')


def format_rollout_history(kind: str, name: str, history: list[RolloutRevision], *, revision_number: int = 0) -> str:
    """What ``kubectl rollout history [--revision=N]`` prints, byte for byte.

    Raises:
        RolloutError: ``unable to find the specified revision``.
    """
    workload = resolve_workload(kind)
    if not history:
        body = "No rollout history found."
    elif revision_number > 0:
        entry = next((h for h in history if h.revision == revision_number), None)
        if entry is None:
            raise RolloutError("unable to find the specified revision")
        template = copy_object(entry.template)
        if entry.change_cause:
            template.setdefault("metadata", {}).setdefault("annotations", {})[CHANGE_CAUSE_ANNOTATION] = \
                entry.change_cause
        body = describe_pod_template(template)
    else:
        rows = [("REVISION", "CHANGE-CAUSE")] + [(str(h.revision), h.change_cause or "<none>") for h in history]
        width = max(len(r[0]) for r in rows) + 2
        body = "".join(f"{r[0].ljust(width)}{r[1]}\n" for r in rows)
    with_revision = f"with revision #{revision_number}" if revision_number > 0 else ""
    return f"{workload.name_of(name)} {with_revision}\n{body}\n"


# --- rollout undo -----------------------------------------------------------------------------


def rollout_undo(cluster: Cluster, kind: str, namespace: str, name: str, to_revision: int | None = None) -> str:
    """``kubectl rollout undo [--to-revision=N]``: restore a revision's pod template.

    A Deployment gets the ReplicaSet's template (without ``pod-template-hash``) and its
    annotations (kubectl's JSON patch replacing ``/spec/template`` and
    ``/metadata/annotations``); the controller then re-uses that ReplicaSet as a new
    revision. Returns ``deployment.apps/web rolled back`` or ``… skipped rollback (current
    template already matches revision N)``.

    Raises:
        NotFoundError: no such object. RolloutError: ``unable to find specified revision N in
        history``, ``no rollout history found for deployment "web"``, a paused Deployment,
        or a kind that cannot be rolled back.
    """
    workload = resolve_workload(kind)
    if to_revision is not None and to_revision < 0:
        raise RolloutError(f"unable to find specified revision {to_revision} in history")
    if workload.kind in ("StatefulSet", "DaemonSet"):
        from helmlite.cluster import history as controller_history

        return f"{workload.name_of(name)} {controller_history.undo(cluster, workload.kind, namespace, name, to_revision)}"
    if workload.kind != "Deployment":
        raise RolloutError(f'no rollbacker has been implemented for "{workload.group_kind}"')
    d = _get(cluster, workload, namespace, name)
    target = _deployment_revision(cluster, d, to_revision or 0)
    if (d.get("spec") or {}).get("paused"):
        raise RolloutError("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' "
                           "and try again")
    template = copy_object((target.get("spec") or {}).get("template") or {})
    if equal_ignore_hash(template, (d.get("spec") or {}).get("template")):
        return f"{workload.name_of(name)} skipped rollback (current template already matches revision {to_revision or 0})"
    labels = (template.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(POD_TEMPLATE_HASH_LABEL, None)
    annotations = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k in ANNOTATIONS_TO_SKIP}
    annotations.update({k: v for k, v in (target["metadata"].get("annotations") or {}).items()
                        if k not in ANNOTATIONS_TO_SKIP})
    restored = copy_object(d)
    restored.pop("status", None)
    restored["metadata"].pop("resourceVersion", None)  # a patch carries no precondition
    restored["spec"]["template"] = template
    if annotations:
        restored["metadata"]["annotations"] = annotations
    else:
        restored["metadata"].pop("annotations", None)
    cluster.store.replace(restored, field_manager=USER_AGENT_FIELD_MANAGER, copy=False)
    return f"{workload.name_of(name)} rolled back"


def undo_warning(cluster: Cluster, kind: str, namespace: str, name: str) -> str | None:
    """What kubectl's Deployment rollbacker warns about before an undo: a Deployment applied
    with ``helmlite cluster apply`` keeps its last-applied annotation, which the undo does not
    change (None when there is nothing to warn about, or no such Deployment yet)."""
    from helmlite.cluster.errors import NotFoundError

    workload = resolve_workload(kind)
    if workload.kind != "Deployment":
        return None
    try:
        annotations = _get(cluster, workload, namespace, name)["metadata"].get("annotations") or {}
    except NotFoundError:
        return None  # the undo itself reports it
    if LAST_APPLIED_ANNOTATION not in annotations:
        return None
    return (f"resource {workload.plural}/{name} was previously managed with 'helmlite cluster apply'. Rolling back "
            f"will not update the {LAST_APPLIED_ANNOTATION} annotation, which may cause unexpected behavior on "
            "future 'helmlite cluster apply' operations. Consider using 'helmlite cluster apply' with your previous "
            "configuration file instead.")


def _deployment_revision(cluster: Cluster, d: Mapping[str, Any], to_revision: int) -> dict[str, Any]:
    """kubectl's ``deploymentRevision``: the ReplicaSet of ``to_revision``, or of the previous
    revision (the second highest) when it is 0."""
    latest: tuple[int, dict[str, Any] | None] = (-1, None)
    previous: tuple[int, dict[str, Any] | None] = (-1, None)
    for rs in _deployment_replica_sets(cluster, d):
        number = revision(rs)
        if number is None:
            continue
        if to_revision == 0:
            if latest[0] < number:
                previous, latest = latest, (number, rs)
            elif previous[0] < number:
                previous = (number, rs)
        elif to_revision == number:
            return rs
    if to_revision > 0:
        raise RolloutError(f"unable to find specified revision {to_revision} in history")
    if previous[1] is None:
        raise RolloutError(f'no rollout history found for deployment "{d["metadata"]["name"]}"')
    return previous[1]


# --- pause, resume, restart -------------------------------------------------------------------


def _patch(cluster: Cluster, workload: _Workload, namespace: str, name: str, patch: dict[str, Any],
           manager: str) -> dict[str, Any]:
    return cluster.store.patch(workload.api_version, workload.kind, name, namespace=namespace, patch=patch,
                               field_manager=manager, copy=False)


def pause(cluster: Cluster, kind: str, namespace: str, name: str) -> str:
    """``kubectl rollout pause``: ``spec.paused: true``; returns ``deployment.apps/web paused``.

    Raises:
        NotFoundError. RolloutError: ``deployments.apps "web" is already paused``, or
        ``… pausing is not supported`` for other kinds.
    """
    workload = resolve_workload(kind)
    obj = _get(cluster, workload, namespace, name)
    if workload.kind != "Deployment":
        raise RolloutError(f'{workload.resource} "{name}" pausing is not supported')
    if (obj.get("spec") or {}).get("paused"):
        raise RolloutError(f'{workload.resource} "{name}" is already paused')
    _patch(cluster, workload, namespace, name, {"spec": {"paused": True}}, ROLLOUT_FIELD_MANAGER)
    return f"{workload.name_of(name)} paused"


def resume(cluster: Cluster, kind: str, namespace: str, name: str) -> str:
    """``kubectl rollout resume``: removes ``spec.paused``; returns ``deployment.apps/web resumed``.

    Raises:
        NotFoundError. RolloutError: ``deployments.apps "web" is not paused``, or
        ``… resuming is not supported`` for other kinds.
    """
    workload = resolve_workload(kind)
    obj = _get(cluster, workload, namespace, name)
    if workload.kind != "Deployment":
        raise RolloutError(f'{workload.resource} "{name}" resuming is not supported')
    if not (obj.get("spec") or {}).get("paused"):
        raise RolloutError(f'{workload.resource} "{name}" is not paused')
    # paused is omitempty: the strategic patch from true to false deletes the field.
    _patch(cluster, workload, namespace, name, {"spec": {"paused": None}}, ROLLOUT_FIELD_MANAGER)
    return f"{workload.name_of(name)} resumed"


def restart(cluster: Cluster, kind: str, namespace: str, name: str) -> str:
    """``kubectl rollout restart``: stamps ``kubectl.kubernetes.io/restartedAt`` (virtual now,
    RFC 3339) on the pod template, which rolls every pod; returns ``… restarted``.

    Raises:
        NotFoundError. RolloutError: a paused Deployment, or a kind that cannot restart.
    """
    workload = resolve_workload(kind)
    obj = _get(cluster, workload, namespace, name)
    if workload.kind not in ("Deployment", "StatefulSet", "DaemonSet"):
        raise RolloutError(f'{workload.resource} "{name}" restarting is not supported')
    if workload.kind == "Deployment" and (obj.get("spec") or {}).get("paused"):
        raise RolloutError(f'{workload.resource} "{name}" can\'t restart paused deployment (run rollout resume first)')
    stamp = format_time(cluster.clock.now)
    _patch(cluster, workload, namespace, name,
           {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: stamp}}}}},
           ROLLOUT_FIELD_MANAGER)
    return f"{workload.name_of(name)} restarted"


# --- set image, scale -------------------------------------------------------------------------


def _pod_spec_path(workload: _Workload) -> tuple[str, ...]:
    if workload.kind == "Pod":
        return ("spec",)
    if workload.kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    return ("spec", "template", "spec")


def set_image(cluster: Cluster, kind: str, namespace: str, name: str, images: Mapping[str, str], *,
              record: str | None = None) -> str | None:
    """``kubectl set image KIND/NAME container=image …`` (``*`` = every container).

    ``record`` is the command line ``--record`` would store as ``kubernetes.io/change-cause``.
    Returns ``deployment.apps/web image updated``, or None when nothing changed (kubectl then
    prints nothing).

    Raises:
        NotFoundError. RolloutError: ``unable to find container named "x"``.
    """
    workload = resolve_workload(kind)
    if not images:
        raise RolloutError("at least one image update is required")
    if "*" in images and len(images) > 1:
        raise RolloutError("all containers are already specified by *, but saw more than one "
                           "container_name=container_image pairs")
    obj = _get(cluster, workload, namespace, name)
    path = _pod_spec_path(workload)
    spec: Mapping[str, Any] = obj
    for step in path:
        spec = spec.get(step) or {}
    patched_spec: dict[str, Any] = {}
    for field_name in ("initContainers", "containers"):
        containers = [dict(c) for c in spec.get(field_name) or ()]
        for c in containers:
            image = images.get(str(c.get("name")), images.get("*"))
            if image is not None:
                c["image"] = image
        if containers != list(spec.get(field_name) or ()):
            patched_spec[field_name] = containers
    for container in images:
        names = {c.get("name") for f in ("initContainers", "containers") for c in spec.get(f) or ()}
        if container != "*" and container not in names:
            raise RolloutError(f'unable to find container named "{container}"')
    patch: dict[str, Any] = {}
    if patched_spec:
        node = patch
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = patched_spec
    if record is not None and (obj["metadata"].get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION) != record:
        patch["metadata"] = {"annotations": {CHANGE_CAUSE_ANNOTATION: record}}
    if not patch:
        return None
    _patch(cluster, workload, namespace, name, patch, SET_FIELD_MANAGER)
    return f"{workload.name_of(name)} image updated"


def scale(cluster: Cluster, kind: str, namespace: str, name: str, replicas: int, *,
          current_replicas: int | None = None) -> str:
    """``kubectl scale --replicas=N [--current-replicas=M]`` through the scale subresource;
    returns ``deployment.apps/web scaled``.

    Raises:
        NotFoundError (also for kinds without a scale subresource). RolloutError: a negative
        count, or ``Expected replicas to be M, was K``.
    """
    workload = resolve_workload(kind)
    if replicas < 0:
        raise RolloutError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    scale_obj = cluster.store.get_scale(workload.api_version, workload.kind, name, namespace=namespace)
    if current_replicas is not None and scale_obj["spec"]["replicas"] != current_replicas:
        raise RolloutError(f"Expected replicas to be {current_replicas}, was {scale_obj['spec']['replicas']}")
    cluster.store.update_scale(workload.api_version, workload.kind, name, replicas, namespace=namespace,
                               field_manager=SCALE_FIELD_MANAGER)
    return f"{workload.name_of(name)} scaled"
