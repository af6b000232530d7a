"""The lexer of Go's text/template (``text/template/parse/lex.go``), state for state.

Only the default delimiters ``{{``/``}}`` exist (Helm never changes them). Trim markers are
exactly Go's: ``{{-`` followed by one of space, tab, CR or LF trims every ``" \\t\\r\\n"`` before
the action, ``-}}`` preceded by one of them trims after it — nothing else counts as white space.
Comments ``{{/* */}}`` must start right after ``{{`` or ``{{- ``. Positions are offsets into the
Python string; the parser turns them into Go's line and byte-column numbers for messages.
"""

from __future__ import annotations

import re
from bisect import bisect_right

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
    "Item",
    "Source",
    "lex",
]  # fmt: skip

# Item types, in Go's order (keywords after KEYWORD).
(ERROR, BOOL, CHAR, CHAR_CONSTANT, COMMENT, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM,
 LEFT_PAREN, NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE,
 KEYWORD, BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH) = range(35)  # fmt: skip

_KEYWORDS = {
    ".": DOT, "block": BLOCK, "break": BREAK, "continue": CONTINUE, "define": DEFINE, "else": ELSE,
    "end": END, "if": IF, "range": RANGE, "nil": NIL, "template": TEMPLATE, "with": WITH,
}  # fmt: skip

_SPACE = " \t\r\n"
_NEWLINE = re.compile("\n")
# Fast paths for the common tokens; anything unusual (non-ASCII names, numbers, errors) takes
# the character-by-character states, which follow Go's lexer exactly.
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")
_SPACES = re.compile(r"[ \t\r\n]+")
_LEFT = "{{"
_RIGHT = "}}"
_TERMINATORS = frozenset(" \t\r\n.,|:)(")


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


class Item:
    """One token: type, offset, text; ``str()`` is Go's ``item.String()`` for messages."""

    __slots__ = ("pos", "typ", "val")

    def __init__(self, typ: int, pos: int, val: str) -> None:
        self.typ = typ
        self.pos = pos
        self.val = val

    def __str__(self) -> str:
        from helmlite.render.gofmt import go_quote

        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ > KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode("utf-8")) > 10:
            # Go's %.10q: at most 10 runes, quoted, then "...".
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)

    def __repr__(self) -> str:
        return f"Item({self.typ}, {self.pos}, {self.val!r})"


def _is_space(ch: str) -> bool:
    return ch in _SPACE and ch != ""


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or (ch.isdigit() and ch.isdecimal())


def _has_left_trim(text: str, pos: int) -> bool:
    return text[pos : pos + 1] == "-" and _is_space(text[pos + 1 : pos + 2])


def _has_right_trim(text: str, pos: int) -> bool:
    return _is_space(text[pos : pos + 1]) and text[pos + 1 : pos + 2] == "-"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0
        self.items: list[Item] = []
        self.paren_depth = 0

    # --- helpers -----------------------------------------------------------------------------

    def emit(self, typ: int) -> None:
        self.items.append(Item(typ, self.start, self.text[self.start : self.pos]))
        self.start = self.pos

    def error(self, message: str) -> None:
        self.items.append(Item(ERROR, self.start, message))

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

    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    def lex_text(self):  # type: ignore[no-untyped-def]
        text = self.text
        x = text.find(_LEFT, self.pos)
        if x >= 0:
            if x > self.pos:
                self.pos = x
                trim = 0
                if _has_left_trim(text, x + 2):
                    trim = len(text[self.start : x]) - len(text[self.start : x].rstrip(_SPACE))
                self.pos -= trim
                if self.pos > self.start:
                    self.emit(TEXT)
                self.pos += trim
                self.start = self.pos
            return self.lex_left_delim
        self.pos = len(text)
        if self.pos > self.start:
            self.emit(TEXT)
        self.emit(EOF)
        return None

    def lex_left_delim(self):  # type: ignore[no-untyped-def]
        self.pos += len(_LEFT)
        trim = _has_left_trim(self.text, self.pos)
        after = 2 if trim else 0
        if self.text.startswith("/*", self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.lex_comment
        self.emit(LEFT_DELIM)
        self.pos += after
        self.start = self.pos
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self):  # type: ignore[no-untyped-def]
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
            self.pos = len(self.text) - len(self.text[self.pos :].lstrip(_SPACE))
        self.start = self.pos
        return self.lex_text

    def lex_right_delim(self):  # type: ignore[no-untyped-def]
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += len(_RIGHT)
        self.emit(RIGHT_DELIM)
        if trim:
            self.pos = len(self.text) - len(self.text[self.pos :].lstrip(_SPACE))
            self.start = self.pos
        return self.lex_text

    def lex_inside_action(self):  # type: ignore[no-untyped-def]
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            self.error("unclosed left paren")
            return None
        ch = self.peek()
        if ch == "":
            self.error("unclosed action")
            return None
        if _is_space(ch):
            return self.lex_space
        self.pos += 1
        if ch == "=":
            self.emit(ASSIGN)
        elif ch == ":":
            if self.peek() != "=":
                self.error("expected :=")
                return None
            self.pos += 1
            self.emit(DECLARE)
        elif ch == "|":
            self.emit(PIPE)
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
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
        elif ch == "(":
            self.paren_depth += 1
            self.emit(LEFT_PAREN)
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.error("unexpected right paren")
                return None
            self.emit(RIGHT_PAREN)
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(CHAR)
        else:
            self.error(f"unrecognized character in action: {_unicode_name(ch)}")
            return None
        return self.lex_inside_action

    def lex_space(self):  # type: ignore[no-untyped-def]
        match = _SPACES.match(self.text, self.pos)
        assert match is not None
        spaces = match.end() - self.pos
        self.pos = match.end()
        # A trim-marked closing delimiter has a minus after a space: leave that space for it.
        if _has_right_trim(self.text, self.pos - 1) and self.text.startswith(_RIGHT, self.pos + 1):
            self.pos -= 1
            if spaces == 1:
                return self.lex_right_delim
        self.emit(SPACE)
        return self.lex_inside_action

    def _scan_word(self) -> None:
        """Advance over alphanumerics (Go's isAlphaNumeric: '_', Unicode letters and digits)."""
        self.pos = _ASCII_WORD.match(self.text, self.pos).end()  # type: ignore[union-attr]
        while _is_alnum(self.peek()):
            self.pos += 1

    def lex_identifier(self):  # type: ignore[no-untyped-def]
        self._scan_word()
        word = self.text[self.start : self.pos]
        if not self.at_terminator():
            self.error(f"bad character {_unicode_name(self.peek())}")
            return None
        keyword = _KEYWORDS.get(word)
        if keyword is not None and keyword > KEYWORD:
            self.emit(keyword)
        elif word[0] == ".":
            self.emit(FIELD)
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENTIFIER)
        return self.lex_inside_action

    def lex_field(self):  # type: ignore[no-untyped-def]
        return self._field_or_variable(FIELD)

    def lex_variable(self):  # type: ignore[no-untyped-def]
        if self.at_terminator():
            self.emit(VARIABLE)
            return self.lex_inside_action
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, typ: int):  # type: ignore[no-untyped-def]
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside_action
        self._scan_word()
        if not self.at_terminator():
            self.error(f"bad character {_unicode_name(self.peek())}")
            return None
        self.emit(typ)
        return self.lex_inside_action

    def lex_char(self):  # type: ignore[no-untyped-def]
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

    def lex_number(self):  # type: ignore[no-untyped-def]
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

    def lex_quote(self):  # type: ignore[no-untyped-def]
        text = self.text
        while True:
            ch = text[self.pos : self.pos + 1]
            self.pos += 1
            if ch == "\\":
                nxt = text[self.pos : self.pos + 1]
                self.pos += 1
                if nxt not in ("", "\n"):
                    continue
                self.error("unterminated quoted string")
                return None
            if ch in ("", "\n"):
                self.error("unterminated quoted string")
                return None
            if ch == '"':
                break
        self.emit(STRING)
        return self.lex_inside_action

    def lex_raw_quote(self):  # type: ignore[no-untyped-def]
        end = self.text.find("`", self.pos)
        if end < 0:
            self.error("unterminated raw quoted string")
            return None
        self.pos = end + 1
        self.emit(RAW_STRING)
        return self.lex_inside_action


def _go_quote(text: str) -> str:
    from helmlite.render.gofmt import go_quote

    return go_quote(text)


def _unicode_name(ch: str) -> str:
    """Go's ``%#U``: ``U+002D '-'`` (the character itself only when printable)."""
    if ch == "":
        return "U+FFFFFFFFFFFFFFFF"  # Go's %#U of eof (-1)
    code = ord(ch)
    return f"U+{code:04X} '{ch}'" if ch.isprintable() else f"U+{code:04X}"


def lex(text: str) -> list[Item]:
    """Tokenize ``text``: every item up to EOF, or up to and including an ERROR item."""
    return _Lexer(text).run()
