"""The subset of Kubernetes JSONPath that ``-o jsonpath=…`` and CRD printer columns use.

Supported: literal text; ``{.a.b}`` field paths (also ``{.metadata.labels.app\\.kubernetes\\.io/name}``
via escaped dots, and ``['key']``); array indexes ``[0]``, ``[-1]``; wildcards ``[*]`` and
``.*``; ``{range …}…{end}``; quoted literals ``{"\\n"}``; ``{@}``. Not supported: filters
``[?()]``, slices ``[a:b]``, recursive descent ``..``, unions ``[a,b]`` — they raise
``JSONPathError`` naming the construct, rather than printing something wrong.

Printing follows kubectl: several results of one expression are joined with a space,
strings print bare, other values as JSON (maps with sorted keys, as Go does).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["JSONPathError", "find", "parse_field_path", "render"]


class JSONPathError(ValueError):
    """A template kubectl's JSONPath would reject, or one outside the supported subset."""


_UNSUPPORTED = (("[?", "filters ([?(...)])"), ("..", "recursive descent (..)"))
_STEP = re.compile(r"\[(?P<index>-?\d+|\*)\]|\[(?P<quote>['\"])(?P<key>.*?)(?P=quote)\]|\.(?P<field>(?:\\.|[^.\[\\])+)")


def parse_field_path(path: str) -> list[str | int | None]:
    """``.a.b[0]['c.d'].*`` → ``["a", "b", 0, "c.d", None]`` (None = every element).

    Raises:
        JSONPathError: a construct outside the subset, or text that is not a path.
    """
    for token, what in _UNSUPPORTED:
        if token in path:
            raise JSONPathError(f"unsupported JSONPath {what} in {path!r}: helmlite supports field paths, "
                                "indexes, [*] and range/end")
    text = path.strip()
    text = text.removeprefix("$")
    if text in ("", "@"):
        return []
    text = text.removeprefix("@")
    if not text.startswith((".", "[")):
        text = "." + text
    steps: list[str | int | None] = []
    pos = 0
    while pos < len(text):
        match = _STEP.match(text, pos)
        if match is None:
            raise JSONPathError(f"unsupported JSONPath {path!r} at {text[pos:]!r} (slices and unions are not supported)")
        if match.group("index") is not None:
            steps.append(None if match.group("index") == "*" else int(match.group("index")))
        elif match.group("quote") is not None:
            steps.append(match.group("key"))
        else:
            name = match.group("field").replace("\\.", ".")
            steps.append(None if name == "*" else name)
        pos = match.end()
    return steps


def find(value: Any, steps: list[str | int | None]) -> list[Any]:
    """Every value ``steps`` reaches in ``value`` (missing keys and indexes reach nothing)."""
    current = [value]
    for step in steps:
        following: list[Any] = []
        for item in current:
            if step is None:
                if isinstance(item, list):
                    following.extend(item)
                elif isinstance(item, dict):
                    following.extend(item[k] for k in sorted(item))
            elif isinstance(step, int):
                if isinstance(item, list) and -len(item) <= step < len(item):
                    following.append(item[step])
            elif isinstance(item, dict) and step in item:
                following.append(item[step])
        current = following
    return current


def format_value(value: Any) -> str:
    """A result as kubectl prints it: strings bare, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class _Node:
    kind: str  # text | path | literal | range
    text: str = ""
    steps: tuple[str | int | None, ...] = ()
    body: tuple[_Node, ...] = ()


def _tokens(template: str) -> Iterator[tuple[str, str]]:
    """``("text", …)`` and ``("expr", …)`` pieces of a ``{…}`` template."""
    pos = 0
    while pos < len(template):
        start = template.find("{", pos)
        if start < 0:
            yield "text", template[pos:]
            return
        if start > pos:
            yield "text", template[pos:start]
        depth, end, quote = 0, start, ""
        while end < len(template):
            ch = template[end]
            if quote:
                if ch == "\\":
                    end += 1
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            end += 1
        if end >= len(template):
            raise JSONPathError(f"unclosed action in JSONPath template {template!r}")
        yield "expr", template[start + 1:end].strip()
        pos = end + 1


def _parse(template: str) -> list[_Node]:
    stack: list[tuple[list[_Node], tuple[str | int | None, ...]]] = [([], ())]
    for kind, text in _tokens(template):
        nodes = stack[-1][0]
        if kind == "text":
            nodes.append(_Node("text", text=text))
        elif text.startswith("range "):
            stack.append(([], tuple(parse_field_path(text[len("range "):]))))
        elif text == "end":
            if len(stack) == 1:
                raise JSONPathError(f"{{end}} without {{range}} in JSONPath template {template!r}")
            body, steps = stack.pop()
            stack[-1][0].append(_Node("range", steps=steps, body=tuple(body)))
        elif len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            # Go's strconv.Unquote: backslash escapes such as \n and \t.
            nodes.append(_Node("literal", text=codecs.decode(text[1:-1], "unicode_escape")))
        else:
            nodes.append(_Node("path", steps=tuple(parse_field_path(text))))
    if len(stack) != 1:
        raise JSONPathError(f"{{range}} without {{end}} in JSONPath template {template!r}")
    return stack[0][0]


def render(template: str, data: Any) -> str:
    """Execute a kubectl JSONPath template (``{.items[*].metadata.name}``) against ``data``.

    A template without braces is treated as one expression, as kubectl does.

    Raises:
        JSONPathError: a malformed template or an unsupported construct.
    """
    if "{" not in template:
        template = "{" + template + "}"
    return "".join(_execute(_parse(template), data))


def _execute(nodes: list[_Node] | tuple[_Node, ...], data: Any) -> Iterator[str]:
    for node in nodes:
        if node.kind in ("text", "literal"):
            yield node.text
        elif node.kind == "path":
            yield " ".join(format_value(v) for v in find(data, list(node.steps)))
        else:
            for item in find(data, list(node.steps)):
                yield from _execute(node.body, item)
