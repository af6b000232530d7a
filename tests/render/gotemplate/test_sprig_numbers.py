"""Sprig's math, float math and conversion functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_numbers  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcs.gotypes import Int64
from helmlite.render.gotemplate.funcspec import REGISTRY, FuncError

# --- helm table CASES
CASES = [
    ('int', (5,), '5', 'int'),
    ('int', (5.9,), '5', 'int'),
    ('int', (-5.9,), '-5', 'int'),
    ('int', ('8a',), '0', 'int'),
    ('int', ('12',), '12', 'int'),
    ('int', ('12.0',), '12', 'int'),
    ('int', ('12.50',), '0', 'int'),
    ('int', ('0x1F',), '31', 'int'),
    ('int', ('017',), '15', 'int'),
    ('int', ('08',), '0', 'int'),
    ('int', ('0b101',), '5', 'int'),
    ('int', ('0o17',), '15', 'int'),
    ('int', ('1_000',), '1000', 'int'),
    ('int', ('_1',), '0', 'int'),
    ('int', ('+7',), '7', 'int'),
    ('int', (' 7',), '0', 'int'),
    ('int', ('',), '0', 'int'),
    ('int', (None,), '0', 'int'),
    ('int', (True,), '1', 'int'),
    ('int', (False,), '0', 'int'),
    ('int', ([1],), '0', 'int'),
    ('int', ({'a': 1},), '0', 'int'),
    ('int', (Int64(9),), '9', 'int'),
    ('int', ('12.',), '0', 'int'),
    ('int', ('.0',), '0', 'int'),
    ('int', ('0.0',), '0', 'int'),
    ('int', ('-0',), '0', 'int'),
    ('int', ('9223372036854775808',), '0', 'int'),
    ('int', (1e+20,), '-9223372036854775808', 'int'),
    ('int', ('0x',), '0', 'int'),
    ('int', ('0',), '0', 'int'),
    ('int', ('1e3',), '0', 'int'),
    ('int', ('0_7',), '7', 'int'),
    ('int', ('0x_1F',), '31', 'int'),
    ('int64', (5,), '5', 'int64'),
    ('int64', ('42',), '42', 'int64'),
    ('int64', (2.5,), '2', 'int64'),
    ('int64', (None,), '0', 'int64'),
    ('float64', ('1.5',), '1.5', 'float64'),
    ('float64', ('1e3',), '1000', 'float64'),
    ('float64', ('abc',), '0', 'float64'),
    ('float64', (3,), '3', 'float64'),
    ('float64', (True,), '1', 'float64'),
    ('float64', (None,), '0', 'float64'),
    ('float64', ('1_000',), '1000', 'float64'),
    ('float64', ('0x1p3',), '8', 'float64'),
    ('float64', ('inf',), '+Inf', 'float64'),
    ('float64', ('-Infinity',), '-Inf', 'float64'),
    ('float64', ('nan',), 'NaN', 'float64'),
    ('float64', ('+nan',), '0', 'float64'),
    ('float64', ('1e400',), '0', 'float64'),
    ('float64', (' 1',), '0', 'float64'),
    ('float64', ('.5',), '0.5', 'float64'),
    ('float64', ('5.',), '5', 'float64'),
    ('float64', ('1_0.5',), '10.5', 'float64'),
    ('float64', ('0x1.8',), '0', 'float64'),
    ('float64', (Int64(3),), '3', 'float64'),
    ('atoi', ('42',), '42', 'int'),
    ('atoi', ('1.5',), '0', 'int'),
    ('atoi', ('-7',), '-7', 'int'),
    ('atoi', ('0x1F',), '0', 'int'),
    ('atoi', ('010',), '10', 'int'),
    ('atoi', ('1_0',), '0', 'int'),
    ('atoi', ('',), '0', 'int'),
    ('atoi', ('+',), '0', 'int'),
    ('toDecimal', ('0777',), '511', 'int64'),
    ('toDecimal', (777,), '511', 'int64'),
    ('toDecimal', ('8',), '0', 'int64'),
    ('toDecimal', (None,), '0', 'int64'),
    ('toDecimal', (777.0,), '511', 'int64'),
    ('toDecimal', ('-17',), '-15', 'int64'),
    ('toDecimal', (True,), '0', 'int64'),
    ('seq', (), '', 'string'),
    ('seq', (3,), '1 2 3', 'string'),
    ('seq', (0,), '1 0', 'string'),
    ('seq', (-2,), '1 0 -1 -2', 'string'),
    ('seq', (2, 5), '2 3 4 5', 'string'),
    ('seq', (5, 2), '5 4 3 2', 'string'),
    ('seq', (0, 2, 10), '0 2 4 6 8 10', 'string'),
    ('seq', (10, -2, 0), '10 8 6 4 2 0', 'string'),
    ('seq', (10, 2, 0), '', 'string'),
    ('seq', (1, 2, 3, 4), '', 'string'),
    ('seq', (1, 0, 3), '', 'string'),
    ('until', (3,), '[0 1 2]', '[]int'),
    ('until', (0,), '[]', '[]int'),
    ('until', (-3,), '[0 -1 -2]', '[]int'),
    ('untilStep', (0, 10, 3), '[0 3 6 9]', '[]int'),
    ('untilStep', (10, 0, -3), '[10 7 4 1]', '[]int'),
    ('untilStep', (10, 0, 3), '[]', '[]int'),
    ('untilStep', (0, 10, 0), '[]', '[]int'),
    ('untilStep', (0, 10, -1), '[]', '[]int'),
    ('add1', (1,), '2', 'int64'),
    ('add1', (1.9,), '2', 'int64'),
    ('add1', ('5',), '6', 'int64'),
    ('add1', (None,), '1', 'int64'),
    ('add', (), '0', 'int64'),
    ('add', (1, 2.9, '3', None, True), '7', 'int64'),
    ('add', (9223372036854775807, 1), '-9223372036854775808', 'int64'),
    ('sub', (5, 7), '-2', 'int64'),
    ('sub', (5.5, 1.9), '4', 'int64'),
    ('div', (7, 2), '3', 'int64'),
    ('div', (-7, 2), '-3', 'int64'),
    ('div', (7.9, 2), '3', 'int64'),
    ('mod', (7, 3), '1', 'int64'),
    ('mod', (-7, 3), '-1', 'int64'),
    ('mod', (7, -3), '1', 'int64'),
    ('mul', (2,), '2', 'int64'),
    ('mul', (2, 3, 4), '24', 'int64'),
    ('mul', (1.5, 2), '2', 'int64'),
    ('max', (1,), '1', 'int64'),
    ('max', (1, 5, 3), '5', 'int64'),
    ('max', (1, 2.9, '4'), '4', 'int64'),
    ('biggest', (3, 9), '9', 'int64'),
    ('min', (4, 2, 8), '2', 'int64'),
    ('min', (-1.5, 0), '-1', 'int64'),
    ('maxf', (1, 2.5, '3.5'), '3.5', 'float64'),
    ('maxf', (1,), '1', 'float64'),
    ('minf', (1, 2.5, -0.5), '-0.5', 'float64'),
    ('maxf', (0.0, -0.0), '0', 'float64'),
    ('ceil', (1.2,), '2', 'float64'),
    ('ceil', (-1.2,), '-1', 'float64'),
    ('ceil', ('2.1',), '3', 'float64'),
    ('ceil', (-0.5,), '-0', 'float64'),
    ('floor', (1.8,), '1', 'float64'),
    ('floor', (-1.2,), '-2', 'float64'),
    ('floor', (3,), '3', 'float64'),
    ('floor', (None,), '0', 'float64'),
    ('round', (2.555, 2), '2.56', 'float64'),
    ('round', (3.14159, 3), '3.142', 'float64'),
    ('round', (2.5, 0), '3', 'float64'),
    ('round', (-2.5, 0), '-3', 'float64'),
    ('round', (1.25, 1, 0.6), '1.2', 'float64'),
    ('round', (123.456, -1), '120', 'float64'),
    ('round', ('2.5', 0), '3', 'float64'),
    ('round', (-0.4, 0), '-1', 'float64'),
    ('round', (0.4, 0), '0', 'float64'),
    ('add1f', (1.1,), '2.1', 'float64'),
    ('addf', (1.1, 2.2), '3.3', 'float64'),
    ('addf', (), '0', 'float64'),
    ('addf', (1.1, '2.2', 3), '6.3', 'float64'),
    ('subf', (1, 0.9), '0.1', 'float64'),
    ('subf', (1,), '1', 'float64'),
    ('divf', (1, 3), '0.3333333333333333', 'float64'),
    ('divf', (2, 3), '0.6666666666666667', 'float64'),
    ('divf', (-2, 3), '-0.6666666666666667', 'float64'),
    ('divf', (10, 4, 5), '0.5', 'float64'),
    ('mulf', (1.1, 3), '3.3', 'float64'),
    ('mulf', (0.1, 0.2), '0.02', 'float64'),
    ('divf', (1e+20, 3), '3.333333333333333e+19', 'float64'),
    ('addf', (0.1, 0.2), '0.3', 'float64'),
    ('mulf', (1e-10, 1e-10), '1e-20', 'float64'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('div', (1, 0), 'runtime error: integer divide by zero'),
    ('mod', (1, 0), 'runtime error: integer divide by zero'),
    ('divf', (1, 0), 'decimal division by 0'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)


def test_rand_int_stays_in_the_half_open_range() -> None:
    draws = {REGISTRY["randInt"].fn(5, 8) for _ in range(200)}
    assert draws <= {5, 6, 7} and type(next(iter(draws))) is int
    with pytest.raises(FuncError, match="invalid argument to Intn"):
        REGISTRY["randInt"].fn(5, 5)
