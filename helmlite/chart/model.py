"""The chart model: what a loaded chart is, independent of where it came from.

Mirrors Helm's ``chart.Chart``: metadata from Chart.yaml, the template files, the parsed default
values, the schema, every other file (exposed to templates as ``Files``), and the loaded subcharts.
Records that never change after loading are frozen; ``Chart`` itself is a tree whose
``dependencies`` list is pruned/aliased by dependency processing, so it stays mutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "API_VERSION_V1",
    "API_VERSION_V2",
    "TEMPLATE_ENGINE_ANNOTATION",
    "ENGINE_JINJA2",
    "ENGINE_GOTEMPLATE",
    "Maintainer",
    "Dependency",
    "ImportValue",
    "ChartMetadata",
    "ChartFile",
    "Lock",
    "Chart",
]

API_VERSION_V1 = "v1"
API_VERSION_V2 = "v2"

# The Chart.yaml annotation that selects the template dialect (DESIGN.md, "templates" contract).
TEMPLATE_ENGINE_ANNOTATION = "helmlite.io/template-engine"
ENGINE_JINJA2 = "jinja2"
ENGINE_GOTEMPLATE = "gotemplate"


@dataclass(frozen=True)
class Maintainer:
    name: str = ""
    email: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, str]:
        """Chart.yaml form: only the fields that are set."""
        return {k: v for k, v in (("name", self.name), ("email", self.email), ("url", self.url)) if v}


@dataclass(frozen=True)
class ImportValue:
    """One ``import-values`` entry: ``child`` path in the subchart → ``parent`` path in the parent.

    The short string form ``"data"`` is stored as child ``exports.data``, parent ``""`` (the
    parent's root), which is how Helm expands it; ``raw`` keeps the original for re-serialising.
    """

    child: str
    parent: str
    # Not part of equality/hash: a dict would make Dependency unhashable, and child/parent say it all.
    raw: str | dict[str, str] = field(compare=False)


@dataclass(frozen=True)
class Dependency:
    """One entry of Chart.yaml ``dependencies`` (or v1 requirements.yaml)."""

    name: str
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: tuple[str, ...] = ()
    import_values: tuple[ImportValue, ...] = ()
    alias: str = ""

    @property
    def effective_name(self) -> str:
        """The name the subchart is known by in the parent: its alias, else its name."""
        return self.alias or self.name

    def to_json(self) -> dict[str, Any]:
        """Helm's ``Dependency`` JSON (release records, Chart.lock digests): Go field order,
        ``repository`` always written, the rest only when set."""
        out: dict[str, Any] = {"name": self.name}
        if self.version:
            out["version"] = self.version
        out["repository"] = self.repository
        out.update((k, v) for k, v in self.to_dict().items() if k not in ("name", "version", "repository"))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Chart.yaml form, Helm's key names, empty fields omitted."""
        out: dict[str, Any] = {"name": self.name}
        if self.version:
            out["version"] = self.version
        if self.repository:
            out["repository"] = self.repository
        if self.condition:
            out["condition"] = self.condition
        if self.tags:
            out["tags"] = list(self.tags)
        if self.import_values:
            out["import-values"] = [iv.raw for iv in self.import_values]
        if self.alias:
            out["alias"] = self.alias
        return out


@dataclass(frozen=True)
class ChartMetadata:
    """Chart.yaml, validated. Field names are Pythonic; ``to_dict`` gives Chart.yaml's keys."""

    name: str
    version: str
    api_version: str = API_VERSION_V2
    app_version: str = ""
    kube_version: str = ""
    description: str = ""
    type: str = ""  # unset means application; Helm omits it from Chart.yaml and the release JSON
    keywords: tuple[str, ...] = ()
    home: str = ""
    sources: tuple[str, ...] = ()
    maintainers: tuple[Maintainer, ...] = ()
    icon: str = ""
    deprecated: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    dependencies: tuple[Dependency, ...] = ()
    # Legacy top-level fields Helm still carries (unused by the engine, kept for round-trips).
    condition: str = ""
    tags: str = ""

    @property
    def is_library(self) -> bool:
        return self.type == "library"

    @property
    def template_engine(self) -> str:
        """``jinja2`` when the chart opts in through the annotation, else ``gotemplate`` (Helm)."""
        value = self.annotations.get(TEMPLATE_ENGINE_ANNOTATION, "").strip().lower()
        return ENGINE_JINJA2 if value == ENGINE_JINJA2 else ENGINE_GOTEMPLATE

    def to_dict(self) -> dict[str, Any]:
        """Chart.yaml keys (``apiVersion``, ``appVersion``, …), empty fields omitted.

        This is what ``helmlite package`` writes (sorted by the YAML dumper) and what index
        entries are built from.
        """
        out: dict[str, Any] = {"apiVersion": self.api_version, "name": self.name, "version": self.version}
        optional: list[tuple[str, Any]] = [
            ("appVersion", self.app_version),
            ("kubeVersion", self.kube_version),
            ("description", self.description),
            ("keywords", list(self.keywords)),
            ("home", self.home),
            ("sources", list(self.sources)),
            ("maintainers", [m.to_dict() for m in self.maintainers]),
            ("icon", self.icon),
            ("deprecated", self.deprecated),
            ("annotations", dict(self.annotations)),
            ("dependencies", [d.to_dict() for d in self.dependencies]),
            ("condition", self.condition),
            ("tags", self.tags),
        ]
        for key, value in optional:
            if value:
                out[key] = value
        if self.type:
            out["type"] = self.type
        return out


@dataclass(frozen=True)
class ChartFile:
    """A file of the chart: ``name`` is its path relative to the chart root, with ``/``."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Lock:
    """Chart.lock (v2) or requirements.lock (v1)."""

    dependencies: tuple[Dependency, ...]
    digest: str
    generated: str


@dataclass(eq=False)
class Chart:
    """A loaded chart and its subcharts.

    ``templates`` holds the files under ``templates/`` (partials included; names keep the
    ``templates/`` prefix). ``files`` holds every other file except Chart.yaml, values.yaml,
    values.schema.json, the lock files, requirements.yaml and ``charts/`` — these are what
    templates reach through ``Files``; CRDs under ``crds/`` are among them. ``raw`` keeps every
    file as loaded (for ``show``, packaging and the release record).
    """

    metadata: ChartMetadata
    templates: list[ChartFile] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    schema: bytes | None = None
    files: list[ChartFile] = field(default_factory=list)
    raw: list[ChartFile] = field(default_factory=list)
    lock: Lock | None = None
    dependencies: list[Chart] = field(default_factory=list)
    parent: Chart | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def full_path(self) -> str:
        """Helm's chart path used in template names: ``parent/charts/sub``."""
        if self.parent is None:
            return self.name
        return f"{self.parent.full_path()}/charts/{self.name}"

    def add_dependency(self, child: Chart) -> None:
        child.parent = self
        self.dependencies.append(child)

    def raw_file(self, name: str) -> bytes | None:
        """The original bytes of a chart file (``values.yaml``, ``README.md``…), or None."""
        for f in self.raw:
            if f.name == name:
                return f.data
        return None

    def crd_files(self) -> list[ChartFile]:
        """Files under ``crds/`` of this chart only (``.yaml``, ``.yml``, ``.json``), by name."""
        return sorted(
            (f for f in self.files if f.name.startswith("crds/") and f.name.endswith((".yaml", ".yml", ".json"))),
            key=lambda f: f.name,
        )

    def walk(self) -> list[Chart]:
        """This chart and every subchart, depth first, parents before children."""
        out = [self]
        for dep in self.dependencies:
            out.extend(dep.walk())
        return out
