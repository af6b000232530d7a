"""Loading charts from a directory, a ``.tgz`` archive or in-memory files (Helm's ``pkg/chart/v2/loader``).

``load_files`` is the one place that turns a flat list of files into a ``Chart``: it classifies
every file by name, exactly as Helm's ``LoadFiles`` does, and loads ``charts/`` subcharts
recursively. The directory reader applies ``.helmignore`` (plus Helm's built-in
``templates/.?*``) and follows symlinks only while they stay inside the chart.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import replace
from pathlib import Path
from typing import Any

from helmlite.chart.archive import MAX_ARCHIVE_BYTES, MAX_FILE_BYTES, MAX_FILES, MAX_UNPACKED_BYTES, ArchiveBudget
from helmlite.chart.archive import read_archive as _read_archive
from helmlite.chart.helmignore import HELMIGNORE, IgnoreRules
from helmlite.chart.metadata import UTF8_BOM, parse_lock, parse_metadata, parse_requirements, quoted
from helmlite.chart.model import API_VERSION_V1, Chart, ChartFile
from helmlite.errors import ArchiveError, ChartError, ChartLoadError, ValuesError, ValuesFileError

__all__ = ["load_chart", "load_dir", "load_archive", "load_files", "read_chart_dir"]

# Helm's AddDefaults: dotfiles in templates/ are never part of a chart.
_DEFAULT_IGNORE = "templates/.?*"


def load_chart(path: str | Path) -> Chart:
    """Load a chart from a directory or a ``.tgz`` / ``.tar.gz`` archive.

    Returns the chart with its subcharts. Raises ``ChartLoadError`` (``path "x" not found``,
    malformed files), ``ArchiveError`` (unsafe or corrupt archive) or
    ``IncompatibleChartError`` (chart apiVersion v3).
    """
    p = Path(path)
    if not p.exists():
        raise ChartLoadError(f"path {quoted(str(path))} not found")
    if p.is_dir():
        return load_dir(p)
    size = p.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"{path}: archive is larger than the {MAX_ARCHIVE_BYTES}-byte limit")
    return load_archive(p.read_bytes(), str(path))


def load_dir(path: Path) -> Chart:
    """Load a chart from a directory (see ``read_chart_dir`` for which files are read).

    Returns the chart; raises ``ChartLoadError`` for unreadable, escaping or malformed files.
    """
    return load_files(read_chart_dir(path), str(path))


def load_archive(data: bytes, source: str) -> Chart:
    """Load a chart from gzip-compressed tar bytes; ``source`` names it in errors.

    Returns the chart; raises ``ArchiveError`` for an unsafe/corrupt archive and
    ``ChartLoadError`` for malformed chart files. ``.helmignore`` is not applied (Helm does not
    apply it to archives either).
    """
    budget = ArchiveBudget()
    return _load_files(_read_archive(data, source, budget=budget), source, budget)


def load_files(files: list[ChartFile], source: str) -> Chart:
    """Build a chart from its files (names relative to the chart root, ``/``-separated).

    Classification (Helm's ``LoadFiles``): Chart.yaml → metadata; values.yaml → values (its
    bytes stay in ``raw``); values.schema.json → schema; Chart.lock / requirements.lock → lock;
    requirements.yaml → dependencies of a v1 chart; ``templates/*`` → templates;
    ``charts/<sub>/...`` and ``charts/<sub>.tgz`` → subcharts, loaded recursively (names
    starting with ``_`` or ``.`` skipped, ``*.prov`` kept as files); everything else → files.
    For v1 charts requirements.yaml/.lock are also kept as files, as Helm does.

    ``source`` prefixes file names in error messages (``""`` for none). Returns the chart.
    Raises ``ChartLoadError`` (``Chart.yaml file is missing``, malformed files,
    ``error unpacking subchart <n> in <parent>: …``) or ``ArchiveError`` from a subchart archive.
    """
    return _load_files(files, source, ArchiveBudget())


def _label(source: str, name: str) -> str:
    return f"{source}/{name}" if source else name


def _load_files(files: list[ChartFile], source: str, budget: ArchiveBudget) -> Chart:
    chart_yaml = None
    for f in files:
        if f.name == "Chart.yaml":
            chart_yaml = f
    if chart_yaml is None:
        raise ChartLoadError(f"{_label(source, 'Chart.yaml')} file is missing")
    metadata = parse_metadata(chart_yaml.data, _label(source, "Chart.yaml"))
    is_v1 = metadata.api_version == API_VERSION_V1

    chart = Chart(metadata=metadata, raw=list(files))
    subcharts: dict[str, list[ChartFile]] = {}
    for f in files:
        name = f.name
        if name == "Chart.yaml":
            continue
        if name == "values.yaml":
            chart.values = _load_values(f.data, _label(source, name))
        elif name == "values.schema.json":
            chart.schema = f.data
        elif name == "Chart.lock":
            chart.lock = parse_lock(f.data, _label(source, name))
        elif name == "requirements.yaml":
            # Dependencies moved to Chart.yaml in v2, but Helm still honours this file.
            chart.metadata = metadata = replace(metadata, dependencies=parse_requirements(f.data, _label(source, name)))
            if is_v1:
                chart.files.append(f)
        elif name == "requirements.lock":
            chart.lock = parse_lock(f.data, _label(source, name))
            if is_v1:
                chart.files.append(f)
        elif name.startswith("templates/"):
            chart.templates.append(f)
        elif name.startswith("charts/"):
            if name.endswith(".prov"):
                chart.files.append(f)
                continue
            rest = name[len("charts/") :]
            subcharts.setdefault(rest.split("/", 1)[0], []).append(ChartFile(rest, f.data))
        else:
            chart.files.append(f)

    # Helm walks a Go map here (random order); sorting keeps loading deterministic.
    for sub_name in sorted(subcharts):
        if sub_name[:1] in ("_", "."):
            continue
        sub_files = subcharts[sub_name]
        try:
            if sub_name.endswith(".tgz"):
                sub = _load_files(_read_archive(sub_files[0].data, sub_name, budget=budget), "", budget)
            else:
                inner = [ChartFile(f.name.split("/", 1)[1], f.data) for f in sub_files if "/" in f.name]
                sub = _load_files(inner, "", budget)
        except ChartError as err:
            raise type(err)(f"error unpacking subchart {sub_name} in {metadata.name}: {err}") from None
        chart.add_dependency(sub)
    return chart


def _load_values(data: bytes, label: str) -> dict[str, Any]:
    from helmlite.values.yamlio import load_values

    try:
        return load_values(data, label)
    except ValuesFileError as err:
        # Helm's wording, which names the file alone: "cannot load values.yaml: …".
        raise ChartLoadError(f"cannot load {posixpath.basename(label)}: {err.problem}") from None
    except ValuesError as err:
        raise ChartLoadError(str(err) if label in str(err) else f"{label}: {err}") from None


def read_chart_dir(path: Path) -> list[ChartFile]:
    """The files of a chart directory, as the directory loader and ``package`` see them.

    Applies the chart's ``.helmignore`` and Helm's default ``templates/.?*``; ignored
    directories are not descended into. Symlinks are followed only when their target stays
    inside the chart directory. A UTF-8 BOM is stripped from every file. Returns the files in
    lexical walk order, names relative to ``path`` with ``/``.

    Raises ``ChartLoadError`` for a path that is not a directory, a bad .helmignore, a symlink
    that is broken, escapes the chart or loops, an irregular file (device, FIFO, socket), or a
    chart over the file-count or size limits.
    """
    root = os.path.realpath(path)
    if not os.path.isdir(root):
        raise ChartLoadError(f"path {quoted(str(path))} is not a directory")
    rules = IgnoreRules()
    ignore_file = os.path.join(root, HELMIGNORE)
    if os.path.isfile(ignore_file) and _inside(os.path.realpath(ignore_file), root):
        with open(ignore_file, encoding="utf-8", errors="replace") as fh:
            rules = IgnoreRules.parse(fh.read())
    rules.add(_DEFAULT_IGNORE)
    walker = _DirWalker(str(path), root, rules)
    walker.walk(root, "", frozenset({root}))
    return walker.files


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class _DirWalker:
    """One directory walk: sorted like Go's ``filepath.Walk``, bounded like an archive."""

    def __init__(self, display: str, root: str, rules: IgnoreRules) -> None:
        self.display = display
        self.root = root
        self.rules = rules
        self.files: list[ChartFile] = []
        self.total_bytes = 0

    def error(self, rel: str, problem: str) -> ChartLoadError:
        return ChartLoadError(f"{self.display}: {quoted(rel)} {problem}")

    def walk(self, directory: str, prefix: str, ancestors: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as err:
            raise ChartLoadError(f"{self.display}: cannot read directory {prefix or '.'}: {err.strerror}") from None
        for entry in entries:
            rel = prefix + entry.name
            is_dir = entry.is_dir()  # follows symlinks; False for a broken one
            if self.rules.ignored(rel, is_dir):
                continue
            real = entry.path
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if not os.path.exists(real):
                    raise self.error(rel, "is a broken symlink")
                if not _inside(real, self.root):
                    raise self.error(rel, "is a symlink that points outside the chart directory")
            if is_dir:
                if real in ancestors:
                    raise self.error(rel, "is a symlink loop")
                self.walk(real, rel + "/", ancestors | {real})
            else:
                self.read(entry, real, rel)

    def read(self, entry: os.DirEntry[str], real: str, rel: str) -> None:
        if not entry.is_file():
            raise self.error(rel, "is not a regular file (device, FIFO or socket); it cannot be part of a chart")
        if len(self.files) >= MAX_FILES:
            raise ChartLoadError(f"{self.display}: more than {MAX_FILES} files in the chart")
        size = entry.stat().st_size
        if size > MAX_FILE_BYTES:
            raise self.error(rel, f"is larger than the {MAX_FILE_BYTES}-byte file limit")
        self.total_bytes += size
        if self.total_bytes > MAX_UNPACKED_BYTES:
            raise ChartLoadError(f"{self.display}: chart files exceed the {MAX_UNPACKED_BYTES}-byte limit")
        try:
            # ``real`` has every link resolved; O_NOFOLLOW keeps a link swapped in since from being followed.
            with os.fdopen(os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            raise self.error(rel, f"cannot be read: {err.strerror}") from None
        if len(data) > MAX_FILE_BYTES:
            raise self.error(rel, f"is larger than the {MAX_FILE_BYTES}-byte file limit")
        self.files.append(ChartFile(rel, data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data))
