"""The real Helm v4 against the served simulator (skipped without the binary)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from served import ServedCluster


@pytest.fixture(scope="module")
def helm(helm_bin: str, served_cluster: ServedCluster):  # type: ignore[no-untyped-def]
    def run(*args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return served_cluster.run(helm_bin, *args, check=check, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def chart(helm, served_cluster: ServedCluster) -> Path:  # type: ignore[no-untyped-def]
    """``helm create``'s chart: a Deployment, Service and ServiceAccount (what users start from)."""
    helm("create", str(served_cluster.home / "hc"))
    return served_cluster.home / "hc"


def _history(helm, release: str) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    rows = json.loads(helm("history", release, "-o", "json").stdout)
    return [(r["revision"], r["status"], r["description"]) for r in rows]


def test_install_upgrade_rollback_uninstall(helm, chart: Path) -> None:  # type: ignore[no-untyped-def]
    helm("install", "r1", str(chart), "--wait", "--timeout", "90s")
    listed = json.loads(helm("list", "-o", "json").stdout)
    assert [(r["name"], r["status"], r["revision"]) for r in listed] == [("r1", "deployed", "1")]
    helm("upgrade", "r1", str(chart), "--set", "replicaCount=2", "--wait", "--timeout", "90s")
    helm("rollback", "r1", "1", "--wait", "--timeout", "90s")
    assert _history(helm, "r1") == [(1, "superseded", "Install complete"), (2, "superseded", "Upgrade complete"),
                                    (3, "deployed", "Rollback to 1")]
    status = helm("status", "r1").stdout
    assert "STATUS: deployed" in status and "REVISION: 3" in status
    assert "r1-hc" in status and "==> v1/Service" in status
    assert helm("uninstall", "r1").stdout.strip() == 'release "r1" uninstalled'
    assert json.loads(helm("list", "-o", "json").stdout) == []


def test_an_unpullable_image_fails_install_wait(helm, chart: Path, served_cluster: ServedCluster) -> None:  # type: ignore[no-untyped-def]
    # Injected through the CLI while the server runs: the server picks the change up from the file.
    served_cluster.run(sys.executable, "-m", "helmlite", "cluster", "faults", "add", "--image", "nginx:broken",
                       "--pull-error")
    result = helm("install", "broken", str(chart), "--set", "image.tag=broken", "--wait", "--timeout", "15s",
                  check=False)
    assert result.returncode == 1
    assert "Error: INSTALLATION FAILED: resource Deployment/default/broken-hc not ready" in result.stderr
    assert "context deadline exceeded" in result.stderr
    assert _history(helm, "broken")[-1][1] == "failed"
    pods = served_cluster.run(sys.executable, "-m", "helmlite", "cluster", "get", "pods",
                              "-l", "app.kubernetes.io/instance=broken").stdout
    assert "ErrImagePull" in pods or "ImagePullBackOff" in pods
