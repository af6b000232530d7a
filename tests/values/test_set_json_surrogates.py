"""Unpaired UTF-16 surrogates in JSON text given as values (issue #6).

Go's JSON decoder turns an unpaired ``\\ud800`` escape into U+FFFD; Python's keeps the lone
surrogate, which then cannot be written as UTF-8. Expected outputs were printed by the real
``helm template`` (v4.3.1) for the chart ``t4`` built below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helmlite.values.strvals import parse_set_json

REPLACEMENT = "\ufffd"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('h="a\\ud800b"', {"h": f"a{REPLACEMENT}b"}),
        ('h="\\udc00"', {"h": REPLACEMENT}),
        # A paired escape is one character; a high surrogate before a pair is replaced alone.
        ('h="\\ud800\\udc00"', {"h": "\U00010000"}),
        ('h="\\ud800\\ud800\\udc00"', {"h": f"{REPLACEMENT}\U00010000"}),
        ('h="\\ud800A"', {"h": f"{REPLACEMENT}A"}),
        ('h=["\\ud800",{"\\udc00":"a"}]', {"h": [REPLACEMENT, {REPLACEMENT: "a"}]}),
        # The whole-object form, keys included.
        ('{"\\ud800": {"k": "\\udc00"}}', {REPLACEMENT: {"k": REPLACEMENT}}),
        # Undecodable command-line bytes reach Python as surrogates; Go replaces invalid UTF-8 too.
        ('h="a\udcffb"', {"h": f"a{REPLACEMENT}b"}),
    ],
)
def test_set_json_replaces_unpaired_surrogates(expr: str, expected: dict[str, Any]) -> None:
    assert parse_set_json(expr) == expected


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    chart_dir = tmp_path / "t4"
    (chart_dir / "templates").mkdir(parents=True)
    (chart_dir / "Chart.yaml").write_text("apiVersion: v2\nname: t4\nversion: 0.1.0\n")
    (chart_dir / "values.yaml").write_text("")
    (chart_dir / "templates" / "cm.yaml").write_text("x: {{ .Values.x | quote }}\n")
    return chart_dir


@pytest.mark.parametrize(
    ("flag_value", "rendered"),
    [
        ('x="a\\ud800b"', 'x: "a\ufffdb"'),
        ('{"\\ud800":{"k":"\\udc00"},"x":"\\udbff\\udfff\\ud800\\ud800\\udc00"}', 'x: "\\U0010ffff\ufffd\U00010000"'),
        ('x=["\\ud800",{"\\udc00":"a"}]', 'x: "[\ufffd map[\ufffd:a]]"'),
    ],
)
def test_template_renders_them_as_helm_does(cli, chart: Path, flag_value: str, rendered: str) -> None:
    result = cli("template", str(chart), "--set-json", flag_value)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"---\n# Source: t4/templates/cm.yaml\n{rendered}\n"


def test_values_file_escape_is_refused_as_by_helm(cli, chart: Path, tmp_path: Path) -> None:
    # go-yaml refuses a surrogate escape in a double-quoted scalar, paired or not; a JSON
    # values file is read by the same YAML reader.
    values = tmp_path / "f1.json"
    values.write_text('{"x": "a\\ud800b"}\n')
    result = cli("template", str(chart), "-f", str(values))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: failed to parse {values}: cannot unmarshal yaml document: error converting YAML to JSON: "
        "yaml: found invalid Unicode character escape code\n"
    )
