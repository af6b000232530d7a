"""Sprig's dict functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.exec import Executor, Limits, TemplateSet
from helmlite.render.gotemplate.funcs import (  # noqa: F401
    builtins,
    sprig_dicts,
    sprig_lists,
    sprig_strings,
)
from helmlite.render.gotemplate.funcs.gotypes import StringList, Values
from helmlite.render.gotemplate.funcspec import REGISTRY
from helmlite.render.gotemplate.parser import parse_template

# --- helm table CASES
CASES = [
    ('dict', (), 'map[]', 'map[string]interface {}'),
    ('dict', ('a', 1, 'b', 'x'), 'map[a:1 b:x]', 'map[string]interface {}'),
    ('dict', ('a',), 'map[a:]', 'map[string]interface {}'),
    ('dict', ('a', 1, 'b'), 'map[a:1 b:]', 'map[string]interface {}'),
    ('dict', (1, 2, None, 3, True, 4, 1.5, 5), 'map[1:2 1.5:5 <nil>:3 true:4]', 'map[string]interface {}'),
    ('dict', ('a', 1, 'a', 2), 'map[a:2]', 'map[string]interface {}'),
    ('get', ({'a': 1}, 'a'), '1', 'int'),
    ('get', ({'a': 1}, 'b'), '', 'string'),
    ('get', ({'a': None}, 'a'), '<no value>', '<nil>'),
    ('get', (None, 'a'), '', 'string'),
    ('set', ({'a': 1}, 'b', 2), 'map[a:1 b:2]', 'map[string]interface {}'),
    ('set', ({}, 'a', None), 'map[a:<nil>]', 'map[string]interface {}'),
    ('unset', ({'a': 1, 'b': 2}, 'a'), 'map[b:2]', 'map[string]interface {}'),
    ('unset', ({'a': 1}, 'z'), 'map[a:1]', 'map[string]interface {}'),
    ('unset', (None, 'a'), 'map[]', 'map[string]interface {}'),
    ('hasKey', ({'a': 1}, 'a'), 'true', 'bool'),
    ('hasKey', ({'a': None}, 'a'), 'true', 'bool'),
    ('hasKey', ({}, 'a'), 'false', 'bool'),
    ('hasKey', (None, 'a'), 'false', 'bool'),
    ('pluck', ('a', {'a': 1}, {'b': 2}, {'a': 3}), '[1 3]', '[]interface {}'),
    ('pluck', ('a',), '[]', '[]interface {}'),
    ('pluck', ('a', None, {'a': None}), '[<nil>]', '[]interface {}'),
    ('keys', ({'a': 1},), '[a]', '[]string'),
    ('keys', (), '[]', '[]string'),
    ('keys', ({}, None), '[]', '[]string'),
    ('values', ({'a': 1},), '[1]', '[]interface {}'),
    ('values', ({},), '[]', '[]interface {}'),
    ('values', (None,), '[]', '[]interface {}'),
    ('pick', ({'a': 1, 'b': 2, 'c': 3}, 'a', 'c', 'z'), 'map[a:1 c:3]', 'map[string]interface {}'),
    ('pick', ({'a': 1},), 'map[]', 'map[string]interface {}'),
    ('pick', (None, 'a'), 'map[]', 'map[string]interface {}'),
    ('omit', ({'a': 1, 'b': 2, 'c': 3}, 'a', 'z'), 'map[b:2 c:3]', 'map[string]interface {}'),
    ('omit', ({'a': 1},), 'map[a:1]', 'map[string]interface {}'),
    ('omit', (None, 'a'), 'map[]', 'map[string]interface {}'),
    ('merge', ({'a': 1, 'b': '', 'c': 0, 'd': False, 'e': None, 'f': [], 'g': {}, 'h': 'keep'}, {'a': 9, 'b': 'B', 'c': 3, 'd': True, 'e': 'E', 'f': [1], 'g': {'x': 1}, 'h': 'no', 'i': 'new'}), 'map[a:1 b:B c:3 d:true e:E f:[1] g:map[x:1] h:keep i:new]', 'map[string]interface {}'),
    ('merge', ({'m': {'a': 1, 'b': {'c': 1}}}, {'m': {'a': 2, 'z': 3, 'b': {'d': 4}}}), 'map[m:map[a:1 b:map[c:1 d:4] z:3]]', 'map[string]interface {}'),
    ('merge', ({'a': 1}, {'b': 2}, {'b': 3, 'c': 4}), 'map[a:1 b:2 c:4]', 'map[string]interface {}'),
    ('merge', ({'a': 'x'}, {'a': {'n': 1}}), 'map[a:x]', 'map[string]interface {}'),
    ('merge', ({'a': {'n': 1}}, {'a': 'x'}), 'map[a:map[n:1]]', 'map[string]interface {}'),
    ('merge', ({'a': [1]}, {'a': [2, 3]}), 'map[a:[1]]', 'map[string]interface {}'),
    ('merge', ({'a': {}}, {'a': 'x'}), 'map[a:x]', 'map[string]interface {}'),
    ('merge', ({'a': {'k': None}}, {'a': {'k': 5}}), 'map[a:map[k:5]]', 'map[string]interface {}'),
    ('merge', ({'a': 1}, {'a': None, 'b': None}), 'map[a:1]', 'map[string]interface {}'),
    ('merge', ({},), 'map[]', 'map[string]interface {}'),
    ('merge', (None, {'a': 1}), 'map[a:1]', 'map[string]interface {}'),
    ('merge', ({'a': 1}, None), 'map[a:1]', 'map[string]interface {}'),
    ('merge', (None,), 'map[]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'a': 1, 'b': 'x', 'c': True, 'd': [1], 'e': {'n': 1}}, {'a': 0, 'b': '', 'c': False, 'd': [], 'e': {'m': 2}}), 'map[a:0 b: c:false d:[] e:map[m:2 n:1]]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'a': 'x'}, {'a': None}), 'map[a:<nil>]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'a': {'n': 1}}, {'a': 'x'}), 'map[a:x]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'a': 'x'}, {'a': {'n': 1}}), 'map[a:map[n:1]]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'m': {'a': 1, 'b': {'c': 1}}}, {'m': {'a': 2, 'b': {'c': 2, 'd': 4}}}), 'map[m:map[a:2 b:map[c:2 d:4]]]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'a': {}}, {'a': {'x': 1}}), 'map[a:map[x:1]]', 'map[string]interface {}'),
    ('mergeOverwrite', ({'a': {'n': 1}}, {'a': {}}), 'map[a:map[n:1]]', 'map[string]interface {}'),
    ('merge', ({'a': {'n': 1}}, {'a': {}}), 'map[a:map[n:1]]', 'map[string]interface {}'),
    ('mustMerge', ({'a': 1}, {'a': 2, 'b': 3}), 'map[a:1 b:3]', 'map[string]interface {}'),
    ('mustMergeOverwrite', ({'a': 1}, {'a': 2, 'b': 3}), 'map[a:2 b:3]', 'map[string]interface {}'),
    ('dig', ('a', 'b', 'd', {'a': {'b': 1}}), '1', 'int'),
    ('dig', ('a', 'x', 'd', {'a': {'b': 1}}), 'd', 'string'),
    ('dig', ('a', 'd', {'a': {'b': 1}}), 'map[b:1]', 'map[string]interface {}'),
    ('dig', ('z', 'd', {'a': 1}), 'd', 'string'),
    ('dig', ('a', 'b', 'c', 'd', {'a': {'b': {'c': None}}}), '<no value>', '<nil>'),
    ('dig', ('a', 'b', 'd', {'a': {'b': None}}), '<no value>', '<nil>'),
    ('dig', ('a', 'd', {'a': 1.0}), '1', 'float64'),
    ('deepCopy', ({'a': [1, {'b': 2}]},), 'map[a:[1 map[b:2]]]', 'map[string]interface {}'),
    ('deepCopy', (1,), '1', 'int'),
    ('deepCopy', (StringList(['a']),), '[a]', '[]string'),
    ('deepCopy', ('s',), 's', 'string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('set', (None, 'a', 1), 'assignment to entry in nil map'),
    ('dig', ('a', 'b', 'd', {'a': 1.5}), 'interface conversion: interface {} is float64, not map[string]interface {}'),
    ('dig', ('a', 'b', 'd', {'a': None}), 'interface conversion: interface {} is nil, not map[string]interface {}'),
    ('dig', ('a', 'd', None), 'interface conversion: interface {} is nil, not map[string]interface {}'),
    ('dig', ('a', 'd', 'x'), 'interface conversion: interface {} is string, not map[string]interface {}'),
    ('dig', ('a', {'a': 1}), 'dig needs at least three arguments'),
    ('dig', (1, 'd', {'a': 1}), 'interface conversion: interface {} is int, not string'),
    ('dig', ('a', 'd', Values({'a': 1.0})), 'interface conversion: interface {} is common.Values, not map[string]interface {}'),
    ('deepCopy', (None,), 'reflect: call of reflect.Value.Type on zero Value'),
    ('mustDeepCopy', (None,), 'reflect: call of reflect.Value.Type on zero Value'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)


def test_set_and_merge_change_the_map_they_are_given() -> None:
    d = {"a": 1}
    assert REGISTRY["set"].fn(d, "b", 2) is d and d == {"a": 1, "b": 2}
    assert REGISTRY["unset"].fn(d, "a") is d and d == {"b": 2}
    dst: dict[str, Any] = {"n": {"keep": 1}}
    nested = dst["n"]
    src = {"n": {"new": 2}, "m": {"x": 1}}
    assert REGISTRY["merge"].fn(dst, src) is dst
    # Nested maps merge in place; a map dst lacked is src's own object, not a copy.
    assert dst["n"] is nested and nested == {"keep": 1, "new": 2}
    assert dst["m"] is src["m"]


def test_deep_copy_shares_nothing() -> None:
    original = {"a": [1, {"b": 2}], "s": StringList(["x"])}
    copied = REGISTRY["deepCopy"].fn(original)
    assert copied == original and type(copied["s"]) is StringList
    copied["a"][1]["b"] = 3
    assert original["a"][1]["b"] == 2


# Rendered by helm with values "m: {a: 1}" (numbers from values are float64).
TEMPLATE = """\
{{- $d := dict "a" 1 }}{{ $same := set $d "b" 2 }}{{ $d }} {{ eq (len $same) 2 }}
{{ $src := dict "n" (dict "k" 1) }}{{ $dst := dict }}{{ $_ := merge $dst $src }}{{ $_ := set $dst.n "k" 2 }}{{ $src.n.k }}
{{ $a := dict "x" (dict "y" 1 "keep" "a") }}{{ $inner := $a.x }}\
{{ $_ := mergeOverwrite $a (dict "x" (dict "y" 2 "z" 3)) }}{{ $inner }}
{{ $c := deepCopy $a }}{{ $_ := set $c.x "y" 9 }}{{ $a.x.y }} {{ $c.x.y }}
{{ $_ := set .Values "added" "yes" }}{{ .Values.added }} {{ hasKey .Values "added" }}
{{ $l := list 1 }}{{ $l2 := append $l 2 }}{{ $l }} {{ $l2 }}
{{ merge (dict "a" "" "b" 0 "c" false) (dict "a" "A" "b" 5 "c" true "d" nil) }}
{{ mergeOverwrite (dict "a" "x" "b" 1) (dict "a" "" "b" nil) }}
{{ dig "m" "a" "none" (dict "m" .Values.m) }} {{ dig "m" "zz" "none" (dict "m" .Values.m) }}
{{ pluck "a" .Values.m (dict "a" 2) }} {{ get .Values.m "zz" | quote }} {{ keys .Values.m | sortAlpha }}"""
HELM_OUTPUT = """\
map[a:1 b:2] true
2
map[keep:a y:2 z:3]
2 9
yes true
[1] [1 2]
map[a:A b:5 c:true]
map[a: b:<nil>]
1 none
[1 2] "" [a]"""


def test_template_mutations_render_as_in_helm() -> None:
    templates = TemplateSet()
    templates.associate(parse_template("t", TEMPLATE, REGISTRY))
    values = Values({"m": {"a": 1.0}})
    output = Executor(templates, REGISTRY, Limits()).execute("t", {"Values": values})
    assert output == HELM_OUTPUT
    assert values["added"] == "yes"
