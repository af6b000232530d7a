"""The conformance runner: every variant of the Helm chart corpus rendered by helmlite and compared
with the exact ``helm template`` output of Helm v4.3.1.

    python -m helmlite.conformance [--corpus ../shared/conformance] [--chart GROUP/NAME] [--jobs N]
                                   [--json FILE] [--diff] [--install]

The corpus (``../shared/conformance``, see its README) holds real public charts and, in
``golden/INDEX.json``, one entry per (chart, variant) with the ``helm`` arguments used; paths in
them are relative to the chart directory, ``<chartdir>`` is the chart itself. Each variant is
rendered in-process through the ``helmlite`` command line (the same path as ``helmlite template``)
and classified, best first:

    identical      stdout equals the golden byte for byte (for the few goldens with random values,
                   "deterministic": false, equal except for those values, compared by shape)
    same-objects   the YAML documents are equal once parsed (formatting differs)
    different      rendered, but the objects differ
    error          helmlite failed (the message is reported)

The report lists each chart's counts and a total line; ``--json`` writes every variant's status.

``--install`` checks instead that the corpus installs: each selected variant (by default every
chart's ``default`` variant) goes through ``helmlite install r CHART ARGS --wait`` into a fresh
simulated cluster of its own (two charts may legitimately clash in one cluster, e.g. two
node-exporter DaemonSets on the same hostPort), and is reported ready or failed with the error.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import difflib
import io
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CORPUS",
    "STATUSES",
    "InstallResult",
    "Result",
    "Variant",
    "install_variant",
    "load_index",
    "main",
    "run",
    "run_variant",
]

STATUSES = ("error", "different", "same-objects", "identical")
"""Outcomes, worst first (a status's index is its rank)."""

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance"
"""``../shared/conformance`` beside the project checkout."""

CHART_DIR_PLACEHOLDER = "<chartdir>"
# The release name the goldens use (``helm template r …``), kept for installs so that rendered
# names match the goldens.
RELEASE_NAME = "r"

# Random values Helm charts draw (go-templates.md §6.5): bcrypt from htpasswd, base64 of text holding one.
_BCRYPT = re.compile(r"\$2a\$10\$[./A-Za-z0-9]{53}")
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


@dataclass(frozen=True)
class Variant:
    """One entry of ``golden/INDEX.json``."""

    chart: str
    name: str
    args: tuple[str, ...]
    deterministic: bool

    @property
    def key(self) -> str:
        return f"{self.chart}/{self.name}"


@dataclass(frozen=True)
class Result:
    variant: Variant
    status: str
    seconds: float
    detail: str = ""


def load_index(corpus: Path) -> list[Variant]:
    """The variants of the corpus. Raises OSError/ValueError when the index cannot be read."""
    entries = json.loads((corpus / "golden" / "INDEX.json").read_text(encoding="utf-8"))
    return [Variant(e["chart"], e["variant"], tuple(e["args"]), bool(e.get("deterministic", True))) for e in entries]


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _run_cli(chart_dir: Path, args: list[str]) -> tuple[int, str, str]:
    """Run ``helmlite ARGS`` in-process in ``chart_dir``: (exit code, stdout, stderr)."""
    from helmlite.cli.main import main as cli_main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with _working_directory(chart_dir), redirect_stdout(out), redirect_stderr(err):
        try:
            cli_main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def render_variant(corpus: Path, variant: Variant) -> tuple[int, str, str]:
    """Run ``helmlite`` with the variant's arguments in the chart directory: (exit code, stdout, stderr)."""
    args = ["." if a == CHART_DIR_PLACEHOLDER else a for a in variant.args]
    return _run_cli(corpus / "charts" / variant.chart, args)


@dataclass(frozen=True)
class InstallResult:
    """How ``helmlite install --wait`` of one variant ended: ``ok`` (the release is deployed and
    ready) or the first line of the error."""

    variant: Variant
    ok: bool
    seconds: float
    detail: str = ""


def install_variant(corpus: Path, variant: Variant, cluster_file: Path,
                    extra_args: tuple[str, ...] = ()) -> InstallResult:
    """Install ``variant`` as release ``r`` with ``--wait`` into the simulated cluster in
    ``cluster_file`` (created when missing), with the variant's values and then ``extra_args``.

    Never raises for a failed install (``ok`` is False); the detail is helmlite's error line.
    """
    # The variant's args are ``template r <chartdir> VALUES…``: keep the values.
    values_args = list(variant.args[3:])
    args = ["install", RELEASE_NAME, ".", *values_args, *extra_args, "--wait", "--cluster", str(cluster_file)]
    start = time.perf_counter()
    try:
        code, _out, err = _run_cli(corpus / "charts" / variant.chart, args)
    except Exception as exc:  # noqa: BLE001 - a crash is one chart's failure, not the run's
        code, err = 1, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    if code == 0:
        return InstallResult(variant, True, seconds)
    # helmlite reports a failure as one ``Error: …`` line, after any warnings
    lines = err.strip().splitlines()
    error = next((line for line in lines if line.startswith("Error:")), lines[-1] if lines else f"exit {code}")
    return InstallResult(variant, False, seconds, error)


def _bcrypt_masked(text: str) -> str:
    return _BCRYPT.sub("$2a$10$" + "*" * 53, text)


def _decoded_masked(token: str) -> str | None:
    try:
        text = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return _bcrypt_masked(text)


def _same_shape(got_line: str, want_line: str) -> bool:
    """Lines equal except for random values of the same shape (bcrypt hashes, base64 holding them)."""
    if len(got_line) != len(want_line):
        return False
    if _bcrypt_masked(got_line) == _bcrypt_masked(want_line):
        return True
    got_tokens, want_tokens = _BASE64_TOKEN.findall(got_line), _BASE64_TOKEN.findall(want_line)
    if len(got_tokens) != len(want_tokens) or _BASE64_TOKEN.sub("", got_line) != _BASE64_TOKEN.sub("", want_line):
        return False
    for got, want in zip(got_tokens, want_tokens):
        if got == want:
            continue
        got_text, want_text = _decoded_masked(got), _decoded_masked(want)
        if got_text is None or got_text != want_text:
            return False
    return True


def _identical_by_shape(got: str, want: str) -> bool:
    got_lines, want_lines = got.split("\n"), want.split("\n")
    if len(got_lines) != len(want_lines):
        return False
    return all(g == w or _same_shape(g, w) for g, w in zip(got_lines, want_lines))


def _same_objects(got: str, want: str) -> bool:
    import yaml

    try:
        got_docs = [d for d in yaml.load_all(got, Loader=yaml.CSafeLoader) if d is not None]
        want_docs = [d for d in yaml.load_all(want, Loader=yaml.CSafeLoader) if d is not None]
    except yaml.YAMLError:
        return False
    return got_docs == want_docs


def classify(got: str, want: str, deterministic: bool) -> str:
    """The status of rendered output ``got`` against golden ``want``."""
    if got == want or (not deterministic and _identical_by_shape(got, want)):
        return "identical"
    if _same_objects(got, want):
        return "same-objects"
    return "different"


def run_variant(corpus: Path, variant: Variant, with_diff: bool = False) -> Result:
    """Render and classify one variant (never raises for a rendering failure: status ``error``)."""
    want = (corpus / "golden" / variant.chart / f"{variant.name}.yaml").read_bytes().decode("utf-8")
    start = time.perf_counter()
    try:
        code, got, err = render_variant(corpus, variant)
    except Exception as exc:  # noqa: BLE001 - a crash is one variant's error, not the run's
        code, got, err = 1, "", f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    if code != 0:
        return Result(variant, "error", seconds, err.strip().splitlines()[0] if err.strip() else f"exit {code}")
    status = classify(got, want, variant.deterministic)
    detail = ""
    if status != "identical" and with_diff:
        detail = "".join(
            difflib.unified_diff(want.splitlines(True), got.splitlines(True), "helm", "helmlite", n=2)
        )[:20000]
    return Result(variant, status, seconds, detail)


def _run_one(task: tuple[str, Variant, bool]) -> Result:
    corpus, variant, with_diff = task
    return run_variant(Path(corpus), variant, with_diff)


def run(corpus: Path, variants: list[Variant], jobs: int = 1, with_diff: bool = False) -> list[Result]:
    """Run ``variants`` (in ``jobs`` processes when more than one); results in the given order."""
    tasks = [(str(corpus), v, with_diff) for v in variants]
    if jobs <= 1:
        return [_run_one(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_run_one, tasks))


def report(results: list[Result]) -> str:
    """Per-chart counts by status and a total line."""
    by_chart: dict[str, Counter[str]] = {}
    for result in results:
        by_chart.setdefault(result.variant.chart, Counter())[result.status] += 1
    width = max((len(c) for c in by_chart), default=5)
    header = f"{'chart':<{width}}  " + "  ".join(f"{s:>12}" for s in reversed(STATUSES))
    lines = [header]
    total: Counter[str] = Counter()
    for chart, counts in by_chart.items():
        total.update(counts)
        lines.append(f"{chart:<{width}}  " + "  ".join(f"{counts[s]:>12}" for s in reversed(STATUSES)))
    lines.append(f"{'TOTAL':<{width}}  " + "  ".join(f"{total[s]:>12}" for s in reversed(STATUSES)))
    return "\n".join(lines)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m helmlite.conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the conformance corpus directory")
    parser.add_argument("--chart", action="append", default=[], help="only this chart (GROUP/NAME); repeatable")
    parser.add_argument("--variant", action="append", default=[], help="only this variant name; repeatable")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel processes")
    parser.add_argument("--json", type=Path, help="write {chart/variant: status} to this file")
    parser.add_argument("--diff", action="store_true", help="print a diff (or the error) for each non-identical variant")
    parser.add_argument("--install", action="store_true",
                        help="install each variant (default: each chart's default variant) with --wait into a "
                             "fresh simulated cluster instead of comparing renders")
    return parser.parse_args(argv)


def _install_report(corpus: Path, variants: list[Variant]) -> int:
    """Install every variant into a fresh cluster of its own; print one line each and a count."""
    start = time.perf_counter()
    ready = 0
    with tempfile.TemporaryDirectory(prefix="helmlite-conformance-") as scratch:
        for i, variant in enumerate(variants):
            result = install_variant(corpus, variant, Path(scratch) / f"cluster-{i}.db")
            ready += result.ok
            status = "ready" if result.ok else "FAILED"
            print(f"{status:>6}  {variant.key}  ({result.seconds:.2f}s)  {result.detail}".rstrip())
    print(f"{ready} of {len(variants)} variants installed and ready in {time.perf_counter() - start:.1f}s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the corpus; print the report. Returns 0 (statuses are data, not failures), 2 without a corpus."""
    args = _parse_args(argv)
    corpus: Path = args.corpus
    if not (corpus / "golden" / "INDEX.json").is_file():
        print(f"no conformance corpus at {corpus}", file=sys.stderr)
        return 2

    def selected(variant: Variant) -> bool:
        if args.chart and variant.chart not in args.chart:
            return False
        if args.variant:
            return variant.name in args.variant
        return not args.install or variant.name == "default"  # installs default to each chart's default

    variants = [v for v in load_index(corpus) if selected(v)]
    if args.install:
        return _install_report(corpus, variants)
    start = time.perf_counter()
    results = run(corpus, variants, jobs=args.jobs, with_diff=args.diff)
    for result in results:
        if result.status != "identical":
            print(f"{result.status:>12}  {result.variant.key}  ({result.seconds:.2f}s)  {result.detail.splitlines()[0] if result.detail else ''}")
            if args.diff and result.detail:
                print(result.detail)
    print(report(results))
    print(f"{len(results)} variants in {time.perf_counter() - start:.1f}s")
    if args.json:
        statuses: dict[str, Any] = {r.variant.key: r.status for r in results}
        args.json.write_text(json.dumps(statuses, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
