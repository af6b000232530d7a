"""PersistentVolume binding, dynamic provisioning, reclaiming and storage-object protection
(``pkg/controller/volume/persistentvolume``, ``…/pvcprotection``, ``…/pvprotection``, and an
external provisioner; seeds §2.14).

Claims (``pvc:<ns>/<name>`` keys):

* a claim that names a volume (``spec.volumeName``) binds to it; otherwise the smallest
  Available volume that fits is chosen — same storage class, a superset of the access modes
  (fewest modes first), enough capacity, same volume mode, matching ``spec.selector`` and, for
  a chosen node, the volume's node affinity;
* with nothing to bind, a claim of a StorageClass is provisioned: ``ExternalProvisioning`` from
  the PV controller, then ``Provisioning`` and ``ProvisioningSucceeded`` from the provisioner,
  and a volume ``pvc-<claim uid>`` pre-bound to the claim (capacity as requested, the class's
  ``reclaimPolicy``, a ``hostPath`` under ``VOLUME_ROOT`` for ``helmlite.io/hostpath`` — the
  provisioner of the bootstrap ``standard`` class — else a CSI source named after the
  provisioner). ``volumeBindingMode: WaitForFirstConsumer`` waits (``WaitForFirstConsumer``
  event) until the scheduler picked a node (``volume.kubernetes.io/selected-node``) or a pod
  using the claim is bound to one, and pins the volume to that node. A claim without a class
  stays Pending (``FailedBinding``); a missing class is a ``ProvisioningFailed`` warning; an
  unbound claim is looked at again every ``CLAIM_RESYNC_SECONDS``, as the binder's resync does;
* binding writes ``spec.claimRef`` on the volume and ``spec.volumeName``, the
  ``pv.kubernetes.io/bind-completed``/``bound-by-controller`` annotations and status
  ``Bound`` (with capacity and access modes) on the claim;
* a Bound claim whose volume disappeared becomes ``Lost`` (``ClaimLost``);
* claims carry ``kubernetes.io/pvc-protection``: a deleted claim stays until no running pod
  uses it.

Volumes (``pv:<name>`` keys): ``Pending`` → ``Available``; ``Bound`` while their claim exists;
``Released`` once it is gone, then reclaimed per ``persistentVolumeReclaimPolicy``: Retain
keeps it Released, Delete deletes it (a provisioned volume; a static one has no deleter and
turns ``Failed``), Recycle scrubs it back to Available. Volumes carry
``kubernetes.io/pv-protection``: a deleted volume stays until it is no longer Bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import split_key
from helmlite.cluster.errors import AlreadyExistsError, NotFoundError
from helmlite.cluster.quantity import parse_quantity
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "HOSTPATH_PROVISIONER",
    "PVC_PROTECTION_FINALIZER",
    "PV_PROTECTION_FINALIZER",
    "SELECTED_NODE_ANNOTATION",
    "VOLUME_ROOT",
    "PersistentVolumeController",
]

# The provisioner of the bootstrap ``standard`` StorageClass (bootstrap.py): host directories.
HOSTPATH_PROVISIONER = "helmlite.io/hostpath"
VOLUME_ROOT = "/var/lib/helmlite/volumes"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection"
PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection"
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"
BIND_COMPLETED_ANNOTATION = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER_ANNOTATION = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY_ANNOTATION = "pv.kubernetes.io/provisioned-by"
STORAGE_PROVISIONER_ANNOTATIONS = ("volume.beta.kubernetes.io/storage-provisioner",
                                   "volume.kubernetes.io/storage-provisioner")
BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
FIELD_MANAGER = "kube-controller-manager"
COMPONENT = "persistentvolume-controller"
# --pvclaimbinder-sync-period: an unbound claim is looked at again this often (so a volume
# created later is found, and the Pending events repeat as they do in a real cluster).
CLAIM_RESYNC_SECONDS = 15
_PV = ("", "PersistentVolume")
_PVC = ("", "PersistentVolumeClaim")
_POD = ("", "Pod")
_CLASS = ("storage.k8s.io", "StorageClass")


def _meta(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return (obj or {}).get("metadata") or {}


def _claim_class(claim: Mapping[str, Any]) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation wins over ``spec.storageClassName``."""
    annotations = _meta(claim).get("annotations") or {}
    if BETA_CLASS_ANNOTATION in annotations:
        return annotations[BETA_CLASS_ANNOTATION]
    return (claim.get("spec") or {}).get("storageClassName") or ""


def _volume_class(volume: Mapping[str, Any]) -> str:
    annotations = _meta(volume).get("annotations") or {}
    if BETA_CLASS_ANNOTATION in annotations:
        return annotations[BETA_CLASS_ANNOTATION]
    return (volume.get("spec") or {}).get("storageClassName") or ""


def _quantity(value: Any) -> Any:
    try:
        return parse_quantity(value) if value is not None else None
    except ValueError:
        return None


def _claims_of(pod: Mapping[str, Any]) -> list[str]:
    """The claim names a pod's volumes use."""
    spec = pod.get("spec") or {}
    return [str(v["persistentVolumeClaim"]["claimName"]) for v in spec.get("volumes") or []
            if (v.get("persistentVolumeClaim") or {}).get("claimName")]


def _node_affinity_matches(volume: Mapping[str, Any], node: Mapping[str, Any] | None) -> bool:
    """Whether a volume's required node affinity admits ``node`` (any term; all expressions)."""
    required = (((volume.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {})
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    if node is None:
        return False
    labels = _meta(node).get("labels") or {}
    for term in terms:
        ok = True
        for expr in term.get("matchExpressions") or []:
            key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
            value = labels.get(key)
            if op == "In":
                ok = value in values
            elif op == "NotIn":
                ok = value not in values
            elif op == "Exists":
                ok = key in labels
            elif op == "DoesNotExist":
                ok = key not in labels
            elif op in ("Gt", "Lt"):
                try:
                    ok = value is not None and (int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0]))
                except (ValueError, IndexError):
                    ok = False
            if not ok:
                break
        if ok:
            return True
    return False


def _claim_view(claim: Mapping[str, Any]) -> tuple[Any, ...]:
    meta = _meta(claim)
    return (claim.get("spec"), meta.get("annotations"), bool(meta.get("deletionTimestamp")))


class PersistentVolumeController:
    """Binds claims to volumes, provisions, reclaims and protects. Keys ``pvc:ns/name``, ``pv:name``."""

    name = COMPONENT
    watches = (_PV, _PVC, _POD, _CLASS)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Claims and volumes wake themselves and each other; pods wake the claims they use when
        they are scheduled or go away; a new StorageClass wakes its pending claims."""
        gk, obj = event.kind.group_kind, event.object
        meta = _meta(obj)
        if gk == _PVC:
            if event.type == "MODIFIED" and event.old is not None and _claim_view(obj) == _claim_view(event.old):
                return ()  # its status or finalizers: written by this controller, nothing to redo
            keys = [f"pvc:{meta.get('namespace', '')}/{meta.get('name', '')}"]
            volume = (obj.get("spec") or {}).get("volumeName")
            if volume:
                keys.append(f"pv:{volume}")
            return keys
        if gk == _PV:
            keys = [f"pv:{meta.get('name', '')}"]
            ref = (obj.get("spec") or {}).get("claimRef") or {}
            if ref.get("name"):
                keys.append(f"pvc:{ref.get('namespace', '')}/{ref['name']}")
            return keys
        if gk == _POD:
            claims = _claims_of(obj)
            if not claims:
                return ()
            old = event.old or {}
            relevant = event.type != "MODIFIED" or (
                (obj.get("spec") or {}).get("nodeName") != (old.get("spec") or {}).get("nodeName")
                or (obj.get("status") or {}).get("phase") != (old.get("status") or {}).get("phase")
                or bool(meta.get("deletionTimestamp")) != bool(_meta(old).get("deletionTimestamp")))
            return [f"pvc:{meta.get('namespace', '')}/{c}" for c in claims] if relevant else ()
        if event.type == "ADDED":
            # sorted: the claims sync in this order, and the store's order differs after a restore
            return sorted(f"pvc:{_meta(c).get('namespace', '')}/{_meta(c).get('name', '')}"
                          for c in cluster.store.peek_all("", "PersistentVolumeClaim")
                          if _claim_class(c) == meta.get("name") and (c.get("status") or {}).get("phase") == "Pending")
        return ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge one claim or one volume."""
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            namespace, name = split_key(rest)
            claim = cluster.store.peek("", "PersistentVolumeClaim", namespace, name)
            if claim is not None:
                _ClaimSync(self, cluster, claim).run()
        elif kind == "pv":
            volume = cluster.store.peek("", "PersistentVolume", "", rest)
            if volume is not None:
                _VolumeSync(self, cluster, volume).run()


# --- claims --------------------------------------------------------------------------------

class _ClaimSync:
    def __init__(self, controller: PersistentVolumeController, cluster: Cluster, claim: Mapping[str, Any]) -> None:
        self.controller = controller
        self.cluster = cluster
        self.claim = claim
        self.meta = _meta(claim)
        self.namespace = self.meta.get("namespace", "")
        self.name = self.meta.get("name", "")
        self.spec: Mapping[str, Any] = claim.get("spec") or {}

    def _event(self, event_type: str, reason: str, message: str, component: str = COMPONENT) -> None:
        self.cluster.events.record(self.claim, event_type, reason, message, component=component)

    def _patch(self, patch: Mapping[str, Any], subresource: str | None = None) -> Mapping[str, Any]:
        self.claim = self.cluster.store.patch("v1", "PersistentVolumeClaim", self.name, patch,
                                              namespace=self.namespace, field_manager=FIELD_MANAGER,
                                              subresource=subresource, copy=False)
        self.meta = _meta(self.claim)
        return self.claim

    def _in_use(self) -> bool:
        for pod in self.cluster.store.peek_all("", "Pod", self.namespace):
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            if self.name in _claims_of(pod):
                return True
        return False

    def run(self) -> None:
        finalizers = list(self.meta.get("finalizers") or [])
        if self.meta.get("deletionTimestamp"):
            if PVC_PROTECTION_FINALIZER in finalizers and not self._in_use():
                remaining = [f for f in finalizers if f != PVC_PROTECTION_FINALIZER]
                self._patch({"metadata": {"finalizers": remaining or None}})
            return
        if PVC_PROTECTION_FINALIZER not in finalizers:
            self._patch({"metadata": {"finalizers": [*finalizers, PVC_PROTECTION_FINALIZER]}})
        volume_name = self.spec.get("volumeName")
        if volume_name:
            self._sync_bound(volume_name)
        else:
            self._sync_unbound()

    def _set_phase(self, phase: str, volume: Mapping[str, Any] | None = None) -> None:
        status: dict[str, Any] = {"phase": phase}
        if volume is not None:
            vspec = volume.get("spec") or {}
            status["accessModes"] = list(vspec.get("accessModes") or [])
            status["capacity"] = dict(vspec.get("capacity") or {})
        elif phase == "Lost":
            status.update({k: v for k, v in (self.claim.get("status") or {}).items()
                           if k in ("accessModes", "capacity")})
        if status != (self.claim.get("status") or {}):
            self.claim = self.cluster.store.update_status(
                {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                 "metadata": {"name": self.name, "namespace": self.namespace}, "status": status},
                field_manager=FIELD_MANAGER, copy=False)

    def _sync_bound(self, volume_name: str) -> None:
        volume: Mapping[str, Any] | None = self.cluster.store.peek("", "PersistentVolume", "", volume_name)
        phase = (self.claim.get("status") or {}).get("phase")
        if volume is None:
            if phase in ("Bound", "Lost") or (_meta(self.claim).get("annotations") or {}).get(BIND_COMPLETED_ANNOTATION):
                if phase != "Lost":
                    self._set_phase("Lost")
                    self._event("Warning", "ClaimLost",
                                "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            else:
                self._event("Normal", "FailedBinding", f'volume "{volume_name}" not found')
            return
        ref = (volume.get("spec") or {}).get("claimRef") or {}
        if ref.get("name") and not self._is_ours(ref):
            self._event("Warning", "FailedBinding", f'volume "{volume_name}" already bound to a different claim.')
            return
        if not ref.get("uid"):
            mismatch = self._mismatch(volume)
            if mismatch:
                self._event("Warning", "VolumeMismatch", f'Cannot bind to requested volume "{volume_name}": {mismatch}')
                return
            volume = _bind_volume(self.cluster, volume, self.claim, by_controller=not ref.get("name"))
        self._complete_binding(volume, set_volume_name=False)

    def _mismatch(self, volume: Mapping[str, Any]) -> str | None:
        """``checkVolumeSatisfyClaim``: why a requested volume cannot serve this claim, or None."""
        vspec = volume.get("spec") or {}
        if not self._big_enough(volume):
            return "requested PV is too small"
        if _volume_class(volume) != _claim_class(self.claim):
            return "storageClassName does not match"
        if vspec.get("volumeMode", "Filesystem") != self.spec.get("volumeMode", "Filesystem"):
            return "incompatible volumeMode"
        if not set(self.spec.get("accessModes") or []) <= set(vspec.get("accessModes") or []):
            return "incompatible accessMode"
        return None

    def _is_ours(self, ref: Mapping[str, Any]) -> bool:
        return (ref.get("name") == self.name and ref.get("namespace", "") == self.namespace
                and (not ref.get("uid") or ref.get("uid") == self.meta.get("uid")))

    def _complete_binding(self, volume: Mapping[str, Any], *, set_volume_name: bool) -> None:
        annotations = dict(self.meta.get("annotations") or {})
        wanted = dict(annotations)
        wanted[BIND_COMPLETED_ANNOTATION] = "yes"
        if set_volume_name:
            wanted[BOUND_BY_CONTROLLER_ANNOTATION] = "yes"
        patch: dict[str, Any] = {}
        if wanted != annotations:
            patch["metadata"] = {"annotations": wanted}
        if set_volume_name:
            patch["spec"] = {"volumeName": volume["metadata"]["name"]}
        if patch:
            self._patch(patch)
        volume = _set_volume_phase(self.cluster, volume, "Bound")
        self._set_phase("Bound", volume)

    def _big_enough(self, volume: Mapping[str, Any]) -> bool:
        want = _quantity(((self.spec.get("resources") or {}).get("requests") or {}).get("storage"))
        have = _quantity(((volume.get("spec") or {}).get("capacity") or {}).get("storage"))
        return want is not None and have is not None and have >= want

    def _fits(self, volume: Mapping[str, Any], *, node: Mapping[str, Any] | None, delay: bool, prebound: bool) -> bool:
        """``findMatchingVolume``'s checks for one volume."""
        vspec = volume.get("spec") or {}
        if not self._big_enough(volume):
            return False
        if vspec.get("volumeMode", "Filesystem") != self.spec.get("volumeMode", "Filesystem"):
            return False
        if not set(self.spec.get("accessModes") or []) <= set(vspec.get("accessModes") or []):
            return False
        if node is not None and not _node_affinity_matches(volume, node):
            return False
        if prebound:
            return True
        if delay and node is None:
            return False
        if (volume.get("status") or {}).get("phase") != "Available" or _meta(volume).get("deletionTimestamp"):
            return False
        selector = self.spec.get("selector")
        if selector is not None and not LabelSelector.from_label_selector(selector).matches(_meta(volume).get("labels")):
            return False
        return _volume_class(volume) == _claim_class(self.claim)

    def _selected_node(self) -> Mapping[str, Any] | None:
        name = (self.meta.get("annotations") or {}).get(SELECTED_NODE_ANNOTATION)
        if not name:
            # the first user by name: the store's order differs after a restore
            name = min(((pod["metadata"]["name"], pod["spec"]["nodeName"])
                        for pod in self.cluster.store.peek_all("", "Pod", self.namespace)
                        if self.name in _claims_of(pod) and (pod.get("spec") or {}).get("nodeName")),
                       default=("", ""))[1]
        return self.cluster.store.peek("", "Node", "", name) if name else None

    def _best_match(self, node: Mapping[str, Any] | None, delay: bool) -> Mapping[str, Any] | None:
        """The pre-bound volume, else the smallest fitting one among the fewest access modes."""
        candidates: list[tuple[int, Any, str, Mapping[str, Any]]] = []
        for volume in self.cluster.store.peek_all("", "PersistentVolume"):
            ref = (volume.get("spec") or {}).get("claimRef") or {}
            if ref.get("name"):
                if self._is_ours(ref) and self._fits(volume, node=node, delay=delay, prebound=True):
                    return volume
                continue
            if self._fits(volume, node=node, delay=delay, prebound=False):
                vspec = volume.get("spec") or {}
                candidates.append((len(set(vspec.get("accessModes") or [])),
                                   _quantity((vspec.get("capacity") or {}).get("storage")),
                                   volume["metadata"]["name"], volume))
        if not candidates:
            return None
        return min(candidates, key=lambda c: c[:3])[3]

    def _sync_unbound(self) -> None:
        class_name = _claim_class(self.claim)
        storage_class = self.cluster.store.peek("storage.k8s.io", "StorageClass", "", class_name) if class_name else None
        delay = (storage_class or {}).get("volumeBindingMode") == "WaitForFirstConsumer"
        node = self._selected_node() if delay else None
        volume = self._best_match(node, delay)
        if volume is not None:
            ref = (volume.get("spec") or {}).get("claimRef") or {}
            if not ref.get("uid"):
                # Unbound (the controller binds it) or pre-bound by name (completed with our uid).
                volume = _bind_volume(self.cluster, volume, self.claim, by_controller=not ref.get("name"))
            self._complete_binding(volume, set_volume_name=True)
            return
        self._set_phase("Pending")
        self.cluster.enqueue_after(COMPONENT, f"pvc:{self.namespace}/{self.name}", CLAIM_RESYNC_SECONDS)
        if delay and node is None:
            self._event("Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
            return
        if not class_name:
            self._event("Normal", "FailedBinding", "no persistent volumes available for this claim and no storage "
                        "class is set")
            return
        if storage_class is None:
            self._event("Warning", "ProvisioningFailed", f'storageclass.storage.k8s.io "{class_name}" not found')
            return
        provisioner = storage_class.get("provisioner", "")
        if provisioner == NO_PROVISIONER:
            self._event("Normal", "WaitForPodScheduled" if delay else "FailedBinding",
                        "waiting for pod to be scheduled" if delay else
                        "no persistent volumes available for this claim and no storage class is set")
            return
        if self.spec.get("selector") is not None:
            self._event("Warning", "ProvisioningFailed", "Failed to provision volume with StorageClass "
                        f'"{class_name}": claim Selector is not supported')
            return
        self._provision(storage_class, provisioner, node)

    def _provision(self, storage_class: Mapping[str, Any], provisioner: str, node: Mapping[str, Any] | None) -> None:
        annotations = dict(self.meta.get("annotations") or {})
        if any(annotations.get(k) != provisioner for k in STORAGE_PROVISIONER_ANNOTATIONS):
            self._patch({"metadata": {"annotations": {k: provisioner for k in STORAGE_PROVISIONER_ANNOTATIONS}}})
        self._event("Normal", "ExternalProvisioning",
                    f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or "
                    "manually by the system administrator. If volume creation is delayed, please verify that the "
                    "provisioner is running and correctly registered.")
        self._event("Normal", "Provisioning",
                    f'External provisioner is provisioning volume for claim "{self.namespace}/{self.name}"',
                    component=provisioner)
        uid = self.meta.get("uid", "")
        name = f"pvc-{uid}"
        if provisioner == HOSTPATH_PROVISIONER:
            source: dict[str, Any] = {"hostPath": {"path": f"{VOLUME_ROOT}/{name}_{self.namespace}_{self.name}",
                                                   "type": "DirectoryOrCreate"}}
        else:
            source = {"csi": {"driver": provisioner, "volumeHandle": name, "fsType": "ext4"}}
        spec: dict[str, Any] = {
            "accessModes": list(self.spec.get("accessModes") or []),
            "capacity": {"storage": ((self.spec.get("resources") or {}).get("requests") or {}).get("storage")},
            "claimRef": _claim_ref(self.claim),
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy", "Delete"),
            "storageClassName": storage_class["metadata"]["name"],
            "volumeMode": self.spec.get("volumeMode", "Filesystem"),
            **source,
        }
        if storage_class.get("mountOptions"):
            spec["mountOptions"] = list(storage_class["mountOptions"])
        if node is not None and provisioner == HOSTPATH_PROVISIONER:
            spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node["metadata"]["name"]]}]}]}}
        try:
            self.cluster.store.create({
                "apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": name, "annotations": {PROVISIONED_BY_ANNOTATION: provisioner},
                             "finalizers": [PV_PROTECTION_FINALIZER]},
                "spec": spec,
            }, field_manager=provisioner, copy=False)
        except AlreadyExistsError:
            return
        self._event("Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}", component=provisioner)


def _claim_ref(claim: Mapping[str, Any]) -> dict[str, Any]:
    meta = _meta(claim)
    return {"kind": "PersistentVolumeClaim", "namespace": meta.get("namespace", ""), "name": meta.get("name", ""),
            "uid": meta.get("uid", ""), "apiVersion": "v1", "resourceVersion": meta.get("resourceVersion", "")}


def _bind_volume(cluster: Cluster, volume: Mapping[str, Any], claim: Mapping[str, Any], *,
                 by_controller: bool) -> Mapping[str, Any]:
    """``bindVolumeToClaim``: set the volume's claimRef (and say the controller did it)."""
    meta = _meta(volume)
    patch: dict[str, Any] = {"spec": {"claimRef": _claim_ref(claim)}}
    if by_controller:
        patch["metadata"] = {"annotations": {BOUND_BY_CONTROLLER_ANNOTATION: "yes"}}
    return cluster.store.patch("v1", "PersistentVolume", meta["name"], patch, field_manager=FIELD_MANAGER, copy=False)


def _set_volume_phase(cluster: Cluster, volume: Mapping[str, Any], phase: str, message: str | None = None) -> Mapping[str, Any]:
    status = dict(volume.get("status") or {})
    if status.get("phase") == phase and status.get("message") == message:
        return volume
    if status.get("phase") != phase:
        status["lastPhaseTransitionTime"] = cluster.clock.now_rfc3339()
    status["phase"] = phase
    if message:
        status["message"] = message
    else:
        status.pop("message", None)
    return cluster.store.update_status({"apiVersion": "v1", "kind": "PersistentVolume",
                                        "metadata": {"name": _meta(volume)["name"]}, "status": status},
                                       field_manager=FIELD_MANAGER, copy=False)


# --- volumes -------------------------------------------------------------------------------

class _VolumeSync:
    def __init__(self, controller: PersistentVolumeController, cluster: Cluster, volume: Mapping[str, Any]) -> None:
        self.controller = controller
        self.cluster = cluster
        self.volume = volume
        self.meta = _meta(volume)
        self.name = self.meta.get("name", "")

    def _patch(self, patch: Mapping[str, Any]) -> None:
        try:
            self.volume = self.cluster.store.patch("v1", "PersistentVolume", self.name, patch,
                                                   field_manager=FIELD_MANAGER, copy=False)
        except NotFoundError:
            self.volume = {}
        self.meta = _meta(self.volume)

    def run(self) -> None:
        finalizers = list(self.meta.get("finalizers") or [])
        phase = (self.volume.get("status") or {}).get("phase")
        if self.meta.get("deletionTimestamp"):
            if PV_PROTECTION_FINALIZER in finalizers and phase != "Bound":
                self._patch({"metadata": {"finalizers": [f for f in finalizers if f != PV_PROTECTION_FINALIZER] or None}})
            return
        if PV_PROTECTION_FINALIZER not in finalizers:
            self._patch({"metadata": {"finalizers": [*finalizers, PV_PROTECTION_FINALIZER]}})
        ref = (self.volume.get("spec") or {}).get("claimRef") or {}
        if not ref.get("name") or not ref.get("uid"):
            # Unbound, or pre-bound to a claim by name: available to that claim's sync.
            self.volume = _set_volume_phase(self.cluster, self.volume, "Available")
            return
        claim = self.cluster.store.peek("", "PersistentVolumeClaim", ref.get("namespace", ""), ref["name"])
        if claim is None or ref.get("uid") != _meta(claim).get("uid"):
            self._reclaim()
            return
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if volume_name == self.name:
            self.volume = _set_volume_phase(self.cluster, self.volume, "Bound")
        elif volume_name and (self.meta.get("annotations") or {}).get(BOUND_BY_CONTROLLER_ANNOTATION):
            # The claim went to another volume: undo our half of the binding.
            self._unbind()
        # With no volumeName the claim's own sync completes the binding.

    def _unbind(self) -> None:
        annotations = {k: v for k, v in (self.meta.get("annotations") or {}).items()
                       if k != BOUND_BY_CONTROLLER_ANNOTATION}
        self._patch({"spec": {"claimRef": None}, "metadata": {"annotations": annotations or None}})
        if self.volume:
            self.volume = _set_volume_phase(self.cluster, self.volume, "Available")

    def _event(self, event_type: str, reason: str, message: str) -> None:
        self.cluster.events.record(self.volume, event_type, reason, message, component=COMPONENT)

    def _reclaim(self) -> None:
        """The claim is gone: Released, then the reclaim policy."""
        phase = (self.volume.get("status") or {}).get("phase")
        if phase == "Failed":
            return
        self.volume = _set_volume_phase(self.cluster, self.volume, "Released")
        policy = (self.volume.get("spec") or {}).get("persistentVolumeReclaimPolicy", "Retain")
        if policy == "Retain":
            return
        if policy == "Recycle":
            self._event("Normal", "VolumeRecycled", "Volume recycled")
            self._unbind()
            return
        if policy == "Delete":
            if (self.meta.get("annotations") or {}).get(PROVISIONED_BY_ANNOTATION):
                try:
                    self.cluster.store.delete("v1", "PersistentVolume", self.name, copy=False)
                except NotFoundError:
                    pass
                return
            message = f'error getting deleter volume plugin for volume "{self.name}": no deletable volume plugin matched'
            self._event("Warning", "VolumeFailedDelete", message)
            self.volume = _set_volume_phase(self.cluster, self.volume, "Failed", message)
