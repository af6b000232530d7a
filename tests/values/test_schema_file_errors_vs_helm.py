"""Broken and deep values.schema.json files fail as Helm v4.3.1 fails (issue #6), never with a
traceback.

Helm reads a schema with santhosh-tekuri's UnmarshalJSON: Go's json.Decoder (Go 1.26, its v1
API on encoding/json/v2) for one value, then its own "invalid character after top-level
value" for anything after it. ``scan_json`` gives the decoder's words; every expected text
below was printed by Helm v4.3.1 (``helm template``/``helm lint``) for the file shown.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmlite.chart.loader import load_chart
from helmlite.errors import SchemaValidationError
from helmlite.values.gojson import MAX_NESTING_DEPTH, scan_json
from helmlite.values.schema import MAX_SCHEMA_DEPTH, validate_values

CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  x: "{{ .Values.x }}"\n'
RENDERED = '---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  x: "1"\n'
HEADLINE = "values don't meet the specifications of the schema(s) in the following chart(s):"


def make_chart(root: Path, schema: bytes) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("x: 1\n")
    (chart / "templates" / "cm.yaml").write_text(CONFIGMAP)
    (chart / "values.schema.json").write_bytes(schema)
    return chart


# (file, Go's error) as helm template printed it under the chart's name.
GO_ERRORS = [
    (b"", "EOF"),
    (b"  ", "EOF"),
    (b"[", "unexpected EOF"),
    (b'{"a":\n', "unexpected EOF"),
    (b'{"a":"b', "unexpected EOF"),
    (b'{"a":nul', "unexpected EOF"),
    (b"1.", "unexpected EOF"),
    (b"-", "unexpected EOF"),
    (b'"\\u1', "unexpected EOF"),
    (b'["\\ud800\\u00', "unexpected EOF"),
    (b"\xef\xbb\xbf{}", "invalid character '\\ufeff' looking for beginning of value"),
    (b"\xff", "invalid character '\\xff' looking for beginning of value"),
    (b"\xed\xa0\x80", "invalid character '\\xed' looking for beginning of value"),
    (b"\xc3\xa9", "invalid character 'é' looking for beginning of value"),
    (b"\xf0\x9f\x98\x80", "invalid character '😀' looking for beginning of value"),
    (b"\x00", "invalid character '\\x00' looking for beginning of value"),
    (b"{'a':1}", "invalid character '\\'' looking for beginning of object key string"),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    (b'{"a":{]}', "invalid character ']' looking for beginning of object key string"),
    (b"[1,]", "invalid character ']' looking for beginning of value"),
    (b'{"a"::1}', "invalid character ':' looking for beginning of value"),
    (b"[.5]", "invalid character '.' looking for beginning of value"),
    (b"[NaN]", "invalid character 'N' looking for beginning of value"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a"\xff}', "invalid character '\\xff' after object key"),
    (b'{"a":1]', "invalid character ']' after object key:value pair"),
    (b'{"a":01}', "invalid character '1' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"),
    (b"[1.5.]", "invalid character '.' after array element"),
    (b"[truex]", "invalid character 'x' after array element"),
    (b"[1.e5]", "invalid character 'e' in numeric literal"),
    (b"[1e+]", "invalid character ']' in numeric literal"),
    (b"[-Infinity]", "invalid character 'I' in numeric literal"),
    (b"[1e\xff]", "invalid character '\\xff' in numeric literal"),
    (b'{"a":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (b"nul ", "invalid character ' ' in literal null (expecting 'l')"),
    (b"[tr\xc3\xa9]", "invalid character 'é' in literal true (expecting 'u')"),
    (b'["\t"]', "invalid character '\\t' in string"),
    (b'{"a":"\\x"}', "invalid escape sequence `\\x` in string"),
    (b'{"a":"\\u12g4"}', "invalid escape sequence `\\u12g4` in string"),
    (b'["\\u12"]', 'invalid escape sequence `\\u12"]` in string'),
    (b'["\\ua"', 'invalid escape sequence `\\ua"` in string'),
    (b'["\\ud800\\uzzzz"]', "invalid escape sequence `\\uzzzz` in string"),
    (b'["\\u12 ]"]', 'invalid escape sequence "\\\\u12 ]" in string'),
    (b'["\\u`abc"]', 'invalid escape sequence "\\\\u`abc" in string'),
    (b'["\\\xc3\xa9"]', 'invalid escape sequence "\\\\\\xc3" in string'),
    (b'["\\u12\xff"]', 'invalid escape sequence "\\\\u12\\xff\\"" in string'),
    (b'["\\u12\xc3\xa9"]', "invalid escape sequence `\\u12é` in string"),
    # Go reads 64 bytes, then doubles its buffer: an escape cut by the buffer's end is quoted
    # only as far as the buffer goes when those bytes cannot begin \uXXXX.
    (b'{"' + b"a" * 58 + b'\\um":0}', 'invalid escape sequence `\\um"` in string'),
    (b'{"' + b"a" * 123 + b'\\um":0}', "invalid escape sequence `\\um` in string"),
    (b'{"' + b"a" * 124 + b'\\um":0}', 'invalid escape sequence `\\um":0` in string'),
    (b'{"' + b"a" * 248 + b'\\um":0}', 'invalid escape sequence `\\um":0` in string'),
    (b'{"' + b"a" * 250 + b'\\um":0}', 'invalid escape sequence `\\um"` in string'),
    (b"[" * (MAX_NESTING_DEPTH + 1) + b"]" * (MAX_NESTING_DEPTH + 1), "exceeded max depth"),
]


@pytest.mark.parametrize(("data", "go_error"), GO_ERRORS)
def test_scan_json_words_errors_as_go_does(data: bytes, go_error: str) -> None:
    assert scan_json(data).error == go_error


@pytest.mark.parametrize("data", [b"{} x", b'{"a":1}}', b"01", b"truex", b"[1]x", b"{}\x0c", b"{} {}"])
def test_anything_after_the_value_is_trailing(data: bytes) -> None:
    scan = scan_json(data)
    assert (scan.error, scan.trailing) == (None, True)


@pytest.mark.parametrize(
    "data", [b'{"a":1}\n', b'{"\xff":1}', b'["\\ud800x"]', b'["\\ud800\\ud800"]', b"[-0]", b"1 ", b'["\x7f"]']
)
def test_what_go_decodes(data: bytes) -> None:
    scan = scan_json(data)
    assert (scan.error, scan.trailing) == (None, False)


def template_error(go_error: str) -> str:
    return f"Error: {HEADLINE}\nc:\n{go_error}\n"


def lint_output(values_error: str | None, templates_error: str) -> str:
    values_line = "" if values_error is None else f"[ERROR] values.yaml: {values_error}\n"
    return (
        "==> Linting c\n[INFO] Chart.yaml: icon is recommended\n"
        f"{values_line}[ERROR] templates/: {HEADLINE}\nc:\n{templates_error}\n\n"
    )


@pytest.mark.parametrize(
    ("schema", "go_error"),
    [(b"", "EOF"), (b'{"a":\n', "unexpected EOF"), (b"{} x", "invalid character after top-level value")],
    ids=["empty", "truncated", "two-values"],
)
def test_template_and_lint_print_what_helm_prints(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schema: bytes, go_error: str
) -> None:
    make_chart(tmp_path, schema)
    monkeypatch.chdir(tmp_path)
    result = cli("template", "c")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", template_error(go_error))
    result = cli("lint", "c")
    # Helm's values rule skips an empty schema file; the templates rule does not.
    assert (result.exit_code, result.stdout) == (1, lint_output(None if not schema else go_error, go_error))


def test_a_bom_is_stripped_by_the_loader_but_not_by_lints_values_rule(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_chart(tmp_path, b'\xef\xbb\xbf{"type":"object","properties":{"x":{"type":"string"}}}')
    monkeypatch.chdir(tmp_path)
    violation = "- at '/x': got number, want string\n"
    assert cli("template", "c").stderr == f"Error: {HEADLINE}\nc:\n{violation}\n"
    result = cli("lint", "c")
    assert result.stdout == lint_output("invalid character '\\ufeff' looking for beginning of value", violation)


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_chart(tmp_path, b'{"type":"object","properties":{"x":{"const":"a\xffb","description":"\xfe"}}}')
    monkeypatch.chdir(tmp_path)
    violation = "- at '/x': value must be 'a\ufffdb'\n"
    assert cli("template", "c").stderr == f"Error: {HEADLINE}\nc:\n{violation}\n"
    assert cli("lint", "c").stdout == lint_output(violation, violation)


# --- depth ------------------------------------------------------------------------------------


def properties_chain(levels: int) -> bytes:
    """A schema whose properties nest ``levels`` deep: 2 × levels + 1 JSON levels."""
    return b'{"properties":{"a":' * levels + b"{}" + b"}}" * levels


def test_deeper_than_go_reads_fails_as_helm_does(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 10,001 JSON levels: Helm v4.3.1 prints Go's decoder error, as for any broken file.
    make_chart(tmp_path, properties_chain(5000))
    monkeypatch.chdir(tmp_path)
    assert cli("template", "c").stderr == template_error("exceeded max depth")
    assert cli("lint", "c").stdout == lint_output("exceeded max depth", "exceeded max depth")


@pytest.mark.parametrize(
    "schema",
    [properties_chain(50), b"[" * 101 + b"]" * 101, properties_chain(4999), b"[" * 10_000 + b"]" * 10_000],
    ids=["101", "101-arrays", "9999", "10000-arrays"],
)
def test_deeper_than_helmlite_reads_is_one_clear_line(cli, tmp_path: Path, schema: bytes) -> None:
    # Helm validates these (or reports the array's meta-schema error); helmlite stops at
    # MAX_SCHEMA_DEPTH, naming the file, the depth and the limit (docs/differences.md).
    chart = make_chart(tmp_path, schema)
    depth = scan_json(schema).depth
    expected = (
        f"Error: {chart}/values.schema.json: arrays and objects nested {depth} levels deep; helmlite reads "
        f"schema files to {MAX_SCHEMA_DEPTH} levels (Helm to 10,000): move inner schemas to $defs and refer "
        "to them with $ref\n"
    )
    result = cli("template", str(chart))
    assert (result.exit_code, result.stderr) == (1, expected.replace(str(chart), "c"))


def test_the_deepest_schema_helmlite_reads_validates(cli, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, properties_chain((MAX_SCHEMA_DEPTH - 1) // 2))
    result = cli("template", str(chart))
    assert (result.exit_code, result.stdout) == (0, RENDERED)
    assert cli("lint", str(chart)).exit_code == 0


# How each keyword wraps a schema: the text before it and after it.
_WRAPPERS = {
    "not": (b'{"not":', b"}"),
    "items": (b'{"items":', b"}"),
    "additionalProperties": (b'{"additionalProperties":', b"}"),
    "properties": (b'{"properties":{"x":', b"}}"),
    "$defs": (b'{"$defs":{"x":', b"}}"),
    "allOf": (b'{"allOf":[', b"]}"),
    "anyOf": (b'{"anyOf":[', b"]}"),
}


def nest(keywords: list[str], innermost: bytes) -> bytes:
    """``innermost`` wrapped in one schema per keyword, outermost first (as text: no recursion)."""
    return b"".join(_WRAPPERS[k][0] for k in keywords) + innermost + b"".join(_WRAPPERS[k][1] for k in reversed(keywords))


@settings(max_examples=40, deadline=None)
@given(
    keywords=st.lists(st.sampled_from(sorted(_WRAPPERS)), min_size=1, max_size=8),
    repeat=st.sampled_from([1, 5, 20, 40, 200, 3000]),
    innermost=st.sampled_from([b"{}", b'{"type":"string"}', b'{"minimum":5}', b"true", b"false"]),
    value=st.sampled_from([1, "s", [1, [2]], {"x": {"x": 1}}]),
)
def test_no_nesting_escapes_as_a_recursion_error(
    tmp_path_factory: pytest.TempPathFactory, keywords: list[str], repeat: int, innermost: bytes, value: object
) -> None:
    chart = load_chart(make_chart(tmp_path_factory.mktemp("deep"), nest(keywords * repeat, innermost)))
    try:
        validate_values(chart, {"x": value})
    except SchemaValidationError as err:
        # Violations in Helm's list, or the one line that names the file and helmlite's limit.
        message = str(err)
        assert message.startswith(HEADLINE) or (
            message.startswith("c/values.schema.json: arrays and objects nested ") and "\n" not in message
        ), message
