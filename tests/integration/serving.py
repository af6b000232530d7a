"""``helmlite serve`` as a real process on 127.0.0.1 (started on a free port, stopped by pid)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

START_TIMEOUT = 60.0


class ServeProcess:
    """``python -m helmlite serve`` on 127.0.0.1 with a free port; output goes to a log file."""

    def __init__(self, repo_path: Path, log_path: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "helmlite", "serve", "--address", "127.0.0.1:0",
                 "--repo-path", str(repo_path), *args],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            match = re.search(r"Now serving you on 127\.0\.0\.1:(\d+)", log_path.read_text(errors="replace"))
            if match:
                self.port = int(match.group(1))
                self.url = f"http://127.0.0.1:{self.port}"
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"helmlite serve did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to clean up (crash-recovery tests)."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
