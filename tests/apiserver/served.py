"""A served simulated cluster for tests: ``helmlite cluster serve`` in its own process on a free
127.0.0.1 port, with a kubeconfig and an isolated ``$HOME`` for kubectl and helm.

Fixtures (``served_cluster``, ``kubectl_bin``) are registered by this directory's conftest.py;
other test packages import them: ``from apiserver.served import served_cluster, kubectl_bin``
(``tests/`` is on ``sys.path``), or use ``start_served_cluster`` directly.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 60.0


@dataclass
class ServedCluster:
    """A running ``helmlite cluster serve`` process and how to reach it."""

    url: str
    kubeconfig: Path
    cluster_path: Path
    home: Path
    process: subprocess.Popen[str]
    token: str = ""

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for kubectl, helm and helmlite: this server's kubeconfig and cluster file."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "HELM_"))}
        env.update(HOME=str(self.home), KUBECONFIG=str(self.kubeconfig), HELMLITE_CLUSTER=str(self.cluster_path),
                   PYTHONPATH=str(REPO_ROOT), HELM_CACHE_HOME=str(self.home / ".cache/helm"),
                   HELM_CONFIG_HOME=str(self.home / ".config/helm"), HELM_DATA_HOME=str(self.home / ".local/helm"))
        env.update(extra)
        return env

    def run(self, *argv: str, timeout: float = 120.0, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command (kubectl, helm, ``python -m helmlite``) against this server."""
        result = subprocess.run(list(argv), check=False, env=self.env(), capture_output=True, text=True, timeout=timeout,
                                cwd=REPO_ROOT)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def request(self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
                headers: Mapping[str, str] | None = None, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request (JSON-encoded ``body`` unless it is bytes); returns status, headers, body."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        try:
            data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
            all_headers = {"Content-Type": content_type, **(headers or {})}
            if self.token:
                all_headers.setdefault("Authorization", f"Bearer {self.token}")
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        """``request`` with the response decoded as JSON."""
        status, _headers, data = self.request(method, path, body, **kw)
        return status, json.loads(data) if data else None

    def stop(self) -> None:
        """Interrupt the server (as Ctrl-C does) and wait for it; kill it by pid if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_served_cluster(directory: Path, *, tls: bool = False, token: str = "",
                         time_scale: float = 1.0) -> ServedCluster:
    """Start ``helmlite cluster serve`` for a new cluster file in ``directory`` on a free port
    (``time_scale``: its ``--time-scale``, virtual seconds per real second).

    Raises:
        AssertionError: the server did not come up (its output is in the message).
    """
    directory.mkdir(parents=True, exist_ok=True)
    home = directory / "home"
    home.mkdir(exist_ok=True)
    cluster_path = directory / "cluster.db"
    kubeconfig = directory / "kubeconfig"
    argv = [sys.executable, "-m", "helmlite", "cluster", "serve", "--cluster", str(cluster_path),
            "--address", "127.0.0.1:0", "--kubeconfig-out", str(kubeconfig)]
    if tls:
        argv.append("--tls")
    if time_scale != 1.0:
        argv += ["--time-scale", f"{time_scale:g}"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    if token:
        env["HELMLITE_APISERVER_TOKEN"] = token
    process = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:  # the first line says where it listens
        lines.append(line)
        if line.startswith("Serving cluster"):
            url = line.rsplit(" at ", 1)[1].strip()
            break
    else:
        process.wait(timeout=STARTUP_TIMEOUT_SECONDS)
        raise AssertionError("helmlite cluster serve did not start:\n" + "".join(lines))
    # Keep draining the output so a chatty server never blocks on a full pipe.
    _drain(process)
    return ServedCluster(url=url, kubeconfig=kubeconfig, cluster_path=cluster_path, home=home, process=process,
                         token=token)


def _drain(process: subprocess.Popen[str]) -> None:
    import threading

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stderr.write(f"[apiserver] {line}")

    threading.Thread(target=pump, daemon=True).start()


def find_kubectl() -> str | None:
    """The real kubectl: ``$HELMLITE_KUBECTL_BIN``, the conformance peer, or one on ``PATH``."""
    for candidate in (os.environ.get("HELMLITE_KUBECTL_BIN"), "/tmp/peers/kubectl/kubectl", shutil.which("kubectl")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def kubectl_bin() -> str:
    """Path to the real kubectl; tests that need it skip when it is absent."""
    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl binary is not installed (see ../shared/conformance/README.md)")
    return path


@contextmanager
def served_in(directory: Path, *, tls: bool = False, token: str = "",
              time_scale: float = 1.0) -> Iterator[ServedCluster]:
    """``start_served_cluster`` for the length of a ``with`` block (``time_scale``: its
    ``--time-scale``)."""
    served = start_served_cluster(directory, tls=tls, token=token, time_scale=time_scale)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def served_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    """A fresh simulated cluster served on 127.0.0.1 for the test module; stopped afterwards."""
    with served_in(tmp_path_factory.mktemp("served")) as served:
        yield served
