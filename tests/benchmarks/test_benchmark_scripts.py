"""Smoke checks for the scripts under ``benchmarks/``: they run end to end at small sizes and
print their table. Speed is what the scripts measure; nothing here asserts a time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_simulator_benchmark_quick_runs_every_scenario() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "simulator.py"), "--quick"],
                            capture_output=True, text=True, timeout=300, env=env, cwd=REPO_ROOT, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["scenario", "phase", "wall", "s", "CPU", "s", "objects", "objects/s", "writes/s"]
    totals = {line.split()[0]: line.split() for line in lines[1:] if line.split()[1:2] == ["total"]}
    assert set(totals) == {"nodes-pods", "rolling-update", "deployments", "daemonset-rollout", "statefulset-rollout"}
    # Objects each scenario created: 50 nodes and 100 pods; 1 node, the Deployment, its 2
    # ReplicaSets and 10 + 10 pods; 1 node, 10 Deployments, 10 ReplicaSets and 20 pods; 10
    # nodes, the DaemonSet, 2 revisions and 10 + 10 pods; 1 node, the StatefulSet, 2
    # revisions, 5 + 5 pods and 5 claims with their 5 volumes.
    assert [totals[s][4] for s in ("nodes-pods", "rolling-update", "deployments", "daemonset-rollout",
                                   "statefulset-rollout")] == ["150", "24", "41", "33", "24"]
    assert "daemonset-rollout / rolling update: 80 node visits (8.0 per node)" in lines


def test_simulator_benchmark_rejects_an_unknown_scenario() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "simulator.py"), "--only", "nope"],
                            capture_output=True, text=True, timeout=60, env=env, cwd=REPO_ROOT, check=False)
    assert result.returncode == 2
    assert "unknown scenario nope" in result.stderr


def test_render_benchmark_times_helmlite_served_and_in_its_own_process() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "render.py"), "--runs", "2",
                             "--big-runs", "1", "--process-runs", "1", "--helm", "none"],
                            capture_output=True, text=True, timeout=600, env=env, cwd=REPO_ROOT, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for workload in ("big (1,000 templates)", "scaffold (create)"):
        for mode in ("helmlite in-process", "helmlite template (served)", "helmlite template (own process)"):
            assert any(line.startswith(f"{workload:24} {mode} ") for line in lines), (workload, mode)
