"""Lexing and parsing edge cases, run through ``helmlite template`` and compared with Helm v4.3.1.

The lexer takes well-formed tokens with one regular expression and leaves white space next to
``{{``, ``}}``, ``(``, ``)`` and ``|`` out of its token stream; the parser reads tokens by index.
These cases pin what that must not change: white space and trim markers around delimiters,
parentheses and pipes, field chains, number forms, and parse errors with the line Go reports
(for an error the line of the last token Go's parser read). Each expected result is what
``helm template r <chart>`` printed (or its ``Error:`` message), recorded with the real Helm
v4.3.1 for this chart: ``values.yaml`` is ``VALUES``, ``templates/t.yaml`` the case's text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmlite.render.gotemplate.engine import function_table
from helmlite.render.gotemplate.lexer import (
    EOF,
    ERROR,
    FIELD,
    IDENTIFIER,
    LEFT_DELIM,
    NUMBER,
    PIPE,
    RIGHT_DELIM,
    SPACE,
    TEXT,
    lex,
)
from helmlite.render.gotemplate.parser import TemplateParseError, parse_template
from tests.render.conftest import helmlite_template

VALUES = 'x: hi\nm: {k: v}\n'

CASES: list[tuple[str, str, dict[str, str]]] = [
    ('spaces-around',
     'a: {{   .Values.x   |   quote   }}\nb: {{-\t.Values.x\t-}}\nc: {{ ( print "p" ) }}\nd: {{(print "q")}}\ne: {{ print ( print "r" ) ( print "s" ) }}\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: "hi"\nb:hic: p\nd: q\ne: rs\n'}),
    ('spaces-newlines',
     'a: {{\n  .Values.x\n  |\n  quote\n}}\nb: {{ printf "%s-%s"\n  ( print "1" )\n  .Values.x\n}}\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: "hi"\nb: 1-hi\n'}),
    ('trim-after-pipe-and-paren',
     'a: [{{ .Values.x | quote  -}}  \n , {{ (print .Values.x)  -}}\n   ]\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: ["hi", hi]\n'}),
    ('fields-and-chains',
     'a: {{ .Values.m.k }}\nb: {{ (dict "k" (dict "j" 3)).k.j }}\nc: {{ $m := .Values.m }}{{ $m.k }}\nd: {{ .Values.m.k|upper }}\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: v\nb: 3\nc: v\nd: V\n'}),
    ('numbers',
     'a: {{ 1|print }} {{ (2) }} {{ print 3 4}} {{ 017 }} {{ 0x1F }} {{ 1.5 }} {{ 1e3 }} {{ -7 }} {{ .5 }}\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: 1 2 3 4 15 31 1.5 1000 -7 0.5\n'}),
    ('range-decl-newlines',
     'a: {{ range $i,\n  $v := list 7 8 }}{{ $i }}={{ $v }};{{ end }}\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: 0=7;1=8;\n'}),
    ('comments',
     'a: x {{- /* c */ -}} y\nb: {{/* c */}}z\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na: xy\nb: z\n'}),
    ('err-unclosed-paren',
     'a: {{ (print 1\n}}\n',
     {'error': 'parse error at (c/templates/t.yaml:2): unclosed left paren in action started at c/templates/t.yaml:1'}),
    ('err-unclosed-paren-trim',
     'a: {{ (print 1 -}}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unclosed left paren'}),
    ('err-unexpected-rparen',
     'a: {{ print 1) }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected right paren'}),
    ('err-dot-after-string',
     'a: {{ "y".a\n|\nprint }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected . after term "\\"y\\""'}),
    ('err-dot-after-number',
     'a: {{ 1.5.a\n}}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected . after term "1.5"'}),
    ('err-dot-after-number-trim',
     'a: {{ 1.5.a\n-}}\n',
     {'error': 'parse error at (c/templates/t.yaml:2): unexpected . after term "1.5"'}),
    ('err-block-else',
     '{{ block "b" . }}x\n\n{{ else }}y{{ end }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected {{else}} in block clause'}),
    ('err-unclosed-action',
     'a: {{ .Values.x\n\n',
     {'error': 'parse error at (c/templates/t.yaml:3): unclosed action started at c/templates/t.yaml:1'}),
    ('err-bad-character',
     'a: {{ .Values.a-b }}\n',
     {'error': "parse error at (c/templates/t.yaml:1): bad character U+002D '-'"}),
    ('err-unterminated-raw',
     'a: {{ `abc }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unterminated raw quoted string'}),
    ('err-unterminated-string',
     'a: {{ "abc }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unterminated quoted string'}),
    ('err-empty-action',
     'a: {{ }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): missing value for command'}),
    ('err-empty-action-trim',
     'a: {{- -}}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): "-"'}),
    ('err-pipe-then-trim',
     'a: {{ "a" |-}}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): "-"'}),
    ('err-paren-then-trim',
     'a: {{ (-}}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): "-"'}),
    ('err-operand-after-paren',
     'a: {{ print (print 1)"x" }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected "\\"x\\"" in operand'}),
    ('err-paren-after-paren',
     'a: {{ print ( print "r" )( print "s" ) }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected "(" in operand'}),
    ('err-two-strings',
     'a: {{ print "x""y" }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): unexpected "\\"y\\"" in operand'}),
    ('err-undefined-function',
     'a: {{\n  nosuchfunc 1 }}\n',
     {'error': 'parse error at (c/templates/t.yaml:2): function "nosuchfunc" not defined'}),
    ('exec-error-multiline-if',
     'a: {{ if\n  .Values.x\n  "y" | print }}{{ end }}\n',
     {'error': 'c/templates/t.yaml:2:9\n  executing "c/templates/t.yaml" at <.Values.x>:\n    x is not a method but has arguments'}),
    ('non-ascii-field',
     'a: {{ .Values.ä }}\n',
     {'stdout': '---\n# Source: c/templates/t.yaml\na:\n'}),
    ('err-colon-undefined-variable',
     'a: {{ $x : 1 }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): undefined variable "$x"'}),
    ('err-colon',
     'a: {{ $x := 1 }}{{ $x : 2 }}\n',
     {'error': 'parse error at (c/templates/t.yaml:1): expected :='}),
]  # fmt: skip


@pytest.mark.parametrize(("case_id", "template", "expected"), CASES, ids=[c[0] for c in CASES])
def test_template_matches_helm(case_id: str, template: str, expected: dict[str, str], tmp_path: Path) -> None:
    assert helmlite_template(tmp_path, template, VALUES) == expected


def test_white_space_next_to_delimiters_and_pipes_is_no_token() -> None:
    # Go's lexer also emits SPACE at 4, 9 and 11; its parser skips them, so they are left out.
    assert lex("a{{- .b.c | f 1 -}} d") == [
        (TEXT, 0, "a"),
        (LEFT_DELIM, 1, "{{"),
        (FIELD, 5, ".b"),
        (FIELD, 7, ".c"),
        (PIPE, 10, "|"),
        (IDENTIFIER, 12, "f"),
        (SPACE, 13, " "),
        (NUMBER, 14, "1"),
        (RIGHT_DELIM, 17, "}}"),
        (TEXT, 20, "d"),
        (EOF, 21, ""),
    ]


# Fragments of template syntax, well-formed and not, for the property tests.
_PIECES = ["{{", "}}", "{{- ", " -}}", "-}}", "if ", "else ", "end", "range ", "with ", "define ", "block ",
           "template ", '"x" ', "`raw`", "$x ", "$", ":= ", "= ", ", ", ".a", ".Values.b ", "(", ")", "| ",
           "|-}}", "printf ", "nil", "true ", "1 ", "-1", "1.5", "0x1F ", "'c'", "\n", " ", "\t", "break",
           "text", "include ", ". ", "{{/* c */}}", "{{ end }}", "{{ if .a }}", '{{ define "d" }}', "{{ else }}",
           '"\\q"', "ä", "nosuchfunc "]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_tokens_are_slices_of_the_text_in_order(text: str) -> None:
    tokens = lex(text)
    assert tokens[-1][0] in (EOF, ERROR)
    assert [pos for _, pos, _ in tokens] == sorted(pos for _, pos, _ in tokens)
    for typ, pos, val in tokens[:-1]:
        assert text[pos : pos + len(val)] == val, (typ, pos, val)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_any_text_parses_or_fails_with_a_parse_error(text: str) -> None:
    try:
        trees = parse_template("t", text, function_table())
    except TemplateParseError as exc:
        assert exc.message.startswith("template: t:")
    else:
        assert "t" in trees
