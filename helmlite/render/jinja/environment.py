"""The sandboxed Jinja2 environment of the native dialect, its compile cache and the render state.

Design choices (documented for chart authors in docs/templates.md):

- One process-wide ``HelmliteEnvironment`` (a ``SandboxedEnvironment``); compiled files are
  cached by (template name, sha256 of the source), so rendering the same chart again compiles
  nothing, and their code is kept on disk (``codecache``) so a new process does not either. Per-render data (the define registry, ``lookup``, lint mode, limits) lives in a
  ``contextvars`` slot, never in the environment, so concurrent renders do not share it and
  templates cannot reach it.
- ``Values.x``: for a dict, the key wins over a method of the same name (``Values.items`` is the
  key ``items`` when present). A missing key is ``Undefined`` and prints as ``""``; reading an
  attribute of it is an error naming file and line (Go's "nil pointer evaluating").
- Untrusted templates are bounded: the sandbox blocks private attributes and ``str.format``;
  ``range`` is capped (Jinja's ``MAX_RANGE``); ``*``, ``**``, ``+``, ``%``, ``~`` and padding
  string methods are checked before they allocate; include/tpl depth, output size and wall time
  per render are capped.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import threading
import time
import types
from collections import ChainMap, OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2 import BaseLoader, Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import SandboxedEnvironment

from helmlite.render.jinja.codecache import CodeCache, CompiledCode, default_code_cache
from helmlite.render.jinja.defines import Define, DefineExtension, define_name, is_empty_body
from helmlite.render.engine import Lookup
from helmlite.gofmt import display

__all__ = [
    "MAX_INCLUDE_DEPTH",
    "MAX_OUTPUT_CHARS",
    "MAX_COLLECTION_ITEMS",
    "RENDER_TIME_LIMIT_SECONDS",
    "TemplateFailure",
    "TemplateFunctionError",
    "HelmliteUndefined",
    "HelmliteEnvironment",
    "CompiledFile",
    "RenderState",
    "current_state",
    "get_environment",
]

# include/tpl nesting; Helm allows 1000 per name, but 100 already means a runaway helper.
MAX_INCLUDE_DEPTH = 100
# Characters one render may produce (all files together; also any single include/tpl result).
MAX_OUTPUT_CHARS = 32 * 1024 * 1024
# Items a template may put in one string repetition, list or dict it builds.
MAX_COLLECTION_ITEMS = 1_000_000
# Wall-clock budget of one render, checked at every 1024th function call.
RENDER_TIME_LIMIT_SECONDS = 60.0
# Compiled files kept per process (a file of a chart and each distinct tpl string count once).
COMPILE_CACHE_SIZE = 8192
# Largest exponent bit length ``a ** b`` may produce.
_MAX_POW_BITS = 1 << 16


class TemplateFailure(Exception):
    """``required`` / ``fail``: reported as Helm does, ``execution error at (<file>:<line>): <msg>``."""


class TemplateFunctionError(Exception):
    """A template function or limit refused its input; the renderer adds file and line."""


# Attributes Jinja and its sandbox look up on anything they call.
_UNDEFINED_PROBES = frozenset({"unsafe_callable", "alters_data", "jinja_pass_arg"})


class HelmliteUndefined(Undefined):
    """A missing value: prints ``""``, is falsy and iterates empty; its attributes are errors.

    ``Values.image.tag`` with no ``image`` fails with "nil pointer evaluating image.tag", which is
    Go's behaviour (and catches typos that ``ChainableUndefined`` would silently hide).
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        if name in _UNDEFINED_PROBES:
            # Jinja probing a value it is about to call: keep its "'x' is undefined" message.
            return self._fail_with_undefined_error()
        what = self._undefined_name if isinstance(self._undefined_name, str) else "value"
        raise TemplateFunctionError(f"nil pointer evaluating {what}.{name}: {what!r} is undefined")


@dataclass(frozen=True)
class CompiledFile:
    """A compiled template file: its body (``None`` for partials, which never render) and defines."""

    name: str
    template: Template | None
    defines: tuple[Define, ...]


class _NoFileLoader(BaseLoader):
    """Jinja's file-level ``{% include %}``/``{% extends %}``/``{% import %}`` have no place here."""

    def get_source(self, environment: Any, template: str) -> Any:
        raise TemplateFunctionError(
            f"{{% include/import/extends %}} cannot load {template!r}: share text between files with "
            '{% define "name" %} and include("name", ctx)'
        )


class _CodeGenerator(CodeGenerator):
    """Routes ``a ~ b`` through the environment so it prints like ``{{ }}`` and is size-checked."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 - Jinja visitor name
        self.write("environment.concat_values((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


# str methods whose result size is set by their first argument.
_PADDING_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_GROWING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault"})
_PRINTF_WIDTH = re.compile(r"%[-+ #0]*(\d+)?(?:\.(\d+))?")


class HelmliteEnvironment(SandboxedEnvironment):
    """The native dialect's environment: Helm's functions, ``define``, Go-style printing, limits."""

    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            undefined=HelmliteUndefined,
            finalize=display,
            extensions=[DefineExtension, "jinja2.ext.do", "jinja2.ext.loopcontrols"],
            loader=_NoFileLoader(),
            cache_size=0,
            auto_reload=False,
        )
        # lipsum(n) builds unbounded text; the rest of Jinja's globals are harmless.
        self.globals.pop("lipsum", None)
        from helmlite.render.jinja.functions import install

        install(self)
        # (name, sha256 of the source, partial) → the compiled file and its source.
        self._cache: OrderedDict[tuple[str, str, bool], tuple[CompiledFile, str]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._code_cache = default_code_cache()

    # ----- sandbox -------------------------------------------------------------------------

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Dict keys win over dict methods (``Values.items`` is the key when present)."""
        if isinstance(obj, dict):
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # str.format can pad to any width; templates have printf instead.
        if isinstance(obj, str) and attr in ("format", "format_map"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        return None

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse at once (Jinja's default returns an Undefined that prints as ``""``)."""
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Sandboxed call, plus the time budget and size checks on builtin container methods."""
        state = _STATE.get(None)
        if state is not None:
            state.tick()
        receiver = getattr(__obj, "__self__", None)
        if isinstance(__obj, types.BuiltinMethodType) and receiver is not None:
            name = __obj.__name__
            if isinstance(receiver, str):
                _check_str_method(receiver, name, args)
            elif name in _GROWING_METHODS and isinstance(receiver, (list, dict, set)):
                if len(receiver) > MAX_COLLECTION_ITEMS:
                    raise TemplateFunctionError(f"collection too large (more than {MAX_COLLECTION_ITEMS} items)")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``*`` and ``**`` are checked before computing; ``+`` and ``%`` bound their result."""
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                    _check_size(len(seq) * count)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                if right * abs(left).bit_length() > _MAX_POW_BITS:
                    raise TemplateFunctionError("number too large: ** result would exceed the sandbox limit")
        elif operator == "%" and isinstance(left, str):
            for width, precision in _PRINTF_WIDTH.findall(left):
                _check_size(int(width or 0) + int(precision or 0))
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, (str, list, tuple)):
            _check_size(len(result))
        return result

    def concat_values(self, values: tuple[Any, ...]) -> str:
        """``a ~ b``: each operand printed like ``{{ }}`` does, result size-checked."""
        text = "".join(map(display, values))
        _check_size(len(text))
        return text

    # ----- compilation ---------------------------------------------------------------------

    def compile_file(self, name: str, source: str, *, partial: bool = False) -> CompiledFile:
        """Compile (or fetch from the cache) one template file.

        Returns the body template (``None`` for a partial) and its defines. Raises
        ``TemplateSyntaxError`` (name and line set) for a malformed file, two defines of one name
        in the file, or a define that is not at the top level.
        """
        source_sha256 = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
        key = (name, source_sha256, partial)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached[0]
        compiled = self._compile_file(name, source, source_sha256, partial)
        with self._cache_lock:
            self._cache[key] = (compiled, source)
            if len(self._cache) > COMPILE_CACHE_SIZE:
                self._cache.popitem(last=False)
        return compiled

    def compiled_sources(self) -> list[tuple[str, str, bool]]:
        """``(name, source, partial)`` of every file in the compile cache, least recently used
        first: what a command server compiles again for its next forks (helmlite/commandserver)."""
        with self._cache_lock:
            return [(name, source, partial) for (name, _, partial), (_, source) in self._cache.items()]

    def _compile_file(self, name: str, source: str, source_sha256: str, partial: bool) -> CompiledFile:
        disk_key = CodeCache.key(name, source_sha256, partial) if self._code_cache else ""
        code = self._code_cache.load(disk_key) if self._code_cache else None
        if code is None:
            code = self._generate_code(name, source, partial)
            if self._code_cache:
                self._code_cache.store(disk_key, code)
        defines = tuple(
            Define(define, name, lineno, self._template_from_code(define_code), empty)
            for define, lineno, define_code, empty in code.defines
        )
        template = None if code.body is None else self._template_from_code(code.body)
        return CompiledFile(name, template, defines)

    def _generate_code(self, name: str, source: str, partial: bool) -> CompiledCode:
        tree = self._parse(source, name, name)
        # Substring checks skip whole-tree walks for the many files that need none.
        if "required" in source:
            _annotate_required_paths(tree)
        body: list[nodes.Node] = []
        found: list[tuple[str, nodes.Macro]] = []
        for node in tree.body:
            define = define_name(node)
            if define is None:
                body.append(node)
            else:
                assert isinstance(node, nodes.Macro)
                found.append((define, node))
        if "define" in source:
            top = {id(node) for _, node in found}
            for macro in tree.find_all(nodes.Macro):
                if define_name(macro) is not None and id(macro) not in top:
                    raise TemplateSyntaxError(
                        "define is only allowed at the top level of a file", macro.lineno, name, name
                    )
        defines: list[tuple[str, int, types.CodeType, bool]] = []
        seen: set[str] = set()
        for define, node in found:
            if define in seen:
                raise TemplateSyntaxError(f'multiple definition of template "{define}"', node.lineno, name, name)
            seen.add(define)
            defines.append((define, node.lineno, self._code_from_nodes(node.body, name), is_empty_body(node.body)))
        return CompiledCode(None if partial else self._code_from_nodes(body, name), tuple(defines))

    def _code_from_nodes(self, body: list[nodes.Node], name: str) -> types.CodeType:
        tree = nodes.Template(body, lineno=1)
        tree.set_environment(self)
        code: types.CodeType = self._compile(self._generate(tree, name, name), name)
        return code

    def _template_from_code(self, code: types.CodeType) -> Template:
        return self.template_class.from_code(self, code, self.make_globals(None))


def _check_size(size: int) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise TemplateFunctionError(f"value too large: {size} characters or items (limit {MAX_OUTPUT_CHARS})")


def _check_str_method(receiver: str, name: str, args: tuple[Any, ...]) -> None:
    if name in _PADDING_METHODS and args and isinstance(args[0], int):
        _check_size(args[0] * (receiver.count("\t") or 1) if name == "expandtabs" else args[0])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        growth = len(args[1]) - len(args[0])
        if growth > 0:
            _check_size(len(receiver) + receiver.count(args[0]) * growth)
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        _check_size(len(receiver) * len(args[0]))


def _expr_path(node: nodes.Node) -> str | None:
    """``Values.image.repository`` for an attribute chain (the value path ``required`` names)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _expr_path(node.node)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _expr_path(node.node)
        if base is None:
            return None
        key = node.arg.value
        return f"{base}.{key}" if isinstance(key, str) and key.isidentifier() else f"{base}[{key!r}]"
    return None


def _annotate_required_paths(tree: nodes.Template) -> None:
    """Pass the source text of ``required``'s value (``_path="Values.x"``) so its error can name it."""
    for node in tree.find_all((nodes.Call, nodes.Filter)):
        value: nodes.Node | None = None
        if isinstance(node, nodes.Call):
            if isinstance(node.node, nodes.Name) and node.node.name == "required" and len(node.args) >= 2:
                value = node.args[1]
        elif isinstance(node, nodes.Filter) and node.name == "required":
            value = node.node
        path = _expr_path(value) if value is not None else None
        if path:
            assert isinstance(node, (nodes.Call, nodes.Filter))
            node.kwargs.append(nodes.Keyword("_path", nodes.Const(path), lineno=node.lineno))  # type: ignore[arg-type]


# ----- per-render state ------------------------------------------------------------------------

_STATE: contextvars.ContextVar[RenderState | None] = contextvars.ContextVar("helmlite_render_state", default=None)


class RenderState:
    """What one render shares between files: defines, lookup, lint mode, depth and budgets."""

    def __init__(self, env: HelmliteEnvironment, defines: Mapping[str, Define], *, lookup: Lookup, lint: bool) -> None:
        self.env = env
        self.defines: Mapping[str, Define] = defines
        self.lookup = lookup
        self.lint = lint
        self.current_file = ""
        self.depth = 0
        self.total_output = 0
        self.calls = 0
        self.deadline = time.monotonic() + RENDER_TIME_LIMIT_SECONDS

    @contextmanager
    def active(self) -> Iterator[RenderState]:
        """Make this the state template functions see (for the calling thread/context)."""
        token = _STATE.set(self)
        try:
            yield self
        finally:
            _STATE.reset(token)

    def tick(self) -> None:
        """Count a template call; past the time budget, stop the render."""
        self.calls += 1
        if not self.calls & 1023 and time.monotonic() > self.deadline:
            raise TemplateFunctionError(f"render took longer than {RENDER_TIME_LIMIT_SECONDS:g} s")

    def render_file(self, name: str, template: Template, scope: dict[str, Any]) -> str:
        """Render one file with ``scope`` as its root data; counts toward the render's output budget."""
        self.current_file = name
        text = self._render(template, scope)
        self.total_output += len(text)
        if self.total_output > MAX_OUTPUT_CHARS:
            raise TemplateFunctionError(f"rendered output exceeds {MAX_OUTPUT_CHARS} characters")
        return text

    def include(self, name: str, data: Any) -> str:
        """Render the named template with ``data`` as ``ctx``."""
        define = self.defines.get(name)
        if define is None:
            raise TemplateFunctionError(f'include: no template named "{name}"')
        return self._nested(name, define.template, data)

    def tpl(self, text: str, data: Any) -> str:
        """Render ``text`` as a template of the current file, with every define visible."""
        compiled = self.env.compile_file(self.current_file, text)
        assert compiled.template is not None
        if not compiled.defines:
            return self._nested("tpl", compiled.template, data)
        # Defines made inside a tpl string are visible only inside that tpl, as in Helm.
        outer = self.defines
        local = {d.name: d for d in compiled.defines}
        self.defines = ChainMap(local, outer)  # type: ignore[arg-type]  # read-only use
        try:
            return self._nested("tpl", compiled.template, data)
        finally:
            self.defines = outer

    def _nested(self, label: str, template: Template, data: Any) -> str:
        if self.depth >= MAX_INCLUDE_DEPTH:
            raise TemplateFunctionError(f"include recursion too deep: {label}")
        self.depth += 1
        try:
            return self._render(template, data)
        finally:
            self.depth -= 1

    def _render(self, template: Template, data: Any) -> str:
        # Names resolve in this order: ctx, the functions, then the data's keys (so a dict passed
        # to include cannot shadow a function; its colliding keys stay reachable as ctx.key).
        layers: list[Any] = [{"ctx": data}, self.env.globals]
        if isinstance(data, Mapping):
            layers.append(data)
        names: Any = ChainMap(*layers)  # Context only reads its parent mapping
        context = self.env.context_class(self.env, names, template.name, template.blocks)
        parts: list[str] = []
        size = 0
        for chunk in template.root_render_func(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateFunctionError(f"rendered output exceeds {MAX_OUTPUT_CHARS} characters")
            parts.append(chunk)
        return "".join(parts)


def current_state() -> RenderState:
    """The state of the render in progress; template functions call this."""
    state = _STATE.get()
    if state is None:
        raise TemplateFunctionError("this function is only available while a chart renders")
    return state


_ENVIRONMENT: HelmliteEnvironment | None = None
_ENVIRONMENT_LOCK = threading.Lock()


def get_environment() -> HelmliteEnvironment:
    """The process-wide environment (created on first use; it holds the compile cache)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        with _ENVIRONMENT_LOCK:
            if _ENVIRONMENT is None:
                _ENVIRONMENT = HelmliteEnvironment()
    return _ENVIRONMENT
