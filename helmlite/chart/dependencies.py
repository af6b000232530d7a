"""Dependency processing: which subcharts are enabled, under which name, with which imported values.

Mirrors Helm's ``ProcessDependencies`` (``pkg/chart/v2/util/dependencies.go``):

1. each declared dependency is matched to a loaded subchart by name *and* version constraint
   and copied (under its alias, if any; one chart may be aliased several times); subcharts
   in ``charts/`` that no declaration matches are always kept;
2. tags, then conditions (which therefore win), are evaluated against the coalesced values;
3. disabled subcharts are removed, then the same is done for every remaining subchart;
4. ``import-values`` are processed bottom-up and merged into each parent's default values,
   below the parent's own values. (Helm also copies every subchart's defaults into the parent's
   values on the way; helmlite adds only the imported tables, which keeps the documented
   precedence even when an import targets a subchart's section.)

The tree is rebuilt from copies of the chart nodes (templates, files and values are shared),
so every node's ``parent`` is right even when one chart appears under several aliases.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from helmlite.chart.metadata import quoted
from helmlite.chart.model import Chart, Dependency
from helmlite.errors import ChartError, ConstraintError

__all__ = ["process_dependencies", "check_dependencies_present", "dependency_status"]

Warn = Callable[[str], None]


def _no_warning(_message: str) -> None:
    """Default sink for warnings nobody asked to see."""


def _compatible(constraint: str, version: str) -> bool:
    """Helm's ``IsCompatibleRange``: an empty or invalid constraint matches nothing."""
    from helmlite.semver import satisfies

    try:
        return satisfies(constraint, version)
    except ConstraintError:
        return False


def process_dependencies(chart: Chart, user_values: dict[str, Any], warn: Warn | None = None) -> None:
    """Enable, alias and prune subcharts, then import values, in place and recursively.

    ``user_values`` are the merged user-supplied values (``-f``/``--set``). Afterwards
    ``chart.dependencies`` (and each subchart's) holds only enabled subcharts, named by alias,
    ``metadata.dependencies`` only the enabled declarations (named by alias, as Helm does),
    and each chart's ``values`` include what it imports from its subcharts. Non-boolean tags or
    conditions and missing import tables are reported through ``warn``. Returns None; raises
    ``ValuesError`` if the values cannot be coalesced.
    """
    sink = warn or _no_warning
    _process_enabled(chart, user_values, "", sink)
    _process_import_values(chart, sink)


def _copy_tree(chart: Chart, name: str) -> Chart:
    """A copy of the chart nodes of ``chart`` (named ``name``); file and value data is shared."""
    out = copy.copy(chart)
    if name != chart.metadata.name:
        out.metadata = replace(chart.metadata, name=name)
    out.dependencies = []
    for child in chart.dependencies:
        out.add_dependency(_copy_tree(child, child.metadata.name))
    return out


def _process_enabled(chart: Chart, values: dict[str, Any], path: str, warn: Warn) -> None:
    from helmlite.values.coalesce import coalesce_values

    requested = chart.metadata.dependencies
    # Helm stops here when nothing is declared: even nested conditions are then not evaluated.
    if not requested:
        return

    requested_by_name: dict[str, list[Dependency]] = {}
    for req in requested:
        requested_by_name.setdefault(req.name, []).append(req)
    loaded_by_name: dict[str, list[Chart]] = {}
    for sub in chart.dependencies:
        loaded_by_name.setdefault(sub.name, []).append(sub)
    # Subcharts no declaration matches (by name and version) are always kept, as they are.
    kept = [
        sub
        for sub in chart.dependencies
        if not any(_compatible(req.version, sub.metadata.version) for req in requested_by_name.get(sub.name, ()))
    ]
    for req in requested:
        candidates = loaded_by_name.get(req.name, ())
        match = next((sub for sub in candidates if _compatible(req.version, sub.metadata.version)), None)
        if match is not None:
            kept.append(_copy_tree(match, req.effective_name))
    requested = tuple(replace(req, name=req.alias) if req.alias else req for req in requested)
    chart.dependencies = []
    for sub in kept:
        chart.add_dependency(sub)

    coalesced = coalesce_values(chart, values, warn=warn)
    enabled = {req.name: True for req in requested}
    tags = coalesced.get("tags")
    if isinstance(tags, dict):
        for req in requested:
            states = []
            for tag in req.tags:
                if tag not in tags:
                    continue
                if isinstance(tags[tag], bool):
                    states.append(tags[tag])
                else:
                    warn(f"tag {quoted(tag)} for dependency {quoted(req.name)} is not a boolean; ignoring it")
            if states and not any(states):
                enabled[req.name] = False
    for req in requested:
        for condition in req.condition.strip().split(","):
            if not condition:
                continue
            found, value = _path_value(coalesced, path + condition)
            if not found:
                continue
            if isinstance(value, bool):
                enabled[req.name] = value
                break
            warn(f"condition {quoted(condition)} for dependency {quoted(req.name)} is not a boolean; ignoring it")

    chart.dependencies = [sub for sub in chart.dependencies if enabled.get(sub.name, True)]
    chart.metadata = replace(chart.metadata, dependencies=tuple(req for req in requested if enabled[req.name]))
    for sub in chart.dependencies:
        _process_enabled(sub, coalesced, f"{path}{sub.name}.", warn)


def _path_value(values: dict[str, Any], path: str) -> tuple[bool, Any]:
    """Helm's ``Values.PathValue``: the non-table value at a dotted path, if there is one."""
    *tables, key = path.split(".")
    current: Any = values
    for name in tables:
        current = current.get(name) if isinstance(current, dict) else None
    if isinstance(current, dict) and key in current and not isinstance(current[key], dict):
        return True, current[key]
    return False, None


def _table(values: dict[str, Any], path: str) -> dict[str, Any] | None:
    """Helm's ``Values.Table``: the table at a dotted path, or None."""
    current: Any = values
    for name in path.split("."):
        current = current.get(name) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else None


def _nest(path: str, table: dict[str, Any]) -> dict[str, Any]:
    """``{a: {b: table}}`` for ``a.b``; the root (``""`` or ``"."``) gives ``table`` itself."""
    if path in ("", "."):
        return table
    for name in reversed(path.split(".")):
        table = {name: table}
    return table


def _merged_defaults(chart: Chart) -> dict[str, Any]:
    """Helm's ``MergeValues(chart, nil)``: the chart's values with each subchart's (recursively)
    under its name, the parent's section winning; nulls are kept."""
    from helmlite.values.coalesce import coalesce_tables

    merged = coalesce_tables(chart.values, {})
    for sub in chart.dependencies:
        own = merged.get(sub.name)
        merged[sub.name] = coalesce_tables(own if isinstance(own, dict) else {}, _merged_defaults(sub))
    return merged


def _process_import_values(chart: Chart, warn: Warn) -> None:
    from helmlite.values.coalesce import coalesce_tables

    for sub in chart.dependencies:
        _process_import_values(sub, warn)
    if not any(req.import_values for req in chart.metadata.dependencies):
        return
    merged = _merged_defaults(chart)
    imported: dict[str, Any] = {}
    for req in chart.metadata.dependencies:
        for iv in req.import_values:
            table = _table(merged, f"{req.name}.{iv.child}")
            if table is None:
                warn(f"import-values: dependency {quoted(req.name)} has no table {quoted(iv.child)} to import")
                continue
            # Earlier imports win over later ones, as in Helm.
            imported = coalesce_tables(imported, _nest(iv.parent, table), warn)
    # Imports sit below the parent's own values: the parent can override what it imports.
    chart.values = coalesce_tables(chart.values, imported, warn)


def check_dependencies_present(chart: Chart) -> list[str]:
    """Names of dependencies declared in Chart.yaml (or requirements.yaml) with no chart in ``charts/``.

    Matches by chart name only, as Helm's ``CheckDependencies`` does. Returns them in
    declaration order (empty when everything is present).
    """
    present = {sub.name for sub in chart.dependencies}
    return [dep.name for dep in chart.metadata.dependencies if dep.name not in present]


def _version_status(constraint: str, version: str) -> str | None:
    """None when ``version`` satisfies ``constraint``, else ``invalid version`` / ``wrong version``."""
    from helmlite.semver import Constraint, parse_version

    if version == constraint:
        return None
    try:
        parsed = Constraint.parse(constraint)
        ok = parsed.check(parse_version(version))
    except ConstraintError:
        return "invalid version"
    return None if ok else "wrong version"


def _archive_status(archive: Path, dep: Dependency) -> str:
    from helmlite.chart.loader import load_chart

    try:
        sub = load_chart(archive)
    except ChartError:
        return "corrupt"
    if sub.name != dep.name:
        return "misnamed"
    return _version_status(dep.version, sub.metadata.version) or "ok"


def _dependency_status(chart_dir: Path, dep: Dependency, chart: Chart) -> str:
    """One row's status, following ``pkg/action/dependency.go: dependencyStatus``."""
    from helmlite.semver import is_strict_semver

    charts_dir = chart_dir / "charts"
    prefix = f"{dep.name}-"
    try:
        names = sorted(os.listdir(charts_dir))
    except OSError:
        names = []
    # Go's Glob("charts/<name>-*.tgz").
    archives = [charts_dir / n for n in names if n.startswith(prefix) and n.endswith(".tgz") and "/" not in n]
    if len(archives) > 1:
        versioned = [a for a in archives if is_strict_semver(a.name[len(prefix) : -len(".tgz")])]
        if len(versioned) > 1:
            return "too many matches"
        if len(versioned) == 1:
            return _archive_status(versioned[0], dep)
    elif len(archives) == 1:
        return _archive_status(archives[0], dep)

    unpacked = None
    for sub in chart.dependencies:
        if sub.name == dep.name:
            unpacked = sub
    if unpacked is None:
        return "missing"
    return _version_status(dep.version, unpacked.metadata.version) or "unpacked"


def dependency_status(chart_dir: Path) -> list[tuple[str, str, str, str]]:
    """``helm dependency list`` rows: ``(NAME, VERSION, REPOSITORY, STATUS)`` per declared dependency.

    STATUS is one of ``ok`` (a matching ``charts/<name>-<version>.tgz``), ``unpacked`` (a
    matching directory), ``missing``, ``wrong version``, ``invalid version``, ``misnamed``,
    ``corrupt`` or ``too many matches``. Returns an empty list when nothing is declared.
    Raises ``ChartLoadError``/``ArchiveError`` when the chart itself does not load.
    """
    from helmlite.chart.loader import load_chart

    chart_dir = Path(chart_dir)
    chart = load_chart(chart_dir)
    return [
        (dep.name, dep.version, dep.repository, _dependency_status(chart_dir, dep, chart))
        for dep in chart.metadata.dependencies
    ]
