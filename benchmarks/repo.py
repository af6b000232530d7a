"""Chart repository benchmark: indexing, incremental uploads and serving, beside the real Helm.

Workloads (distinct charts made from the seed tutorial's ``charts/mychart``, ~3 KB packages with
a Deployment, Service, Ingress, helpers and NOTES; the name and version vary, five versions per name):

* **index**: ``index_directory`` over 1,000 and 5,000 packages, cold (no cache) and warm
  (its sidecar cache present, nothing changed), and with one package added; then the whole
  commands side by side, ``helmlite repo index DIR`` (cold) and ``helm repo index DIR`` on the
  same directory, alternating, median wall and CPU time (CPU includes forked helpers); and
  ``IndexFile.load`` of the index written (what ``repo update`` parses).
* **upload**: ``helmlite serve`` over a 5,000-chart repository: start-up (recovering the
  index from the packages), then uploads of new charts one after the other, each timed from
  the POST to the 201 — which is when the new index is written and served.
* **serve**: requests/second for ``GET /index.yaml`` and chart downloads with 50 concurrent
  keep-alive clients on loopback (Python threads with ``http.client``; also ``wrk`` when it is
  installed). Request counts are bounded.

Every server is started on 127.0.0.1 and stopped by its pid. Usage::

    python benchmarks/repo.py [--sizes 1000,5000] [--runs 5] [--uploads 20] [--clients 50] [--helm /tmp/peers/helm/helm]

The ``helmlite`` processes run with a bytecode cache in a temporary directory (as an installed
package has one), even when the shell sets PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from helmlite.chart.archive import build_archive
from helmlite.chart.model import ChartFile

MYCHART = Path(__file__).resolve().parent.parent / "charts" / "mychart"
_FILES: list[ChartFile] = []


def chart_package_name(i: int) -> str:
    """File name of the i-th benchmark chart: a distinct name, five versions per name."""
    return f"chart{i // 5:04d}-1.{i % 5}.0.tgz"


def chart_package(i: int) -> tuple[str, bytes]:
    """The i-th benchmark chart: (file name, package bytes)."""
    from helmlite.chart.loader import read_chart_dir

    if not _FILES:
        _FILES.extend(f for f in read_chart_dir(MYCHART) if f.name != "Chart.yaml")
    name, version = f"chart{i // 5:04d}", f"1.{i % 5}.0"
    chart_yaml = (f"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: '2.{i}'\n"
                  f"description: Benchmark chart number {i}\ntype: application\nkeywords: [bench, n{i}]\n")
    return chart_package_name(i), build_archive(name, [ChartFile("Chart.yaml", chart_yaml.encode()), *_FILES])


def write_packages(directory: Path, count: int, source: Path | None = None) -> None:
    """``count`` packages in ``directory``, hard-linked from ``source`` where it has them."""
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        filename = chart_package_name(i)
        if source is not None and (source / filename).is_file():
            os.link(source / filename, directory / filename)
        else:
            (directory / filename).write_bytes(chart_package(i)[1])


def timed(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of ``fn()`` over ``runs`` runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- index ----------------------------------------------------------------------------------------


def bench_index(work: Path, sizes: list[int], helm: str | None, runs: int) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    made: Path | None = None
    for size in sorted(sizes):
        directory = work / f"index-{size}"
        write_packages(directory, size, made)
        made = directory
        rows += index_rows(directory, size)
        rows += command_rows(work, directory, size, helm, runs)
    return rows


def run_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the helpers it waited for) of one command."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nothing can block the child
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed:\n{errors.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def command_rows(work: Path, directory: Path, size: int, helm: str | None, runs: int) -> list[tuple[str, str, str]]:
    """``helmlite repo index`` (cold) and ``helm repo index`` as whole processes, alternating."""
    from helmlite.repo.index import INDEX_CACHE_FILE, IndexFile

    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ours = [sys.executable, "-m", "helmlite", "repo", "index", str(directory)]
    run_process(ours, env)  # fills the bytecode cache
    measured: dict[str, list[tuple[float, float]]] = {"helmlite": [], "helm": []}
    for _ in range(runs):
        (directory / INDEX_CACHE_FILE).unlink(missing_ok=True)
        measured["helmlite"].append(run_process(ours, env))
        if helm:
            measured["helm"].append(run_process([helm, "repo", "index", str(directory)], env))
    rows = []
    for tool, label in (("helmlite", "helmlite repo index (cold)"), ("helm", "helm repo index")):
        if measured[tool]:
            wall = statistics.median(w for w, _ in measured[tool])
            cpu = statistics.median(c for _, c in measured[tool])
            rows.append((f"command, {size:,} packages", f"{wall:.2f} s",
                         f"{label}: median of {runs}, CPU {cpu:.2f} s"))
    data = (directory / "index.yaml").read_bytes()  # the last writer's: Helm's when it ran
    rows.append((f"parse index.yaml, {size:,} entries", f"{timed(lambda: IndexFile.load(data, 'index.yaml')) * 1000:.0f} ms",
                 f"IndexFile.load of {len(data) / 1e6:.1f} MB (repo update)"))
    return rows


def index_rows(directory: Path, size: int) -> list[tuple[str, str, str]]:
    """Cold, warm and one-new-package indexing of ``directory`` in this process."""
    from helmlite.repo.index import INDEX_CACHE_FILE, index_directory

    cache = directory / INDEX_CACHE_FILE
    extra = directory / "zz-extra-1.0.0.tgz"
    extra_bytes = build_archive("zz-extra", [ChartFile("Chart.yaml", b"apiVersion: v2\nname: zz-extra\nversion: 1.0.0\n")])

    def cold() -> None:
        cache.unlink(missing_ok=True)
        index_directory(directory).write(directory / "index.yaml")

    def warm() -> None:
        index_directory(directory).write(directory / "index.yaml")

    rows = [(f"index {size:,} packages, cold", f"{timed(cold):.2f} s", "helmlite (no cache)")]
    index_directory(directory)
    rows.append((f"index {size:,} packages, warm", f"{timed(warm) * 1000:.0f} ms", "helmlite (cache, no change)"))
    one_more = []
    for _ in range(3):
        extra.unlink(missing_ok=True)
        index_directory(directory)  # back to the cached state
        extra.write_bytes(extra_bytes)
        start = time.perf_counter()
        index_directory(directory).write(directory / "index.yaml")
        one_more.append(time.perf_counter() - start)
    extra.unlink(missing_ok=True)
    rows.append((f"index {size:,} + 1 new package", f"{statistics.median(one_more) * 1000:.0f} ms",
                 "helmlite (reads only the new one)"))
    return rows


# --- server -------------------------------------------------------------------------------------------


class Server:
    def __init__(self, repo: Path, log: Path) -> None:
        self.started = time.perf_counter()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "helmlite", "serve", "--address", "127.0.0.1:0",
                                          "--repo-path", str(repo)], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while True:
            match = re.search(r"Now serving you on 127\.0\.0\.1:(\d+)", log.read_text(errors="replace"))
            if match:
                self.port = int(match.group(1))
                self.startup = time.perf_counter() - self.started
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"helmlite serve did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def bench_uploads(server: Server, count: int, first: int) -> tuple[float, float]:
    """Sequential uploads of new charts; returns (median, worst) seconds from POST to 201."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    times = []
    for i in range(first, first + count):
        _, data = chart_package(i)
        start = time.perf_counter()
        conn.request("POST", "/api/charts", body=data, headers={"Content-Type": "application/gzip"})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        if response.status != 201:
            raise SystemExit(f"upload {i} got {response.status}")
    conn.close()
    return statistics.median(times), max(times)


def load(port: int, paths: list[str], clients: int, per_client: int) -> tuple[float, int]:
    """``clients`` threads, each with one keep-alive connection, sending ``per_client`` GETs.

    Returns (requests per second, failed requests).
    """
    failures = [0] * clients
    barrier = threading.Barrier(clients + 1)

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        for k in range(per_client):
            try:
                conn.request("GET", paths[(n * per_client + k) % len(paths)])
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures[n] += 1
            except (OSError, http.client.HTTPException):
                failures[n] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return clients * per_client / elapsed, sum(failures)


def wrk(port: int, path: str, clients: int, seconds: int = 5) -> str | None:
    if shutil.which("wrk") is None:
        return None
    result = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                            capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"Requests/sec:\s*([\d.]+)", result.stdout)
    return f"{float(match.group(1)):,.0f} req/s" if match else None


def bench_server(work: Path, size: int, uploads: int, clients: int) -> list[tuple[str, str, str]]:
    from helmlite.repo.index import INDEX_CACHE_FILE

    rows: list[tuple[str, str, str]] = []
    repo = work / "serve-repo"
    write_packages(repo / "charts", size, work / f"index-{size}")
    (repo / "charts" / INDEX_CACHE_FILE).unlink(missing_ok=True)
    log = work / "serve.log"
    server = Server(repo, log)
    rows.append((f"serve start, {size:,} packages, cold", f"{server.startup:.2f} s", "recovers the index from the packages"))
    try:
        median, worst = bench_uploads(server, uploads, size)
        rows.append((f"upload into {size:,}-chart repo", f"{median * 1000:.0f} ms",
                     f"POST→201, index written and served; median of {uploads} (worst {worst * 1000:.0f} ms)"))
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        conn.request("GET", "/index.yaml")
        index_bytes = len(conn.getresponse().read())
        conn.close()
        rate, failed = load(server.port, ["/index.yaml"], clients, 8)
        rows.append((f"GET /index.yaml ({index_bytes / 1e6:.1f} MB), {clients} clients", f"{rate:,.0f} req/s",
                     f"python keep-alive clients, {clients * 8} requests, {failed} failed"))
        charts = [f"/charts/{chart_package_name(i)}" for i in range(0, size, 7)]
        rate, failed = load(server.port, charts, clients, 100)
        rows.append((f"GET chart .tgz, {clients} clients", f"{rate:,.0f} req/s",
                     f"python keep-alive clients, {clients * 100} requests, {failed} failed"))
        for path, label in (("/index.yaml", f"GET /index.yaml ({index_bytes / 1e6:.1f} MB)"),
                            (charts[0], "GET chart .tgz")):
            figure = wrk(server.port, path, clients)
            if figure:
                rows.append((f"{label}, {clients} connections", figure, "wrk -t2, 5 s"))
    finally:
        server.stop()
    restarted = Server(repo, work / "serve-restart.log")
    rows.append((f"serve restart, {size + uploads:,} packages, warm", f"{restarted.startup:.2f} s",
                 "index cache present: nothing re-read"))
    restarted.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,5000", help="package counts to index (comma-separated)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each whole command (median reported)")
    parser.add_argument("--uploads", type=int, default=20, help="uploads timed into the biggest repository")
    parser.add_argument("--clients", type=int, default=50, help="concurrent keep-alive clients")
    parser.add_argument("--helm", default=os.environ.get("HELMLITE_HELM_BIN", "/tmp/peers/helm/helm"),
                        help="the real helm binary (skipped when absent)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    helm = args.helm if args.helm and os.access(args.helm, os.X_OK) else None
    with tempfile.TemporaryDirectory(prefix="helmlite-bench-repo-") as tmp:
        work = Path(tmp)
        rows = bench_index(work, sizes, helm, args.runs)
        rows += bench_server(work, max(sizes), args.uploads, args.clients)
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'workload':<{width}}  {'result':>{value_width}}  notes")
    for workload, value, note in rows:
        print(f"{workload:<{width}}  {value:>{value_width}}  {note}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
