"""Helpers shared by the repository tests: charts, packages and loopback HTTP servers.

Import the fixtures into a test module (``from repo_fixtures import serve``); ``tests/`` is on
``sys.path`` because the root ``conftest.py`` lives there. Every server binds 127.0.0.1 on a
free port and is shut down when the test ends.
"""

from __future__ import annotations

import base64
import functools
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-{{ Chart.Name }}
data:
  greeting: {{ Values.greeting | quote }}
"""


def make_chart(root: Path, name: str, version: str = "0.1.0", *, app_version: str = "1.0",
               description: str = "A test chart", extra: str = "") -> Path:
    """A small native (Jinja2) chart directory ``root/name``; ``extra`` is appended to Chart.yaml."""
    chart = root / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"{app_version}\"\n"
        f"description: {description}\ntype: application\n"
        "annotations:\n  helmlite.io/template-engine: jinja2\n" + extra
    )
    (chart / "values.yaml").write_text(f"greeting: hello from {name}\n")
    (chart / "templates" / "configmap.yaml").write_text(CONFIGMAP)
    return chart


def package(chart_dir: Path, dest: Path, version: str | None = None, app_version: str | None = None) -> Path:
    """Package ``chart_dir`` into ``dest`` with helmlite's (reproducible) packager."""
    from helmlite.chart.archive import package_chart

    return package_chart(chart_dir, dest, version=version, app_version=app_version)


@dataclass
class RepoServer:
    """A directory served over HTTP on loopback; ``requests`` records (method, path, headers)."""

    url: str
    directory: Path
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


class _Handler(SimpleHTTPRequestHandler):
    server_state: RepoServer
    credentials: tuple[str, str] | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self.server_state.requests.append(("GET", self.path, dict(self.headers.items())))
        if self.credentials is not None:
            expected = "Basic " + base64.b64encode(":".join(self.credentials).encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401, "Unauthorized")
                self.send_header("WWW-Authenticate", 'Basic realm="charts"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        super().do_GET()


@pytest.fixture
def serve() -> Iterator[Callable[..., RepoServer]]:
    """``serve(directory, credentials=None)`` starts a server and returns its RepoServer."""
    running: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(directory: Path, credentials: tuple[str, str] | None = None) -> RepoServer:
        state = RepoServer(url="", directory=Path(directory))
        handler = type("Handler", (_Handler,), {"server_state": state, "credentials": credentials})
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        running.append((server, thread))
        state.url = f"http://127.0.0.1:{server.server_address[1]}"
        return state

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def helm_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running the real helm with its own throwaway config and cache."""
    env = dict(os.environ)
    for var, sub in (("HELM_CONFIG_HOME", "helm-config"), ("HELM_CACHE_HOME", "helm-cache"),
                     ("HELM_DATA_HOME", "helm-data")):
        env[var] = str(tmp_path / sub)
    return env


def run_helm(helm_bin: str, *args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real helm and capture its output (text)."""
    return subprocess.run([helm_bin, *args], check=False, capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)
