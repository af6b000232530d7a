"""Sprig's defaults and flow functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_defaults  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcs.gotypes import (
    Int64,
    StringList,
    StringMap,
)
from helmlite.render.gotemplate.funcspec import REGISTRY, FuncError

UTC = dt.UTC

# --- helm table CASES
CASES = [
    ('empty', (None,), 'true', 'bool'),
    ('empty', (0,), 'true', 'bool'),
    ('empty', (0.0,), 'true', 'bool'),
    ('empty', ('',), 'true', 'bool'),
    ('empty', (False,), 'true', 'bool'),
    ('empty', ([],), 'true', 'bool'),
    ('empty', ({},), 'true', 'bool'),
    ('empty', (1,), 'false', 'bool'),
    ('empty', (' ',), 'false', 'bool'),
    ('empty', (True,), 'false', 'bool'),
    ('empty', ([None],), 'false', 'bool'),
    ('empty', (Int64(0),), 'true', 'bool'),
    ('empty', (StringList([]),), 'true', 'bool'),
    ('empty', (dt.datetime(2024, 1, 2, 3, 4, 5, 0, tzinfo=UTC),), 'false', 'bool'),
    ('empty', (-0.0,), 'true', 'bool'),
    ('empty', (StringMap({}),), 'true', 'bool'),
    ('default', ('d',), 'd', 'string'),
    ('default', ('d', None), 'd', 'string'),
    ('default', ('d', 0), 'd', 'string'),
    ('default', ('d', ''), 'd', 'string'),
    ('default', ('d', False), 'd', 'string'),
    ('default', ('d', []), 'd', 'string'),
    ('default', ('d', {}), 'd', 'string'),
    ('default', ('d', 'x'), 'x', 'string'),
    ('default', (True, False), 'true', 'bool'),
    ('default', ('d', 0.0), 'd', 'string'),
    ('default', ('d', 'x', 'y'), 'x', 'string'),
    ('default', (None, None), '<no value>', '<nil>'),
    ('default', ('d', dt.datetime(2024, 1, 2, 3, 4, 5, 0, tzinfo=UTC)), '2024-01-02 03:04:05 +0000 UTC', 'time.Time'),
    ('default', (1, 2), '2', 'int'),
    ('coalesce', (), '<no value>', '<nil>'),
    ('coalesce', (None, '', 0, 'a', 'b'), 'a', 'string'),
    ('coalesce', (None, False), '<no value>', '<nil>'),
    ('coalesce', ([], {'a': 1}), 'map[a:1]', 'map[string]interface {}'),
    ('all', (), 'true', 'bool'),
    ('all', (1, 'a', True), 'true', 'bool'),
    ('all', (1, '', True), 'false', 'bool'),
    ('any', (), 'false', 'bool'),
    ('any', (0, '', None), 'false', 'bool'),
    ('any', (0, 'x'), 'true', 'bool'),
    ('ternary', ('y', 'n', True), 'y', 'string'),
    ('ternary', ('y', 'n', False), 'n', 'string'),
    ('ternary', (None, 1, False), '1', 'int'),
    ('toPrettyJson', ({'b': [1, 'x<&>'], 'a': {'c': None}, 'e': {}, 'f': []},), '{\n  "a": {\n    "c": null\n  },\n  "b": [\n    1,\n    "x\\u003c\\u0026\\u003e"\n  ],\n  "e": {},\n  "f": []\n}', 'string'),
    ('toPrettyJson', ('s',), '"s"', 'string'),
    ('toPrettyJson', (None,), 'null', 'string'),
    ('toPrettyJson', (1000000.0,), '1000000', 'string'),
    ('toPrettyJson', ([],), '[]', 'string'),
    ('toRawJson', ({'a': '<&>', 'b': [1.5, True]},), '{"a":"<&>","b":[1.5,true]}', 'string'),
    ('toRawJson', ('x\u2028y',), '"x\\u2028y"', 'string'),
    ('mustToPrettyJson', ({'a': 1},), '{\n  "a": 1\n}', 'string'),
    ('mustToRawJson', ([1, '<'],), '[1,"<"]', 'string'),
    ('mustFromJson', ('{"a": 1, "b": [true, null, "x"]}',), 'map[a:1 b:[true <nil> x]]', 'map[string]interface {}'),
    ('mustFromJson', ('[1, 2]',), '[1 2]', '[]interface {}'),
    ('mustFromJson', ('null',), '<no value>', '<nil>'),
    ('mustFromJson', ('"s"',), 's', 'string'),
    ('mustFromJson', ('1000000',), '1e+06', 'float64'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('mustFromJson', ('',), 'unexpected end of JSON input'),
    ('mustFromJson', ('{',), 'unexpected end of JSON input'),
    ('mustFromJson', ('x',), "invalid character 'x' looking for beginning of value"),
    ('mustFromJson', ('[1] x',), "invalid character 'x' after top-level value"),
    ('mustFromJson', ('{"a" 1}',), "invalid character '1' after object key"),
    ('mustFromJson', ('{a: 1}',), "invalid character 'a' looking for beginning of object key string"),
    ('mustFromJson', ('"abc',), 'unexpected end of JSON input'),
    ('mustFromJson', ('NaN',), "invalid character 'N' looking for beginning of value"),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)



@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)


def test_json_encoders_swallow_or_return_go_errors() -> None:
    assert REGISTRY["toPrettyJson"].fn(float("nan")) == "" and REGISTRY["toRawJson"].fn([float("inf")]) == ""
    with pytest.raises(FuncError, match="json: unsupported value: NaN"):
        REGISTRY["mustToRawJson"].fn(float("nan"))
