"""The objects Helm hands to Go templates, with Helm's Go types, fields, methods and printing.

``.Capabilities`` (``*common.Capabilities``: ``KubeVersion``, ``APIVersions`` with ``Has``,
``HelmVersion``), ``.Files`` (``engine.files`` with ``Get``/``GetBytes``/``Glob``/``Lines``/
``AsConfig``/``AsSecrets``), and the maps ``.Chart`` and ``.Release`` exactly as Helm v4.3.1
builds them (observed with the real binary: key names, nil vs empty collections, types).
"""

from __future__ import annotations

import base64
import posixpath
from typing import Any

from helmlite.chart.model import Chart
from helmlite.render.capabilities import Capabilities
from helmlite.render.context import HELM_COMPAT_VERSION, ReleaseInfo
from helmlite.render.files import Files
from helmlite.render.gotemplate.exec import go_method
from helmlite.render.gotemplate.funcspec import STRING
from helmlite.render.gotemplate.gotypes import StringList, StringMap

__all__ = [
    "HELM_GIT_COMMIT",
    "HELM_GO_VERSION",
    "APIVersionSet",
    "CapabilitiesObject",
    "GoFiles",
    "HelmBuildInfo",
    "KubeVersionObject",
    "NilBytes",
    "NilStringMap",
    "chart_map",
    "release_map",
]

HELM_GIT_COMMIT = "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff"
"""``.Capabilities.HelmVersion.GitCommit`` of the Helm release reproduced (v4.3.1)."""
HELM_GO_VERSION = "go1.27.2"


class NilStringMap(StringMap):
    """A nil ``map[string]string``: prints ``map[]``, is empty, but marshals to ``null``."""

    __slots__ = ()
    GO_NIL = True


class NilBytes(bytes):
    """A nil ``[]byte``: prints ``[]`` like an empty one, but marshals to ``null``."""

    __slots__ = ()
    GO_NIL = True


NIL_BYTES = NilBytes()


class GoFiles(Files):
    """``engine.files``: the chart's files, with Helm's template methods."""

    __slots__ = ()
    GO_TYPE = "engine.files"
    GO_METHODS = frozenset(("Get", "GetBytes", "Glob", "Lines", "AsConfig", "AsSecrets"))

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        """The file's bytes; for a missing name, a nil ``[]byte``.

        ``engine.files`` is a ``map[string][]byte``: ``.Files.name`` and ``index .Files "name"``
        of a file the chart does not have give the element type's zero value, which prints
        ``[]``, not the nothing a missing ``interface {}`` value prints. The template engine
        reads map fields and indexes through ``get``, so this one place answers both.
        """
        found = super().get(name)
        return NIL_BYTES if found is None else found

    @go_method(STRING)
    def Get(self, name: str) -> str:
        # A Go string holds any bytes: bytes that are not UTF-8 travel as surrogate escapes, so
        # ``.Files.Get "x.bz2" | b64enc`` gives back the file's exact bytes.
        return self.GetBytes(name).decode("utf-8", "surrogateescape")

    @go_method(STRING)
    def GetBytes(self, name: str) -> bytes:
        return super().GetBytes(name)

    @go_method(STRING)
    def Glob(self, pattern: str) -> GoFiles:
        return GoFiles(super().Glob(pattern).items())

    @go_method(STRING)
    def Lines(self, name: str) -> StringList:
        return StringList(super().Lines(name))

    @go_method()
    def AsConfig(self) -> str:
        from helmlite.render.gotemplate.yamlfmt import YAMLReadBackError, to_yaml

        try:
            text = to_yaml({posixpath.basename(k): v.decode("utf-8", "surrogateescape") for k, v in self.items()})
        except YAMLReadBackError:
            return ""  # Helm's toYAML: what go-yaml cannot write (a control character) prints nothing
        return text.removesuffix("\n")

    @go_method()
    def AsSecrets(self) -> str:
        from helmlite.render.gotemplate.yamlfmt import to_yaml

        text = to_yaml({posixpath.basename(k): base64.b64encode(v).decode("ascii") for k, v in self.items()})
        return text.removesuffix("\n")


class KubeVersionObject:
    """``common.KubeVersion``: ``{{ . }}`` prints the version, ``%v`` the whole struct."""

    __slots__ = ("Major", "Minor", "Version")
    GO_TYPE = "common.KubeVersion"
    GO_FIELDS = frozenset(("Version", "Major", "Minor"))
    GO_METHODS = frozenset(("String", "GitVersion"))

    def __init__(self, version: str, major: str, minor: str) -> None:
        self.Version = version
        self.Major = major
        self.Minor = minor

    @go_method()
    def String(self) -> str:
        return self.Version

    @go_method()
    def GitVersion(self) -> str:
        return self.Version

    def __go_print__(self) -> str:
        # An action prints an addressable field, so Go finds String() on the pointer.
        return self.Version

    def __str__(self) -> str:
        return f"{{{self.Version} {self.Version} {self.Major} {self.Minor}}}"

    def __go_json__(self) -> dict[str, str]:
        return {"Version": self.Version, "Major": self.Major, "Minor": self.Minor}


class APIVersionSet(StringList):
    """``common.VersionSet``: the API versions, a ``[]string`` with ``Has``."""

    __slots__ = ()
    GO_TYPE = "common.VersionSet"
    GO_METHODS = frozenset(("Has",))

    @go_method(STRING)
    def Has(self, version: str) -> bool:
        return version in self


class HelmBuildInfo:
    """``version.BuildInfo`` of ``.Capabilities.HelmVersion``."""

    __slots__ = ("GitCommit", "GitTreeState", "GoVersion", "KubeClientVersion", "Version")
    GO_TYPE = "version.BuildInfo"
    GO_FIELDS = frozenset(__slots__)

    def __init__(self, kube_client_version: str) -> None:
        self.Version = HELM_COMPAT_VERSION
        self.GitCommit = HELM_GIT_COMMIT
        self.GitTreeState = "clean"
        self.GoVersion = HELM_GO_VERSION
        self.KubeClientVersion = kube_client_version

    def __str__(self) -> str:
        return f"{{{self.Version} {self.GitCommit} {self.GitTreeState} {self.GoVersion} {self.KubeClientVersion}}}"

    def __go_json__(self) -> dict[str, str]:
        return {
            "version": self.Version,
            "git_commit": self.GitCommit,
            "git_tree_state": self.GitTreeState,
            "go_version": self.GoVersion,
            "kube_client_version": self.KubeClientVersion,
        }


class CapabilitiesObject:
    """``*common.Capabilities``."""

    __slots__ = ("APIVersions", "HelmVersion", "KubeVersion")
    GO_TYPE = "*common.Capabilities"
    GO_KIND = "ptr"
    GO_FIELDS = frozenset(__slots__)

    def __init__(self, capabilities: Capabilities) -> None:
        kube = capabilities.kube_version
        self.KubeVersion = KubeVersionObject(kube.version, kube.major, kube.minor)
        self.APIVersions = APIVersionSet(capabilities.api_versions)
        # Helm reports the Kubernetes client it was built with, not the target cluster.
        self.HelmVersion = HelmBuildInfo("v1.37")

    def __str__(self) -> str:
        return f"{{{self.KubeVersion} [{' '.join(self.APIVersions)}] {self.HelmVersion}}}"

    def __go_json__(self) -> dict[str, Any]:
        return {"KubeVersion": self.KubeVersion, "APIVersions": self.APIVersions, "HelmVersion": self.HelmVersion}


def _dependency_map(chart: Chart, dep: Any) -> dict[str, Any]:
    enabled = any(sub.name == dep.effective_name for sub in chart.dependencies)
    return {
        "Name": dep.name,
        "Version": dep.version,
        "Repository": dep.repository,
        "Condition": dep.condition,
        "Tags": StringList(dep.tags),
        "Enabled": enabled,
        "ImportValues": [iv.raw for iv in dep.import_values],
        "Alias": dep.alias,
    }


def chart_map(chart: Chart) -> dict[str, Any]:
    """``.Chart`` as Helm v4 builds it (``MetadataAsMap`` plus ``IsRoot``)."""
    md = chart.metadata
    annotations = StringMap(md.annotations) if md.annotations else NilStringMap()
    return {
        "APIVersion": md.api_version,
        "Annotations": annotations,
        "AppVersion": md.app_version,
        "Condition": md.condition,
        "Dependencies": [_dependency_map(chart, dep) for dep in md.dependencies],
        "Deprecated": md.deprecated,
        "Description": md.description,
        "Home": md.home,
        "Icon": md.icon,
        "IsRoot": chart.is_root,
        "Keywords": StringList(md.keywords),
        "KubeVersion": md.kube_version,
        "Maintainers": [{"Email": m.email, "Name": m.name, "URL": m.url} for m in md.maintainers],
        "Name": md.name,
        "Sources": StringList(md.sources),
        "Tags": md.tags,
        "Type": md.type,
        "Version": md.version,
    }


def release_map(release: ReleaseInfo) -> dict[str, Any]:
    """``.Release``: Name, Namespace, Revision (an ``int``), IsInstall, IsUpgrade, Service."""
    return {
        "Name": release.name,
        "Namespace": release.namespace,
        "Revision": release.revision,
        "IsInstall": release.is_install,
        "IsUpgrade": release.is_upgrade,
        "Service": release.service,
    }
