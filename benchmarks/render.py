"""Render benchmark: helmlite's native renderer, side by side with the real ``helm template``.

Workloads (equivalent charts are generated in both dialects, so both tools do the same work):

* ``big``: one chart with 1,000 templates (ConfigMaps and Deployments that call named helpers);
* ``scaffold``: the ``create`` scaffold (Deployment, Service, ServiceAccount, test hook), the
  realistic everyday case.

For each workload it prints documents/second and ms per render for

* helmlite in-process (load once, render N times: what a long-running tool or test suite sees),
* ``helmlite template`` as a process and ``helm template`` as a process (what a person sees),

and the ratio helm / helmlite. With ``--corpus`` it also renders the default variant of every
chart in the conformance corpus (unmodified public Helm charts) with ``helmlite template`` and
``helm template`` as processes, side by side, and prints the ratio per chart. Usage::

    python benchmarks/render.py [--runs 100] [--big-runs 10] [--helm /tmp/peers/helm/helm]
                                [--corpus ../shared/conformance]
"""

from __future__ import annotations

import argparse
import os
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
# make every timed process recompile all of helmlite from source instead.
_PROCESS_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_process(argv: list[str], runs: int, cwd: Path | None = None) -> float:
    """Median wall seconds of a whole command (process start to exit), after one warm-up run."""
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=_PROCESS_ENV)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                       env=_PROCESS_ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_corpus(corpus: Path, helm: str | None, runs: int) -> None:
    """``helmlite template`` vs ``helm template`` (processes) on each corpus chart's default variant."""
    from helmlite.conformance import CHART_DIR_PLACEHOLDER, load_index

    print(f"\n{'corpus chart (default variant)':48} {'helmlite ms':>11} {'helm ms':>9} {'helm/helmlite':>14}")
    ratios = []
    for variant in load_index(corpus):
        if variant.name != "default":
            continue
        args = ["." if a == CHART_DIR_PLACEHOLDER else a for a in variant.args]
        chart_dir = corpus / "charts" / variant.chart
        lite = time_process([sys.executable, "-m", "helmlite", *args], runs, cwd=chart_dir)
        line = f"{variant.chart:48} {lite * 1000:11.0f}"
        if helm:
            real = time_process([helm, *args], runs, cwd=chart_dir)
            ratios.append(real / lite)
            line += f" {real * 1000:9.0f} {real / lite:13.2f}x"
        print(line)
    if ratios:
        print(f"{'geometric mean ratio':48} {'':11} {'':9} {statistics.geometric_mean(ratios):13.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100, help="renders of the scaffold chart")
    parser.add_argument("--big-runs", type=int, default=10, help="renders of the 1,000-template chart")
    parser.add_argument("--process-runs", type=int, default=5, help="process runs per tool and chart")
    parser.add_argument("--helm", default=os.environ.get("HELMLITE_HELM_BIN", "/tmp/peers/helm/helm"))
    parser.add_argument("--corpus", type=Path, help="the conformance corpus (e.g. ../shared/conformance)")
    parser.add_argument("--only-corpus", action="store_true", help="skip the generated workloads")
    args = parser.parse_args()
    helm = args.helm if shutil.which(args.helm) or os.access(args.helm, os.X_OK) else None

    if args.corpus:
        time_corpus(args.corpus.resolve(), helm, args.process_runs)
        if args.only_corpus:
            return

    from helmlite.chart.scaffold import create_chart

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workloads = {
            "big (1,000 templates)": (write_big_chart(root, "jinja2"), write_big_chart(root, "go"), args.big_runs),
        }
        scaffold = create_chart("scaffold", root)
        go_scaffold = None
        if helm:
            subprocess.run([helm, "create", str(root / "go-scaffold")], check=True, stdout=subprocess.DEVNULL)
            go_scaffold = root / "go-scaffold"
        workloads["scaffold (create)"] = (scaffold, go_scaffold, args.runs)

        helmlite_cmd = [sys.executable, "-m", "helmlite", "template", "bench"]
        print(f"{'workload':24} {'mode':28} {'ms/render':>10} {'docs/s':>10}")
        for label, (native, go_chart, runs) in workloads.items():
            per_render, docs = time_in_process(native, runs)
            print(f"{label:24} {'helmlite in-process':28} {per_render * 1000:10.1f} {docs / per_render:10.0f}")
            lite = time_process(helmlite_cmd + [str(native)], args.process_runs)
            print(f"{label:24} {'helmlite template (process)':28} {lite * 1000:10.1f} {docs / lite:10.0f}")
            if helm and go_chart is not None:
                real = time_process([helm, "template", "bench", str(go_chart)], args.process_runs)
                print(f"{label:24} {'helm template (process)':28} {real * 1000:10.1f} {docs / real:10.0f}")
                print(f"{label:24} {'ratio helm/helmlite process':28} {real / lite:10.2f}x")
                print(f"{label:24} {'ratio helm/helmlite in-proc':28} {real / per_render:10.2f}x")


if __name__ == "__main__":
    main()
