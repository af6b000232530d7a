"""Go template semantics, case by case, against outputs recorded from the real Helm v4.3.1.

The cases and how they are run are in ``gt_cases``; ``gt_expected.json`` holds Helm's results
(``gt_oracle.py`` records them). Each case renders a chart written to disk through the same
path as ``helmlite template`` (loader, values, engine, manifest assembly).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import gt_cases
import pytest

from helmlite.cli.main import main

EXPECTED = json.loads(Path(__file__).with_name("gt_expected.json").read_text(encoding="utf-8"))


def _render(root: Path, files: dict[str, str], args: list[str] | None = None) -> dict[str, str]:
    chart = root / "c"
    for name, content in files.items():
        path = chart / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["template", "r", str(chart), *(args or [])])
        except SystemExit as exc:
            if exc.code:
                message = err.getvalue().removeprefix("Error: ")
                return {"error": message.split("\n\nUse --debug flag", 1)[0].rstrip("\n")}
    return {"stdout": out.getvalue()}


@pytest.mark.parametrize(("case_id", "tpl"), gt_cases.INCLUDE_CASES, ids=[c[0] for c in gt_cases.INCLUDE_CASES])
def test_snippet_matches_helm(case_id: str, tpl: str, tmp_path: Path) -> None:
    result = _render(tmp_path, gt_cases.include_case_files(tpl))
    if "stdout" in result:
        line = next(ln for ln in result["stdout"].splitlines() if ln.startswith("raw: "))
        result = {"out": json.loads(line[len("raw: "):])}
    assert result == EXPECTED["include"][case_id]


@pytest.mark.parametrize(("case_id", "files"), gt_cases.FILE_CASES, ids=[c[0] for c in gt_cases.FILE_CASES])
def test_file_matches_helm(case_id: str, files: dict[str, str], tmp_path: Path) -> None:
    result = _render(tmp_path, gt_cases.file_case_files(files), gt_cases.FILE_ARGS.get(case_id))
    assert result == EXPECTED["file"][case_id]
