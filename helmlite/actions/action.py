"""What every action shares: the injected ``Config`` and the one render pipeline.

Like Helm's ``pkg/action/action.go``: ``template``, ``install --dry-run``, ``install`` and
``lint`` all turn a chart plus user values into manifests through ``render_release``, so
they can never disagree about what a chart renders to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helmlite.chart.model import Chart
from helmlite.errors import IncompatibleChartError
from helmlite.output import Output
from helmlite.render.capabilities import Capabilities

__all__ = ["Config", "RenderedRelease", "check_chart_usable", "render_release", "crd_manifests"]

Lookup = Callable[[str, str, str, str], dict[str, Any]]


@dataclass
class Config:
    """Everything an action needs from outside: where to print, what the cluster looks like.

    Tests build it directly; the CLI builds it from flags. Storage, backend and clock join it
    with the release engine.
    """

    output: Output = field(default_factory=Output)
    capabilities: Capabilities = field(default_factory=Capabilities)
    lookup: Lookup | None = None


@dataclass(frozen=True)
class RenderedRelease:
    """A chart rendered for one release: what ``template`` prints and ``install`` applies."""

    chart: Chart
    values: dict[str, Any]
    manifests: list[Any]  # helmlite.render.manifests.Manifest, in install order
    hooks: list[Any]  # helmlite.render.manifests.Hook
    notes: str
    crds: list[Any]  # Manifest objects for the crds/ files of the whole tree


def check_chart_usable(chart: Chart, capabilities: Capabilities) -> None:
    """Refuse charts that cannot be installed here.

    Raises IncompatibleChartError for library charts and for a ``kubeVersion`` constraint
    that the target Kubernetes version does not satisfy (Helm's messages).
    """
    from helmlite.semver import satisfies

    meta = chart.metadata
    if meta.is_library:
        raise IncompatibleChartError(f"{meta.type} charts are not installable")
    kube = capabilities.kube_version.version
    if meta.kube_version and not satisfies(meta.kube_version, kube):
        raise IncompatibleChartError(
            f"chart requires kubeVersion: {meta.kube_version} which is incompatible with Kubernetes {kube}"
        )


def render_release(
    chart: Chart,
    user_values: dict[str, Any],
    *,
    release: Any,
    capabilities: Capabilities,
    lookup: Lookup | None = None,
    skip_schema_validation: bool = False,
    warn: Callable[[str], None] | None = None,
) -> RenderedRelease:
    """Process dependencies, coalesce and validate values, render, and sort the manifests.

    ``release`` is a ``helmlite.render.context.ReleaseInfo``. Mutates ``chart`` (disabled
    subcharts are pruned, imported values merged), as Helm does. Raises ChartError,
    ValuesError, RenderError or ManifestError.
    """
    from helmlite.chart.dependencies import process_dependencies
    from helmlite.render.engine import render_templates
    from helmlite.render.manifests import sort_manifests
    from helmlite.values.coalesce import coalesce_values
    from helmlite.values.schema import validate_values

    check_chart_usable(chart, capabilities)
    process_dependencies(chart, user_values, warn=warn)
    values = coalesce_values(chart, user_values, warn=warn)
    if not skip_schema_validation:
        validate_values(chart, values)
    rendered = render_templates(chart, values, release=release, capabilities=capabilities, lookup=lookup)
    hooks, manifests, notes = sort_manifests(rendered, chart_name=chart.name)
    return RenderedRelease(chart, values, manifests, hooks, notes, crd_manifests(chart))


def crd_manifests(chart: Chart) -> list[Any]:
    """The un-templated ``crds/`` files of the chart and its enabled subcharts, one Manifest per document.

    Source paths are Helm's: ``<chart>/crds/x.yaml`` and ``<chart>/charts/<sub>/crds/x.yaml``.
    """
    from helmlite.render.manifests import split_documents

    out: list[Any] = []
    for sub in chart.walk():
        for f in sub.crd_files():
            path = f"{sub.full_path()}/{f.name}"
            out.extend(split_documents(path, f.data.decode("utf-8")))
    return out
