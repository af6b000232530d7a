"""Unpaired UTF-16 surrogate escapes read by ``fromJson``, ``fromJsonArray`` and ``mustFromJson``
(issue #6).

Go's JSON decoder puts U+FFFD in place of an unpaired ``\\ud800`` escape (and of each byte that
is not UTF-8); Python's keeps the lone surrogate, which no output can hold, so a chart doing
``(fromJson .Values.j).x`` failed to render. Expected outputs were printed by the real
``helm template`` (v4.3.1) for these templates and values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helmlite.render.gotemplate.funcs import helm, sprig_defaults  # noqa: F401 - registers them
from helmlite.render.gotemplate.funcspec import REGISTRY

R = "\ufffd"  # the replacement character

# As a chart's values.yaml gives them (single-quoted YAML keeps the backslashes for JSON).
VALUES = {
    "j": r'{"x":"a\ud800b","\udc00":"k","p":"\ud83d\ude00","q":"\ud800\ud800\udc00"}',
    "a": r'["a\ud800b",{"\udc00":"v"}]',
    "s": r'"\ud800"',
    "j1": r'{"x":"\ud800\u0041\udc00\ud800"}',
    "j3": r'["\udbff\udfff\udbff"]',
    "j4": r'{"\ud800":1,"\udc00":2}',
}
J_AS_JSON = f'{{"p":"\U0001f600","q":"{R}\U00010000","x":"a{R}b","{R}":"k"}}'

CASES = [
    ("{{ (fromJson .Values.j).x | quote }}", f'"a{R}b"'),
    ("{{ fromJson .Values.j | toJson }}", J_AS_JSON),
    ("{{ fromJson .Values.j | mustToJson }}", J_AS_JSON),
    ("{{ fromJson .Values.j | toRawJson }}", J_AS_JSON),
    (
        "{{ fromJson .Values.j | toPrettyJson | quote }}",
        f'"{{\\n  \\"p\\": \\"\U0001f600\\",\\n  \\"q\\": \\"{R}\U00010000\\",'
        f'\\n  \\"x\\": \\"a{R}b\\",\\n  \\"{R}\\": \\"k\\"\\n}}"',
    ),
    (
        "{{ fromJson .Values.j | toYaml | quote }}",
        f'"{R}: k\\np: \\"\\\\U0001F600\\"\\nq: \\"{R}\\\\U00010000\\"\\nx: a{R}b"',
    ),
    ("{{ mustFromJson .Values.j | toJson }}", J_AS_JSON),
    ("{{ mustFromJson .Values.s | toJson }}", f'"{R}"'),
    ("{{ mustFromJson .Values.s | quote }}", f'"{R}"'),
    ("{{ mustFromJson .Values.a | toJson }}", f'["a{R}b",{{"{R}":"v"}}]'),
    ("{{ fromJsonArray .Values.a | toJson }}", f'["a{R}b",{{"{R}":"v"}}]'),
    ("{{ fromJsonArray .Values.j3 | toJson }}", f'["\U0010ffff{R}"]'),
    ("{{ mustFromJson .Values.j3 | toJson }}", f'["\U0010ffff{R}"]'),
    # A high surrogate before a non-surrogate escape, and a low one before a high one: each alone.
    ("{{ (fromJson .Values.j1).x | quote }}", f'"{R}A{R}{R}"'),
    # Go measures strings in bytes: U+FFFD is three.
    ("{{ (fromJson .Values.j1).x | len }}", "10"),
    ("{{ (fromJson .Values.j1).x | b64enc }}", "77+9Qe+/ve+/vQ=="),
    # Two keys that become the same: the later one wins, as in Go's map.
    ("{{ fromJson .Values.j4 | toJson }}", f'{{"{R}":2}}'),
    # A JSON string is no map or list; the error is unchanged.
    (
        "{{ fromJson .Values.s | toJson }}",
        '{"Error":"json: cannot unmarshal string into Go value of type map[string]interface {}"}',
    ),
    ("{{ fromJsonArray .Values.s | toJson }}", '["json: cannot unmarshal string into Go value of type []interface {}"]'),
]


@pytest.mark.parametrize(("template", "expected"), CASES, ids=[case[0] for case in CASES])
def test_renders_as_helm_does(template: str, expected: str, make_chart: Any, render: Any) -> None:
    chart = make_chart("c", {"t.yaml": template}, engine=None)
    assert render(chart, VALUES)["c/templates/t.yaml"] == expected


def test_bytes_that_are_not_utf8_become_replacement_characters(make_chart: Any, render: Any) -> None:
    template = '{{ fromJson (.Files.Get "bad.json") | toJson }}|{{ mustFromJson (.Files.Get "bad.json") | toJson }}'
    chart = make_chart("c", {"t.yaml": template}, engine=None, files={"bad.json": b'{"x":"a\xffb","\xfe":1}'})
    same = f'{{"x":"a{R}b","{R}":1}}'
    assert render(chart)["c/templates/t.yaml"] == f"{same}|{same}"


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        ("fromJson", r'{"\ud800":["\udc00"]}', {R: [R]}),
        ("fromJsonArray", r'["\ud800",{"\udfff":"\ud83d\ude00"}]', [R, {R: "\U0001f600"}]),
        ("mustFromJson", r'"x\udc00y"', f"x{R}y"),
    ],
)
def test_functions_return_well_formed_strings(function: str, text: str, expected: Any) -> None:
    assert REGISTRY[function].fn(text) == expected


def test_template_command_renders_a_chart_reading_such_json(cli, tmp_path: Path) -> None:
    # Before, the lone surrogate reached the manifest check and the render failed there.
    chart = tmp_path / "t1"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: t1\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("j: '{\"x\":\"a\\ud800b\"}'\n")
    (chart / "templates" / "cm.yaml").write_text("x: {{ (fromJson .Values.j).x | quote }}\n")
    result = cli("template", str(chart))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f'---\n# Source: t1/templates/cm.yaml\nx: "a{R}b"\n'


def test_must_from_json_array_is_not_a_helm_function(cli, tmp_path: Path) -> None:
    chart = tmp_path / "t1"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: t1\nversion: 0.1.0\n")
    (chart / "templates" / "z.yaml").write_text("z: {{ mustFromJsonArray .Values.a | toJson }}\n")
    result = cli("template", str(chart))
    assert (result.exit_code, result.stderr) == (
        1,
        'Error: parse error at (t1/templates/z.yaml:1): function "mustFromJsonArray" not defined\n\n'
        "Use --debug flag to render out invalid YAML\n",
    )
