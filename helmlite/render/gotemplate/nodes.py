"""Parse-tree nodes of Go's text/template (``text/template/parse/node.go``).

Every node keeps its offset and its ``Source`` (file name and text) so execution errors can say
``file:line:col`` as Go does; ``str(node)`` is Go's ``node.String()``, which Go prints in
``executing "name" at <…>`` messages.

Constructors set ``pos`` and ``src`` themselves rather than through ``super().__init__``: a
big chart makes a few hundred thousand nodes, and that extra call was a fifth of the parse.
"""

from __future__ import annotations

from typing import Any

from helmlite.gofmt import go_quote
from helmlite.render.gotemplate.lexer import Source

__all__ = [
    "ActionNode",
    "BoolNode",
    "BranchNode",
    "BreakNode",
    "ChainNode",
    "CommandNode",
    "CommentNode",
    "ContinueNode",
    "DotNode",
    "ElseNode",
    "EndNode",
    "FieldNode",
    "IdentifierNode",
    "IfNode",
    "ListNode",
    "NilNode",
    "Node",
    "NumberNode",
    "PipeNode",
    "RangeNode",
    "StringNode",
    "TemplateNode",
    "TextNode",
    "Tree",
    "VariableNode",
    "WithNode",
    "is_empty_tree",
]  # fmt: skip


class Node:
    __slots__ = ("pos", "src")

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src

    def location(self) -> str:
        return self.src.location(self.pos)


class ListNode(Node):
    __slots__ = ("nodes",)

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src
        self.nodes: list[Node] = []

    def __str__(self) -> str:
        return "".join(map(str, self.nodes))


class TextNode(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, src: Source, text: str) -> None:
        self.pos = pos
        self.src = src
        self.text = text

    def __str__(self) -> str:
        return self.text


class CommentNode(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, src: Source, text: str) -> None:
        self.pos = pos
        self.src = src
        self.text = text

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


class PipeNode(Node):
    __slots__ = ("cmds", "decl", "is_assign")

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src
        self.is_assign = False
        self.decl: list[VariableNode] = []
        self.cmds: list[CommandNode] = []

    def __str__(self) -> str:
        text = ""
        if self.decl:
            text = ", ".join(map(str, self.decl)) + (" = " if self.is_assign else " := ")
        return text + " | ".join(map(str, self.cmds))


class ActionNode(Node):
    __slots__ = ("pipe",)

    def __init__(self, pos: int, src: Source, pipe: PipeNode) -> None:
        self.pos = pos
        self.src = src
        self.pipe = pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class CommandNode(Node):
    __slots__ = ("args",)

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src
        self.args: list[Node] = []

    def __str__(self) -> str:
        return " ".join(f"({arg})" if isinstance(arg, PipeNode) else str(arg) for arg in self.args)


class IdentifierNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, src: Source, ident: str) -> None:
        self.pos = pos
        self.src = src
        self.ident = ident

    def __str__(self) -> str:
        return self.ident


class VariableNode(Node):
    """``$x`` or ``$x.a.b``: ``ident[0]`` is the variable, the rest are fields."""

    __slots__ = ("ident",)

    def __init__(self, pos: int, src: Source, ident: str) -> None:
        self.pos = pos
        self.src = src
        self.ident = ident.split(".")

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    """``.a.b``: ``ident`` is ``["a", "b"]``."""

    __slots__ = ("ident",)

    def __init__(self, pos: int, src: Source, ident: str) -> None:
        self.pos = pos
        self.src = src
        self.ident = ident[1:].split(".")

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class ChainNode(Node):
    """``(pipe).a.b`` or any term followed by fields."""

    __slots__ = ("fields", "node")

    def __init__(self, pos: int, src: Source, node: Node) -> None:
        self.pos = pos
        self.src = src
        self.node = node
        self.fields: list[str] = []

    def add(self, field: str) -> None:
        if not field or field[0] != ".":
            raise ValueError("no dot in field")
        field = field[1:]
        if not field:
            raise ValueError("empty field")
        self.fields.append(field)

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


class BoolNode(Node):
    __slots__ = ("true",)

    def __init__(self, pos: int, src: Source, true: bool) -> None:
        self.pos = pos
        self.src = src
        self.true = true

    def __str__(self) -> str:
        return "true" if self.true else "false"


class NumberNode(Node):
    """A number constant with every interpretation Go found valid (int, uint, float, complex)."""

    __slots__ = ("float64", "int64", "is_complex", "is_float", "is_int", "is_uint", "text", "uint64")

    def __init__(self, pos: int, src: Source, text: str) -> None:
        self.pos = pos
        self.src = src
        self.text = text
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int64 = 0
        self.uint64 = 0
        self.float64 = 0.0

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    __slots__ = ("quoted", "text")

    def __init__(self, pos: int, src: Source, quoted: str, text: str) -> None:
        self.pos = pos
        self.src = src
        self.quoted = quoted
        self.text = text

    def __str__(self) -> str:
        return self.quoted


class EndNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{end}}"


class ElseNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{else}}"


class BranchNode(Node):
    __slots__ = ("else_list", "list", "pipe")
    keyword = ""

    def __init__(self, pos: int, src: Source, pipe: PipeNode, body: ListNode, else_list: ListNode | None) -> None:
        self.pos = pos
        self.src = src
        self.pipe = pipe
        self.list = body
        self.else_list = else_list

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


class IfNode(BranchNode):
    __slots__ = ()
    keyword = "if"


class RangeNode(BranchNode):
    __slots__ = ()
    keyword = "range"


class WithNode(BranchNode):
    __slots__ = ()
    keyword = "with"


class TemplateNode(Node):
    __slots__ = ("name", "pipe")

    def __init__(self, pos: int, src: Source, name: str, pipe: PipeNode | None) -> None:
        self.pos = pos
        self.src = src
        self.name = name
        self.pipe = pipe

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + str(self.pipe) + "}}"


class BreakNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{continue}}"


class Tree:
    """One parsed template (a file's top level, or a ``define``/``block`` body)."""

    __slots__ = ("name", "root", "src")

    def __init__(self, name: str, root: ListNode, src: Source) -> None:
        self.name = name
        self.root = root
        self.src = src

    def __repr__(self) -> str:
        return f"Tree({self.name!r} from {self.src.name!r})"


def is_empty_tree(node: Any) -> bool:
    """Go's ``IsEmptyTree``: nothing but white space and comments (an empty define is ignored)."""
    if node is None or isinstance(node, CommentNode):
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return not node.text.strip(" \t\r\n\v\f\x85\xa0")
    return False
