"""Sprig's list functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_lists
from helmlite.render.gotemplate.funcs.gotypes import IntList, StringList
from helmlite.render.gotemplate.funcspec import REGISTRY, FuncError

# --- helm table CASES
CASES = [
    ('list', (), '[]', '[]interface {}'),
    ('list', (1, 'a', None, 2.5), '[1 a <nil> 2.5]', '[]interface {}'),
    ('tuple', (1, 2), '[1 2]', '[]interface {}'),
    ('append', ([1, 2], 3), '[1 2 3]', '[]interface {}'),
    ('append', ([], None), '[<nil>]', '[]interface {}'),
    ('append', (StringList(['b', 'a', 'c']), 'd'), '[b a c d]', '[]interface {}'),
    ('append', (IntList([0, 1, 2]), 9), '[0 1 2 9]', '[]interface {}'),
    ('push', ([1], [2]), '[1 [2]]', '[]interface {}'),
    ('mustAppend', ([1], 2), '[1 2]', '[]interface {}'),
    ('prepend', ([1, 2], 0), '[0 1 2]', '[]interface {}'),
    ('prepend', (StringList(['b', 'a', 'c']), 1), '[1 b a c]', '[]interface {}'),
    ('first', ([1, 2],), '1', 'int'),
    ('first', ([],), '<no value>', '<nil>'),
    ('first', (StringList(['b', 'a', 'c']),), 'b', 'string'),
    ('mustFirst', ([3],), '3', 'int'),
    ('last', ([1, 2],), '2', 'int'),
    ('last', ([],), '<no value>', '<nil>'),
    ('rest', ([1, 2, 3],), '[2 3]', '[]interface {}'),
    ('rest', ([],), '[]', '[]interface {}'),
    ('rest', ([1],), '[]', '[]interface {}'),
    ('rest', (StringList(['b', 'a', 'c']),), '[a c]', '[]interface {}'),
    ('initial', ([1, 2, 3],), '[1 2]', '[]interface {}'),
    ('initial', ([],), '[]', '[]interface {}'),
    ('reverse', ([1, 2, 3],), '[3 2 1]', '[]interface {}'),
    ('reverse', ([],), '[]', '[]interface {}'),
    ('reverse', (StringList(['b', 'a', 'c']),), '[c a b]', '[]interface {}'),
    ('uniq', ([1, 1, '1', 1.0, 2, 1, [1], [1], None, None],), '[1 1 1 2 [1] <nil>]', '[]interface {}'),
    ('uniq', ([],), '[]', '[]interface {}'),
    ('uniq', (StringList(['a', 'a']),), '[a]', '[]interface {}'),
    ('without', ([1, 2, 3, 2], 2), '[1 3]', '[]interface {}'),
    ('without', ([1, 2, 3], 1, 3), '[2]', '[]interface {}'),
    ('without', ([1, 2.0], 2), '[1 2]', '[]interface {}'),
    ('without', ([1],), '[1]', '[]interface {}'),
    ('has', (1, [1, 2]), 'true', 'bool'),
    ('has', (1.0, [1, 2]), 'false', 'bool'),
    ('has', ('a', StringList(['b', 'a', 'c'])), 'true', 'bool'),
    ('has', (1, None), 'false', 'bool'),
    ('mustHas', (1, None), 'false', 'bool'),
    ('has', (None, [None]), 'true', 'bool'),
    ('has', ([1], [[1]]), 'true', 'bool'),
    ('slice', ([1, 2, 3, 4],), '[1 2 3 4]', '[]interface {}'),
    ('slice', ([1, 2, 3, 4], 1), '[2 3 4]', '[]interface {}'),
    ('slice', ([1, 2, 3, 4], 1, 3), '[2 3]', '[]interface {}'),
    ('slice', ([], 0), '<no value>', '<nil>'),
    ('slice', (StringList(['b', 'a', 'c']), 1), '[a c]', '[]string'),
    ('slice', ([1, 2, 3], '1', 2.9), '[2]', '[]interface {}'),
    ('slice', ([1, 2], 2), '[]', '[]interface {}'),
    ('slice', (IntList([0, 1, 2]), 1), '[1 2]', '[]int'),
    ('concat', (), '[]', '[]interface {}'),
    ('concat', ([1], [2, 3], StringList(['b', 'a', 'c'])), '[1 2 3 b a c]', '[]interface {}'),
    ('concat', ([], []), '[]', '[]interface {}'),
    ('compact', ([1, 0, '', 'a', None, False, True, [], {}, 0.0],), '[1 a true]', '[]interface {}'),
    ('compact', ([],), '[]', '[]interface {}'),
    ('chunk', (2, [1, 2, 3, 4, 5]), '[[1 2] [3 4] [5]]', '[][]interface {}'),
    ('chunk', (2, [1, 2, 3, 4]), '[[1 2] [3 4]]', '[][]interface {}'),
    ('chunk', (3, []), '[]', '[][]interface {}'),
    ('chunk', (5, [1]), '[[1]]', '[][]interface {}'),
    ('chunk', (-1, [1, 2]), '[]', '[][]interface {}'),
    ('chunk', (1, StringList(['b', 'a', 'c'])), '[[b] [a] [c]]', '[][]interface {}'),
    ('sortAlpha', ([10, 2, 'C', 'a', 'b', None],), '[10 2 C a b]', '[]string'),
    ('sortAlpha', ('x',), '[x]', '[]string'),
    ('sortAlpha', (None,), '[<nil>]', '[]string'),
    ('sortAlpha', (StringList(['b', 'a', 'c']),), '[a b c]', '[]string'),
    ('sortAlpha', ({'a': 1},), '[map[a:1]]', '[]string'),
    ('sortAlpha', ([],), '[]', '[]string'),
    ('sortAlpha', (5,), '[5]', '[]string'),
    ('sortAlpha', (['é', 'z', 'Z', 'e'],), '[Z e z é]', '[]string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('append', (None, 1), 'runtime error: invalid memory address or nil pointer dereference'),
    ('append', (1, 1), 'Cannot push on type int'),
    ('append', ('abc', 1), 'Cannot push on type string'),
    ('append', ({'a': 1}, 1), 'Cannot push on type map'),
    ('mustAppend', (1.5, 2), 'Cannot push on type float64'),
    ('mustPush', (True, 2), 'Cannot push on type bool'),
    ('mustPush', (None, 2), 'runtime error: invalid memory address or nil pointer dereference'),
    ('prepend', (None, 1), 'runtime error: invalid memory address or nil pointer dereference'),
    ('mustPrepend', ('x', 1), 'Cannot prepend on type string'),
    ('first', (None,), 'runtime error: invalid memory address or nil pointer dereference'),
    ('first', ('abc',), 'Cannot find first on type string'),
    ('mustFirst', (1,), 'Cannot find first on type int'),
    ('last', (None,), 'runtime error: invalid memory address or nil pointer dereference'),
    ('mustLast', ({},), 'Cannot find last on type map'),
    ('mustRest', (None,), 'runtime error: invalid memory address or nil pointer dereference'),
    ('mustRest', (1,), 'Cannot find rest on type int'),
    ('mustInitial', ('a',), 'Cannot find initial on type string'),
    ('mustReverse', (1,), 'Cannot find reverse on type int'),
    ('reverse', (None,), 'runtime error: invalid memory address or nil pointer dereference'),
    ('mustUniq', ('x',), 'Cannot find uniq on type string'),
    ('mustWithout', (None, 1), 'runtime error: invalid memory address or nil pointer dereference'),
    ('without', (1, 1), 'Cannot find without on type int'),
    ('has', (1, 'abc'), 'Cannot find has on type string'),
    ('mustHas', (1, 5), 'Cannot find has on type int'),
    ('slice', ([1, 2], 1, 5), 'reflect.Value.Slice: slice index out of bounds'),
    ('slice', ([1, 2], 2, 1), 'reflect.Value.Slice: slice index out of bounds'),
    ('slice', ([1, 2], -1), 'reflect.Value.Slice: slice index out of bounds'),
    ('slice', ('abc', 1, 2), 'list should be type of slice or array but string'),
    ('slice', (None,), 'runtime error: invalid memory address or nil pointer dereference'),
    ('mustSlice', (5,), 'list should be type of slice or array but int'),
    ('concat', ([1], None), 'runtime error: invalid memory address or nil pointer dereference'),
    ('concat', ([1], 'x'), 'Cannot concat type string as list'),
    ('mustCompact', (1,), 'Cannot compact on type int'),
    ('compact', (None,), 'runtime error: invalid memory address or nil pointer dereference'),
    ('chunk', (0, [1, 2]), 'runtime error: makeslice: len out of range'),
    ('chunk', (0, []), 'runtime error: makeslice: len out of range'),
    ('mustChunk', (2, 5), 'Cannot chunk type int'),
    ('chunk', (2, None), 'runtime error: invalid memory address or nil pointer dereference'),
]
# --- end of helm table ERRORS


def _function(name: str) -> Callable[..., Any]:
    # REGISTRY's "slice" is whichever of Go's builtin and Sprig's was registered last; Helm uses Sprig's.
    return sprig_lists.slice_ if name == "slice" else REGISTRY[name].fn


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(_function(name), args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(_function(name), args, message)


def test_slice_keeps_the_list_type() -> None:
    assert sprig_lists.slice_(StringList(["a", "b", "c"]), 1) == StringList(["b", "c"])
    assert type(sprig_lists.slice_(StringList(["a", "b", "c"]), 1)) is StringList
    with pytest.raises(FuncError, match="list should be type of slice or array but string"):
        sprig_lists.slice_("abc", 1, 2)


def test_append_and_prepend_leave_their_list_alone() -> None:
    original = [1, 2]
    assert REGISTRY["append"].fn(original, 3) == [1, 2, 3]
    assert REGISTRY["prepend"].fn(original, 0) == [0, 1, 2]
    assert original == [1, 2]


def test_sort_alpha_sorts_a_string_list_in_place() -> None:
    # Helm: {{ $l := splitList "," "b,c,a" }}{{ $s := sortAlpha $l }}{{ $l }} prints [a b c].
    strings = StringList(["b", "c", "a"])
    assert REGISTRY["sortAlpha"].fn(strings) is strings and strings == ["a", "b", "c"]
    mixed = ["b", "a"]
    assert REGISTRY["sortAlpha"].fn(mixed) == ["a", "b"] and mixed == ["b", "a"]
