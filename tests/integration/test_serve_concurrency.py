"""``helmlite serve`` as a real process on 127.0.0.1: parallel uploads, races, SIGKILL mid-upload.

Every server is started by the test on an ephemeral loopback port and stopped by its pid.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import yaml
from serving import ServeProcess

from helmlite.chart.archive import build_archive
from helmlite.chart.model import ChartFile
from helmlite.repo.index import IndexFile


def start_server(repo_path: Path, log_path: Path, *args: str) -> ServeProcess:
    """A server whose data directory sits beside its repository (nothing under the user's home)."""
    return ServeProcess(repo_path, log_path, *args, env={"HELMLITE_DATA": str(repo_path.parent / "data")})


def make_chart(name: str, version: str, description: str = "A test chart") -> bytes:
    chart_yaml = f"apiVersion: v2\nname: {name}\nversion: {version}\ndescription: {description}\n"
    return build_archive(name, [ChartFile("Chart.yaml", chart_yaml.encode()), ChartFile("values.yaml", b"a: 1\n")])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServeProcess]:
    proc = start_server(tmp_path / "repo", tmp_path / "serve.log")
    yield proc
    proc.stop()


def post(url: str, data: bytes, session: requests.Session | None = None) -> int:
    return (session or requests).post(f"{url}/api/charts", data=data, timeout=60).status_code


def test_one_hundred_parallel_uploads_all_appear(server: ServeProcess, tmp_path: Path) -> None:
    charts = {f"chart{i:03d}": make_chart(f"chart{i:03d}", "1.0.0") for i in range(100)}
    stop = threading.Event()
    torn: list[str] = []

    def read_index_continuously() -> None:
        # The index must parse (strictly, as Helm reads it) at every instant, over HTTP and on disk.
        session = requests.Session()
        while not stop.is_set():
            for data, source in ((session.get(f"{server.url}/index.yaml", timeout=30).content, "http"),
                                 ((tmp_path / "repo" / "index.yaml").read_bytes(), "disk")):
                try:
                    IndexFile.load(data, source)
                except Exception as err:  # noqa: BLE001 - any failure is the finding
                    torn.append(f"{source}: {err}")

    reader = threading.Thread(target=read_index_continuously)
    reader.start()
    try:
        with ThreadPoolExecutor(max_workers=100) as pool:
            statuses = list(pool.map(lambda item: post(server.url, item[1]), charts.items()))
    finally:
        stop.set()
        reader.join()
    assert statuses == [201] * 100
    assert torn == []
    index = yaml.safe_load(requests.get(f"{server.url}/index.yaml", timeout=30).content)
    assert sorted(index["entries"]) == sorted(charts)
    for name, data in charts.items():
        assert index["entries"][name][0]["digest"] == hashlib.sha256(data).hexdigest()
    on_disk = yaml.safe_load((tmp_path / "repo" / "index.yaml").read_bytes())
    assert sorted(on_disk["entries"]) == sorted(charts)


def test_same_version_race_has_exactly_one_winner(server: ServeProcess) -> None:
    bodies = [make_chart("race", "1.0.0", description=f"writer {i}") for i in range(12)]
    barrier = threading.Barrier(len(bodies))

    def racer(body: bytes) -> int:
        session = requests.Session()
        session.get(f"{server.url}/health", timeout=30)  # connect first, so the POSTs really overlap
        barrier.wait()
        return post(server.url, body, session)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = sorted(pool.map(racer, bodies))
    assert statuses == [201] + [409] * (len(bodies) - 1)
    versions = requests.get(f"{server.url}/api/charts/race", timeout=30).json()
    assert len(versions) == 1
    served = requests.get(f"{server.url}/charts/race-1.0.0.tgz", timeout=30).content
    assert hashlib.sha256(served).hexdigest() == versions[0]["digest"]


def test_sigkill_during_uploads_leaves_a_consistent_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    server = start_server(repo, tmp_path / "serve.log")
    acknowledged: list[str] = []
    try:
        for i in range(5):
            assert post(server.url, make_chart(f"base{i}", "1.0.0")) == 201
            acknowledged.append(f"base{i}")
        # A slow upload: headers and half of the body sent, the rest never comes.
        slow = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
        body = make_chart("slow", "1.0.0")
        slow.sendall(b"POST /api/charts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/gzip\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[: len(body) // 2])
        # Uploads in flight from several clients when the server dies.
        stop = threading.Event()
        lock = threading.Lock()

        def uploader(worker: int) -> None:
            session = requests.Session()
            for n in range(1000):
                if stop.is_set():
                    return
                name = f"w{worker}-c{n}"
                try:
                    status = post(server.url, make_chart(name, "1.0.0"), session)
                except requests.RequestException:
                    return  # the server died under this request: no acknowledgement
                if status == 201:
                    with lock:
                        acknowledged.append(name)

        workers = [threading.Thread(target=uploader, args=(w,)) for w in range(6)]
        for w in workers:
            w.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for w in workers:
            w.join()
        slow.close()
    finally:
        server.stop()
    assert len(acknowledged) > 5, "no upload was in flight when the server was killed"

    restarted = start_server(repo, tmp_path / "serve2.log")
    try:
        index = yaml.safe_load(requests.get(f"{restarted.url}/index.yaml", timeout=30).content)
        packages = {p.name for p in (repo / "charts").glob("*.tgz")}
        indexed = {e["urls"][0].removeprefix("charts/") for versions in index["entries"].values() for e in versions}
        assert indexed == packages  # the index lists exactly the packages on disk
        assert set(acknowledged) <= set(index["entries"])  # nothing acknowledged was lost
        assert "slow" not in index["entries"]
        assert not list((repo / ".uploads").iterdir())  # interrupted uploads cleaned up
        for versions in index["entries"].values():
            entry = versions[0]
            data = requests.get(f"{restarted.url}/{entry['urls'][0]}", timeout=30).content
            assert hashlib.sha256(data).hexdigest() == entry["digest"]
        assert post(restarted.url, make_chart("after", "1.0.0")) == 201
    finally:
        restarted.stop()


def test_access_log_has_one_line_per_request_and_no_credentials(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = start_server(tmp_path / "repo", log, "--basic-auth-user", "admin", "--basic-auth-pass", "hunter2-pw",
                          "--bearer-token", "tok-abc-123", "--anonymous-get")
    try:
        assert requests.get(f"{server.url}/index.yaml?token=tok-abc-123", timeout=30).status_code == 200
        assert requests.post(f"{server.url}/api/charts", data=make_chart("a", "1.0.0"), auth=("admin", "hunter2-pw"),
                             timeout=30).status_code == 201
        assert requests.post(f"{server.url}/api/charts", data=make_chart("b", "1.0.0"), auth=("admin", "wrong-pw"),
                             timeout=30).status_code == 401
        assert requests.delete(f"{server.url}/api/charts/a/1.0.0", headers={"Authorization": "Bearer tok-abc-123"},
                               timeout=30).status_code == 200
    finally:
        server.stop()
    text = log.read_text()
    for secret in ("hunter2-pw", "tok-abc-123", "wrong-pw", "YWRtaW46"):
        assert secret not in text
    assert len(re.findall(r'"(GET|POST|DELETE) [^"]+ HTTP/1\.1" \d{3}', text)) == 4
    assert '"GET /index.yaml?token=REDACTED HTTP/1.1" 200' in text


def test_port_in_use_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "helmlite", "serve", "--address", f"127.0.0.1:{port}",
                                 "--repo-path", str(tmp_path / "repo")], capture_output=True, text=True, timeout=60,
                                check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: cannot listen on 127.0.0.1:{port}")


def test_oversized_uploads_get_413_over_the_wire(tmp_path: Path) -> None:
    server = start_server(tmp_path / "repo", tmp_path / "serve.log", "--max-upload-size", "100000")
    try:
        big = os.urandom(5_000_000)
        response = requests.post(f"{server.url}/api/charts", data=big, timeout=60)
        assert response.status_code == 413
        assert response.json() == {"error": "request body is larger than the 100000-byte limit"}
        chunked = requests.post(f"{server.url}/api/charts", data=iter([big[:60_000]] * 3), timeout=60)
        assert chunked.status_code == 413
        assert post(server.url, make_chart("small", "1.0.0")) == 201  # the server is fine afterwards
    finally:
        server.stop()
