"""The parser of Go's text/template (``text/template/parse/parse.go``), with Go's error messages.

``parse_template(name, text, functions)`` returns every tree the text defines: the top-level
one under ``name`` and one per ``define``/``block``. A syntax error raises ``TemplateParseError``
whose message is Go's (``template: <name>:<line>: <what>``); Helm shortens it to
``parse error at (<name>:<line>): <what>`` (``helm_message``).

A big chart has hundreds of thousands of tokens, so the parser works on the lexer's token
tuples by index (no token objects, few method calls per token), builds each node in one
constructor call, and pauses the cycle collector while it runs (see ``_collector_paused``).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Container, Iterator
from contextlib import contextmanager
from typing import NoReturn

from helmlite.render.gotemplate.lexer import (
    ASSIGN,
    BLOCK,
    BOOL,
    BREAK,
    CHAR,
    CHAR_CONSTANT,
    COMMENT,
    COMPLEX,
    CONTINUE,
    DECLARE,
    DEFINE,
    DOT,
    ELSE,
    END,
    EOF,
    ERROR,
    FIELD,
    IDENTIFIER,
    IF,
    KEYWORD,
    LEFT_DELIM,
    LEFT_PAREN,
    NIL,
    NUMBER,
    PIPE,
    RANGE,
    RAW_STRING,
    RIGHT_DELIM,
    RIGHT_PAREN,
    SPACE,
    STRING,
    TEMPLATE,
    TEXT,
    VARIABLE,
    WITH,
    Source,
    Token,
    lex,
    token_string,
)
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

_WHITE_SPACE = frozenset(" \t\r\n")  # Go's template white space
_LAST_TOKEN_REPEATS = 4  # more than the parser ever reads past an EOF or error token


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
    """One parse of one text; shares the token list and position with the parsers of its defines.

    Go keeps three tokens of look-ahead and pushes tokens back; here the tokens are one list and
    ``i`` the index of the next one, so pushing back is moving ``i`` back. What Go's messages
    need of its look-ahead is the line of the last token read (``token[0]``): the furthest of
    ``i - 1`` and ``peeked``, the furthest token peeked at or pushed back. ``peeked`` is kept
    with ``if``, not ``max()``: a builtin call per token costs a quarter of the parse. The hot
    paths (pipeline, command, operand) read ``items`` directly rather than through ``next``.
    """

    __slots__ = ("action_pos", "functions", "i", "items", "name", "peeked", "range_depth", "root",
                 "src", "stack_depth", "trees", "vars")

    def __init__(self, name: str, src: Source, items: list[Token], functions: Container[str],
                 trees: dict[str, Tree], start: int) -> None:
        self.name = name
        self.src = src
        self.items = items
        self.functions = functions
        self.trees = trees
        self.i = start
        self.peeked = -1
        self.vars = ["$"]
        self.action_pos = -1  # where the action being parsed starts (for "unclosed action" messages)
        self.range_depth = 0
        self.stack_depth = 0
        self.root: ListNode | None = None

    # --- token stream -------------------------------------------------------------------------

    def next(self) -> Token:
        i = self.i
        self.i = i + 1
        return self.items[i]

    def backup(self) -> None:
        """Push back the token ``next`` returned."""
        self.i -= 1
        self.peeked = max(self.peeked, self.i)

    def backup_to(self, index: int) -> None:
        """Push back every token from ``index`` on (Go's backup2/backup3)."""
        self.peeked = max(self.peeked, self.i - 1)
        self.i = index

    def peek(self) -> Token:
        i = self.i
        if i > self.peeked:  # noqa: PLR1730 - max() is slower here (see _Parser)
            self.peeked = i
        return self.items[i]

    def next_non_space(self) -> Token:
        items = self.items
        i = self.i
        token = items[i]
        while token[0] == SPACE:
            i += 1
            token = items[i]
        self.i = i + 1
        return token

    def peek_non_space(self) -> Token:
        items = self.items
        i = self.i
        token = items[i]
        while token[0] == SPACE:
            i += 1
            token = items[i]
        self.i = i
        if i > self.peeked:  # noqa: PLR1730
            self.peeked = i
        return token

    # --- errors -------------------------------------------------------------------------------

    def errorf(self, message: str, at: int | None = None) -> NoReturn:
        """Raise Go's error at the line of the last token read (or of text offset ``at``)."""
        if at is None:
            at = self.items[max(self.peeked, self.i - 1)][1]
        line = self.src.line(at)
        raise TemplateParseError(f"template: {self.src.name}:{line}: {message}")

    def go_token_start(self, offset: int) -> int:
        """Where Go's token at ``offset`` starts: white space that is part of a token here is a
        SPACE token of its own in Go, except the space of a "-}}" trim marker."""
        text = self.src.text
        if text[offset : offset + 1] in _WHITE_SPACE and text.startswith("-}}", offset + 1):
            return offset + 2
        return offset

    def expect(self, expected: int, context: str) -> Token:
        token = self.next_non_space()
        if token[0] != expected:
            self.unexpected(token, context)
        return token

    def expect_one_of(self, expected1: int, expected2: int, context: str) -> Token:
        token = self.next_non_space()
        if token[0] not in (expected1, expected2):
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Token, context: str) -> NoReturn:
        if token[0] == ERROR:
            extra = ""
            action_line = self.src.line(self.action_pos) if self.action_pos >= 0 else 0
            if action_line and action_line != self.src.line(token[1]):
                extra = f" in action started at {self.src.name}:{action_line}"
                if token[2].endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{token_string(token)}{extra}")
        self.errorf(f"unexpected {token_string(token)} in {context}")

    # --- grammar ------------------------------------------------------------------------------

    def parse(self) -> None:
        src = self.src
        self.root = ListNode(self.peek()[1], src)
        nodes = self.root.nodes
        while True:
            typ, pos, val = self.peek()
            if typ == TEXT:
                self.i += 1
                nodes.append(TextNode(pos, src, val))
                continue
            if typ == EOF:
                return
            if typ == LEFT_DELIM:
                delim = self.i
                self.i += 1
                if self.next_non_space()[0] == DEFINE:
                    sub = _Parser("definition", src, self.items, self.functions, self.trees, self.i)
                    sub.parse_definition()
                    self.i = sub.i
                    continue
                self.backup_to(delim)
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                self.errorf(f"unexpected {node}")
            nodes.append(node)

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
        name = self.expect_one_of(STRING, RAW_STRING, context)
        self.name = self.unquote(name[2])
        self.expect(RIGHT_DELIM, context)
        self.root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add()

    def item_list(self) -> tuple[ListNode, Node]:
        src = self.src
        body = ListNode(self.peek_non_space()[1], src)
        nodes = body.nodes
        while True:
            token = self.peek_non_space()
            typ = token[0]
            if typ == TEXT:
                self.i += 1
                nodes.append(TextNode(token[1], src, token[2]))
                continue
            if typ == EOF:
                self.errorf("unexpected EOF")
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return body, node
            nodes.append(node)

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        typ = token[0]
        if typ == TEXT:
            return TextNode(token[1], self.src, token[2])
        if typ == LEFT_DELIM:
            self.action_pos = token[1]
            try:
                return self.action()
            finally:
                self.action_pos = -1
        if typ == COMMENT:
            return CommentNode(token[1], self.src, token[2])
        self.unexpected(token, "input")

    def action(self) -> Node:
        items = self.items
        i = self.i
        token = items[i]
        while token[0] == SPACE:
            i += 1
            token = items[i]
        typ = token[0]
        self.i = i + 1
        if typ > KEYWORD:
            if typ == END:
                return EndNode(self.expect(RIGHT_DELIM, "end")[1], self.src)
            if typ == IF:
                return IfNode(*self.parse_control("if"))
            if typ == WITH:
                return WithNode(*self.parse_control("with"))
            if typ == RANGE:
                return RangeNode(*self.parse_control("range"))
            if typ == ELSE:
                return self.else_control()
            if typ == TEMPLATE:
                return self.template_control()
            if typ == BLOCK:
                return self.block_control()
            if typ == BREAK:
                return self.break_control(token, "{{break}}", BreakNode)
            if typ == CONTINUE:
                return self.break_control(token, "{{continue}}", ContinueNode)
        self.i = i  # pushed back: the pipeline starts with this token
        # Variables declared here persist until the enclosing "end".
        return ActionNode(token[1], self.src, self.pipeline("command", RIGHT_DELIM))

    def break_control(self, keyword: Token, what: str, cls: type[Node]) -> Node:
        token = self.next_non_space()
        if token[0] != RIGHT_DELIM:
            self.unexpected(token, what)
        if self.range_depth == 0:
            self.errorf(f"{what} outside {{{{range}}}}")
        return cls(keyword[1], self.src)

    def pipeline(self, context: str, end: int) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token[1], self.src)
        if token[0] == VARIABLE:
            self.declarations(pipe, context)
        cmds = pipe.cmds
        items = self.items
        while True:
            i = self.i
            token = items[i]
            while token[0] == SPACE:
                i += 1
                token = items[i]
            self.i = i + 1
            typ = token[0]
            if typ == end:
                if len(cmds) != 1:  # a single command is always valid
                    self.check_pipeline(pipe, context)
                return pipe
            if typ in _OPERAND_START:
                self.i = i  # pushed back: command() reads it again at once
                cmds.append(self.command())
                if len(cmds) > MAX_PIPELINE_COMMANDS:
                    self.errorf("pipeline too long")
            else:
                self.unexpected(token, context)

    def declarations(self, pipe: PipeNode, context: str) -> None:
        """Go's ``decls:`` loop at the start of a pipeline: ``$x :=``, ``$x =``, ``$i, $v :=``."""
        while True:
            v = self.peek_non_space()
            if v[0] != VARIABLE:
                return
            # "$x foo" needs three tokens of look-ahead to tell an argument from a declaration.
            variable = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt[0] in (ASSIGN, DECLARE):
                pipe.is_assign = nxt[0] == ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v[1], self.src, v[2]))
                self.vars.append(v[2])
            elif nxt[0] == CHAR and nxt[2] == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v[1], self.src, v[2]))
                self.vars.append(v[2])
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space()[0] in (VARIABLE, RIGHT_DELIM, RIGHT_PAREN):
                        continue  # second initialized variable in a range pipeline
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            else:
                self.backup_to(variable)
            return

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, context: str) -> tuple[int, Source, PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                # "{{else if …}}" / "{{else with …}}" = "{{else}}{{if …}}…{{end}}" sharing one {{end}}.
                if context == "if" and self.peek()[0] == IF:
                    self.next()
                    else_list = ListNode(nxt.pos, self.src)
                    else_list.nodes.append(IfNode(*self.parse_control("if")))
                elif context == "with" and self.peek()[0] == WITH:
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
        if peek[0] in (IF, WITH):
            return ElseNode(peek[1], self.src)
        token = self.expect(RIGHT_DELIM, "else")
        return ElseNode(token[1], self.src)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = self.pipeline(context, RIGHT_DELIM)
        clause_end = self.items[self.i - 1][1]  # this parser's last token while the block's parser reads on
        block = _Parser(name, self.src, self.items, self.functions, self.trees, self.i)
        block.root, end = block.item_list()
        self.i = block.i
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}", at=clause_end)
        block.add()
        return TemplateNode(token[1], self.src, name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = None
        if self.next_non_space()[0] != RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, RIGHT_DELIM)
        return TemplateNode(token[1], self.src, name, pipe)

    def parse_template_name(self, token: Token, context: str) -> str:
        if token[0] in (STRING, RAW_STRING):
            return self.unquote(token[2])
        self.unexpected(token, context)

    def command(self) -> CommandNode:
        items = self.items
        operand = self.operand
        i = self.i
        while items[i][0] == SPACE:
            i += 1
        cmd = CommandNode(items[i][1], self.src)
        args = cmd.args
        while True:
            self.i = i  # at a token that is not a space
            node = operand()
            if node is not None:
                args.append(node)
            i = self.i
            typ = items[i][0]
            if typ == SPACE:
                i += 1
                while items[i][0] == SPACE:
                    i += 1
                continue
            # "|" ends the command; "}}" or ")" ends it too and is left for the caller to read.
            if typ == PIPE:
                i += 1
            elif typ != RIGHT_DELIM and typ != RIGHT_PAREN:
                self.i = i + 1
                self.unexpected(items[i], "operand")
            break
        self.i = i
        if not args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        """Go's operand: a term (Go's term, inlined here), then any fields chained onto it."""
        items = self.items
        i = self.i
        token = items[i]
        while token[0] == SPACE:
            i += 1
            token = items[i]
        self.i = i + 1
        typ, pos, val = token
        src = self.src
        node: Node
        if typ == FIELD:
            if items[i + 1][0] == FIELD:  # .a.b: straight to the one node Go makes of it (see below)
                chain_pos = items[i + 1][1]
                fields = [val]
                i += 1
                while items[i][0] == FIELD:
                    fields.append(items[i][2])
                    i += 1
                self.i = i
                if i > self.peeked:  # noqa: PLR1730
                    self.peeked = i
                return FieldNode(chain_pos, src, "".join(fields))
            node = FieldNode(pos, src, val)
        elif typ == IDENTIFIER:
            if val not in self.functions:
                self.errorf(f"function {_quote(val)} not defined")
            node = IdentifierNode(pos, src, val)
        elif typ == VARIABLE:
            node = self.use_var(token)
        elif typ == STRING or typ == RAW_STRING:
            node = StringNode(pos, src, val, self.unquote(val))
        elif typ == DOT:
            node = DotNode(pos, src)
        elif typ == LEFT_PAREN:
            if self.stack_depth >= MAX_STACK_DEPTH:
                self.errorf("max expression depth exceeded")
            self.stack_depth += 1
            try:
                node = self.pipeline("parenthesized pipeline", RIGHT_PAREN)
            finally:
                self.stack_depth -= 1
        elif typ == NUMBER or typ == CHAR_CONSTANT or typ == COMPLEX:
            node = self.number(token)
        elif typ == BOOL:
            node = BoolNode(pos, src, val == "true")
        elif typ == NIL:
            node = NilNode(pos, src)
        else:  # not a term: pushed back
            self.i = i
            if i > self.peeked:  # noqa: PLR1730
                self.peeked = i
            return None
        i = self.i
        if i > self.peeked:  # noqa: PLR1730 - Go peeks at the token after the term
            self.peeked = i
        typ, pos, _ = items[i]
        if typ != FIELD:
            return node
        # Fields after a term: Go builds a ChainNode, and keeps it only for pipelines and
        # identifiers; a field or variable just gets the longer name.
        fields = []
        while items[i][0] == FIELD:
            fields.append(items[i][2])
            i += 1
        self.i = i
        if i > self.peeked:  # noqa: PLR1730
            self.peeked = i
        if isinstance(node, FieldNode):
            return FieldNode(pos, src, str(node) + "".join(fields))
        if isinstance(node, VariableNode):
            return VariableNode(pos, src, str(node) + "".join(fields))
        if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
            after_fields = items[i - 1][1] + len(items[i - 1][2])
            self.errorf(f"unexpected . after term {_quote(str(node))}", at=self.go_token_start(after_fields))
        chain = ChainNode(pos, src, node)
        for field in fields:
            chain.add(field)
        return chain

    def use_var(self, token: Token) -> Node:
        node = VariableNode(token[1], self.src, token[2])
        if node.ident[0] not in self.vars:
            self.errorf(f"undefined variable {_quote(node.ident[0])}")
        return node

    def unquote(self, quoted: str) -> str:
        try:
            return go_unquote(quoted)
        except ValueError:
            self.errorf("invalid syntax")

    def number(self, token: Token) -> NumberNode:
        try:
            return _number(token, self.src)
        except ValueError as exc:
            self.errorf(str(exc))


_OPERAND_START = frozenset(
    (BOOL, CHAR_CONSTANT, COMPLEX, DOT, FIELD, IDENTIFIER, NUMBER, NIL,
     RAW_STRING, STRING, VARIABLE, LEFT_PAREN)
)  # fmt: skip


def _quote(text: str) -> str:
    from helmlite.gofmt import go_quote

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
            out += piece.encode("utf-8", "surrogateescape")
    # Bytes that are not UTF-8 (``"\xff"``) stay bytes, as helmlite carries them everywhere:
    # surrogate escapes, which go_quote and the byte functions turn back into the byte.
    return out.decode("utf-8", "surrogateescape")


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


def _number(token: Token, src: Source) -> NumberNode:
    """Go's ``newNumber``: every interpretation of the literal that is exact."""
    typ, pos, text = token
    node = NumberNode(pos, src, text)
    if typ == CHAR_CONSTANT:
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
    if typ == COMPLEX or text.endswith("i"):
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
    with _collector_paused():
        return _parse(name, text, functions)


def _parse(name: str, text: str, functions: Container[str]) -> dict[str, Tree]:
    """The parse itself, in a frame of its own: its tokens are freed before the collector resumes."""
    src = Source(name, text)
    items = lex(text)
    # Go's lexer repeats its last token (EOF or an error) when read past the end.
    items += items[-1:] * _LAST_TOKEN_REPEATS
    trees: dict[str, Tree] = {}
    parser = _Parser(name, src, items, functions, trees, 0)
    parser.parse()
    parser.add()
    return trees


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: parsing creates no reference cycles, only many objects.

    Every few hundred new nodes would trigger a collection, and the older generations'
    collections traverse everything the process holds (the chart, its values): about 40 ms of
    a kube-prometheus-stack render. Memory is still freed by reference counting. The switch is
    process-wide; when it is already off (another thread parsing, or the application's
    choice) it is left alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
