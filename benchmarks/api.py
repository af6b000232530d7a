"""Simulated-cluster API server benchmark: requests/second through ``helmlite cluster serve``.

Workloads, each against a fresh cluster file, with keep-alive ``http.client`` connections in
Python threads on loopback (the clients share the machine's cores with the server, so the
figures are a floor):

* **create**: ConfigMap POSTs (every one committed to the cluster file before its 201).
* **get**: GETs of one ConfigMap.
* **list**: GETs of a 100-ConfigMap list (selected by label).
* **watch fan-out**: W watchers on ConfigMaps, then N creates; events delivered per second
  (N × W) from the first create until every watcher has seen every event.
* **install --wait**: the same chart (``helm create``'s: Deployment, Service, ServiceAccount)
  installed with ``--wait`` by the real Helm and by ``helmlite --backend kube`` against the same
  served simulator, alternately, each release under its own name; median wall seconds. Virtual
  time runs at wall speed on a served cluster, so both wait for the same simulated rollout —
  the difference is each client's own overhead. Skipped without the helm binary or the
  ``kubernetes`` package.

Besides wall-clock rates, each request workload reports requests per *server CPU-second*
(the server process's user+system time from ``/proc``): what one core sustains, and much
steadier than wall rates when other work shares the machine. The load average is printed.

Request counts are bounded; the server is started on 127.0.0.1 and stopped by its pid. Usage::

    python benchmarks/api.py [--requests 3000] [--clients 1,4] [--watchers 20] [--installs 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
CM = "/api/v1/namespaces/default/configmaps"
HELM_CANDIDATES = (os.environ.get("HELMLITE_HELM_BIN", ""), "/tmp/peers/helm/helm", shutil.which("helm") or "")


class Server:
    """``helmlite cluster serve`` on a free port, for one workload."""

    def __init__(self, directory: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "helmlite", "cluster", "serve", "--cluster", str(directory / "cluster.db"),
             "--address", "127.0.0.1:0", "--kubeconfig-out", str(directory / "kubeconfig")],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self.kubeconfig = directory / "kubeconfig"
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if " at " not in line:
            self.stop()
            raise SystemExit(f"the server did not start: {line}")
        parts = urlsplit(line.rsplit(" at ", 1)[1].strip())
        self.host, self.port = parts.hostname or "127.0.0.1", int(parts.port or 0)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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


def _parallel(clients: int, total: int, work: object) -> tuple[float, float]:
    """Run ``work(conn, index)`` ``total`` times over ``clients`` threads; returns requests per
    wall second and per server CPU-second."""
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
    cpu = _SERVER[0].cpu_seconds()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    cpu = _SERVER[0].cpu_seconds() - cpu
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. HTTP {errors[0]}")
    return per * clients / elapsed, per * clients / max(cpu, 0.01)


_SERVER: list[Server] = []


def bench_requests(root: Path, total: int, clients: int) -> dict[str, tuple[float, float]]:
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


def bench_install(root: Path, rounds: int) -> dict[str, float] | None:
    """Median ``install --wait`` seconds of the same chart by the real Helm and by helmlite's
    kube backend against one served simulator; None when either client is missing."""
    helm = next((c for c in HELM_CANDIDATES if c and os.access(c, os.X_OK)), None)
    try:
        import kubernetes  # noqa: F401 — only to know whether the kube backend can run
    except ImportError:
        return None
    if helm is None:
        return None
    server = Server(root / "install")
    home = root / "install" / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "HELM_"))}
    env.update(HOME=str(home), KUBECONFIG=str(server.kubeconfig), PYTHONPATH=str(REPO_ROOT),
               HELMLITE_DATA=str(home / "helmlite"))
    try:
        chart = home / "chart"
        subprocess.run([helm, "create", str(chart)], env=env, check=True, capture_output=True, timeout=60)
        tools = {"helm": [helm, "install"],
                 "helmlite --backend kube": [sys.executable, "-m", "helmlite", "--backend", "kube", "install"]}
        times: dict[str, list[float]] = {name: [] for name in tools}
        for round_ in range(rounds):
            for name, argv in tools.items():
                release = f"{name.split()[0]}-{round_}"
                start = time.perf_counter()
                result = subprocess.run([*argv, release, str(chart), "--wait", "--timeout", "120s"], env=env,
                                        capture_output=True, text=True, timeout=300, check=False)
                if result.returncode != 0:
                    raise SystemExit(f"{name} install failed:\n{result.stdout}\n{result.stderr}")
                times[name].append(time.perf_counter() - start)
        return {name: statistics.median(values) for name, values in times.items()}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per workload (bounded traffic)")
    parser.add_argument("--clients", default="1,4", help="comma-separated concurrent client counts")
    parser.add_argument("--watchers", type=int, default=20, help="concurrent watchers for the fan-out workload")
    parser.add_argument("--watch-creates", type=int, default=300, help="creates observed by every watcher")
    parser.add_argument("--installs", type=int, default=3, help="install --wait rounds per client (0: skip)")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = [("workload", "wall", "per server CPU-s")]
    with tempfile.TemporaryDirectory(prefix="helmlite-api-bench-") as tmp:
        root = Path(tmp)
        for clients in (int(c) for c in args.clients.split(",")):
            for workload, (rate, per_cpu) in bench_requests(root, args.requests, clients).items():
                rows.append((f"{workload}, {clients} client(s)", f"{rate:,.0f} req/s", f"{per_cpu:,.0f} req"))
        rate = bench_watch(root, args.watchers, args.watch_creates)
        rows.append((f"watch fan-out, {args.watchers} watchers × {args.watch_creates} creates",
                     f"{rate:,.0f} events/s", ""))
        installs = bench_install(root, args.installs) if args.installs > 0 else None
        if installs is not None:
            helm_seconds = installs["helm"]
            for name, seconds in installs.items():
                rows.append((f"install --wait (helm create chart), {name}", f"{seconds:.2f} s",
                             f"×{seconds / helm_seconds:.2f} of helm"))
    width = max(len(r[0]) for r in rows)
    for workload, value, cpu_column in rows:
        print(f"{workload:<{width}}  {value:>14}  {cpu_column:>18}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
