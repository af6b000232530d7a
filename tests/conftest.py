"""Shared fixtures: the in-process CLI runner, the real helm binary, the conformance corpus."""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Keep the suite's caches (compiled templates, repository indexes) out of the user's home.
os.environ.setdefault("HELMLITE_CACHE_HOME", tempfile.mkdtemp(prefix="helmlite-test-cache-"))
# `helmlite` processes the suite starts run in-process: tests/commandserver starts (and stops)
# its own command servers.
os.environ.setdefault("HELMLITE_COMMAND_SERVER", "off")

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CHARTS = REPO_ROOT / "charts"
SHARED = REPO_ROOT.parent / "shared"
CONFORMANCE = SHARED / "conformance"


def _find_helm() -> str | None:
    for candidate in (os.environ.get("HELMLITE_HELM_BIN"), "/tmp/peers/helm/helm", shutil.which("helm")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def helm_bin() -> str:
    """Path to the real Helm v4 binary; tests that need it skip when it is absent."""
    path = _find_helm()
    if path is None:
        pytest.skip("the real helm binary is not installed (run ../shared/tools/get-helm-peer)")
    return path


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


class CliRunner:
    """Runs ``helmlite`` in-process, capturing stdout/stderr and the exit code."""

    def __call__(self, *args: str, stdin: str = "") -> CliResult:
        from helmlite.cli.main import main

        out, err = io.StringIO(), io.StringIO()
        old = sys.stdout, sys.stderr, sys.stdin
        sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO(stdin)
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout, sys.stderr, sys.stdin = old
        return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every helmlite directory at a temporary home."""
    for var in ("HELMLITE_CONFIG_HOME", "HELMLITE_CACHE_HOME", "HELMLITE_DATA"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    yield tmp_path
