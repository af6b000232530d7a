"""Record ``gt_expected.json`` from the real Helm: ``python tests/render/gotemplate/gt_oracle.py``.

Each case of ``gt_cases`` is written as a chart to a temporary directory and rendered with
``helm template r <chart>`` (Helm v4.3.1, ``HELMLITE_HELM_BIN`` or /tmp/peers/helm/helm). Include
cases record the text the snippet produced (or Helm's error message), file cases the whole
standard output (or the error message). Run it again after adding cases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gt_cases

EXPECTED = Path(__file__).with_name("gt_expected.json")


def _helm() -> str:
    return os.environ.get("HELMLITE_HELM_BIN", "/tmp/peers/helm/helm")


def _write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))


def helm_error(stderr: str) -> str:
    """The message of ``Error: …`` (Helm adds a blank line and a --debug hint after it)."""
    text = stderr.split("Error: ", 1)[1] if "Error: " in stderr else stderr
    return text.split("\n\nUse --debug flag", 1)[0].rstrip("\n")


def run_helm(files: dict[str, str], args: list[str]) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        _write(chart, files)
        # Bytes, not text=True: universal newlines would turn the templates' "\r\n" into "\n".
        proc = subprocess.run([_helm(), "template", "r", str(chart), *args], capture_output=True, check=False,
                              env={**os.environ, "TZ": "UTC"})
    if proc.returncode != 0:
        return {"error": helm_error(proc.stderr.decode("utf-8"))}
    return {"stdout": proc.stdout.decode("utf-8")}


def _include_case(tpl: str) -> dict[str, str]:
    result = run_helm(gt_cases.include_case_files(tpl), [])
    if "error" in result:
        return result
    line = next(ln for ln in result["stdout"].splitlines() if ln.startswith("raw: "))
    return {"out": json.loads(line[len("raw: "):])}


def main() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        include = dict(zip(
            [cid for cid, _ in gt_cases.INCLUDE_CASES],
            pool.map(_include_case, [tpl for _, tpl in gt_cases.INCLUDE_CASES]),
        ))
        files = dict(zip(
            [cid for cid, _ in gt_cases.FILE_CASES],
            pool.map(lambda case: run_helm(gt_cases.file_case_files(case[1]), gt_cases.FILE_ARGS.get(case[0], [])),
                     gt_cases.FILE_CASES),
        ))
    EXPECTED.write_text(json.dumps({"include": include, "file": files}, indent=1, ensure_ascii=False) + "\n")
    print(f"recorded {len(include)} include cases and {len(files)} file cases in {EXPECTED}", file=sys.stderr)


if __name__ == "__main__":
    main()
