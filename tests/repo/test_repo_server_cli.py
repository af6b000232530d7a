"""``helmlite serve`` on the command line: flags, one-line errors, and no server imports for --help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def imported_modules(*args: str) -> str:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "helmlite", *args],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize("args", [("--help",), ("serve", "--help")])
def test_help_does_not_import_the_web_stack(args: tuple[str, ...]) -> None:
    modules = imported_modules(*args)
    for heavy in ("starlette", "uvicorn", "multipart", "markdown_it", "anyio"):
        assert f" {heavy}" not in modules, heavy


def test_serve_help_names_the_flags(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--help")
    assert result.exit_code == 0
    for flag in ("--address", "--repo-path", "--url", "--multitenant", "--basic-auth-user", "--basic-auth-pass",
                 "--auth-file", "--bearer-token", "--anonymous-get", "--max-upload-size", "--allow-overwrite",
                 "127.0.0.1:8879", "HELMLITE_SERVE_TOKEN"):
        assert flag in result.stdout, flag


@pytest.mark.parametrize("args, message", [
    (["--address", "8879"], 'invalid address "8879"'),
    (["--basic-auth-user", "admin"], "--basic-auth-user and --basic-auth-pass must be given together"),
    (["--max-upload-size", "0"], "Invalid value for '--max-upload-size'"),
    (["--auth-file", "/nonexistent/htpasswd"], "does not exist"),
])
def test_bad_flags_are_one_error_line(cli, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--repo-path", str(tmp_path / "repo"), *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ") and message in lines[-1], result.stderr


def test_default_repository_path_is_in_the_data_directory(isolated_home: Path) -> None:
    from helmlite.actions.serve import default_repo_path

    assert default_repo_path() == isolated_home / "helmlite_data" / "repository" / "local"


def test_unusable_tls_files_are_one_error_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("not a certificate\n")
    key.write_text("not a key\n")
    result = cli("serve", "--repo-path", str(tmp_path / "repo"), "--tls-cert", str(cert), "--tls-key", str(key))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: cannot use the TLS certificate or key")
    half = cli("serve", "--repo-path", str(tmp_path / "repo"), "--tls-cert", str(cert))
    assert "Error: --tls-cert and --tls-key must be given together" in half.stderr
