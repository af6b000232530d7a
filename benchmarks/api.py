"""Simulated-cluster API server benchmark: requests/second through ``helmlite cluster serve``.

Workloads, each against a fresh cluster file, with keep-alive ``http.client`` connections in
Python threads on loopback (the clients share the machine's cores with the server, so the
figures are a floor):

* **create**: ConfigMap POSTs (every one committed to the cluster file before its 201).
* **get**: GETs of one ConfigMap.
* **list**: GETs of a 100-ConfigMap list (selected by label).
* **watch fan-out**: W watchers on ConfigMaps, then N creates; events delivered per second
  (N × W) from the first create until every watcher has seen every event.

Request counts are bounded; the server is started on 127.0.0.1 and stopped by its pid. Usage::

    python benchmarks/api.py [--requests 3000] [--clients 1,4] [--watchers 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
CM = "/api/v1/namespaces/default/configmaps"


class Server:
    """``helmlite cluster serve`` on a free port, for one workload."""

    def __init__(self, directory: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "helmlite", "cluster", "serve", "--cluster", str(directory / "cluster.db"),
             "--address", "127.0.0.1:0"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if " at " not in line:
            self.stop()
            raise SystemExit(f"the server did not start: {line}")
        parts = urlsplit(line.rsplit(" at ", 1)[1].strip())
        self.host, self.port = parts.hostname or "127.0.0.1", int(parts.port or 0)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _configmap(name: str) -> bytes:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": name, "labels": {"bench": "yes"}}, "data": {"k": "v" * 64}}).encode()


def _call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> int:
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def _parallel(clients: int, total: int, work: object) -> float:
    """Run ``work(conn, index)`` ``total`` times over ``clients`` threads; returns requests/s."""
    per = total // clients
    errors: list[str] = []

    def run(server: Server, worker: int) -> None:
        conn = server.connection()
        for i in range(per):
            status = work(conn, worker * per + i)  # type: ignore[operator]
            if status >= 300:
                errors.append(str(status))
        conn.close()

    threads = [threading.Thread(target=run, args=(_SERVER[0], w)) for w in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. HTTP {errors[0]}")
    return per * clients / elapsed


_SERVER: list[Server] = []


def bench_requests(root: Path, total: int, clients: int) -> dict[str, float]:
    server = Server(root / f"requests-{clients}")
    _SERVER[:] = [server]
    try:
        create = _parallel(clients, total, lambda c, i: _call(c, "POST", CM, _configmap(f"cm-{i}")))
        get = _parallel(clients, total, lambda c, i: _call(c, "GET", f"{CM}/cm-{i % 100}"))
        conn = server.connection()
        for i in range(100):
            _call(conn, "POST", CM, _configmap(f"listed-{i}").replace(b'"yes"', b'"list"'))
        conn.close()
        lists = _parallel(clients, max(clients, total // 10),
                          lambda c, i: _call(c, "GET", f"{CM}?labelSelector=bench%3Dlist"))
        return {"create": create, "get": get, "list (100 items)": lists}
    finally:
        server.stop()


def bench_watch(root: Path, watchers: int, creates: int) -> float:
    server = Server(root / "watch")
    try:
        ready = threading.Barrier(watchers + 1)
        done = threading.Event()
        counts = [0] * watchers

        def watch(index: int) -> None:
            conn = server.connection()
            conn.request("GET", f"{CM}?watch=true&labelSelector=bench%3Dyes&timeoutSeconds=120&resourceVersion="
                         f"{resource_version}")
            response = conn.getresponse()
            ready.wait()
            while counts[index] < creates:
                if not response.readline():
                    break
                counts[index] += 1
            conn.close()

        conn = server.connection()
        conn.request("GET", CM)
        resource_version = json.loads(conn.getresponse().read())["metadata"]["resourceVersion"]
        threads = [threading.Thread(target=watch, args=(w,)) for w in range(watchers)]
        for t in threads:
            t.start()
        ready.wait()
        time.sleep(0.5)  # let every watch register before the first event
        start = time.perf_counter()
        for i in range(creates):
            _call(conn, "POST", CM, _configmap(f"w-{i}"))
        for t in threads:
            t.join(timeout=120)
        elapsed = time.perf_counter() - start
        done.set()
        if sum(counts) != watchers * creates:
            raise SystemExit(f"watchers saw {sum(counts)} of {watchers * creates} events")
        return watchers * creates / elapsed
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per workload (bounded traffic)")
    parser.add_argument("--clients", default="1,4", help="comma-separated concurrent client counts")
    parser.add_argument("--watchers", type=int, default=20, help="concurrent watchers for the fan-out workload")
    parser.add_argument("--watch-creates", type=int, default=300, help="creates observed by every watcher")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="helmlite-api-bench-") as tmp:
        root = Path(tmp)
        for clients in (int(c) for c in args.clients.split(",")):
            for workload, rate in bench_requests(root, args.requests, clients).items():
                rows.append((f"{workload}, {clients} client(s)", f"{rate:,.0f} req/s"))
        rate = bench_watch(root, args.watchers, args.watch_creates)
        rows.append((f"watch fan-out, {args.watchers} watchers × {args.watch_creates} creates", f"{rate:,.0f} events/s"))
    width = max(len(r[0]) for r in rows)
    for workload, value in rows:
        print(f"{workload:<{width}}  {value:>14}")


if __name__ == "__main__":
    main()
