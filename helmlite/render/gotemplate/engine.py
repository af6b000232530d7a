"""Helm's rendering engine (``pkg/engine/engine.go``) for Go-template charts.

What Helm does, reproduced:

- every template file of the chart tree is parsed into one namespace, named
  ``<chart>/templates/…`` and ``<chart>/charts/<sub>/templates/…``; library charts contribute
  only their ``_*`` files. Parse order is Helm's ``sortTemplates`` (more ``/`` first, then
  reverse lexical); a later definition of a ``define`` replaces an earlier one unless empty;
- every non-``_`` file is executed in that same order with its chart's context (``.Values``,
  ``.Release``, ``.Chart``, ``.Capabilities``, ``.Files``, ``.Subcharts``, ``.Template``). A chart's
  context is one shared map, so ``set``/``merge`` on ``.Values`` is seen by later files;
- values are Go's JSON model: numbers from values files are ``float64``, ``--set`` integers
  ``int64`` (see ``helmlite.render.gotemplate.gotypes.go_json_values``);
- ``include`` (nested at most 1000 deep per name), ``tpl`` (parses its text against a clone of
  the namespace; new defines stay local), ``required``/``fail`` (Helm's error markers) and
  ``lookup`` are bound per render;
- ``<no value>`` is removed from each file's output, and from ``tpl``'s;
- errors are reported as Helm reports them (``parse error at (f:1): …``, ``execution error at
  (f:1:3): need x`` for ``required``/``fail``, else the multi-line trace).

Parsed templates are cached by name and text, so rendering a chart again parses nothing.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import posixpath
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from helmlite.chart.model import Chart
from helmlite.errors import RenderError
from helmlite.gofmt import go_quote
from helmlite.render.capabilities import Capabilities
from helmlite.render.context import ReleaseInfo
from helmlite.render.gotemplate.exec import (
    ExecError,
    Executor,
    GoError,
    LimitExceeded,
    Limits,
    TemplateSet,
)
from helmlite.render.gotemplate.funcspec import (
    ANY,
    REGISTRY,
    STRING,
    FuncError,
    FuncSpec,
)
from helmlite.render.gotemplate.gotypes import Values, go_json_values
from helmlite.render.gotemplate.nodes import Tree
from helmlite.render.gotemplate.objects import (
    CapabilitiesObject,
    GoFiles,
    chart_map,
    release_map,
)
from helmlite.render.gotemplate.parser import TemplateParseError, parse_template

__all__ = [
    "MAX_INCLUDE_DEPTH",
    "MAX_OUTPUT_CHARS",
    "RENDER_TIMEOUT_SECONDS",
    "function_table",
    "helm_exec_error_message",
    "parse_cached",
    "parsed_sources",
    "preparse",
    "render_chart",
]

MAX_INCLUDE_DEPTH = 1000
"""Nested ``include`` of one name allowed (Helm's recursionMaxNums)."""

RENDER_TIMEOUT_SECONDS = 120.0
"""Wall time one chart render may take before it is stopped."""

MAX_OUTPUT_CHARS = 64 * 1024 * 1024
"""Characters a render may produce in total (file outputs, include and tpl results)."""

RECURSION_LIMIT = 60_000
"""Python's recursion limit while rendering: room for Helm's 1000 nested includes and 10000
nested parentheses (Python calls, not C stack, in CPython 3.11+)."""

PARSE_CACHE_SIZE = 8192
TPL_ROOT_NAME = "gotpl"  # the name Helm gives its root template (and every tpl text)

_WARN = re.compile("HELM_ERR_START(.*)HELM_ERR_END", re.DOTALL)  # Helm: `((?s).*)`

Lookup = Callable[[str, str, str, str], dict[str, Any]]

_functions_lock = threading.Lock()
_functions: dict[str, FuncSpec] | None = None


def function_table() -> dict[str, FuncSpec]:
    """Every template function, registered in Helm's order: Go builtins, Sprig, Helm's own.

    Later registrations win (Sprig's ``slice`` replaces the builtin; Helm's ``toJson`` Sprig's).
    """
    global _functions
    with _functions_lock:
        if _functions is None:
            from helmlite.render.gotemplate import funcs

            importlib.import_module("helmlite.render.gotemplate.funcs.builtins")
            for module in sorted(m.name for m in pkgutil.iter_modules(funcs.__path__)):
                if module.startswith("sprig_"):
                    importlib.import_module(f"helmlite.render.gotemplate.funcs.{module}")
            importlib.import_module("helmlite.render.gotemplate.funcs.helm")
            _functions = dict(REGISTRY)
        return _functions


_parse_cache: OrderedDict[tuple[str, str], dict[str, Tree]] = OrderedDict()
_parse_lock = threading.Lock()


def parse_cached(name: str, text: str, functions: Mapping[str, FuncSpec]) -> dict[str, Tree]:
    """``parse_template`` with a process-wide cache keyed by name and text (trees are immutable).

    Raises TemplateParseError.
    """
    key = (name, text)
    with _parse_lock:
        trees = _parse_cache.get(key)
        if trees is not None:
            _parse_cache.move_to_end(key)
            return trees
    trees = parse_template(name, text, functions)
    with _parse_lock:
        _parse_cache[key] = trees
        if len(_parse_cache) > PARSE_CACHE_SIZE:
            _parse_cache.popitem(last=False)
    return trees


def parsed_sources() -> list[tuple[str, str]]:
    """The ``(name, text)`` of every template in the parse cache, least recently used first.

    A command server (helmlite/commandserver) collects what its forked children parsed and
    parses it once more itself, so that the next children start with it parsed.
    """
    with _parse_lock:
        return list(_parse_cache)


def preparse(sources: Iterable[tuple[str, str]]) -> None:
    """Parse ``sources`` into the cache ahead of any render; a source that does not parse is
    skipped (its render reports the error)."""
    functions = function_table()
    for name, text in sources:
        try:
            parse_cached(name, text, functions)
        except TemplateParseError:
            continue


def _sort_key(name: str) -> tuple[int, str]:
    return (name.count("/"), name)


def sort_templates(names: list[str]) -> list[str]:
    """Helm's ``sortTemplates``: more path segments first, then reverse lexical order."""
    return sorted(names, key=_sort_key, reverse=True)


@dataclass
class _File:
    name: str
    text: str
    chart: Chart
    partial: bool


class _Render:
    """One chart render: the namespace, the bound functions, the include counters, the limits."""

    def __init__(self, functions: dict[str, FuncSpec], limits: Limits, lookup: Lookup | None, lint: bool) -> None:
        self.base_functions = functions
        self.limits = limits
        self.lookup = lookup
        self.lint = lint
        self.included: dict[str, int] = {}

    def executor(self, templates: TemplateSet) -> Executor:
        """An executor over ``templates`` whose ``include``/``tpl`` resolve against that set."""
        table = dict(self.base_functions)
        executor = Executor(templates, table, self.limits)
        table["include"] = FuncSpec("include", self._include_for(executor), (STRING, ANY), None, True)
        table["tpl"] = FuncSpec("tpl", self._tpl_for(templates), (STRING, ANY), None, True)
        table["required"] = FuncSpec("required", self._required, (STRING, ANY), None, True)
        table["fail"] = FuncSpec("fail", self._fail, (STRING,), None, True)
        if self.lookup is not None:
            table["lookup"] = FuncSpec("lookup", self._lookup, (STRING, STRING, STRING, STRING), None, True)
        return executor

    def _include_for(self, executor: Executor) -> Callable[[str, Any], str]:
        def include(name: str, data: Any) -> str:
            count = self.included.get(name, 0)
            if count > MAX_INCLUDE_DEPTH:
                raise GoError(f"rendering template has a nested reference name: {name}: unable to execute template")
            self.included[name] = count + 1
            try:
                return executor.execute(name, data)
            except ExecError as exc:
                raise GoError(exc.message, exc, transparent=True) from None
            finally:
                self.included[name] -= 1

        return include

    def _tpl_for(self, templates: TemplateSet) -> Callable[[str, Any], str]:
        def tpl(text: str, data: Any) -> str:
            try:
                trees = parse_cached(TPL_ROOT_NAME, text, self.base_functions)
            except TemplateParseError as exc:
                raise GoError(f"cannot parse template {go_quote(text)}: {exc.message}", exc) from None
            clone = TemplateSet(parent=templates, root_name=TPL_ROOT_NAME)
            clone.associate(trees)
            # Go executes the tree it just parsed, even an empty one that the namespace ignored.
            tree = trees[TPL_ROOT_NAME]
            try:
                out = self.executor(clone).execute_tree(tree, data)
            except ExecError as exc:
                raise GoError(f"error during tpl function execution for {go_quote(text)}: {exc.message}", exc) from None
            return out.replace("<no value>", "")

        return tpl

    def _required(self, warn: str, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value == ""):
            if self.lint:
                return ""
            raise FuncError(f"HELM_ERR_START{warn}HELM_ERR_END")
        return value

    def _fail(self, message: str) -> str:
        if self.lint:
            return ""
        raise FuncError(f"HELM_ERR_START{message}HELM_ERR_END")

    def _lookup(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        assert self.lookup is not None
        return go_json_values(self.lookup(api_version, kind, namespace, name))  # type: ignore[no-any-return]


def _gather(chart: Chart) -> list[_File]:
    files: list[_File] = []
    for current in chart.walk():
        library = current.metadata.is_library
        base = current.full_path()
        for f in current.templates:
            if not f.name.startswith("templates/"):
                continue
            partial = posixpath.basename(f.name).startswith("_")
            if library and not partial:
                continue  # library charts contribute only their partials
            try:
                text = f.data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RenderError(f"parse error in ({base}/{f.name}): invalid UTF-8 ({exc.reason})") from None
            files.append(_File(f"{base}/{f.name}", text.removeprefix("\ufeff"), current, partial))
    return files


def _contexts(chart: Chart, values: dict[str, Any], release: ReleaseInfo,
              capabilities: Capabilities) -> dict[int, Values]:
    """The root context of every chart in the tree (keyed by ``id(chart)``), sharing Helm's objects."""
    go_values = Values(go_json_values(values))
    release_object = release_map(release)
    capabilities_object = CapabilitiesObject(capabilities)
    contexts: dict[int, Values] = {}

    def build(current: Chart, scope: Any) -> Values:
        subcharts: dict[str, Any] = {}
        context = Values(
            Chart=chart_map(current),
            Files=GoFiles((f.name, f.data) for f in current.files),
            Release=release_object,
            Capabilities=capabilities_object,
            Values=scope,
            Subcharts=subcharts,
        )
        for dep in current.dependencies:
            child_scope = scope.get(dep.name) if isinstance(scope, dict) else None
            # Helm's Values.Table: the same map when it is one, else an empty table.
            subcharts[dep.name] = build(dep, child_scope if isinstance(child_scope, dict) else Values())
        contexts[id(current)] = context
        return context

    build(chart, go_values)
    return contexts


def render_chart(
    chart: Chart,
    values: dict[str, Any],
    *,
    release: ReleaseInfo,
    capabilities: Capabilities,
    lookup: Lookup | None = None,
    lint: bool = False,
) -> dict[str, str]:
    """Render every non-partial template of the chart tree as ``helm template`` does.

    Returns ``{"<chart path>/templates/<file>": text}`` with ``<no value>`` removed (NOTES.txt
    included). Raises RenderError with Helm's message for a parse or execution error, or when
    a limit (nesting, output size, time) is exceeded.
    """
    functions = function_table()
    files = {f.name: f for f in _gather(chart)}
    order = sort_templates(list(files))
    old_limit = sys.getrecursionlimit()
    # Templates nest (include, tpl, parentheses) as Python calls; deeper than Python's default.
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    # The cycle collector is paused while the files are parsed (parsing makes no cycles, the
    # parser pauses it per file already), then everything the process holds, the new parse
    # trees above all, is frozen out of its sight until the render ends. Otherwise collections
    # between files and during execution traverse the trees again and again as they age: about
    # 40 ms of a kube-prometheus-stack render (a million nodes). Execution runs with the
    # collector on: a template can make reference cycles (``set $d "self" $d``) in a loop.
    collecting = gc.isenabled()  # off: another thread is parsing, or the application chose so
    try:
        if collecting:
            gc.disable()
        try:
            templates = _parse_all(files, order, functions)
        finally:
            if collecting:
                gc.freeze()
                gc.enable()
        return _execute_all(chart, files, order, templates, values, release, capabilities,
                            _Render(functions, _limits(), lookup, lint))
    except RecursionError:
        raise RenderError("templates nest too deeply (more than Python's recursion limit allows)") from None
    finally:
        sys.setrecursionlimit(old_limit)
        if collecting:
            gc.unfreeze()


def _limits() -> Limits:
    return Limits(max_output_chars=MAX_OUTPUT_CHARS, deadline=time.monotonic() + RENDER_TIMEOUT_SECONDS)


def _parse_all(files: dict[str, _File], order: list[str], functions: dict[str, FuncSpec]) -> TemplateSet:
    """Parse every file in Helm's order into one namespace; raises RenderError (parse error at …)."""
    templates = TemplateSet(root_name=TPL_ROOT_NAME)
    for name in order:
        try:
            trees = parse_cached(name, files[name].text, functions)
        except TemplateParseError as exc:
            raise RenderError(exc.helm_message(name)) from None
        templates.associate(trees)
    return templates


def _execute_all(chart: Chart, files: dict[str, _File], order: list[str], templates: TemplateSet,
                 values: dict[str, Any], release: ReleaseInfo, capabilities: Capabilities,
                 render: _Render) -> dict[str, str]:
    """Execute the non-partial files in order; raises RenderError with Helm's message."""
    contexts = _contexts(chart, values, release, capabilities)
    executor = render.executor(templates)
    rendered: dict[str, str] = {}
    for name in order:
        file = files[name]
        if file.partial:
            continue
        context = contexts[id(file.chart)]
        context["Template"] = Values(Name=name, BasePath=f"{file.chart.full_path()}/templates")
        try:
            out = executor.execute(name, context)
        except ExecError as exc:
            raise RenderError(helm_exec_error_message(name, exc)) from None
        except LimitExceeded as exc:
            raise RenderError(f"execution error in ({name}): {exc}") from None
        except RecursionError:
            raise RenderError(f"execution error in ({name}): templates nest too deeply") from None
        rendered[name] = out.replace("<no value>", "")
    return rendered


# --- Helm's error messages (engine.go reformatExecErrorMsg) -------------------------------------------


@dataclass(frozen=True)
class _Traceable:
    location: str = ""
    message: str = ""
    executed: str = ""

    def text(self) -> str:
        out = ""
        if self.location:
            out += self.location + "\n  "
        if self.executed:
            out += self.executed + "\n    "
        if self.message:
            out += self.message + "\n"
        return out


def _cut_chained(message: str) -> str:
    cut = message.find(" template:")
    return message[:cut] if cut != -1 else message


def _parse_traceable(text: str) -> _Traceable | None:
    prefix = "template: "
    if not text.startswith(prefix):
        return None
    remainder = text[len(prefix) :]
    if remainder.startswith("no template "):
        return _Traceable(message=text)
    before, sep, after = remainder.partition(": executing ")
    if sep and after.startswith('"'):
        end = after.find('"', 1)
        if end != -1:
            function = after[1:end]
            rest = after[end + 1 :]
            if rest.startswith(" at <"):
                location, found, message = rest[len(" at <") :].partition(">: ")
                if found:
                    return _Traceable(before, _cut_chained(message), f'executing "{function}" at <{location}>:')
    sep_index = remainder.rfind(": ")
    if sep_index != -1:
        return _Traceable(remainder[:sep_index], _cut_chained(remainder[sep_index + 2 :]))
    return None


def _unwrap_chain(error: BaseException) -> list[str]:
    messages: list[str] = []
    current: BaseException | None = error
    while current is not None:
        messages.append(str(current))
        current = getattr(current, "wrapped", None)
    return messages


def helm_exec_error_message(filename: str, error: ExecError) -> str:
    """Helm v4's ``reformatExecErrorMsg`` of an execution error of ``filename``."""
    message = error.message
    tokens = message.split(": ", 2)
    if len(tokens) != 3:
        return f"execution error in ({filename}): {message}"
    warn = _WARN.search(tokens[2])
    if warn is not None:
        return f"execution error at ({tokens[1]}): {warn.group(1)}"
    locations: list[_Traceable] = []
    for text in _unwrap_chain(error):
        traceable = _parse_traceable(text)
        if traceable is None:
            return message
        if not locations or locations[-1] != traceable:
            locations.append(traceable)
    for i, item in enumerate(locations):
        if item.location and item.location in item.message:
            locations[i] = _Traceable(item.location, item.message.replace(item.location, ""), item.executed)
    return "".join(item.text() for item in locations).strip()
