"""Template engine dispatch: Helm's ``engine.Render`` contract, per chart dialect.

A chart declares its dialect with the Chart.yaml annotation ``helmlite.io/template-engine``
(``ChartMetadata.template_engine``). Each dialect is a renderer with ``render_templates``'s
signature, imported only when a chart of that dialect renders (Jinja2 stays out of CLI start-up).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from helmlite.chart.model import ENGINE_JINJA2, Chart
from helmlite.errors import IncompatibleChartError
from helmlite.render.capabilities import Capabilities
from helmlite.render.context import ReleaseInfo

__all__ = ["Lookup", "TemplateSource", "compiled_sources", "precompile", "render_templates"]

# lookup(apiVersion, kind, namespace, name) → the object (or a list object when name is ""), {} if none.
Lookup = Callable[[str, str, str, str], dict[str, Any]]
Renderer = Callable[..., dict[str, str]]


def _jinja2_renderer() -> Renderer:
    from helmlite.render.jinja.render import render_chart

    return render_chart


def _gotemplate_renderer() -> Renderer:
    from helmlite.render.gotemplate.engine import render_chart

    return render_chart


# (dialect, template name, source, partial): one template file as a dialect's cache knows it.
TemplateSource = tuple[str, str, str, bool]


def compiled_sources() -> list[TemplateSource]:
    """Every template this process has parsed or compiled and still caches, both dialects.

    A warm command server (helmlite/commandserver) collects these from the children it forks
    and compiles them itself with ``precompile``, so later children find them compiled. Only
    dialects already imported are asked: this never imports Jinja2.
    """
    sources: list[TemplateSource] = []
    gotemplate = sys.modules.get("helmlite.render.gotemplate.engine")
    if gotemplate is not None:
        sources.extend(("gotemplate", name, text, False) for name, text in gotemplate.parsed_sources())
    jinja = sys.modules.get("helmlite.render.jinja.environment")
    if jinja is not None:
        sources.extend(("jinja2", name, text, partial)
                       for name, text, partial in jinja.get_environment().compiled_sources())
    return sources


def precompile(sources: Iterable[TemplateSource]) -> None:
    """Parse or compile ``sources`` into their dialect's cache ahead of any render; one that
    does not compile is skipped (its render reports the error)."""
    gotemplate = [(name, text) for dialect, name, text, _ in sources if dialect == "gotemplate"]
    jinja = [(name, text, partial) for dialect, name, text, partial in sources if dialect == "jinja2"]
    if gotemplate:
        from helmlite.render.gotemplate.engine import preparse

        preparse(gotemplate)
    if jinja:
        from jinja2 import TemplateSyntaxError

        from helmlite.render.jinja.environment import get_environment

        environment = get_environment()
        for name, text, partial in jinja:
            try:
                environment.compile_file(name, text, partial=partial)
            except TemplateSyntaxError:
                continue


def _renderer(chart: Chart) -> Renderer:
    # One dialect renders the whole tree (defines are shared across it), so every subchart must
    # use the root chart's dialect; the first one that does not is named in the error.
    native = chart.metadata.template_engine == ENGINE_JINJA2
    for current in chart.walk():
        if (current.metadata.template_engine == ENGINE_JINJA2) != native:
            root_dialect, other = ("jinja2", "Go templates") if native else ("Go templates", "jinja2")
            raise IncompatibleChartError(
                f"{current.name}: a subchart written in {other} cannot be rendered with a chart written in "
                f"{root_dialect}; one chart tree uses one template dialect"
            )
    return _jinja2_renderer() if native else _gotemplate_renderer()


def render_templates(
    chart: Chart,
    values: dict[str, Any],
    *,
    release: ReleaseInfo,
    capabilities: Capabilities,
    lookup: Lookup | None = None,
    lint: bool = False,
) -> dict[str, str]:
    """Render the chart tree: ``{"<chart path>/templates/<file>": text}``, NOTES.txt included.

    ``values`` are the top chart's coalesced values (subcharts see their scoped values). Partials
    (``_*``) and library charts' files are never in the result. In lint mode ``required`` and
    ``fail`` do not raise. One dialect renders the whole tree.

    Raises IncompatibleChartError for a dialect helmlite cannot render, RenderError for a
    template that fails to parse or execute (the message names file and line).
    """
    renderer = _renderer(chart)
    return renderer(chart, values, release=release, capabilities=capabilities, lookup=lookup, lint=lint)
