"""Named templates: ``{% define "name" %}…{% enddefine %}``, Helm's ``{{ define }}`` for Jinja2.

The extension parses the tag into a ``Macro`` node whose name carries ``DEFINE_MARKER`` (Jinja
forbids custom node types, and no user macro name can contain the marker's NUL); the environment
lifts every top-level define out of the file's tree and compiles its body as a template of its
own (the nodes keep their line numbers, so an error inside a helper names its file and line).
Precedence across the chart tree is Helm's (``registry_order``): files are taken deepest path
first, then in reverse lexical order, and the last definition wins — so a parent chart's helper
replaces a subchart's of the same name — except that an empty body never replaces a non-empty one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

__all__ = [
    "DEFINE_MARKER",
    "DefineExtension",
    "Define",
    "define_name",
    "is_empty_body",
    "registry_order",
    "build_registry",
]

DEFINE_MARKER = "\x00define:"


def define_name(node: nodes.Node) -> str | None:
    """The define's name if ``node`` is a parsed ``{% define %}``, else None."""
    if isinstance(node, nodes.Macro) and node.name.startswith(DEFINE_MARKER):
        return node.name[len(DEFINE_MARKER) :]
    return None


class DefineExtension(Extension):
    """Parses ``{% define "name" %}…{% enddefine %}`` (the name must be a string literal)."""

    tags = {"define"}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        name = parser.parse_expression()
        if not (isinstance(name, nodes.Const) and isinstance(name.value, str)):
            parser.fail('define: the template name must be a quoted string, e.g. {% define "mychart.name" %}', lineno)
        body = parser.parse_statements(("name:enddefine",), drop_needle=True)
        return nodes.Macro(DEFINE_MARKER + name.value, [], [], body, lineno=lineno)


@dataclass(frozen=True)
class Define:
    """One compiled named template: ``template`` renders the body; ``file`` is where it is defined."""

    name: str
    file: str
    lineno: int
    template: Any  # jinja2.Template
    empty: bool


def is_empty_body(body: list[nodes.Node]) -> bool:
    """Go's ``IsEmptyTree``: only whitespace text (comments never reach the tree)."""
    for node in body:
        if not isinstance(node, nodes.Output):
            return False
        for child in node.nodes:
            if not (isinstance(child, nodes.TemplateData) and not child.data.strip()):
                return False
    return True


def registry_order(names: Iterable[str]) -> list[str]:
    """Helm's ``sortTemplates``: more ``/`` first, same depth in reverse lexical order.

    This is both the order files execute in and the order defines are registered in.
    """
    return sorted(names, key=lambda n: (n.count("/"), n), reverse=True)


def build_registry(defines_in_order: Iterable[Define]) -> dict[str, Define]:
    """Register defines in parse order: later wins, but an empty body never hides a non-empty one."""
    registry: dict[str, Define] = {}
    for define in defines_in_order:
        previous = registry.get(define.name)
        if previous is not None and define.empty and not previous.empty:
            continue
        registry[define.name] = define
    return registry
