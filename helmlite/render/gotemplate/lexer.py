"""The lexer of Go's text/template (``text/template/parse/lex.go``): Go's tokens, with Go's errors.

Only the default delimiters ``{{``/``}}`` exist (Helm never changes them). Trim markers are
exactly Go's: ``{{-`` followed by one of space, tab, CR or LF trims every ``" \\t\\r\\n"`` before
the action, ``-}}`` preceded by one of them trims after it — nothing else counts as white space.
Comments ``{{/* */}}`` must start right after ``{{`` or ``{{- ``. Positions are offsets into the
Python string; the parser turns them into Go's line and byte-column numbers for messages.

Tokens are plain ``(type, offset, text)`` tuples (an error token's text is its message). Speed
comes from doing the per-character work in C: text runs are found with ``str.find``, and one
regular expression (``_ACTION_TOKEN``) takes each well-formed token inside an action in a
single match. Whatever it declines (end of input, numbers other than plain decimals, non-ASCII
names, character constants, unterminated strings, stray characters) goes through the
character-by-character states ported from Go, so odd input and errors lex exactly as in Go.
The one difference from Go's token stream: white space next to ``{{``, ``}}``, ``(``, ``)`` and
``|`` is not a SPACE token, because the parser ignores it there (see ``_ACTION_TOKEN``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Optional

__all__ = [
    "ASSIGN",
    "BLOCK",
    "BOOL",
    "BREAK",
    "CHAR",
    "CHAR_CONSTANT",
    "COMPLEX",
    "CONTINUE",
    "DECLARE",
    "DEFINE",
    "DOT",
    "ELSE",
    "END",
    "EOF",
    "ERROR",
    "FIELD",
    "IDENTIFIER",
    "IF",
    "KEYWORD",
    "LEFT_DELIM",
    "LEFT_PAREN",
    "NIL",
    "NUMBER",
    "PIPE",
    "RANGE",
    "RAW_STRING",
    "RIGHT_DELIM",
    "RIGHT_PAREN",
    "SPACE",
    "STRING",
    "TEMPLATE",
    "TEXT",
    "VARIABLE",
    "WITH",
    "Source",
    "Token",
    "lex",
    "token_string",
]  # fmt: skip

# Item types, in Go's order (keywords after KEYWORD).
(ERROR, BOOL, CHAR, CHAR_CONSTANT, COMMENT, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM,
 LEFT_PAREN, NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE,
 KEYWORD, BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH) = range(35)  # fmt: skip

Token = tuple[int, int, str]
"""One token: (type, offset into the text, text — or the message of an ERROR token)."""

# The type of a name that is not an identifier: a keyword or a bool constant (Go's lexIdentifier).
_WORD_TYPES = {
    "block": BLOCK, "break": BREAK, "continue": CONTINUE, "define": DEFINE, "else": ELSE, "end": END,
    "if": IF, "range": RANGE, "nil": NIL, "template": TEMPLATE, "with": WITH, "true": BOOL, "false": BOOL,
}  # fmt: skip

_SPACE = " \t\r\n"
_NEWLINE = re.compile("\n")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")
_OPTIONAL_SPACES = re.compile(r"[ \t\r\n]*")
_LEFT = "{{"
_RIGHT = "}}"
_TERMINATORS = frozenset(" \t\r\n.,|:)(")
_LEFT_TRIM_MARKERS = frozenset(("- ", "-\t", "-\r", "-\n"))

# One well-formed token inside an action. A name must end at one of Go's terminators (else it
# is Go's "bad character" error); a number is fast only as plain decimal digits that end there.
# White space next to "}}", "|", "(" and ")" is part of those tokens (and after "{{" skipped),
# not a SPACE token: the parser skips it there anyway, only the space between two operands
# means something, and a third of all tokens would be such spaces. The last space before "-}}"
# belongs to the trim marker.
_AT_TERMINATOR = r"(?=[ \t\r\n.,|:)(]|\}\}|\Z)"
_SPACES_NOT_TRIM_MARKER = r"(?:[ \t\r\n]+(?!-\}\}))?"
_ACTION_TOKEN = re.compile(
    # Groups 1-10 map straight to a token type (_SIMPLE_TYPES), the rest need more work.
    r"([ \t\r\n]+)(?![ \t\r\n]|-?\}\}|[|)])"  # SPACE
    r"|(\.(?![0-9])[A-Za-z0-9_]+)" + _AT_TERMINATOR +  # FIELD
    r"|(\$[A-Za-z0-9_]*)" + _AT_TERMINATOR +  # VARIABLE ("$" alone included)
    r'|("[^"\\\n]*(?:\\[^\n][^"\\\n]*)*")'  # STRING: any escape but of a newline
    r"|(\.)(?=[ \t\r\n.,|:)(]|\}\})"  # DOT ("." at the very end of the text is a number in Go)
    r"|(`[^`]*`)"  # RAW_STRING
    r"|([0-9]+)(?=[ \t\r\n,|:)(]|\}\}|\Z)"  # NUMBER, plain decimal
    r"|(:=)"  # DECLARE
    r"|(=)"  # ASSIGN
    r"|(,)"  # CHAR, the only one in common use
    r"|([A-Za-z_][A-Za-z0-9_]*)" + _AT_TERMINATOR +  # 11: keyword, bool or identifier
    r"|[ \t\r\n]*(\|)" + _SPACES_NOT_TRIM_MARKER +  # 12: pipe
    r"|(\()" + _SPACES_NOT_TRIM_MARKER +  # 13: left parenthesis
    r"|[ \t\r\n]*(\))"  # 14: right parenthesis
    r"|[ \t\r\n]*(?:(\}\})|([ \t\r\n]-\}\}))"  # 15: right delimiter; 16: with trim marker
)
_SIMPLE_TYPES = (None, SPACE, FIELD, VARIABLE, STRING, DOT, RAW_STRING, NUMBER, DECLARE, ASSIGN, CHAR)
_LAST_SIMPLE_GROUP = 10
_WORD_GROUP, _PIPE_GROUP, _LEFT_PAREN_GROUP, _RIGHT_PAREN_GROUP, _TRIM_RIGHT_DELIM_GROUP = 11, 12, 13, 14, 16
_SPACES_AFTER_LEFT_DELIM = re.compile(_SPACES_NOT_TRIM_MARKER)
_SPACE_CHARS = frozenset(_SPACE)

_State = Callable[[], Optional["_State"]]


class Source:
    """A template's text and name, with Go's line/column arithmetic for error messages."""

    __slots__ = ("_newlines", "name", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._newlines: list[int] | None = None

    def line(self, pos: int) -> int:
        """1-based line of offset ``pos``."""
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        return 1 + bisect_right(self._newlines, pos - 1)

    def location(self, pos: int) -> str:
        """Go's ``ErrorContext`` location: ``name:line:col`` with a 0-based byte column."""
        start = self.text.rfind("\n", 0, pos) + 1
        column = len(self.text[start:pos].encode("utf-8"))
        return f"{self.name}:{self.line(pos)}:{column}"


def token_string(token: Token) -> str:
    """Go's ``item.String()`` of ``token``, as parse errors print it."""
    from helmlite.gofmt import go_quote

    typ, _, val = token
    if typ == EOF:
        return "EOF"
    if typ == ERROR:
        return val
    if typ > KEYWORD:
        return f"<{val}>"
    if len(val.encode("utf-8")) > 10:
        # Go's %.10q: at most 10 runes, quoted, then "...".
        return go_quote(val[:10]) + "..."
    return go_quote(val)


def _is_space(ch: str) -> bool:
    return ch in _SPACE and ch != ""


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or (ch.isdigit() and ch.isdecimal())


def _has_right_trim(text: str, pos: int) -> bool:
    return _is_space(text[pos : pos + 1]) and text[pos + 1 : pos + 2] == "-"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0
        self.items: list[Token] = []
        self.paren_depth = 0

    # --- helpers -----------------------------------------------------------------------------

    def emit(self, typ: int) -> None:
        self.items.append((typ, self.start, self.text[self.start : self.pos]))
        self.start = self.pos

    def error(self, message: str) -> None:
        self.items.append((ERROR, self.start, message))

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def accept(self, valid: str) -> bool:
        ch = self.peek()
        if ch and ch in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def at_right_delim(self) -> tuple[bool, bool]:
        text, pos = self.text, self.pos
        if _has_right_trim(text, pos) and text.startswith(_RIGHT, pos + 2):
            return True, True
        if text.startswith(_RIGHT, pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        ch = self.peek()
        if ch == "" or ch in _TERMINATORS:
            return True
        return self.text.startswith(_RIGHT, self.pos)

    # --- states (each returns the next state, or None to stop) ---------------------------------

    def run(self) -> list[Token]:
        state: _State | None = self.lex_text
        while state is not None:
            state = state()
        return self.items

    def lex_comment(self) -> _State | None:
        self.pos += 2
        x = self.text.find("*/", self.pos)
        if x < 0:
            self.error("unclosed comment")
            return None
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            self.error("comment ends before closing delimiter")
            return None
        if trim:
            self.pos += 2
        self.pos += len(_RIGHT)
        if trim:
            self.pos = _OPTIONAL_SPACES.match(self.text, self.pos).end()  # type: ignore[union-attr]
        self.start = self.pos
        return self.lex_text

    def lex_text(self) -> _State | None:
        return self._scan(inside_action=False)

    def lex_inside_action(self) -> _State | None:
        return self._scan(inside_action=True)

    def _scan(self, inside_action: bool) -> _State | None:
        """Go's lexText, lexLeftDelim, lexInsideAction and lexRightDelim as one loop.

        Runs over text and actions until the end of the input, a comment, or a token that the
        fast pattern does not take; those go through their own states, which come back here.
        """
        text = self.text
        append = self.items.append
        match = _ACTION_TOKEN.match
        pos = self.pos
        depth = self.paren_depth
        while True:
            if not inside_action:
                x = text.find(_LEFT, pos)
                if x < 0:
                    if pos < len(text):
                        append((TEXT, pos, text[pos:]))
                    append((EOF, len(text), ""))
                    return None
                after = x + 2
                trim = text[after : after + 2] in _LEFT_TRIM_MARKERS
                if x > pos:
                    end = len(text[pos:x].rstrip(_SPACE)) + pos if trim else x
                    if end > pos:
                        append((TEXT, pos, text[pos:end]))
                if trim:
                    after += 2
                if text.startswith("/*", after):
                    self.pos = self.start = after
                    return self.lex_comment
                append((LEFT_DELIM, x, _LEFT))
                pos = after
                if text[pos : pos + 1] in _SPACE_CHARS:
                    pos = _SPACES_AFTER_LEFT_DELIM.match(text, pos).end()  # type: ignore[union-attr]
                depth = 0
            inside_action = False
            while True:
                m = match(text, pos)
                if m is None:
                    self.pos = self.start = pos
                    self.paren_depth = depth
                    return self.lex_unusual_token()
                group: int = m.lastindex  # type: ignore[assignment]  # every alternative is a group
                end = m.end()
                if group <= _LAST_SIMPLE_GROUP:
                    append((_SIMPLE_TYPES[group], pos, text[pos:end]))  # type: ignore[arg-type]
                elif group == _WORD_GROUP:
                    word = text[pos:end]
                    append((_WORD_TYPES.get(word, IDENTIFIER), pos, word))
                elif group == _PIPE_GROUP:
                    append((PIPE, m.start(group), "|"))
                elif group == _LEFT_PAREN_GROUP:
                    depth += 1
                    append((LEFT_PAREN, pos, "("))
                elif group == _RIGHT_PAREN_GROUP:
                    depth -= 1
                    if depth < 0:
                        self.start = end - 1
                        self.error("unexpected right paren")
                        return None
                    append((RIGHT_PAREN, end - 1, ")"))
                else:  # the right delimiter
                    if depth:
                        self.start = m.start(group)
                        self.error("unclosed left paren")
                        return None
                    append((RIGHT_DELIM, end - 2, _RIGHT))
                    if group == _TRIM_RIGHT_DELIM_GROUP:  # skip the white space that follows
                        end = _OPTIONAL_SPACES.match(text, end).end()  # type: ignore[union-attr]
                    pos = end
                    break
                pos = end

    def lex_unusual_token(self) -> _State | None:
        """The rest of Go's lexInsideAction switch: one token the fast pattern does not take."""
        ch = self.peek()
        if ch == "":
            self.error("unclosed action")
            return None
        # The pattern takes every terminated string and ":=", so these are errors here.
        if ch == ":":
            self.error("expected :=")
            return None
        if ch == '"':
            self.error("unterminated quoted string")
            return None
        if ch == "`":
            self.error("unterminated raw quoted string")
            return None
        self.pos += 1
        if ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and self.pos < len(self.text) and not "0" <= self.text[self.pos] <= "9":
            # ".field"; a dot before a digit (or at the end) starts a number.
            return self.lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.pos -= 1
            return self.lex_number
        elif _is_alnum(ch):
            self.pos -= 1
            return self.lex_identifier
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(CHAR)
        else:
            self.error(f"unrecognized character in action: {_unicode_name(ch)}")
            return None
        return self.lex_inside_action

    def _scan_word(self) -> None:
        """Advance over alphanumerics (Go's isAlphaNumeric: '_', Unicode letters and digits)."""
        self.pos = _ASCII_WORD.match(self.text, self.pos).end()  # type: ignore[union-attr]
        while _is_alnum(self.peek()):
            self.pos += 1

    def lex_identifier(self) -> _State | None:
        self._scan_word()
        word = self.text[self.start : self.pos]
        if not self.at_terminator():
            self.error(f"bad character {_unicode_name(self.peek())}")
            return None
        self.emit(_WORD_TYPES.get(word, IDENTIFIER))
        return self.lex_inside_action

    def lex_field(self) -> _State | None:
        return self._field_or_variable(FIELD)

    def lex_variable(self) -> _State | None:
        if self.at_terminator():
            self.emit(VARIABLE)
            return self.lex_inside_action
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, typ: int) -> _State | None:
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside_action
        self._scan_word()
        if not self.at_terminator():
            self.error(f"bad character {_unicode_name(self.peek())}")
            return None
        self.emit(typ)
        return self.lex_inside_action

    def lex_char(self) -> _State | None:
        text = self.text
        while True:
            ch = text[self.pos : self.pos + 1]
            self.pos += 1
            if ch == "\\":
                nxt = text[self.pos : self.pos + 1]
                self.pos += 1
                if nxt not in ("", "\n"):
                    continue
                self.error("unterminated character constant")
                return None
            if ch in ("", "\n"):
                self.error("unterminated character constant")
                return None
            if ch == "'":
                break
        self.emit(CHAR_CONSTANT)
        return self.lex_inside_action

    def lex_number(self) -> _State | None:
        if not self._scan_number():
            self.error(f"bad number syntax: {_go_quote(self.text[self.start : self.pos])}")
            return None
        sign = self.peek()
        if sign in ("+", "-") and sign:
            # Complex: 1+2i. No spaces, must end in 'i'.
            if not self._scan_number() or self.text[self.pos - 1] != "i":
                self.error(f"bad number syntax: {_go_quote(self.text[self.start : self.pos])}")
                return None
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return self.lex_inside_action

    def _scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 10 + 1 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 16 + 6 + 1 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _is_alnum(self.peek()):
            self.pos += 1
            return False
        return True


def _go_quote(text: str) -> str:
    from helmlite.gofmt import go_quote

    return go_quote(text)


def _unicode_name(ch: str) -> str:
    """Go's ``%#U``: ``U+002D '-'`` (the character itself only when printable)."""
    if ch == "":
        return "U+FFFFFFFFFFFFFFFF"  # Go's %#U of eof (-1)
    code = ord(ch)
    return f"U+{code:04X} '{ch}'" if ch.isprintable() else f"U+{code:04X}"


def lex(text: str) -> list[Token]:
    """Tokenize ``text``: every token up to EOF, or up to and including an ERROR token."""
    return _Lexer(text).run()
