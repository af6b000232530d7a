"""values.schema.json on hostile input: Helm's answer, or a clear error, never a traceback (issue #6).

Every expected text below was printed by the real ``helm template`` (v4.3.1) for a chart with
the same values.schema.json and values.yaml.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, Draft6Validator, Draft7Validator

from helmlite.chart.model import Chart
from helmlite.errors import SchemaValidationError
from helmlite.values.schema import validate_values
from helmlite.values.schema.formats import format_checker_for

MakeChart = Callable[..., Chart]
HEADLINE = "values don't meet the specifications of the schema(s) in the following chart(s):"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
FORMAT_CHECKERS = [format_checker_for(draft) for draft in (Draft4Validator, Draft6Validator, Draft7Validator)]

# Any code point, lone surrogates included (hypothesis leaves them out unless asked), and
# strings built from the characters the format grammars care about, so that the checks get
# past their first length and separator tests.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
FORMAT_SYNTAX = st.sampled_from(list("0123456789:-+.TtZzPWYMDHS/ @[]%#?{}()~\\\"'"))
FORMAT_LIKE = st.text(st.one_of(ANY_CHARACTER, FORMAT_SYNTAX), max_size=40)
VALID_SAMPLES = ["2024-01-01T10:00:00.5+01:00", "10:00:00Z", "2024-02-29", "P1Y2M3DT4H5M6S", "::1", "a@b.io"]


@st.composite
def mutated_samples(draw: st.DrawFn) -> str:
    """A valid value of some format with one character replaced by any other."""
    sample = draw(st.sampled_from(VALID_SAMPLES))
    index = draw(st.integers(0, len(sample) - 1))
    return sample[:index] + draw(ANY_CHARACTER) + sample[index + 1 :]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(ANY_CHARACTER), FORMAT_LIKE, mutated_samples()))
def test_no_string_crashes_a_format_check(text: str) -> None:
    for checker in FORMAT_CHECKERS:
        for name in checker.checkers:
            # conforms() turns a format's reason into False; anything else would propagate.
            assert checker.conforms(text, name) in (True, False)


def schema_error(make_chart: MakeChart, schema: str | dict, values: dict) -> str:
    """The whole message helmlite raises for ``values`` against the chart ``c``'s schema."""
    text = schema if isinstance(schema, str) else json.dumps(schema)
    with pytest.raises(SchemaValidationError) as info:
        validate_values(make_chart("c", schema=text.encode()), values)
    return str(info.value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("\x80\x80𐀀𐀀𐀀𐀀", "'\\u0080\\u0080𐀀𐀀𐀀𐀀' is not valid date-time: 11th character must be t or T"),
        # Byte 10 is inside the é: Go looks at bytes, not characters.
        ("2024-01-0éT10:00:00Z", "'2024-01-0éT10:00:00Z' is not valid date-time: 11th character must be t or T"),
        ("2024-01-01T1é:00:00+01:00",
         "'2024-01-01T1é:00:00+01:00' is not valid date-time: invalid time element: missing colon in correct place"),
        ("2024-01-01T10:00:00+0é:0",
         "'2024-01-01T10:00:00+0é:0' is not valid date-time: invalid time element: missing colon in offset in correct place"),
        ("2024-01-01T10:00:00+é:00",
         "'2024-01-01T10:00:00+é:00' is not valid date-time: invalid time element: invalid hour/min in offset"),
        ("2024-01-01T10:00:00é", "'2024-01-01T10:00:00é' is not valid date-time: invalid time element: offset must be 6 characters long"),
        ("2024-01-01T23:59:60-23:59", "'2024-01-01T23:59:60-23:59' is not valid date-time: invalid time element: invalid leap second"),
    ],
)  # fmt: skip
def test_date_time_measures_bytes_as_go_does(make_chart: MakeChart, value: str, reason: str) -> None:
    schema = {"$schema": DRAFT7, "properties": {"d": {"format": "date-time"}}}
    assert schema_error(make_chart, schema, {"d": value}) == f"{HEADLINE}\nc:\n- at '/d': {reason}\n"


def test_signed_clock_numbers_pass_as_in_go(make_chart: MakeChart) -> None:
    # strconv.Atoi takes a sign, so Helm accepts "+1" as an hour.
    schema = {"$schema": DRAFT7, "properties": {"d": {"format": "date-time"}}}
    validate_values(make_chart("c", schema=json.dumps(schema).encode()), {"d": "2024-01-01T+1:+2:03Z"})


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        # Go's time package quotes every byte of a non-ASCII character, and control characters, as \xNN.
        ("date", "2024-01-0é",
         'parsing time "2024-01-0\\xc3\\xa9" as "2006-01-02": cannot parse "0\\xc3\\xa9" as "02"'),
        ("date", '20"4-01-01\x7f\t\\',
         'parsing time "20\\"4-01-01\x7f\\x09\\\\" as "2006-01-02": cannot parse "20\\"4-01-01\x7f\\x09\\\\" as "2006"'),
        ("time", "1é:00:00Z", "missing colon in correct place"),
        ("time", "10:00:00.é", "no digits in second fraction"),
        ("time", "10:00:00+é0:00", "offset must be 6 characters long"),
        ("regex", "a{99999999999}", "error parsing regexp: invalid repeat count: `{99999999999}`"),
        ("regex", "a{2,1001}", "error parsing regexp: invalid repeat count: `{2,1001}`"),
        ("regex", "(" * 1000 + ")" * 1000,
         f"error parsing regexp: expression nests too deeply: `{'(' * 1000 + ')' * 1000}`"),
    ],
)  # fmt: skip
def test_format_reasons_on_odd_strings(make_chart: MakeChart, name: str, value: str, reason: str) -> None:
    schema = {"$schema": DRAFT7, "properties": {"v": {"format": name}}}
    shown = schema_error(make_chart, schema, {"v": value}).split("\n")[2]
    assert shown.endswith(f" is not valid {name}: {reason}")


@pytest.mark.parametrize("pattern", ["a{1000}b{0,1000}", "(" * 999 + ")" * 999, "[[a]"])
def test_patterns_go_accepts_are_valid(make_chart: MakeChart, pattern: str) -> None:
    schema = {"$schema": DRAFT7, "properties": {"v": {"format": "regex"}}}
    validate_values(make_chart("c", schema=json.dumps(schema).encode()), {"v": pattern})


NINES_400 = "9" * 400
NINES_5000 = "9" * 5000  # beyond Python's int() digit limit


@pytest.mark.parametrize(
    ("keyword", "literal", "reason"),
    [
        ("minimum", NINES_400, "minimum: got 3, want ∞"),
        ("maximum", "-" + NINES_400, "maximum: got 3, want -∞"),
        ("exclusiveMinimum", NINES_400, "exclusiveMinimum: got 3, want ∞"),
        ("multipleOf", NINES_400, "multipleOf: got 3, want ∞"),
        ("minimum", "1e400", "minimum: got 3, want ∞"),
        ("minimum", NINES_5000, "minimum: got 3, want ∞"),
        ("const", NINES_400, f"value must be {NINES_400}"),
        ("const", NINES_5000, f"value must be {NINES_5000}"),
        ("enum", f"[-{NINES_5000}, 2]", f"value must be one of -{NINES_5000}, 2"),
    ],
)
def test_numbers_beyond_float64(make_chart: MakeChart, keyword: str, literal: str, reason: str) -> None:
    # Helm's validator keeps schema numbers as big.Rat and prints minimum & co. through
    # Float64() (±Inf beyond its range), enum and const as the file spells them.
    schema = f'{{"properties": {{"x": {{"{keyword}": {literal}}}}}}}'
    assert schema_error(make_chart, schema, {"x": 3}) == f"{HEADLINE}\nc:\n- at '/x': {reason}\n"


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ('{"properties": {"x": {"minimum": NaN}}}', "invalid character 'N' looking for beginning of value"),
        ('{"properties": {"x": {"minimum": Infinity}}}', "invalid character 'I' looking for beginning of value"),
        ('{"properties": {"x": {"minimum": -Infinity}}}', "invalid character 'I' in numeric literal"),
        ('{"properties": {"x": {"const": [1, NaN]}}}', "invalid character 'N' looking for beginning of value"),
    ],
)  # fmt: skip
def test_nan_and_infinity_make_the_schema_invalid_json(make_chart: MakeChart, schema: str, reason: str) -> None:
    with pytest.raises(SchemaValidationError) as info:
        validate_values(make_chart("c", schema=schema.encode()), {"x": 1})
    # Helm prints the decoder's error alone under the chart's name, with no newline after it.
    assert str(info.value) == f"{HEADLINE}\nc:\n{reason}"
    assert info.value.violations == {}


def test_invalid_json_and_violations_of_a_chart_tree(make_chart: MakeChart) -> None:
    nan_schema = b'{"properties": {"y": {"minimum": NaN}}}'
    sub = make_chart("sub", schema=nan_schema)
    parent = make_chart("c", {}, sub, schema=b'{"properties": {"x": {"minimum": 5}}}')
    with pytest.raises(SchemaValidationError) as info:
        validate_values(parent, {"x": 1, "sub": {"y": 1}})
    assert str(info.value) == (
        f"{HEADLINE}\nc:\n- at '/x': minimum: got 1, want 5\nsub:\ninvalid character 'N' looking for beginning of value"
    )
    assert info.value.violations == {"c": [("/x", "minimum: got 1, want 5")]}
    # Helm runs the next chart's name on after the decoder's error, as here.
    parent = make_chart("c", {}, make_chart("sub", schema=nan_schema), schema=nan_schema)
    with pytest.raises(SchemaValidationError) as info:
        validate_values(parent, {"sub": {"y": 1}})
    assert str(info.value) == (
        f"{HEADLINE}\nc:\ninvalid character 'N' looking for beginning of valuesub:\n"
        "invalid character 'N' looking for beginning of value"
    )


def test_nan_in_a_referenced_file(make_chart: MakeChart) -> None:
    chart = make_chart(
        "c", schema=b'{"properties": {"x": {"$ref": "other.json"}}}', files={"other.json": b'{"minimum": NaN}'}
    )
    with pytest.raises(SchemaValidationError) as info:
        validate_values(chart, {"x": 1})
    assert str(info.value) == (
        "c/values.schema.json: cannot resolve $ref 'other.json': "
        "c/other.json: invalid JSON: invalid character 'N' looking for beginning of value"
    )
