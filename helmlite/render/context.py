"""The data templates see: ``Release``, ``Chart``, ``Capabilities``, ``Files``, ``Values``, ``Subcharts``.

Names and members are Helm's (helm-behaviour.md §3.4), so chart authors keep their knowledge:
``Release.Name``, ``Chart.AppVersion``, ``Capabilities.APIVersions.Has("apps/v1")``. Records Helm
exposes as maps (``Release``, ``Chart``, ``Template``, the root scope) are plain dicts; the ones
with methods are small read-only objects.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from helmlite.chart.model import Chart
from helmlite.render.capabilities import Capabilities
from helmlite.render.files import Files

__all__ = [
    "HELM_COMPAT_VERSION",
    "ReleaseInfo",
    "CapabilitiesView",
    "chart_object",
    "build_scopes",
    "template_object",
]

# ``Capabilities.HelmVersion``: the Helm release whose behaviour helmlite reproduces, so charts
# that gate on ``semverCompare(">=3.0.0", Capabilities.HelmVersion.Version)`` keep working.
HELM_COMPAT_VERSION = "v4.3.1"


@dataclass(frozen=True)
class ReleaseInfo:
    """What ``Release`` shows templates; ``is_upgrade`` flips ``IsInstall``/``IsUpgrade`` as Helm does."""

    name: str
    namespace: str = "default"
    revision: int = 1
    is_install: bool = True
    is_upgrade: bool = False
    service: str = "Helm"

    def to_object(self) -> dict[str, Any]:
        """The ``Release`` map with Helm's keys."""
        return {
            "Name": self.name,
            "Namespace": self.namespace,
            "Revision": self.revision,
            "IsInstall": self.is_install,
            "IsUpgrade": self.is_upgrade,
            "Service": self.service,
        }


class _KubeVersion:
    """``Capabilities.KubeVersion``: prints as its ``Version`` (Go's ``String()``)."""

    __slots__ = ("Version", "Major", "Minor", "GitVersion")

    def __init__(self, version: str, major: str, minor: str) -> None:
        self.Version = version
        self.Major = major
        self.Minor = minor
        self.GitVersion = version

    def __str__(self) -> str:
        return self.Version


class _APIVersions:
    """``Capabilities.APIVersions``: iterable group/versions with Helm's ``Has``."""

    __slots__ = ("_capabilities",)

    def __init__(self, capabilities: Capabilities) -> None:
        self._capabilities = capabilities

    def Has(self, version: str) -> bool:  # noqa: N802 - Helm's template method name
        """True when the cluster serves ``version`` (``apps/v1``, or a GVK such as ``apps/v1/Deployment``)."""
        return self._capabilities.has_api(version)

    def __contains__(self, version: object) -> bool:
        return isinstance(version, str) and self._capabilities.has_api(version)

    def __iter__(self) -> Iterator[str]:
        return iter(self._capabilities.api_versions)

    def __len__(self) -> int:
        return len(self._capabilities.api_versions)

    def __str__(self) -> str:
        return "[" + " ".join(self._capabilities.api_versions) + "]"


class _HelmVersion:
    __slots__ = ("Version", "GitCommit", "GitTreeState", "GoVersion", "KubeClientVersion")

    def __init__(self, kube_version: _KubeVersion) -> None:
        self.Version = HELM_COMPAT_VERSION
        self.GitCommit = ""
        self.GitTreeState = "clean"
        self.GoVersion = ""
        self.KubeClientVersion = f"v{kube_version.Major}.{kube_version.Minor}"

    def __str__(self) -> str:
        return f"{{{self.Version} {self.GitCommit} {self.GitTreeState} {self.GoVersion} {self.KubeClientVersion}}}"


class CapabilitiesView:
    """``Capabilities`` as templates see it: ``KubeVersion``, ``APIVersions``, ``HelmVersion``."""

    __slots__ = ("KubeVersion", "APIVersions", "HelmVersion")

    def __init__(self, capabilities: Capabilities) -> None:
        kv = capabilities.kube_version
        self.KubeVersion = _KubeVersion(kv.version, kv.major, kv.minor)
        self.APIVersions = _APIVersions(capabilities)
        self.HelmVersion = _HelmVersion(self.KubeVersion)


def chart_object(chart: Chart) -> dict[str, Any]:
    """The ``Chart`` map: Chart.yaml with Helm's Go-cased keys, plus ``IsRoot``."""
    md = chart.metadata
    return {
        "Name": md.name,
        "Version": md.version,
        "AppVersion": md.app_version,
        "Description": md.description,
        "Type": md.type,
        "KubeVersion": md.kube_version,
        "Keywords": list(md.keywords),
        "Home": md.home,
        "Sources": list(md.sources),
        "Maintainers": [m.to_dict() for m in md.maintainers],
        "Icon": md.icon,
        "APIVersion": md.api_version,
        "Deprecated": md.deprecated,
        "Annotations": dict(md.annotations),
        "Dependencies": [d.to_dict() for d in md.dependencies],
        "Condition": md.condition,
        "Tags": md.tags,
        "IsRoot": chart.is_root,
    }


def template_object(chart: Chart, name: str) -> dict[str, str]:
    """The ``Template`` map for the file ``name`` (``<chart path>/templates/x.yaml``)."""
    return {"Name": name, "BasePath": f"{chart.full_path()}/templates"}


def build_scopes(
    chart: Chart, values: dict[str, Any], *, release: ReleaseInfo, capabilities: Capabilities
) -> dict[Chart, dict[str, Any]]:
    """The root scope of every chart in the tree, keyed by chart.

    ``values`` are the top chart's coalesced values; they are deep-copied once so templates that
    mutate ``Values`` (``set``, ``merge``) cannot change the caller's dict, then each subchart
    gets ``scoped_values``. ``Template`` is set per file by the renderer (here: the chart's base
    path with an empty name, which is what ``Subcharts.<name>.Template`` shows).
    """
    values = copy.deepcopy(values)
    release_object = release.to_object()
    capabilities_view = CapabilitiesView(capabilities)
    scopes: dict[Chart, dict[str, Any]] = {}

    def build(current: Chart) -> dict[str, Any]:
        subcharts = {dep.name: build(dep) for dep in current.dependencies}
        scope = {
            "Values": values if current is chart else _scoped(values, current),
            "Release": release_object,
            "Chart": chart_object(current),
            "Capabilities": capabilities_view,
            "Files": Files((f.name, f.data) for f in current.files),
            "Template": template_object(current, ""),
            "Subcharts": subcharts,
        }
        scopes[current] = scope
        return scope

    build(chart)
    return scopes


def _scoped(values: dict[str, Any], chart: Chart) -> dict[str, Any]:
    from helmlite.values.coalesce import scoped_values

    return scoped_values(values, chart)
