"""The parser of Go's text/template (``text/template/parse/parse.go``), with Go's error messages.

``parse_template(name, text, functions)`` returns every tree the text defines: the top-level
one under ``name`` and one per ``define``/``block``. A syntax error raises ``TemplateParseError``
whose message is Go's (``template: <name>:<line>: <what>``); Helm shortens it to
``parse error at (<name>:<line>): <what>`` (``helm_message``).
"""

from __future__ import annotations

import math
from collections.abc import Container
from typing import NoReturn

from helmlite.render.gotemplate import lexer as lx
from helmlite.render.gotemplate.lexer import Item, Source
from helmlite.render.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
    is_empty_tree,
)

__all__ = ["MAX_STACK_DEPTH", "TemplateParseError", "go_unquote", "parse_template"]

MAX_STACK_DEPTH = 10000
"""Deepest nesting of parenthesized pipelines (Go's maxStackDepth)."""

MAX_PIPELINE_COMMANDS = 100000


class TemplateParseError(Exception):
    """A template that does not parse; ``str()`` is Go's message ``template: <name>:<line>: <what>``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def helm_message(self, filename: str) -> str:
        """Helm's ``cleanupParseError``: ``parse error at (<location>): <last part>``."""
        tokens = self.message.split(": ")
        if len(tokens) == 1:
            return f"parse error in ({filename}): {self.message}"
        return f"parse error at ({tokens[1]}): {tokens[-1]}"


class _Parser:
    """One parse of one text; shares lexer and tree set with the parsers of its defines."""

    def __init__(self, name: str, src: Source, items: list[Item], functions: Container[str],
                 trees: dict[str, Tree], cursor: list[int]) -> None:
        self.name = name
        self.src = src
        self.items = items
        self.functions = functions
        self.trees = trees
        self.cursor = cursor  # shared position in items (the lexer's stream)
        self.token: list[Item] = [items[0], items[0], items[0]]
        self.peek_count = 0
        self.vars = ["$"]
        self.action_pos = -1  # where the action being parsed starts (for "unclosed action" messages)
        self.range_depth = 0
        self.stack_depth = 0
        self.root: ListNode | None = None

    # --- token stream (Go's three-token lookahead) ----------------------------------------------

    def _lex_next(self) -> Item:
        index = self.cursor[0]
        item = self.items[index]
        if index < len(self.items) - 1:
            self.cursor[0] = index + 1
        return item

    def next(self) -> Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self._lex_next()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Item, t1: Item) -> None:
        self.token[1] = t1
        self.token[2] = t2
        self.peek_count = 3

    def peek(self) -> Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        self.token[0] = self._lex_next()
        return self.token[0]

    def next_non_space(self) -> Item:
        while True:
            token = self.next()
            if token.typ != lx.SPACE:
                return token

    def peek_non_space(self) -> Item:
        token = self.next_non_space()
        self.backup()
        return token

    # --- errors -------------------------------------------------------------------------------

    def errorf(self, message: str) -> NoReturn:
        line = self.src.line(self.token[0].pos)
        raise TemplateParseError(f"template: {self.src.name}:{line}: {message}")

    def expect(self, expected: int, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != expected:
            self.unexpected(token, context)
        return token

    def expect_one_of(self, expected1: int, expected2: int, context: str) -> Item:
        token = self.next_non_space()
        if token.typ not in (expected1, expected2):
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str) -> None:
        if token.typ == lx.ERROR:
            extra = ""
            action_line = self.src.line(self.action_pos) if self.action_pos >= 0 else 0
            if action_line and action_line != self.src.line(token.pos):
                extra = f" in action started at {self.src.name}:{action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{token}{extra}")
        self.errorf(f"unexpected {token} in {context}")

    # --- grammar ------------------------------------------------------------------------------

    def parse(self) -> None:
        self.root = ListNode(self.peek().pos, self.src)
        while self.peek().typ != lx.EOF:
            if self.peek().typ == lx.LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == lx.DEFINE:
                    sub = _Parser("definition", self.src, self.items, self.functions, self.trees, self.cursor)
                    sub.parse_definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                self.errorf(f"unexpected {node}")
            self.root.nodes.append(node)

    def add(self) -> None:
        tree = self.trees.get(self.name)
        assert self.root is not None
        if tree is None or is_empty_tree(tree.root):
            self.trees[self.name] = Tree(self.name, self.root, self.src)
            return
        if not is_empty_tree(self.root):
            self.errorf(f"template: multiple definition of template {_quote(self.name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        name = self.expect_one_of(lx.STRING, lx.RAW_STRING, context)
        self.name = self.unquote(name.val)
        self.expect(lx.RIGHT_DELIM, context)
        self.root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add()

    def item_list(self) -> tuple[ListNode, Node]:
        body = ListNode(self.peek_non_space().pos, self.src)
        while self.peek_non_space().typ != lx.EOF:
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return body, node
            body.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == lx.TEXT:
            return TextNode(token.pos, self.src, token.val)
        if token.typ == lx.LEFT_DELIM:
            self.action_pos = token.pos
            try:
                return self.action()
            finally:
                self.action_pos = -1
        if token.typ == lx.COMMENT:
            return CommentNode(token.pos, self.src, token.val)
        self.unexpected(token, "input")
        raise AssertionError("not reached")

    def action(self) -> Node:
        token = self.next_non_space()
        typ = token.typ
        if typ == lx.BLOCK:
            return self.block_control()
        if typ == lx.BREAK:
            return self.break_control(token, "{{break}}", BreakNode)
        if typ == lx.CONTINUE:
            return self.break_control(token, "{{continue}}", ContinueNode)
        if typ == lx.ELSE:
            return self.else_control()
        if typ == lx.END:
            return EndNode(self.expect(lx.RIGHT_DELIM, "end").pos, self.src)
        if typ == lx.IF:
            return IfNode(*self.parse_control("if"))
        if typ == lx.RANGE:
            return RangeNode(*self.parse_control("range"))
        if typ == lx.TEMPLATE:
            return self.template_control()
        if typ == lx.WITH:
            return WithNode(*self.parse_control("with"))
        self.backup()
        token = self.peek()
        # Variables declared here persist until the enclosing "end".
        return ActionNode(token.pos, self.src, self.pipeline("command", lx.RIGHT_DELIM))

    def break_control(self, keyword: Item, what: str, cls: type[Node]) -> Node:
        token = self.next_non_space()
        if token.typ != lx.RIGHT_DELIM:
            self.unexpected(token, what)
        if self.range_depth == 0:
            self.errorf(f"{what} outside {{{{range}}}}")
        return cls(keyword.pos, self.src)

    def pipeline(self, context: str, end: int) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, self.src)
        while True:  # Go's "decls:" label
            v = self.peek_non_space()
            if v.typ != lx.VARIABLE:
                break
            self.next()
            # "$x foo" needs three tokens of look-ahead to tell an argument from a declaration.
            token_after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (lx.ASSIGN, lx.DECLARE):
                pipe.is_assign = nxt.typ == lx.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, self.src, v.val))
                self.vars.append(v.val)
            elif nxt.typ == lx.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, self.src, v.val))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (lx.VARIABLE, lx.RIGHT_DELIM, lx.RIGHT_PAREN):
                        continue  # second initialized variable in a range pipeline
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            elif token_after_variable.typ == lx.SPACE:
                self.backup3(v, token_after_variable)
            else:
                self.backup2(v)
            break
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
                if len(pipe.cmds) > MAX_PIPELINE_COMMANDS:
                    self.errorf("pipeline too long")
            else:
                self.unexpected(token, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, context: str) -> tuple[int, Source, PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, lx.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                # "{{else if …}}" / "{{else with …}}" = "{{else}}{{if …}}…{{end}}" sharing one {{end}}.
                if context == "if" and self.peek().typ == lx.IF:
                    self.next()
                    else_list = ListNode(nxt.pos, self.src)
                    else_list.nodes.append(IfNode(*self.parse_control("if")))
                elif context == "with" and self.peek().typ == lx.WITH:
                    self.next()
                    else_list = ListNode(nxt.pos, self.src)
                    else_list.nodes.append(WithNode(*self.parse_control("with")))
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return pipe.pos, self.src, pipe, body, else_list
        finally:
            del self.vars[mark:]

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.typ in (lx.IF, lx.WITH):
            return ElseNode(peek.pos, self.src)
        token = self.expect(lx.RIGHT_DELIM, "else")
        return ElseNode(token.pos, self.src)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = self.pipeline(context, lx.RIGHT_DELIM)
        block = _Parser(name, self.src, self.items, self.functions, self.trees, self.cursor)
        block.root, end = block.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        block.add()
        return TemplateNode(token.pos, self.src, name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = None
        if self.next_non_space().typ != lx.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, lx.RIGHT_DELIM)
        return TemplateNode(token.pos, self.src, name, pipe)

    def parse_template_name(self, token: Item, context: str) -> str:
        if token.typ in (lx.STRING, lx.RAW_STRING):
            return self.unquote(token.val)
        self.unexpected(token, context)
        raise AssertionError("not reached")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos, self.src)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == lx.SPACE:
                continue
            if token.typ in (lx.RIGHT_DELIM, lx.RIGHT_PAREN):
                self.backup()
            elif token.typ != lx.PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == lx.FIELD:
            chain = ChainNode(self.peek().pos, self.src, node)
            while self.peek().typ == lx.FIELD:
                chain.add(self.next().val)
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, self.src, str(chain))
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, self.src, str(chain))
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        typ = token.typ
        if typ == lx.IDENTIFIER:
            if token.val not in self.functions:
                self.errorf(f"function {_quote(token.val)} not defined")
            return IdentifierNode(token.pos, self.src, token.val)
        if typ == lx.DOT:
            return DotNode(token.pos, self.src)
        if typ == lx.NIL:
            return NilNode(token.pos, self.src)
        if typ == lx.VARIABLE:
            return self.use_var(token)
        if typ == lx.FIELD:
            return FieldNode(token.pos, self.src, token.val)
        if typ == lx.BOOL:
            return BoolNode(token.pos, self.src, token.val == "true")
        if typ in (lx.CHAR_CONSTANT, lx.COMPLEX, lx.NUMBER):
            return self.number(token)
        if typ == lx.LEFT_PAREN:
            if self.stack_depth >= MAX_STACK_DEPTH:
                self.errorf("max expression depth exceeded")
            self.stack_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", lx.RIGHT_PAREN)
            finally:
                self.stack_depth -= 1
        if typ in (lx.STRING, lx.RAW_STRING):
            return StringNode(token.pos, self.src, token.val, self.unquote(token.val))
        self.backup()
        return None

    def use_var(self, token: Item) -> Node:
        node = VariableNode(token.pos, self.src, token.val)
        if node.ident[0] not in self.vars:
            self.errorf(f"undefined variable {_quote(node.ident[0])}")
        return node

    def unquote(self, quoted: str) -> str:
        try:
            return go_unquote(quoted)
        except ValueError:
            self.errorf("invalid syntax")

    def number(self, token: Item) -> NumberNode:
        try:
            return _number(token, self.src)
        except ValueError as exc:
            self.errorf(str(exc))


_OPERAND_START = frozenset(
    (lx.BOOL, lx.CHAR_CONSTANT, lx.COMPLEX, lx.DOT, lx.FIELD, lx.IDENTIFIER, lx.NUMBER, lx.NIL,
     lx.RAW_STRING, lx.STRING, lx.VARIABLE, lx.LEFT_PAREN)
)  # fmt: skip


def _quote(text: str) -> str:
    from helmlite.render.gofmt import go_quote

    return go_quote(text)


# --- Go literals ----------------------------------------------------------------------------------

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unquote_char(text: str, i: int, quote: str) -> tuple[str | int, int]:
    """Go's ``strconv.UnquoteChar`` at ``text[i]``: (a character, or a byte value for \\x/octal, next index)."""
    ch = text[i]
    if ch == quote and quote in "'\"":
        raise ValueError("invalid syntax")
    if ch != "\\":
        return ch, i + 1
    if i + 1 >= len(text):
        raise ValueError("invalid syntax")
    c = text[i + 1]
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], i + 2
    if c in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[c]
        digits = text[i + 2 : i + 2 + size]
        if len(digits) != size or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise ValueError("invalid syntax")
        value = int(digits, 16)
        if c == "x":
            return value, i + 2 + size
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise ValueError("invalid syntax")
        return chr(value), i + 2 + size
    if c in "01234567":
        digits = text[i + 1 : i + 4]
        if len(digits) != 3 or any(d not in "01234567" for d in digits) or int(digits, 8) > 255:
            raise ValueError("invalid syntax")
        return int(digits, 8), i + 4
    if c in "'\"" and c == quote:
        return c, i + 2
    raise ValueError("invalid syntax")


def go_unquote(quoted: str) -> str:
    """Go's ``strconv.Unquote`` for ``"…"`` and raw `` `…` `` strings; ValueError("invalid syntax")."""
    if len(quoted) < 2 or quoted[0] != quoted[-1]:
        raise ValueError("invalid syntax")
    body = quoted[1:-1]
    if quoted[0] == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    if quoted[0] != '"':
        raise ValueError("invalid syntax")
    if "\\" not in body:
        if '"' in body or "\n" in body:
            raise ValueError("invalid syntax")
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i] == "\n":
            raise ValueError("invalid syntax")
        piece, i = _unquote_char(body, i, '"')
        if isinstance(piece, int):
            out.append(piece)
        else:
            out += piece.encode("utf-8", "surrogatepass")
    return out.decode("utf-8", "replace")


_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _underscore_ok(text: str) -> bool:
    """Go's ``underscoreOK``: underscores only between digits (or after a base prefix)."""
    saw = "^"
    i = 0
    if text[:1] in ("+", "-"):
        text = text[1:]
    hexadecimal = False
    if len(text) >= 2 and text[0] == "0" and text[1].lower() in "box":
        i = 2
        saw = "0"
        hexadecimal = text[1].lower() == "x"
    for ch in text[i:]:
        if "0" <= ch <= "9" or (hexadecimal and "a" <= ch.lower() <= "f"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _parse_go_uint(text: str) -> int:
    """``strconv.ParseUint(text, 0, 64)``; ValueError for bad syntax, OverflowError beyond 64 bits."""
    base = 10
    body = text
    if text[:1] == "0":
        prefix = text[1:2].lower()
        if len(text) >= 3 and prefix in ("b", "o", "x"):
            base = {"b": 2, "o": 8, "x": 16}[prefix]
            body = text[2:]
        else:
            base = 8
            body = text[1:]
    if "_" in body:
        if not _underscore_ok(text):
            raise ValueError(text)
        body = body.replace("_", "")
    if (not body and base != 8) or any(c not in _DIGITS[base] for c in body):
        raise ValueError(text)
    value = int(body, base) if body else 0
    if value >= 1 << 64:
        raise OverflowError(text)
    return value


def _parse_go_int(text: str) -> int:
    """``strconv.ParseInt(text, 0, 64)``."""
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body:
        raise ValueError(text)
    value = sign * _parse_go_uint(body)
    if not -(1 << 63) <= value < (1 << 63):
        raise OverflowError(text)
    return value


def _parse_go_float(text: str) -> float:
    """``strconv.ParseFloat(text, 64)`` for the literals the lexer produces; ValueError otherwise."""
    if "_" in text and not _underscore_ok(text):
        raise ValueError(text)
    body = text.lstrip("+-")
    if body[:2].lower() == "0x":
        value = float.fromhex(text.replace("_", ""))
    elif body and (body[0].isdigit() or body[0] == "."):
        value = float(text.replace("_", ""))
    else:
        raise ValueError(text)
    if value in (float("inf"), float("-inf")):
        raise OverflowError(text)  # Go reports ErrRange: not a valid float64
    return value


def _number(token: Item, src: Source) -> NumberNode:
    """Go's ``newNumber``: every interpretation of the literal that is exact."""
    text = token.val
    node = NumberNode(token.pos, src, text)
    if token.typ == lx.CHAR_CONSTANT:
        try:
            piece, end = _unquote_char(text, 1, "'")
        except (ValueError, IndexError):
            raise ValueError("invalid syntax") from None
        if text[end:] != "'":
            raise ValueError(f"malformed character constant: {text}")
        code = piece if isinstance(piece, int) else ord(piece)
        node.is_int = node.is_uint = node.is_float = True
        node.int64 = node.uint64 = code
        node.float64 = float(code)
        return node
    if token.typ == lx.COMPLEX or text.endswith("i"):
        # Complex numbers have no use in charts; Go accepts them, helmlite reports them.
        raise ValueError(f"illegal number syntax: {_quote(text)}")
    try:
        node.uint64 = _parse_go_uint(text)
        node.is_uint = True
    except (ValueError, OverflowError):
        pass
    try:
        node.int64 = _parse_go_int(text)
        node.is_int = True
        if node.int64 == 0:
            node.is_uint = True  # -0
            node.uint64 = 0
    except (ValueError, OverflowError):
        pass
    if node.is_int:
        node.is_float = True
        node.float64 = float(node.int64)
    elif node.is_uint:
        node.is_float = True
        node.float64 = float(node.uint64)
    else:
        try:
            value = _parse_go_float(text)
        except (ValueError, OverflowError):
            value = None
        if value is not None:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {_quote(text)}")
            node.is_float = True
            node.float64 = value
            if math.isfinite(value):
                as_int = int(value)
                if float(as_int) == value and -(1 << 63) <= as_int < (1 << 63):
                    node.is_int = True
                    node.int64 = as_int
                if float(as_int) == value and 0 <= as_int < (1 << 64):
                    node.is_uint = True
                    node.uint64 = as_int
    if not (node.is_int or node.is_uint or node.is_float):
        raise ValueError(f"illegal number syntax: {_quote(text)}")
    return node


def parse_template(name: str, text: str, functions: Container[str]) -> dict[str, Tree]:
    """Parse ``text`` as template ``name``: ``{template name: Tree}`` for it and its defines.

    ``functions`` holds the names callable from the template (an unknown one is a parse
    error, as in Go). Raises TemplateParseError with Go's message.
    """
    src = Source(name, text)
    items = lx.lex(text)
    trees: dict[str, Tree] = {}
    parser = _Parser(name, src, items, functions, trees, [0])
    parser.parse()
    parser.add()
    return trees
