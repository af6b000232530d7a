"""Render benchmark: helmlite's native renderer, side by side with the real ``helm template``.

Workloads (equivalent charts are generated in both dialects, so both tools do the same work):

* ``big``: one chart with 1,000 templates (ConfigMaps and Deployments that call named helpers);
* ``scaffold``: the ``create`` scaffold (Deployment, Service, ServiceAccount, test hook), the
  realistic everyday case.

For each workload it prints documents/second and ms per render for

* helmlite in-process (load once, render N times: what a long-running tool or test suite sees),
* ``helmlite template`` as a process and ``helm template`` as a process (what a person sees):
  helmlite served by a warm command server (the default; the server's CPU is counted, see
  ``CommandServer``) and in its own process (``HELMLITE_COMMAND_SERVER=off``),

and the ratio helm / helmlite. With ``--corpus`` it also renders the default variant of every
chart in the conformance corpus (unmodified public Helm charts) with ``helmlite template`` and
``helm template`` as processes, side by side, and prints the ratio per chart. ``--phases``
adds, per corpus chart, where the time of one ``helmlite template`` goes: a fresh interpreter
runs the command in-process and reports imports, parsing of the Go templates (every call of
the parse cache, ``tpl`` included) and the rest (loading, values, execution, output), in CPU
time, which other work on a shared machine disturbs less than wall time. Usage::

    python benchmarks/render.py [--runs 100] [--big-runs 10] [--helm /tmp/peers/helm/helm]
                                [--corpus ../shared/conformance [--phases]]
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIG_TEMPLATES = 1000


def write_big_chart(root: Path, dialect: str) -> Path:
    """A chart with ``BIG_TEMPLATES`` templates; ``dialect`` is ``jinja2`` or ``go``."""
    chart = root / f"big-{dialect}"
    (chart / "templates").mkdir(parents=True)
    annotation = "annotations:\n  helmlite.io/template-engine: jinja2\n" if dialect == "jinja2" else ""
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: '1.0'\n{annotation}")
    (chart / "values.yaml").write_text("image: {repository: nginx, tag: '1.27'}\nreplicas: 2\nlabels: {tier: web, team: core}\n")
    if dialect == "jinja2":
        helpers = (
            '{% define "big.labels" %}app: {{ Chart.Name }}\nrelease: {{ Release.Name }}\n'
            "{% for k, v in Values.labels | dictsort %}{{ k }}: {{ v }}\n{% endfor %}{% enddefine %}\n"
        )
        cm = (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-cm-{i}\n  labels:\n"
            '    {{ include("big.labels", ctx) | indent(4) | trim }}\ndata:\n  index: "{i}"\n'
            "  image: {{ Values.image.repository }}:{{ Values.image.tag | default(Chart.AppVersion) }}\n"
        )
        deploy = (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ Release.Name }}-d-{i}\nspec:\n"
            "  replicas: {{ Values.replicas }}\n  selector:\n    matchLabels:\n      app: d-{i}\n  template:\n"
            "    metadata:\n      labels:\n        app: d-{i}\n    spec:\n      containers:\n      - name: c\n"
            '        image: {{ printf("%s:%s", Values.image.repository, Values.image.tag) | quote }}\n'
        )
    else:
        helpers = (
            '{{- define "big.labels" -}}\napp: {{ .Chart.Name }}\nrelease: {{ .Release.Name }}\n'
            "{{- range $k, $v := .Values.labels }}\n{{ $k }}: {{ $v }}\n{{- end }}\n{{- end }}\n"
        )
        cm = (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm-{i}\n  labels:\n"
            '    {{- include "big.labels" . | nindent 4 }}\ndata:\n  index: "{i}"\n'
            "  image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\n"
        )
        deploy = (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-d-{i}\nspec:\n"
            "  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels:\n      app: d-{i}\n  template:\n"
            "    metadata:\n      labels:\n        app: d-{i}\n    spec:\n      containers:\n      - name: c\n"
            '        image: {{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}\n'
        )
    (chart / "templates" / "_helpers.tpl").write_text(helpers)
    for i in range(BIG_TEMPLATES):
        body = (cm if i % 2 == 0 else deploy).replace("{i}", str(i))
        (chart / "templates" / f"t{i:04d}.yaml").write_text(body)
    return chart


def time_in_process(chart_dir: Path, runs: int) -> tuple[float, int]:
    """Median seconds per render (chart loaded once) and the number of documents rendered."""
    from helmlite.actions.action import render_release
    from helmlite.chart.loader import load_chart
    from helmlite.render.capabilities import Capabilities
    from helmlite.render.context import ReleaseInfo

    release = ReleaseInfo(name="bench")
    times = []
    docs = 0
    for _ in range(runs):
        chart = load_chart(chart_dir)  # dependency processing mutates the tree, as in Helm
        start = time.perf_counter()
        rendered = render_release(chart, {}, release=release, capabilities=Capabilities())
        times.append(time.perf_counter() - start)
        docs = len(rendered.manifests) + len(rendered.hooks)
    return statistics.median(times), docs


# An installed helmlite has compiled bytecode; a shell that sets PYTHONDONTWRITEBYTECODE would
# make every timed process recompile all of helmlite from source instead. The timed processes
# import helmlite from this checkout (after any PYTHONPATH given), installed or not.
_CHECKOUT = Path(__file__).resolve().parent.parent
_PROCESS_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_PROCESS_ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(_CHECKOUT)]))


def time_process(argv: list[str], runs: int, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall seconds (process start to exit) and median CPU seconds (user + system, all
    threads) of a whole command, after one warm-up run."""
    env = env or _PROCESS_ENV
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


class CommandServer:
    """``helmlite template`` served by a command server of its own (its own cache home), with
    the server's CPU counted: what the server and the children it forked used while the timed
    commands ran (``command-server status`` reports it), divided among them, is added to each
    client's own CPU time. Without it a served command would look almost free."""

    def __init__(self, helmlite: list[str], home: Path) -> None:
        self.helmlite = helmlite
        # A server this script did not see (say, code changed mid-run) leaves a minute after.
        self.env = {**_PROCESS_ENV, "HELMLITE_CACHE_HOME": str(home), "HELMLITE_COMMAND_SERVER": "auto",
                    "HELMLITE_COMMAND_SERVER_IDLE": "60"}
        self.pids: set[int] = set()

    def status(self) -> dict | None:
        import json

        result = subprocess.run([*self.helmlite, "command-server", "status", "-o", "json"],
                                check=True, capture_output=True, text=True, env=self.env)
        status = json.loads(result.stdout)
        if status["running"]:
            self.pids.add(status["pid"])
        return status if status["running"] else None

    def settled_status(self) -> dict:
        """The status once the server runs and has finished with every command (the last
        child's report included)."""
        deadline = time.monotonic() + 60
        while True:
            status = self.status()
            if status is not None and status["serving"] == 0:
                time.sleep(0.2)  # the last report is read after the command's exit is relayed
                settled = self.status()
                if settled is not None and settled["serving"] == 0:
                    return settled
            if time.monotonic() > deadline:
                raise RuntimeError("the command server did not start")
            time.sleep(0.1)

    def time(self, argv: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float]:
        """Median wall seconds, and mean CPU seconds per command including the server's share."""
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                       env=self.env)  # starts the server when none runs
        self.settled_status()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                       env=self.env)  # served once: the server has now parsed this chart
        before = self.settled_status()
        walls, client_cpu = [], 0.0
        for _ in range(runs):
            usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                           env=self.env)
            walls.append(time.perf_counter() - start)
            usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            client_cpu += (usage_after.ru_utime + usage_after.ru_stime - usage_before.ru_utime
                           - usage_before.ru_stime)
        after = self.settled_status()
        if after["pid"] != before["pid"] or after["served"] - before["served"] != runs:
            raise RuntimeError("the timed commands were not all served by one command server")
        return statistics.median(walls), (client_cpu + after["cpuSeconds"] - before["cpuSeconds"]) / runs

    def stop(self) -> None:
        import signal

        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def time_corpus(corpus: Path, helm: str | None, runs: int, helmlite: list[str]) -> None:
    """``helmlite template`` vs ``helm template`` (processes) on each corpus chart's default variant.

    helmlite twice: served by a warm command server (the default), and in its own process
    (``HELMLITE_COMMAND_SERVER=off``). Wall time and CPU time side by side: on a shared machine
    the CPU time is the steadier one.
    """
    from helmlite.conformance import CHART_DIR_PLACEHOLDER, load_index

    print(f"\n{'corpus chart (default variant)':48} {'served ms':>9} {'CPU':>5} {'own process ms':>14} {'CPU':>5}"
          f" {'helm ms':>7} {'CPU':>5} {'helm/served':>11} {'CPU':>6} {'helm/own':>8} {'CPU':>6}")
    ratios: dict[str, list[float]] = {"served": [], "served CPU": [], "own": [], "own CPU": []}
    off = {**_PROCESS_ENV, "HELMLITE_COMMAND_SERVER": "off"}
    with tempfile.TemporaryDirectory() as home:
        server = CommandServer(helmlite, Path(home))
        try:
            for variant in load_index(corpus):
                if variant.name != "default":
                    continue
                args = ["." if a == CHART_DIR_PLACEHOLDER else a for a in variant.args]
                chart_dir = corpus / "charts" / variant.chart
                command = [*helmlite, *args]
                served, served_cpu = server.time(command, runs, cwd=chart_dir)
                own, own_cpu = time_process(command, runs, cwd=chart_dir, env=off)
                line = (f"{variant.chart:48} {served * 1000:9.0f} {served_cpu * 1000:5.0f} {own * 1000:14.0f}"
                        f" {own_cpu * 1000:5.0f}")
                if helm:
                    real, real_cpu = time_process([helm, *args], runs, cwd=chart_dir)
                    for key, value in (("served", real / served), ("served CPU", real_cpu / served_cpu),
                                       ("own", real / own), ("own CPU", real_cpu / own_cpu)):
                        ratios[key].append(value)
                    line += (f" {real * 1000:7.0f} {real_cpu * 1000:5.0f} {real / served:10.2f}x"
                             f" {real_cpu / served_cpu:5.2f}x {real / own:7.2f}x {real_cpu / own_cpu:5.2f}x")
                print(line, flush=True)
        finally:
            server.stop()
    if ratios["served"]:
        means = {key: statistics.geometric_mean(values) for key, values in ratios.items()}
        print(f"{'geometric mean ratio':48} {'':9} {'':5} {'':14} {'':5} {'':7} {'':5}"
              f" {means['served']:10.2f}x {means['served CPU']:5.2f}x {means['own']:7.2f}x {means['own CPU']:5.2f}x")


def phases_in_this_process(argv: list[str]) -> dict[str, float]:
    """CPU seconds of one ``helmlite`` command run in this (fresh) process, by phase."""
    import contextlib
    import io

    start = time.process_time()
    from helmlite.cli.main import main as helmlite_main
    from helmlite.render.gotemplate import engine

    imported = time.process_time()
    parse_seconds = 0.0
    parse_cached = engine.parse_cached

    def timed_parse(*args: object) -> object:
        nonlocal parse_seconds
        begin = time.process_time()
        try:
            return parse_cached(*args)  # type: ignore[arg-type]
        finally:
            parse_seconds += time.process_time() - begin

    engine.parse_cached = timed_parse  # type: ignore[assignment]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        helmlite_main(argv)
    done = time.process_time()
    return {"imports": imported - start, "parse": parse_seconds, "rest": done - imported - parse_seconds,
            "total": done - start}


def time_phases(corpus: Path, runs: int) -> None:
    """Per corpus chart: median CPU time of imports, Go-template parsing and the rest, fresh process each."""
    import json

    from helmlite.conformance import CHART_DIR_PLACEHOLDER, load_index

    print(f"\n{'corpus chart: CPU ms per helmlite template':48} {'imports':>8} {'parse':>8} {'rest':>8} {'total':>8}")
    totals: dict[str, float] = {"imports": 0.0, "parse": 0.0, "rest": 0.0, "total": 0.0}
    for variant in load_index(corpus):
        if variant.name != "default":
            continue
        args = ["." if a == CHART_DIR_PLACEHOLDER else a for a in variant.args]
        samples = []
        for _ in range(runs):
            child = subprocess.run([sys.executable, __file__, "--phases-child", *args], check=True,
                                   capture_output=True, text=True, cwd=corpus / "charts" / variant.chart,
                                   env=_PROCESS_ENV)
            samples.append(json.loads(child.stdout))
        median = {key: statistics.median(s[key] for s in samples) for key in totals}
        for key in totals:
            totals[key] += median[key]
        print(f"{variant.chart:48} " + " ".join(f"{median[key] * 1000:8.0f}" for key in totals))
    print(f"{'all charts':48} " + " ".join(f"{totals[key] * 1000:8.0f}" for key in totals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100, help="renders of the scaffold chart")
    parser.add_argument("--big-runs", type=int, default=10, help="renders of the 1,000-template chart")
    parser.add_argument("--process-runs", type=int, default=5, help="process runs per tool and chart")
    parser.add_argument("--helm", default=os.environ.get("HELMLITE_HELM_BIN", "/tmp/peers/helm/helm"))
    parser.add_argument("--helmlite", default="",
                        help="the helmlite command to time (default: this Python's -m helmlite, from this"
                             " checkout); e.g. the `helmlite` executable of a fresh venv with `pip install .`,"
                             " which is what users run")
    parser.add_argument("--corpus", type=Path, help="the conformance corpus (e.g. ../shared/conformance)")
    parser.add_argument("--only-corpus", action="store_true", help="skip the generated workloads")
    parser.add_argument("--phases", action="store_true", help="with --corpus: CPU time by phase per chart")
    parser.add_argument("--phases-child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases_child is not None:  # one measured command, in a fresh process (see time_phases)
        import json

        print(json.dumps(phases_in_this_process(args.phases_child)))
        return
    helm = args.helm if shutil.which(args.helm) or os.access(args.helm, os.X_OK) else None
    helmlite = shlex.split(args.helmlite) if args.helmlite else [sys.executable, "-m", "helmlite"]

    if args.corpus:
        if args.phases:
            time_phases(args.corpus.resolve(), args.process_runs)
        time_corpus(args.corpus.resolve(), helm, args.process_runs, helmlite)
        if args.only_corpus:
            return

    from helmlite.chart.scaffold import create_chart

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workloads: dict[str, tuple[Path, Path | None, int]] = {
            "big (1,000 templates)": (write_big_chart(root, "jinja2"), write_big_chart(root, "go"), args.big_runs),
        }
        scaffold = create_chart("scaffold", root)
        go_scaffold = None
        if helm:
            subprocess.run([helm, "create", str(root / "go-scaffold")], check=True, stdout=subprocess.DEVNULL)
            go_scaffold = root / "go-scaffold"
        workloads["scaffold (create)"] = (scaffold, go_scaffold, args.runs)

        helmlite_cmd = [*helmlite, "template", "bench"]
        off = {**_PROCESS_ENV, "HELMLITE_COMMAND_SERVER": "off"}
        server = CommandServer(helmlite, root / "home")
        print(f"{'workload':24} {'mode':34} {'ms/render':>10} {'docs/s':>10} {'CPU ms':>7}")
        try:
            for label, (native, go_chart, runs) in workloads.items():
                per_render, docs = time_in_process(native, runs)
                print(f"{label:24} {'helmlite in-process':34} {per_render * 1000:10.1f} {docs / per_render:10.0f}")
                served, served_cpu = server.time(helmlite_cmd + [str(native)], args.process_runs)
                print(f"{label:24} {'helmlite template (served)':34} {served * 1000:10.1f} {docs / served:10.0f}"
                      f" {served_cpu * 1000:7.1f}")
                own, own_cpu = time_process(helmlite_cmd + [str(native)], args.process_runs, env=off)
                print(f"{label:24} {'helmlite template (own process)':34} {own * 1000:10.1f} {docs / own:10.0f}"
                      f" {own_cpu * 1000:7.1f}")
                if helm and go_chart is not None:
                    real, real_cpu = time_process([helm, "template", "bench", str(go_chart)], args.process_runs)
                    print(f"{label:24} {'helm template (process)':34} {real * 1000:10.1f} {docs / real:10.0f}"
                          f" {real_cpu * 1000:7.1f}")
                    print(f"{label:24} {'ratio helm/helmlite served':34} {real / served:10.2f}x")
                    print(f"{label:24} {'ratio helm/helmlite own process':34} {real / own:10.2f}x")
                    print(f"{label:24} {'ratio helm/helmlite in-proc':34} {real / per_render:10.2f}x")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
