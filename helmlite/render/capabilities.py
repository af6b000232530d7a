"""``Capabilities``: what templates know about the target cluster.

Defaults are Helm v4.3.1's for ``helm template``: Kubernetes v1.37.0 (its client-go version) and
every built-in API version, unless ``--kube-version`` / ``--api-versions`` say otherwise or a
backend reports the real cluster's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_KUBE_VERSION", "DEFAULT_API_VERSIONS", "KubeVersion", "Capabilities"]

DEFAULT_KUBE_VERSION = "v1.37.0"

# Helm v4.3.1's default VersionSet for `helm template` (chartutil.DefaultVersionSet: every group/version
# client-go v1.37 knows, alpha and beta included), in Helm's order: `.Capabilities.APIVersions` prints it.
DEFAULT_API_VERSIONS: tuple[str, ...] = (
    "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1",
    "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1", "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1",
    "autoscaling/v1", "autoscaling/v2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1", "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1", "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1",
    "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1",
    "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1", "resource.k8s.io/v1beta2", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3", "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1", "storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1", "apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
)


@dataclass(frozen=True)
class KubeVersion:
    """``Capabilities.KubeVersion``: ``Version`` is ``vMAJOR.MINOR.PATCH``."""

    version: str = DEFAULT_KUBE_VERSION

    @property
    def major(self) -> str:
        return self.version.lstrip("v").split(".")[0]

    @property
    def minor(self) -> str:
        parts = self.version.lstrip("v").split(".")
        return parts[1] if len(parts) > 1 else "0"

    @classmethod
    def parse(cls, text: str) -> KubeVersion:
        """Accept ``1.30``, ``v1.30.2``, ``1.30.2-gke.1``; normalise to ``vX.Y.Z[-pre]``."""
        from helmlite.errors import ConstraintError

        raw = text.strip().lstrip("v")
        core, sep, pre = raw.partition("-")
        parts = core.split(".")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ConstraintError(f"invalid kube version {text!r}: expected MAJOR.MINOR[.PATCH], e.g. 1.30.0")
        while len(parts) < 3:
            parts.append("0")
        return cls("v" + ".".join(str(int(p)) for p in parts) + (sep + pre if pre else ""))


@dataclass(frozen=True)
class Capabilities:
    kube_version: KubeVersion = field(default_factory=KubeVersion)
    api_versions: tuple[str, ...] = DEFAULT_API_VERSIONS

    def has_api(self, version: str) -> bool:
        """``APIVersions.Has``: a group/version (``apps/v1``) or a GVK form (``apps/v1/Deployment``)."""
        return version in self.api_versions

    def with_extra_api_versions(self, extra: tuple[str, ...]) -> Capabilities:
        return Capabilities(self.kube_version, tuple(dict.fromkeys(self.api_versions + extra)))
