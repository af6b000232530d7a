"""The kinds the simulated API server serves: built-in types plus those CRDs define.

A ``Kind`` holds what discovery advertises (group, versions, plural, singular, short names,
scope, categories) and the few behaviours the store needs to know about (status/scale
subresources, whether ``metadata.generation`` is tracked, the default deletion propagation).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from helmlite.cluster.errors import BadRequestError, NoKindMatchError, NotFoundError

__all__ = [
    "Kind",
    "KindRegistry",
    "BUILTIN_KINDS",
    "split_api_version",
    "crd_kind",
]


def split_api_version(api_version: str) -> tuple[str, str]:
    """``"apps/v1"`` → ``("apps", "v1")``; ``"v1"`` → ``("", "v1")``."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True)
class Kind:
    """One API kind as discovery describes it, and how the store must treat it."""

    group: str
    kind: str
    versions: tuple[str, ...]  # served versions, the storage version first
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status_subresource: bool = False
    scale_subresource: bool = False
    tracks_generation: bool = False
    # batch/v1 Job keeps the back-compat default of orphaning its pods (kubernetes-simulation §1.11).
    default_propagation: str = "Background"
    builtin: bool = True
    singular: str = field(default="")

    def __post_init__(self) -> None:
        if not self.singular:
            object.__setattr__(self, "singular", self.kind.lower())

    @property
    def storage_version(self) -> str:
        """The version objects are stored in."""
        return self.versions[0]

    @property
    def storage_api_version(self) -> str:
        """``apiVersion`` of stored objects (``apps/v1``, ``v1``)."""
        return self.api_version(self.storage_version)

    def api_version(self, version: str) -> str:
        """``group/version`` (just ``version`` for the core group)."""
        return f"{self.group}/{version}" if self.group else version

    @property
    def resource(self) -> str:
        """``deployments.apps`` / ``pods``: the name used in API error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def group_kind(self) -> tuple[str, str]:
        """The ``(group, kind)`` pair objects are keyed by."""
        return (self.group, self.kind)


def _k(group: str, kind: str, plural: str, namespaced: bool = True, **kw: Any) -> Kind:
    versions = kw.pop("versions", ("v1",))
    return Kind(group=group, kind=kind, versions=tuple(versions), plural=plural, namespaced=namespaced, **kw)


_ALL = ("all",)
# The kinds that extend the API server itself (``kubectl get api-extensions``).
_API_EXTENSIONS = ("api-extensions",)

BUILTIN_KINDS: tuple[Kind, ...] = (
    # core/v1
    _k("", "Namespace", "namespaces", False, short_names=("ns",), status_subresource=True),
    _k("", "Node", "nodes", False, short_names=("no",), status_subresource=True),
    _k("", "Pod", "pods", short_names=("po",), categories=_ALL, status_subresource=True, tracks_generation=True),
    _k("", "Service", "services", short_names=("svc",), categories=_ALL, status_subresource=True),
    _k("", "Endpoints", "endpoints", short_names=("ep",), singular="endpoints"),
    _k("", "ConfigMap", "configmaps", short_names=("cm",)),
    _k("", "Secret", "secrets"),
    _k("", "ServiceAccount", "serviceaccounts", short_names=("sa",)),
    _k("", "PersistentVolume", "persistentvolumes", False, short_names=("pv",), status_subresource=True),
    _k("", "PersistentVolumeClaim", "persistentvolumeclaims", short_names=("pvc",), status_subresource=True),
    _k("", "Event", "events", short_names=("ev",)),
    _k("", "LimitRange", "limitranges", short_names=("limits",)),
    _k("", "ResourceQuota", "resourcequotas", short_names=("quota",), status_subresource=True),
    # apps/v1
    _k("apps", "Deployment", "deployments", short_names=("deploy",), categories=_ALL,
       status_subresource=True, scale_subresource=True, tracks_generation=True),
    _k("apps", "ReplicaSet", "replicasets", short_names=("rs",), categories=_ALL,
       status_subresource=True, scale_subresource=True, tracks_generation=True),
    _k("apps", "StatefulSet", "statefulsets", short_names=("sts",), categories=_ALL,
       status_subresource=True, scale_subresource=True, tracks_generation=True),
    _k("apps", "DaemonSet", "daemonsets", short_names=("ds",), categories=_ALL,
       status_subresource=True, tracks_generation=True),
    _k("apps", "ControllerRevision", "controllerrevisions"),
    # batch/v1
    _k("batch", "Job", "jobs", categories=_ALL, status_subresource=True, tracks_generation=True,
       default_propagation="Orphan"),
    _k("batch", "CronJob", "cronjobs", short_names=("cj",), categories=_ALL,
       status_subresource=True, tracks_generation=True),
    # autoscaling: stored as v2, served as v2 and v1 (minimal conversion in store.py)
    _k("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", versions=("v2", "v1"),
       short_names=("hpa",), categories=_ALL, status_subresource=True, tracks_generation=True),
    # networking.k8s.io/v1
    _k("networking.k8s.io", "Ingress", "ingresses", short_names=("ing",), status_subresource=True,
       tracks_generation=True),
    _k("networking.k8s.io", "IngressClass", "ingressclasses", False, tracks_generation=True),
    _k("networking.k8s.io", "NetworkPolicy", "networkpolicies", short_names=("netpol",),
       tracks_generation=True),
    _k("discovery.k8s.io", "EndpointSlice", "endpointslices"),
    _k("policy", "PodDisruptionBudget", "poddisruptionbudgets", short_names=("pdb",),
       status_subresource=True, tracks_generation=True),
    _k("rbac.authorization.k8s.io", "Role", "roles"),
    _k("rbac.authorization.k8s.io", "RoleBinding", "rolebindings"),
    _k("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", False),
    _k("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", False),
    _k("storage.k8s.io", "StorageClass", "storageclasses", False, short_names=("sc",)),
    _k("storage.k8s.io", "CSIDriver", "csidrivers", False),
    _k("storage.k8s.io", "CSINode", "csinodes", False),
    _k("storage.k8s.io", "CSIStorageCapacity", "csistoragecapacities"),
    _k("storage.k8s.io", "VolumeAttachment", "volumeattachments", False, status_subresource=True),
    _k("storage.k8s.io", "VolumeAttributesClass", "volumeattributesclasses", False, short_names=("vac",)),
    _k("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", False,
       short_names=("crd", "crds"), categories=_API_EXTENSIONS, status_subresource=True, tracks_generation=True),
    # admissionregistration.k8s.io/v1: stored and validated; the simulated API server calls no
    # webhook and evaluates no policy (docs/simulator.md, "API fidelity").
    _k("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False,
       categories=_API_EXTENSIONS, tracks_generation=True),
    _k("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", False,
       categories=_API_EXTENSIONS, tracks_generation=True),
    _k("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", False,
       categories=_API_EXTENSIONS, status_subresource=True, tracks_generation=True),
    _k("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings",
       False, categories=_API_EXTENSIONS, tracks_generation=True),
    _k("apiregistration.k8s.io", "APIService", "apiservices", False, categories=_API_EXTENSIONS,
       status_subresource=True),
    _k("certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", False,
       short_names=("csr",), status_subresource=True),
    _k("node.k8s.io", "RuntimeClass", "runtimeclasses", False),
    _k("scheduling.k8s.io", "PriorityClass", "priorityclasses", False, short_names=("pc",)),
    _k("coordination.k8s.io", "Lease", "leases"),
    # resource.k8s.io/v1 (dynamic resource allocation): stored for the charts of device drivers.
    _k("resource.k8s.io", "DeviceClass", "deviceclasses", False, tracks_generation=True),
    _k("resource.k8s.io", "ResourceClaim", "resourceclaims", status_subresource=True),
    _k("resource.k8s.io", "ResourceClaimTemplate", "resourceclaimtemplates"),
    _k("resource.k8s.io", "ResourceSlice", "resourceslices", False),
)


def crd_kind(crd: Mapping[str, Any]) -> Kind:
    """The ``Kind`` a CustomResourceDefinition object defines.

    The storage version comes first in ``versions``; only served versions are listed.
    """
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or [] if v.get("served", True)]
    versions.sort(key=lambda v: not v.get("storage", False))
    storage = next((v for v in versions if v.get("storage")), versions[0] if versions else {})
    subresources = storage.get("subresources") or {}
    return Kind(
        group=spec.get("group", ""),
        kind=names.get("kind", ""),
        versions=tuple(v["name"] for v in versions),
        plural=names.get("plural", ""),
        singular=names.get("singular") or names.get("kind", "").lower(),
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
        status_subresource="status" in subresources,
        # The store serves /scale from spec.replicas and spec.selector only (built-in kinds);
        # a CRD's replica and selector paths are not modelled.
        scale_subresource=False,
        tracks_generation=True,
        builtin=False,
    )


class KindRegistry:
    """Resolves ``(apiVersion, kind)`` and kubectl resource names to ``Kind``s."""

    def __init__(self, kinds: Iterable[Kind] = BUILTIN_KINDS) -> None:
        self._by_group_kind: dict[tuple[str, str], Kind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: Kind) -> None:
        """Serve ``kind`` (a CRD being established replaces a previous definition)."""
        self._by_group_kind[kind.group_kind] = kind

    def unregister(self, group: str, kind: str) -> None:
        """Stop serving a custom kind (its CRD was deleted); built-ins cannot be removed."""
        known = self._by_group_kind.get((group, kind))
        if known is not None and not known.builtin:
            del self._by_group_kind[(group, kind)]

    def resolve(self, api_version: str, kind: str) -> tuple[Kind, str]:
        """The ``Kind`` and requested version for an object's ``apiVersion``/``kind``.

        Raises:
            NoKindMatchError: ``no matches for kind "X" in version "g/v"``.
        """
        group, version = split_api_version(api_version or "")
        found = self._by_group_kind.get((group, kind))
        if found is None or version not in found.versions:
            raise NoKindMatchError(kind, api_version)
        return found, version

    def get(self, group: str, kind: str) -> Kind | None:
        """The kind served for ``(group, kind)``, or None."""
        return self._by_group_kind.get((group, kind))

    def for_object(self, obj: Mapping[str, Any]) -> tuple[Kind, str]:
        """``resolve`` for an object dict.

        Raises:
            BadRequestError: the object has no ``kind`` or ``apiVersion``.
            NoKindMatchError: the kind is not served.
        """
        if not isinstance(obj, Mapping):
            raise BadRequestError("the object to write must be a JSON object")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if not kind or not isinstance(kind, str):
            raise BadRequestError("Object 'Kind' is missing in the object")
        if not api_version or not isinstance(api_version, str):
            raise BadRequestError(f"Object 'apiVersion' is missing in object of kind {kind!r}")
        return self.resolve(api_version, kind)

    def lookup_resource(self, name: str) -> Kind:
        """The kind a kubectl resource argument names: plural, singular, short name or kind,
        optionally qualified by group (``deployments.apps``) or by version and group
        (``deployment.v1.apps``, ``ingresses.v1.networking.k8s.io``).

        As kubectl's ``ParseResourceArg`` does, ``a.b.c…`` is first read as resource ``a``,
        version ``b``, group ``c…``, and only then as resource ``a`` of group ``b.c…`` (which
        is how ``ingresses.networking.k8s.io`` resolves).

        Raises:
            NotFoundError: ``the server doesn't have a resource type "x"``.
        """
        base, _, qualifier = name.lower().partition(".")
        version, _, versioned_group = qualifier.partition(".")
        matches: list[Kind] = []
        if versioned_group:
            matches = self._matching(base, versioned_group, version)
        if not matches:
            matches = self._matching(base, qualifier, None)
        if not matches:
            raise NotFoundError(f'the server doesn\'t have a resource type "{name}"')
        # Built-in core kinds win over a CRD that reuses a short name, as kubectl's
        # priority RESTMapper orders groups.
        matches.sort(key=lambda k: (not k.builtin, k.group != "", k.group))
        return matches[0]

    def _matching(self, resource: str, group: str, version: str | None) -> list[Kind]:
        """Kinds that ``resource`` names within ``group`` (any group when empty) and, when
        given, serving ``version``."""
        return [k for k in self._by_group_kind.values()
                if (not group or k.group == group) and (version is None or version in k.versions)
                and resource in (k.plural, k.singular, k.kind.lower(), *k.short_names)]

    def __iter__(self) -> Iterator[Kind]:
        return iter(sorted(self._by_group_kind.values(), key=lambda k: (k.group, k.kind)))

    def namespaced_kinds(self) -> list[Kind]:
        """Every namespaced kind, in a stable order (namespace cleanup walks these)."""
        return [k for k in self if k.namespaced]
