"""Real processes on one simulator cluster file: a held lease refuses a second process with the
clear message, a SIGKILLed upgrade is recovered by the next command without losing a committed
revision, and 8 processes upgrading one release at once leave a consistent history."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from release_fixtures import CONFIGMAP, ChartFactory

from helmlite.actions.action import Config, acquire_lease
from helmlite.actions.install import Install
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.simulator import SimulatorBackend
from helmlite.output import Output

SLOW_HOOK = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ Release.Name }}-migrate
  annotations:
    "helm.sh/hook": pre-upgrade
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
          command: ["sleep", "90"]
"""


def env_for(cluster: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELMLITE_")}
    env["HELMLITE_CLUSTER"] = str(cluster)
    env["HELMLITE_CACHE_HOME"] = str(cluster.parent / "cache")
    return env


# Runs helmlite's CLI after importing what an upgrade needs and sleeping until a given wall-clock
# time, so several processes start the operation itself together (imports take a second or more)
# and a kill can be aimed at a moment of the operation rather than of the interpreter's start.
_AT = """\
import sys, time
import helmlite.actions.upgrade, helmlite.backends.simulator, helmlite.chart.loader, helmlite.cli.main
import helmlite.cli.upgrade, helmlite.render.engine, helmlite.render.jinja.environment
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
helmlite.cli.main.main(sys.argv[2:])
"""
# Time for a process to import everything before the common start (compiling without a
# bytecode cache, several processes sharing the CPUs).
_WARMUP_SECONDS = 3.0
_CROWD_WARMUP_SECONDS = 8.0


def helmlite_at(cluster: Path, start: float, *args: str) -> subprocess.Popen[str]:
    """``helmlite ARGS`` in a new process that begins the command at wall-clock time ``start``."""
    return subprocess.Popen([sys.executable, "-c", _AT, repr(start), *args], env=env_for(cluster), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run(cluster: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "helmlite", *args], env=env_for(cluster), text=True,
                          capture_output=True, timeout=120, check=False)


def config_for(cluster: Path) -> Config:
    return Config(backend=SimulatorBackend(cluster), output=Output(io.StringIO(), io.StringIO()))


def revisions(cluster: Path) -> list[dict[str, object]]:
    """``history web -o json``, read in this process (a command of its own costs a second)."""
    from helmlite.actions.history import History
    from helmlite.cli.release_printer import history_rows

    return history_rows(History(config_for(cluster)).run("web"))


def assert_consistent(history: list[dict[str, object]]) -> None:
    numbers = [int(str(h["revision"])) for h in history]
    assert numbers == list(range(1, len(numbers) + 1)), numbers  # unique and contiguous
    assert sum(1 for h in history if h["status"] == "deployed") <= 1, history


@pytest.fixture
def cluster(tmp_path: Path, chart: ChartFactory) -> tuple[Path, str]:
    """A cluster file with release ``web`` installed (revision 1), and the chart's path."""
    path = tmp_path / "cluster.db"
    chart_path = str(chart(templates={"cm.yaml": CONFIGMAP, "hook.yaml": SLOW_HOOK}))
    Install(config_for(path), release_name="web").run(chart_path)
    return path, chart_path


def test_a_held_lease_refuses_a_second_process(cluster: tuple[Path, str]) -> None:
    path, chart_path = cluster
    config = config_for(path)
    with config.session() as session:
        storage = config.storage(session)
        held, _ = acquire_lease(config, storage, "web", "upgrade")
    since = held.holder.describe().rsplit(" since ", 1)[1]
    result = run(path, "upgrade", "web", chart_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: UPGRADE FAILED: another operation (upgrade by pid {os.getpid()} on host {socket.gethostname()} "
        f"since {since}) is in progress\n"
    )
    with config.session() as session:
        held.release(config.storage(session))
    assert run(path, "upgrade", "web", chart_path).returncode == 0
    assert [h["status"] for h in revisions(path)] == ["superseded", "deployed"]


def pending_revision(cluster: Path) -> bool:
    """Whether the cluster file's last committed state has a pending revision of ``web``.

    Read straight from the SQLite file (WAL readers never wait for the writer), so the test can
    see the moment an upgrade has committed its pending record without taking part in the
    cluster's transactions.
    """
    import sqlite3

    with sqlite3.connect(f"file:{cluster}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT data FROM objects WHERE kind = 'Secret' AND name LIKE 'sh.helm.release.v1.web.v%'"
        ).fetchall()
    return any('"status":"pending-upgrade"' in row[0] for row in rows)


def test_sigkill_during_upgrade_is_recovered_by_the_next_command(cluster: tuple[Path, str]) -> None:
    path, chart_path = cluster
    # Kill points: while the command loads the chart and renders (before anything is
    # committed), right after the pending revision is committed (hooks and apply running), a
    # little later (applying, waiting, recording the result), and never (it finishes).
    plans: list[tuple[str, float]] = [("start", 0.0), ("pending", 0.0), ("pending", 0.02), ("pending", 0.06),
                                      ("never", 0.0)]
    interrupted = 0
    for index, (anchor, delay) in enumerate(plans):
        before = revisions(path)
        start = time.time() + _WARMUP_SECONDS
        process = helmlite_at(path, start, "upgrade", "web", chart_path, "--history-max", "0",
                              "--set", f"greeting=k{index}")
        if anchor == "never":
            assert process.wait(timeout=120) == 0
        else:
            time.sleep(max(0.0, start - time.time()))
            if anchor == "pending":
                deadline = time.time() + 30
                while not pending_revision(path) and process.poll() is None and time.time() < deadline:
                    time.sleep(0.001)
                time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.communicate()
        after = revisions(path)
        assert_consistent(after)
        kept = {int(str(h["revision"])) for h in after}
        assert {int(str(h["revision"])) for h in before} <= kept  # no committed revision lost
        # The next command recovers: an interrupted revision is marked failed, the upgrade goes ahead.
        Upgrade(config_for(path), history_max=0).run("web", chart_path)
        final = revisions(path)
        assert_consistent(final)
        assert final[-1]["status"] == "deployed"
        assert not any(str(h["status"]).startswith("pending") for h in final)
        for h in final:
            if "interrupted" in str(h["description"]):
                assert h["status"] == "failed" and "ended before finishing" in str(h["description"])
        interrupted = sum(1 for h in final if "interrupted" in str(h["description"]))
    # The kill right after the pending record was committed always interrupts an operation.
    assert interrupted >= 1


def test_eight_processes_upgrading_at_once(cluster: tuple[Path, str]) -> None:
    path, chart_path = cluster
    start = time.time() + _CROWD_WARMUP_SECONDS
    processes = [helmlite_at(path, start, "upgrade", "web", chart_path, "--set", f"greeting=p{i}") for i in range(8)]
    outcomes = [p.communicate(timeout=180) + (p.returncode,) for p in processes]
    succeeded = [o for o in outcomes if o[2] == 0]
    refused = [o for o in outcomes if o[2] != 0]
    for _, stderr, _ in refused:
        assert stderr.startswith("Error: UPGRADE FAILED: another operation (upgrade by pid "), stderr
        assert stderr.rstrip().endswith(") is in progress"), stderr
    assert succeeded
    history = revisions(path)
    assert_consistent(history)
    assert len(history) == 1 + len(succeeded)  # every attempt recorded or refused
    assert [h["status"] for h in history].count("deployed") == 1
