"""Render a chart tree with the native Jinja2 dialect: Helm's ``engine.Render`` contract.

Files are gathered from the whole tree with Helm's names (``<chart path>/templates/x.yaml``),
compiled (cached), their defines registered in Helm's precedence order, and every non-partial
file of every non-library chart rendered in Helm's execution order (deepest path first, then
reverse lexical — it matters when templates mutate ``Values``). Any failure becomes one
``RenderError`` that names the template file and line.
"""

from __future__ import annotations

import posixpath
from types import TracebackType
from typing import Any

from jinja2.exceptions import TemplateSyntaxError

from helmlite.chart.model import Chart
from helmlite.errors import HelmliteError, RenderError
from helmlite.render.capabilities import Capabilities
from helmlite.render.context import ReleaseInfo, build_scopes, template_object
from helmlite.render.engine import Lookup
from helmlite.render.jinja.defines import build_registry, registry_order
from helmlite.render.jinja.environment import (
    CompiledFile,
    HelmliteEnvironment,
    RenderState,
    TemplateFailure,
    TemplateFunctionError,
    get_environment,
)

__all__ = ["render_chart"]


def _no_lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
    # `helm template` and client dry-runs see no cluster: lookup is always an empty map.
    return {}


def render_chart(
    chart: Chart,
    values: dict[str, Any],
    *,
    release: ReleaseInfo,
    capabilities: Capabilities,
    lookup: Lookup | None = None,
    lint: bool = False,
) -> dict[str, str]:
    """Render every non-partial template of every non-library chart in the tree.

    Returns ``{"<chart path>/templates/<file>": text}`` (NOTES.txt included). Raises
    ``RenderError`` naming file and line for a syntax error, a failed ``required``/``fail``,
    an error in a template expression or function, or an exceeded limit.
    """
    env = get_environment()
    owners: dict[str, tuple[Chart, bool]] = {}
    compiled: dict[str, CompiledFile] = {}
    for current in chart.walk():
        library = current.metadata.is_library
        for f in current.templates:
            if not f.name.startswith("templates/"):
                continue
            partial = posixpath.basename(f.name).startswith("_")
            if library and not partial:
                continue  # library charts contribute only their partials
            name = f"{current.full_path()}/{f.name}"
            owners[name] = (current, partial)
            compiled[name] = _compile(env, name, f.data, partial)

    order = registry_order(owners)
    defines = build_registry(d for name in order for d in compiled[name].defines)
    scopes = build_scopes(chart, values, release=release, capabilities=capabilities)
    state = RenderState(env, defines, lookup=lookup or _no_lookup, lint=lint)
    rendered: dict[str, str] = {}
    with state.active():
        for name in order:
            current, partial = owners[name]
            template = compiled[name].template
            if partial or template is None:
                continue
            scope = dict(scopes[current])
            scope["Template"] = template_object(current, name)
            try:
                rendered[name] = state.render_file(name, template, scope)
            except Exception as exc:  # noqa: BLE001 - every template failure becomes one RenderError
                raise _render_error(exc, name) from exc
    return rendered


def _compile(env: HelmliteEnvironment, name: str, data: bytes, partial: bool) -> CompiledFile:
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RenderError(f"parse error at ({name}): the template is not valid UTF-8 ({exc.reason})") from None
    try:
        return env.compile_file(name, source.removeprefix("\ufeff"), partial=partial)
    except TemplateSyntaxError as exc:
        raise RenderError(f"parse error at ({exc.name or name}:{exc.lineno}): {exc.message}") from None


def _template_frames(tb: TracebackType | None) -> list[tuple[str, int]]:
    """(template name, template line) of each template frame in ``tb``, outermost first."""
    frames: list[tuple[str, int]] = []
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            frames.append((template.name, template.get_corresponding_lineno(tb.tb_lineno)))
        tb = tb.tb_next
    return frames


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TemplateSyntaxError):
        # Only a tpl string can fail to parse while rendering.
        return f"tpl: parse error at line {exc.lineno}: {exc.message}"
    if isinstance(exc, (TemplateFailure, TemplateFunctionError, HelmliteError)):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "templates nest too deeply (Python recursion limit reached)"
    if isinstance(exc, OverflowError) and "MAX_RANGE" in str(exc):
        return f"range too large: {exc}"
    message = getattr(exc, "message", None) or str(exc)
    return message if type(exc).__module__.startswith("jinja2") else f"{type(exc).__name__}: {message}"


def _render_error(exc: Exception, file: str) -> RenderError:
    """One-line RenderError: ``execution error at (<file>:<line>): <message>``.

    The location is the innermost template frame (inside a helper: the helper's file and line);
    the template frames that led there follow as "included from …".
    """
    frames = _template_frames(exc.__traceback__)
    where, line = frames[-1] if frames else (file, 0)
    location = f"{where}:{line}" if line else where
    message = f"execution error at ({location}): {_describe(exc)}"
    callers = [f"{n}:{ln}" for n, ln in reversed(frames[:-1]) if (n, ln) != (where, line)]
    if callers:
        message += " (included from " + ", ".join(dict.fromkeys(callers)) + ")"
    return RenderError(message)
