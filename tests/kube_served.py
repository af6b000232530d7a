"""The simulator served as a Kubernetes API, for the kube backend's tests (importable as ``kube_served``).

``served_api_in(directory)`` starts ``helmlite cluster serve --address 127.0.0.1:0`` on a fresh cluster file
in its own process, and stops it by pid at the end of the test. Faults are injected through the
cluster file, which the server re-reads when another process commits to it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT = 60.0


@dataclass
class ServedApi:
    """A running ``helmlite cluster serve``: its ``url`` and the ``cluster_file`` it serves."""

    url: str
    cluster_file: Path
    process: subprocess.Popen[bytes]
    log: Path

    def add_fault(self, spec: Mapping[str, Any]) -> str:
        """Inject a simulator fault (``helmlite.cluster.faults``) into the served cluster."""
        from helmlite.backends.simulator import SimulatorBackend
        from helmlite.cluster.faults import add_fault

        with SimulatorBackend(self.cluster_file).session() as session:
            return add_fault(session.cluster, spec)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_served_api(directory: Path, env: Mapping[str, str] | None = None) -> ServedApi:
    """Serve a fresh cluster file in ``directory`` on a free 127.0.0.1 port."""
    cluster_file, log = directory / "cluster.db", directory / "apiserver.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "helmlite", "cluster", "serve", "--address", "127.0.0.1:0",
             "--cluster", str(cluster_file)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
        if match:
            return ServedApi(match.group(1), cluster_file, process, log)
        if process.poll() is not None or time.monotonic() > deadline:
            ServedApi("", cluster_file, process, log).stop()
            raise AssertionError(f"helmlite cluster serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


@contextmanager
def served_api_in(directory: Path) -> Iterator[ServedApi]:
    """``start_served_api`` for the length of a ``with`` block (a test's fixture)."""
    served = start_served_api(directory)
    try:
        yield served
    finally:
        served.stop()
