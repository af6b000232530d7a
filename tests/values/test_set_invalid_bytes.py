"""Command-line values with bytes that are not UTF-8 (issue #6), as Helm v4.3.1 takes them.

Helm's strvals reads --set, --set-string and --set-literal as Go runes, so each such byte
becomes U+FFFD, in keys and values alike; a -f file with such bytes is refused by the YAML
reader. Python hands such argv bytes over as surrogate escapes (one per byte), which the
in-process runner passes as they are. Expected outputs were printed by Helm v4.3.1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CONFIGMAP = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
    "data:\n  x: {{ .Values.x }}\n  all: {{ .Values | toJson | quote }}\n"
)


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    root = tmp_path / "sv"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: sv\nversion: 0.1.0\n")
    (root / "templates" / "cm.yaml").write_text(CONFIGMAP)
    return root


@pytest.mark.parametrize("flag", ["--set", "--set-string", "--set-literal"])
def test_each_invalid_byte_becomes_a_replacement_character(cli, chart: Path, flag: str) -> None:
    # a, 0xff, b, then the first two bytes of a three-byte character: three U+FFFD, as Go's runes.
    result = cli("template", str(chart), flag, "x=a\udcffb\udce2\udc82")
    assert result.exit_code == 0, result.stderr
    assert "  x: a\ufffdb\ufffd\ufffd\n" in result.stdout
    assert '  all: "{\\"x\\":\\"a\ufffdb\ufffd\ufffd\\"}"\n' in result.stdout


def test_keys_too(cli, chart: Path) -> None:
    result = cli("template", str(chart), "--set", "k\udcff=1")
    assert result.exit_code == 0, result.stderr
    assert '  all: "{\\"k\ufffd\\":1}"\n' in result.stdout


def test_the_real_command_line_renders_what_helm_renders(chart: Path) -> None:
    # Before the fix the surrogate escapes reached the output and `template` died writing them.
    done = subprocess.run(
        [sys.executable, "-m", "helmlite", "template", str(chart), "--set", b"x=a\xffb"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert b"  x: a\xef\xbf\xbdb\n" in done.stdout


def test_a_values_file_with_invalid_bytes_is_refused_as_helm_refuses_it(cli, chart: Path, tmp_path: Path) -> None:
    values = tmp_path / "bad.yaml"
    values.write_bytes(b'x: "a\xffb"\n')
    result = cli("template", str(chart), "-f", str(values))
    problem = "cannot unmarshal yaml document: error converting YAML to JSON: yaml: invalid leading UTF-8 octet"
    assert (result.exit_code, result.stderr) == (1, f"Error: failed to parse {values}: {problem}\n")
