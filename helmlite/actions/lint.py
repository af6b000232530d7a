"""``lint``: examine charts for possible issues (Helm's ``pkg/action/lint.go`` and its command loop).

``Lint.run`` lints every path (a chart directory or a ``.tgz``; with ``with_subcharts`` also
every chart found under each path's ``charts/``) and returns one ``LintResult`` per path;
``format_report`` turns the results into Helm's output: a ``==> Linting <path>`` block per
chart and the ``N chart(s) linted, M chart(s) failed`` summary.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from helmlite.chart.lint import LintMessage, Severity, lint_chart
from helmlite.errors import HelmliteError
from helmlite.render.capabilities import KubeVersion
from helmlite.values.options import ValueOptions

__all__ = ["Lint", "LintReport", "LintResult", "find_subcharts", "format_report"]

_ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")


@dataclass(frozen=True)
class LintResult:
    """The lint of one path.

    ``error`` is set when the path could not be linted at all (no Chart.yaml, an unreadable
    archive); ``failed`` when that happened or a message reached the failure threshold
    (ERROR, or WARNING with ``--strict``).
    """

    path: str
    messages: tuple[LintMessage, ...] = ()
    error: str | None = None
    failed: bool = False

    @property
    def has_warnings_or_errors(self) -> bool:
        """True when some message is more than INFO (what ``--quiet`` still shows)."""
        return any(m.severity > Severity.INFO for m in self.messages)


@dataclass
class Lint:
    """Options of ``helmlite lint``; ``run`` returns one result per linted chart."""

    values: ValueOptions = field(default_factory=ValueOptions)
    namespace: str = "default"
    strict: bool = False
    with_subcharts: bool = False
    kube_version: KubeVersion | None = None
    skip_schema_validation: bool = False

    def run(self, paths: Sequence[str], stdin: TextIO | None = None) -> list[LintResult]:
        """Lint ``paths`` in order, then (with ``with_subcharts``) the subcharts found under each.

        Returns the results; a broken chart is a result, not an exception. Raises ValuesError
        or SetParseError when the values flags themselves are bad.
        """
        user_values = self.values.merge(stdin)
        targets = list(paths)
        if self.with_subcharts:
            targets += [sub for path in paths for sub in find_subcharts(path)]
        return [self._lint(path, user_values) for path in targets]

    def _lint(self, path: str, user_values: dict[str, Any]) -> LintResult:
        if path.endswith(_ARCHIVE_SUFFIXES):
            with tempfile.TemporaryDirectory(prefix="helmlite-lint-") as tmp:
                chart_dir, problem = _expand_archive(path, Path(tmp))
                if chart_dir is None:
                    return LintResult(path, error=problem, failed=True)
                return self._lint_dir(path, str(chart_dir), user_values)
        return self._lint_dir(path, path, user_values)

    def _lint_dir(self, path: str, chart_dir: str, user_values: dict[str, Any]) -> LintResult:
        chart_yaml = os.path.normpath(os.path.join(chart_dir, "Chart.yaml"))
        try:
            os.stat(chart_yaml)
        except OSError as err:
            return LintResult(path, error=f"unable to check Chart.yaml file in chart: {_stat_problem(chart_yaml, err)}", failed=True)
        messages = lint_chart(
            chart_dir,
            # Rules may coalesce into the values; each chart gets its own copy.
            values=copy.deepcopy(user_values),
            namespace=self.namespace,
            kube_version=self.kube_version,
            skip_schema_validation=self.skip_schema_validation,
        )
        threshold = Severity.WARNING if self.strict else Severity.ERROR
        return LintResult(path, tuple(messages), failed=any(m.severity >= threshold for m in messages))


def _stat_problem(path: str, err: OSError) -> str:
    """Go's wording for a failed stat: ``stat x/Chart.yaml: no such file or directory``."""
    reason = os.strerror(err.errno) if err.errno else str(err)
    return f"stat {path}: {reason[:1].lower()}{reason[1:]}"


def _expand_archive(path: str, dest: Path) -> tuple[Path | None, str | None]:
    """Unpack a chart archive under ``dest``: (chart directory, None) or (None, problem)."""
    from helmlite.chart.archive import extract_archive

    try:
        data = Path(path).read_bytes()
    except OSError as err:
        reason = os.strerror(err.errno) if err.errno else str(err)
        return None, f"unable to open tarball: open {path}: {reason[:1].lower()}{reason[1:]}"
    try:
        return extract_archive(data, dest, path), None
    except HelmliteError as err:
        return None, f"unable to extract tarball: {err}"


def find_subcharts(path: str) -> list[str]:
    """The charts under ``path``'s ``charts/``, at any depth, in Helm's walk order.

    A directory holding a ``Chart.yaml`` is a chart, and so is every ``.tgz``/``.tar.gz``;
    directories are visited in lexical order and symlinked directories are not entered
    (Go's ``filepath.Walk``). Paths are built the way Helm prints them (``x/charts/sub``).
    """
    return list(_walk(os.path.normpath(os.path.join(path, "charts"))))


def _walk(path: str) -> Iterator[str]:
    if path.endswith(_ARCHIVE_SUFFIXES):
        yield path
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError:
        return  # not a directory, or unreadable: Helm's walk skips it
    for entry in entries:
        child = os.path.join(path, entry.name)
        if entry.name == "Chart.yaml":
            yield path
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(child)
        elif child.endswith(_ARCHIVE_SUFFIXES):
            yield child


@dataclass(frozen=True)
class LintReport:
    """What ``helmlite lint`` prints: ``text`` on stdout, then ``summary`` on stdout (when
    ``show_summary``) or as an error on stderr (when ``failed`` charts)."""

    text: str
    summary: str
    failed: int
    show_summary: bool


def format_report(results: Sequence[LintResult], *, quiet: bool = False) -> LintReport:
    """Helm's lint output for ``results``.

    Each chart: ``==> Linting <path>``, then ``Error <problem>`` when it could not be linted,
    else its messages (INFO ones hidden by ``quiet``), then a blank line. ``quiet`` also skips
    charts with nothing above INFO, and the summary when no chart had a warning or error.
    """
    lines: list[str] = []
    failed = 0
    noteworthy = 0
    for result in results:
        if result.has_warnings_or_errors:
            noteworthy += 1
        if result.failed:
            failed += 1
        if quiet and not result.has_warnings_or_errors and result.error is None:
            continue
        lines.append(f"==> Linting {result.path}")
        if result.error is not None:
            lines.append(f"Error {result.error}")
        lines.extend(str(m) for m in result.messages if not quiet or m.severity > Severity.INFO)
        lines.append("")
    text = "".join(line + "\n" for line in lines)
    summary = f"{len(results)} chart(s) linted, {failed} chart(s) failed"
    return LintReport(text, summary, failed, show_summary=failed == 0 and (not quiet or noteworthy > 0))
