"""The interpreter's and ``toYaml``'s fast paths, against outputs recorded from the real Helm v4.3.1.

Execution takes shortcuts for the common cases (a field, a string literal, dot, a variable or a
parenthesised pipeline as an argument; a value of the parameter's exact type; chains of map
lookups; ``printf`` of strings with ``%s``; ``toYaml`` of plain trees with one-line ASCII
scalars). Each case here goes through a shortcut and through the general path next to it (a
nil or wrong-typed value, an argument that needs converting, a scalar that needs quoting or
folding), and must print, or fail with, exactly what Helm does: the message, the position and
the node of an error included. The expectations were recorded with ``helm template`` from the
templates below and the values in ``VALUES``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.conftest import helmlite_template

VALUES = r"""str: hello
num: 80
l: [x, yy, z]
m: {a: 1, c: {d: 4}}
nested: {list: [{name: n1}, {name: n2}]}
long: "a long sentence with many words that goes well past the eighty column limit of go-yaml folding, yes"
multi: "line one\n  indented two\n\nlast\n"
keys: {"a-very-long-key-name-that-is-over-32-characters-long": 1, "ключ-на-русском-языке-очень-длинный-ключ-для-проверки-лимита-байтов-ключ-ключ": 2}
odd: ["#x", "a #b", "a: b", "- x", "? y", ":z", "yes", "1e3", "0x1F", "12:30", " lead", "trail ", "x,y", "[a]", "", "~", "null", "2001-12-14", "a\tb", "é ü", "it's", "say \"hi\""]
"""

# name: (templates/t.yaml, Helm's stdout or error message)
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "field-chain-through-nil": (
        'x: {{ include "d" .Values.m.missing.deep }}\n{{- define "d" }}{{ . }}{{ end }}',
        {
            "error": 'c/templates/t.yaml:1:25\n  executing "c/templates/t.yaml" at <.Values.m.missing.deep>:\n    nil pointer evaluating interface {}.deep'
        },
    ),
    "field-of-a-number": (
        "x: {{ .Values.m.a.x }}",
        {
            "error": 'c/templates/t.yaml:1:13\n  executing "c/templates/t.yaml" at <.Values.m.a.x>:\n    can\'t evaluate field x in type interface {}'
        },
    ),
    "field-of-a-string-arg": (
        "x: {{ quote .Values.str.x }}",
        {
            "error": 'c/templates/t.yaml:1:19\n  executing "c/templates/t.yaml" at <.Values.str.x>:\n    can\'t evaluate field x in type interface {}'
        },
    ),
    "int-param-given-string-field": (
        'x: {{ nindent .Values.str "y" }}',
        {
            "error": 'c/templates/t.yaml:1:21\n  executing "c/templates/t.yaml" at <.Values.str>:\n    wrong type for value; expected int; got string'
        },
    ),
    "string-param-given-float-field": (
        "x: {{ trunc 2 .Values.num }}",
        {
            "error": 'c/templates/t.yaml:1:21\n  executing "c/templates/t.yaml" at <.Values.num>:\n    wrong type for value; expected string; got float64'
        },
    ),
    "final-arg-wrong-type": (
        "x: {{ .Values.num | trunc 2 }}",
        {
            "error": 'c/templates/t.yaml:1:26\n  executing "c/templates/t.yaml" at <2>:\n    wrong type for value; expected string; got float64'
        },
    ),
    "int-param-given-float-from-pipe": (
        'x: {{ "abc" | trunc (.Values.num) }}',
        {
            "error": 'c/templates/t.yaml:1:28\n  executing "c/templates/t.yaml" at <.Values.num>:\n    wrong type for value; expected int; got float64'
        },
    ),
    "variable-field-args": (
        '{{- $v := dict "a" (dict "b" "deep") }}x: {{ printf "%s-%s" $v.a.b $.Values.str }}',
        {"stdout": "---\n# Source: c/templates/t.yaml\nx: deep-hello\n"},
    ),
    "variable-field-of-nil": (
        '{{- $v := dict "a" nil }}x: {{ quote $v.a.b }}',
        {
            "error": 'c/templates/t.yaml:1:39\n  executing "c/templates/t.yaml" at <$v.a.b>:\n    nil pointer evaluating interface {}.b'
        },
    ),
    "dot-and-literal-args": (
        '{{- with .Values.m }}x: {{ printf "%s %s %s" (toJson .) (ternary "y" "n" true) (default "d" .missing) | quote }}{{ end }}',
        {
            "stdout": '---\n# Source: c/templates/t.yaml\nx: "{\\"a\\":1,\\"c\\":{\\"d\\":4}} y d"\n'
        },
    ),
    "method-call-in-chain": (
        'x: {{ .Capabilities.APIVersions.Has "v1" }} {{ .Files.Get "none" | quote }}',
        {"stdout": '---\n# Source: c/templates/t.yaml\nx: true ""\n'},
    ),
    "and-or-short-circuit": (
        "x: {{ and .Values.str .Values.missing.x }} {{ or .Values.str .Values.missing.x }}",
        {
            "error": 'c/templates/t.yaml:1:29\n  executing "c/templates/t.yaml" at <.Values.missing.x>:\n    nil pointer evaluating interface {}.x'
        },
    ),
    "printf-fast-and-slow": (
        'x: {{ printf "%s/%s" .Values.str "b" }} {{ printf "%s" .Values.num }} {{ printf "%s%%" "5" }} {{ printf "%s" }} {{ printf "%s" "a" "b" }}',
        {
            "stdout": "---\n# Source: c/templates/t.yaml\nx: hello/b %!s(float64=80) 5% %!s(MISSING) a%!(EXTRA string=b)\n"
        },
    ),
    "has-typed": (
        'x: {{ has 1 (list 1.0 2) }} {{ has "x" .Values.l }} {{ has 80 (list .Values.num) }} {{ has .Values.num (list .Values.num) }}',
        {"stdout": "---\n# Source: c/templates/t.yaml\nx: false true false true\n"},
    ),
    "range-and-if-truth": (
        'x: "{{- range $i, $e := .Values.l }}{{ if $e }}{{ $i }}={{ $e }};{{ end }}{{ end }}{{ if .Values.m }}m{{ end }}{{ if "" }}no{{ else }}empty{{ end }}"',
        {"stdout": '---\n# Source: c/templates/t.yaml\nx: "0=x;1=yy;2=z;mempty"\n'},
    ),
    "to-yaml-odd-scalars": (
        "x:\n{{ toYaml .Values.odd | indent 2 }}",
        {
            "stdout": '---\n# Source: c/templates/t.yaml\nx:\n  - \'#x\'\n  - \'a #b\'\n  - \'a: b\'\n  - \'- x\'\n  - \'? y\'\n  - :z\n  - "yes"\n  - "1e3"\n  - "0x1F"\n  - "12:30"\n  - \' lead\'\n  - \'trail \'\n  - x,y\n  - \'[a]\'\n  - ""\n  - "~"\n  - "null"\n  - "2001-12-14"\n  - "a\\tb"\n  - é ü\n  - it\'s\n  - say "hi"\n'
        },
    ),
    "to-yaml-folding-and-literal": (
        'x:\n{{ toYaml (dict "long" .Values.long "multi" .Values.multi "list" (list .Values.multi .Values.long)) | indent 2 }}',
        {
            "stdout": "---\n# Source: c/templates/t.yaml\nx:\n  list:\n  - |\n    line one\n      indented two\n  \n    last\n  - a long sentence with many words that goes well past the eighty column limit of go-yaml\n    folding, yes\n  long: a long sentence with many words that goes well past the eighty column limit\n    of go-yaml folding, yes\n  multi: |\n    line one\n      indented two\n  \n    last\n"
        },
    ),
    "to-yaml-long-keys": (
        "x:\n{{ toYaml .Values.keys | indent 2 }}",
        {
            "stdout": "---\n# Source: c/templates/t.yaml\nx:\n  a-very-long-key-name-that-is-over-32-characters-long: 1\n  ? ключ-на-русском-языке-очень-длинный-ключ-для-проверки-лимита-байтов-ключ-ключ\n  : 2\n"
        },
    ),
    "to-yaml-nested": (
        "x:\n{{ toYaml .Values | indent 2 }}",
        {
            "stdout": '---\n# Source: c/templates/t.yaml\nx:\n  keys:\n    a-very-long-key-name-that-is-over-32-characters-long: 1\n    ? ключ-на-русском-языке-очень-длинный-ключ-для-проверки-лимита-байтов-ключ-ключ\n    : 2\n  l:\n  - x\n  - yy\n  - z\n  long: a long sentence with many words that goes well past the eighty column limit\n    of go-yaml folding, yes\n  m:\n    a: 1\n    c:\n      d: 4\n  multi: |\n    line one\n      indented two\n  \n    last\n  nested:\n    list:\n    - name: n1\n    - name: n2\n  num: 80\n  odd:\n  - \'#x\'\n  - \'a #b\'\n  - \'a: b\'\n  - \'- x\'\n  - \'? y\'\n  - :z\n  - "yes"\n  - "1e3"\n  - "0x1F"\n  - "12:30"\n  - \' lead\'\n  - \'trail \'\n  - x,y\n  - \'[a]\'\n  - ""\n  - "~"\n  - "null"\n  - "2001-12-14"\n  - "a\\tb"\n  - é ü\n  - it\'s\n  - say "hi"\n  str: hello\n'
        },
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_fast_path_matches_helm(name: str, tmp_path: Path) -> None:
    template, expected = CASES[name]
    assert helmlite_template(tmp_path, template, VALUES) == expected


def test_printing_a_map_that_contains_itself_fails_cleanly(tmp_path: Path) -> None:
    # ``merge`` can put a map inside itself; Helm's process dies of a stack overflow printing it.
    # helmlite's printer recurses in Python frames only, so this ends in RecursionError, reported
    # as an execution error, instead of overflowing the C stack (a segfault).
    assert helmlite_template(tmp_path, "x: {{ .Values | merge .Values.m }}\n", VALUES) == {
        "error": "execution error in (c/templates/t.yaml): templates nest too deeply"
    }
