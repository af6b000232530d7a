"""Interop through a cluster: the real Helm and ``helmlite --backend kube`` share releases on the
simulator served as a Kubernetes API (both store them as Helm's ``sh.helm.release.v1`` Secrets).

A release installed by Helm is upgraded and rolled back by helmlite, one installed by helmlite is
listed and rolled back by Helm, and both tools print the same history.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("kubernetes", reason="the kube backend needs the kubernetes client (pip install 'helmlite[kube]')")

from kube_served import ServedCluster, served_api_fixture, write_chart  # noqa: F401 - the served_api fixture

pytestmark = pytest.mark.helm


class Tool:
    """One of the two programs, as a process with the test's private environment."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.argv = argv
        self.env = env

    def unchecked(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.argv, *args], check=False, env=self.env, capture_output=True, text=True,
                              timeout=180)

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.unchecked(*args)
        assert done.returncode == 0, f"{self.argv[0]} {' '.join(args)} failed:\n{done.stderr}"
        return done


@pytest.fixture
def tools(helm_bin: str, served_api: ServedCluster, tmp_path: Path) -> tuple[Tool, Tool]:
    """``helm …`` and ``helmlite … --backend kube``, both pointed at the served simulator with
    private homes, as processes."""
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data"),
           "HELMLITE_CONFIG_HOME": str(home / "hl-config"), "HELMLITE_CACHE_HOME": str(home / "hl-cache"),
           "HELMLITE_DATA": str(home / "hl-data")}
    env.pop("KUBECONFIG", None)

    return (Tool([helm_bin, "--kube-apiserver", served_api.url], env),
            Tool([sys.executable, "-m", "helmlite", "--backend", "kube", "--kube-apiserver", served_api.url], env))


def chart_of(root: Path, version: str = "0.1.0") -> str:
    """A plain Helm chart (a ConfigMap and a Deployment in Go templates) both tools render alike."""
    return str(write_chart(root, "interop", version=version))


def history(tool: Tool, name: str) -> list[dict[str, Any]]:
    return list(json.loads(tool("history", name, "-o", "json").stdout))


def test_a_release_helm_installed_is_upgraded_and_rolled_back_by_helmlite(tools: tuple[Tool, Tool],
                                                                          tmp_path: Path) -> None:
    helm, helmlite = tools
    chart = chart_of(tmp_path / "interop")
    helm("install", "web", chart, "--wait", "--timeout", "2m")
    assert [r["name"] for r in json.loads(helmlite("list", "-o", "json").stdout)] == ["web"]
    # helmlite takes over what Helm's field manager ("helm") owns, so changing a field Helm set
    # needs no --force-conflicts.
    helmlite("upgrade", "web", chart_of(tmp_path / "interop-2", "0.2.0"), "--set", "greeting=hi", "--wait")
    helmlite("rollback", "web", "1")
    ours, theirs = history(helmlite, "web"), history(helm, "web")
    assert ours == theirs
    assert [(r["revision"], r["status"], r["chart"], r["description"]) for r in ours] == [
        (1, "superseded", "interop-0.1.0", "Install complete"),
        (2, "superseded", "interop-0.2.0", "Upgrade complete"),
        (3, "deployed", "interop-0.1.0", "Rollback to 1"),
    ]
    assert json.loads(helm("get", "values", "web", "-o", "json").stdout) is None


def test_a_release_helmlite_installed_is_listed_and_rolled_back_by_helm(tools: tuple[Tool, Tool],
                                                                        tmp_path: Path) -> None:
    helm, helmlite = tools
    helmlite("install", "web", chart_of(tmp_path / "interop"), "--wait")
    helmlite("upgrade", "web", chart_of(tmp_path / "interop-2", "0.2.0"), "--set", "greeting=hi")
    listed = json.loads(helm("list", "-o", "json").stdout)
    assert [(r["name"], r["revision"], r["status"], r["chart"]) for r in listed] == [
        ("web", "2", "deployed", "interop-0.2.0")]
    helm("rollback", "web", "1", "--wait", "--force-conflicts")
    ours, theirs = history(helmlite, "web"), history(helm, "web")
    assert ours == theirs
    assert [(r["revision"], r["status"], r["description"]) for r in theirs] == [
        (1, "superseded", "Install complete"), (2, "superseded", "Upgrade complete"), (3, "deployed", "Rollback to 1")]
    assert json.loads(helmlite("get", "values", "web", "-o", "json").stdout) is None
