"""``toYaml``, ``toJson`` and ``toYamlPretty`` of every values file of the conformance corpus,
byte for byte against the real Helm (skipped without the helm binary or the corpus).

The values files are real-world YAML (long strings, block scalars, odd keys, numbers of every
kind); each is loaded as a chart's values.yaml by both tools and printed through the three
functions.
"""

from __future__ import annotations

import base64
import io
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from helmlite.cli.main import main

pytestmark = pytest.mark.helm

CORPUS_CHARTS = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "charts"
TEMPLATE = "a: {{ toYaml .Values | b64enc }}\nb: {{ toJson .Values | b64enc }}\nc: {{ toYamlPretty .Values | b64enc }}\n"


def _values_files() -> list[Path]:
    if not CORPUS_CHARTS.is_dir():
        return []
    return sorted({*CORPUS_CHARTS.rglob("values.yaml"), *CORPUS_CHARTS.rglob("ci/*.yaml")})


def _decoded(stdout: str) -> list[str]:
    return [base64.b64decode(line[3:]).decode() for line in stdout.splitlines() if line[:3] in ("a: ", "b: ", "c: ")]


def _chart(root: Path, values: Path) -> Path:
    chart = root / values.relative_to(CORPUS_CHARTS).as_posix().replace("/", "_")
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_bytes(values.read_bytes())
    (chart / "templates" / "t.yaml").write_text(TEMPLATE)
    return chart


def test_values_files_print_as_helm_prints_them(helm_bin: str, tmp_path: Path) -> None:
    files = _values_files()
    if not files:
        pytest.skip("no conformance corpus at ../shared/conformance")
    charts = [_chart(tmp_path, f) for f in files]

    def helm(chart: Path) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([helm_bin, "template", "r", str(chart)], capture_output=True, check=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(helm, charts))
    mismatches = []
    for chart, result in zip(charts, results):
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(["template", "r", str(chart)])
            except SystemExit as exc:
                code = exc.code or 0
        if (result.returncode != 0) != bool(code):
            mismatches.append(f"{chart.name}: helm rc {result.returncode}, helmlite rc {code} {err.getvalue()[:200]}")
        elif result.returncode == 0 and _decoded(result.stdout.decode()) != _decoded(out.getvalue()):
            mismatches.append(chart.name)
    assert not mismatches, mismatches
