"""Sprig's reflection functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sprig_support import assert_result

from helmlite.render.gotemplate.funcs import sprig_reflect  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcs.gotypes import (
    Int64,
    IntList,
    StringList,
    StringMap,
)
from helmlite.render.gotemplate.funcspec import REGISTRY

UTC = dt.UTC

# --- helm table CASES
CASES = [
    ('typeOf', (None,), '<nil>', 'string'),
    ('typeOf', (1,), 'int', 'string'),
    ('typeOf', (1.5,), 'float64', 'string'),
    ('typeOf', ('s',), 'string', 'string'),
    ('typeOf', (True,), 'bool', 'string'),
    ('typeOf', ([1],), '[]interface {}', 'string'),
    ('typeOf', ({'a': 1},), 'map[string]interface {}', 'string'),
    ('typeOf', (Int64(1),), 'int64', 'string'),
    ('typeOf', (StringList(['a']),), '[]string', 'string'),
    ('typeOf', (IntList([0, 1]),), '[]int', 'string'),
    ('typeOf', (StringMap({'_0': 'a'}),), 'map[string]string', 'string'),
    ('typeOf', (dt.datetime(2024, 1, 2, 3, 4, 5, 0, tzinfo=UTC),), 'time.Time', 'string'),
    ('kindOf', (None,), 'invalid', 'string'),
    ('kindOf', (1,), 'int', 'string'),
    ('kindOf', (1.5,), 'float64', 'string'),
    ('kindOf', ('s',), 'string', 'string'),
    ('kindOf', (True,), 'bool', 'string'),
    ('kindOf', ([1],), 'slice', 'string'),
    ('kindOf', ({'a': 1},), 'map', 'string'),
    ('kindOf', (Int64(1),), 'int64', 'string'),
    ('kindOf', (StringList(['a']),), 'slice', 'string'),
    ('kindOf', (dt.datetime(2024, 1, 2, 3, 4, 5, 0, tzinfo=UTC),), 'struct', 'string'),
    ('kindOf', (StringMap({'_0': 'a'}),), 'map', 'string'),
    ('typeIs', ('int', 1), 'true', 'bool'),
    ('typeIs', ('int', 1.0), 'false', 'bool'),
    ('typeIs', ('float64', 1.0), 'true', 'bool'),
    ('typeIs', ('<nil>', None), 'true', 'bool'),
    ('typeIs', ('[]interface {}', [1]), 'true', 'bool'),
    ('typeIsLike', ('int', 1), 'true', 'bool'),
    ('typeIsLike', ('string', 'x'), 'true', 'bool'),
    ('kindIs', ('map', {}), 'true', 'bool'),
    ('kindIs', ('slice', [1]), 'true', 'bool'),
    ('kindIs', ('string', 'a'), 'true', 'bool'),
    ('kindIs', ('invalid', None), 'true', 'bool'),
    ('kindIs', ('int', 1), 'true', 'bool'),
    ('kindIs', ('int64', Int64(1)), 'true', 'bool'),
    ('kindIs', ('float64', 1.5), 'true', 'bool'),
    ('kindIs', ('slice', StringList([])), 'true', 'bool'),
    ('deepEqual', (1, 1), 'true', 'bool'),
    ('deepEqual', (1, 1.0), 'false', 'bool'),
    ('deepEqual', (1, Int64(1)), 'false', 'bool'),
    ('deepEqual', ([1, 'a'], [1, 'a']), 'true', 'bool'),
    ('deepEqual', ([1], [1.0]), 'false', 'bool'),
    ('deepEqual', ({'a': [1]}, {'a': [1]}), 'true', 'bool'),
    ('deepEqual', ({'a': 1}, {'a': 1, 'b': 2}), 'false', 'bool'),
    ('deepEqual', (None, None), 'true', 'bool'),
    ('deepEqual', (None, ''), 'false', 'bool'),
    ('deepEqual', (StringList(['a']), ['a']), 'false', 'bool'),
    ('deepEqual', ('a', 'a'), 'true', 'bool'),
    ('deepEqual', (True, True), 'true', 'bool'),
    ('deepEqual', (dt.datetime(2024, 1, 2, 3, 4, 5, 0, tzinfo=UTC), dt.datetime(2024, 1, 2, 3, 4, 5, 0, tzinfo=UTC)), 'true', 'bool'),
    ('deepEqual', ([], []), 'true', 'bool'),
    ('deepEqual', ({}, {}), 'true', 'bool'),
    ('deepEqual', ([None], [None]), 'true', 'bool'),
]
# --- end of helm table CASES


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)

