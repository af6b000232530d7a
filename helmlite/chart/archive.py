"""Chart archives: safe reading and extraction of untrusted ``.tgz`` files, deterministic packaging.

Reading follows Helm's ``LoadArchiveFiles`` (the first path component of every entry is the
chart directory and is stripped; a UTF-8 BOM is removed from every file) and is stricter where
Helm is lenient: links, devices and FIFOs are rejected instead of being read as empty files,
and both the compressed input and the decompressed stream are bounded (decompression stops
as soon as the limit is passed), so a gzip bomb or a lying tar header cannot exhaust memory.

Packaging writes what ``helm package`` writes (``NAME-VERSION.tgz``, entries ``NAME/...``,
Chart.yaml re-serialised with sorted keys, ``.helmignore`` applied) but byte-for-byte
reproducibly: sorted entries, fixed owner/mode/mtime, and a gzip header without name or time.

The directory loader uses this module's limits and ``ArchiveBudget`` too, so the archive
machinery (gzip, tarfile, tempfile, shutil) is imported by the functions that need it: loading
a chart directory must not pay for it.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from helmlite.chart.metadata import UTF8_BOM, dump_metadata, parse_metadata, quoted
from helmlite.chart.model import ChartFile
from helmlite.errors import ArchiveError, ChartError

if TYPE_CHECKING:
    import tarfile

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_UNPACKED_BYTES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "DEFAULT_PACKAGE_MTIME",
    "ArchiveBudget",
    "read_archive",
    "extract_archive",
    "build_archive",
    "package_chart",
]

_MIB = 1024 * 1024
MAX_ARCHIVE_BYTES = 20 * _MIB
"""Largest compressed chart archive accepted."""
MAX_UNPACKED_BYTES = 100 * _MIB
"""Largest total size of a chart's files once decompressed (Helm's MaxDecompressedChartSize)."""
MAX_FILES = 10_000
"""Most entries (files and directories) one chart archive may hold."""
MAX_FILE_BYTES = 20 * _MIB
"""Largest single file in a chart."""
DEFAULT_PACKAGE_MTIME = 315_532_800
"""Entry mtime of packaged charts when SOURCE_DATE_EPOCH is unset: 1980-01-01T00:00:00Z, the
reproducible-builds convention (the zip epoch, so the time survives any repackaging)."""

# Tar headers and padding cost at most ~1 KiB per entry; pax records for long names a little more.
_TAR_OVERHEAD_BYTES = MAX_FILES * 2048
_CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_DRIVE_PATH = re.compile(r"^[a-zA-Z]:/")


@dataclass
class ArchiveBudget:
    """What is left of the limits while reading one chart, shared with its nested subchart archives."""

    # Read at construction, so the module constants stay the one place to tune the limits.
    unpacked_bytes: int = field(default_factory=lambda: MAX_UNPACKED_BYTES)
    entries: int = field(default_factory=lambda: MAX_FILES)


def _gunzip(data: bytes, limit: int, source: str) -> bytes:
    """Decompress in bounded steps, failing as soon as more than ``limit`` bytes come out.

    The whole tar stream (headers, pax records, file data) is counted, so no header field can
    make the reader buffer more than the limit.
    """
    import gzip

    stream = gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb")
    out = bytearray()
    while chunk := stream.read(_CHUNK):
        out += chunk
        if len(out) > limit:
            raise ArchiveError(f"{source}: decompressed archive is larger than the {MAX_UNPACKED_BYTES}-byte limit")
    return bytes(out)


def _entry_path(raw: str, source: str) -> str:
    """The chart-relative path of a tar entry, after Helm's first-component strip; raises ArchiveError."""
    slashed = raw.replace("\\", "/")
    if slashed.startswith("/") or _DRIVE_PATH.match(slashed):
        raise ArchiveError(f"{source}: entry {quoted(raw)} has an absolute path")
    # Archives made on Windows may use "\" throughout (Helm's rule: any "\" makes it the separator).
    parts = raw.split("\\" if "\\" in raw else "/")
    if parts[0] == "Chart.yaml":
        raise ArchiveError(f"{source}: entry {quoted(raw)}: Chart.yaml is not inside the chart directory")
    rest = "/".join(parts[1:])
    if rest.startswith("/"):
        raise ArchiveError(f"{source}: entry {quoted(raw)} has an absolute path")
    path = posixpath.normpath(rest) if rest else "."
    if path == ".":
        raise ArchiveError(f"{source}: entry {quoted(raw)} is outside the chart directory")
    if path == ".." or path.startswith("../"):
        raise ArchiveError(f'{source}: entry {quoted(raw)} escapes the chart directory ("..")')
    if _DRIVE_PATH.match(path):
        raise ArchiveError(f"{source}: entry {quoted(raw)} has an absolute path")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ArchiveError(f"{source}: entry {raw!r} has a name that is not valid UTF-8") from None
    return path


def _check_entry_type(member: tarfile.TarInfo, source: str) -> None:
    if member.issym():
        raise ArchiveError(
            f"{source}: entry {quoted(member.name)} is a symbolic link; links are not allowed in chart archives"
        )
    if member.islnk():
        raise ArchiveError(
            f"{source}: entry {quoted(member.name)} is a hard link; links are not allowed in chart archives"
        )
    if member.ischr() or member.isblk() or member.isfifo():
        raise ArchiveError(f"{source}: entry {quoted(member.name)} is a device or FIFO; only regular files are allowed")
    if not member.isreg():
        raise ArchiveError(f"{source}: entry {quoted(member.name)} has unsupported type {member.type!r}")


def read_archive(data: bytes, source: str, *, budget: ArchiveBudget | None = None) -> list[ChartFile]:
    """Read a gzip-compressed chart tar in memory, validating every entry.

    Returns the files with the chart directory stripped from their names (``templates/x.yaml``),
    a UTF-8 BOM removed, in archive order (a name repeated later replaces the earlier data).
    ``budget`` lets nested subchart archives share one set of limits with their parent.

    Raises ``ArchiveError`` (one line naming ``source`` and the entry) for data that is not
    gzip, a corrupt stream, an absolute or escaping path, a link, a device or FIFO, an oversized
    file, more than ``MAX_FILES`` entries, more than ``MAX_UNPACKED_BYTES`` in total, or no files.
    """
    import tarfile

    budget = budget if budget is not None else ArchiveBudget()
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"{source}: archive is larger than the {MAX_ARCHIVE_BYTES}-byte limit")
    if not data.startswith(_GZIP_MAGIC):
        hint = " (it seems to be a YAML file)" if source.endswith((".yaml", ".yml")) else ""
        raise ArchiveError(f"{source}: not a gzip-compressed chart archive{hint}")

    files: dict[str, bytes] = {}
    try:
        raw = _gunzip(data, budget.unpacked_bytes + _TAR_OVERHEAD_BYTES, source)
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            while (member := tar.next()) is not None:
                budget.entries -= 1
                if budget.entries < 0:
                    raise ArchiveError(f"{source}: more than {MAX_FILES} entries in the chart archive")
                if member.isdir():
                    continue
                _check_entry_type(member, source)
                name = _entry_path(member.name, source)
                files[name] = _read_member(tar, member, budget, source)
            end = raw[tar.offset : tar.offset + tarfile.BLOCKSIZE]
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        detail = " ".join(str(err).split()) or type(err).__name__
        raise ArchiveError(f"{source}: corrupt chart archive: {detail}") from None
    # tarfile stops quietly at a truncated or garbled header; Go's reader (and so Helm) fails.
    if end.strip(b"\0"):
        raise ArchiveError(f"{source}: corrupt chart archive: invalid or truncated tar header at byte {tar.offset}")
    if not files:
        raise ArchiveError(f"{source}: no files in chart archive")
    return [ChartFile(name, body) for name, body in files.items()]


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, budget: ArchiveBudget, source: str) -> bytes:
    """Read one entry's data, checking the file limit and counting it against the budget."""
    if member.size > MAX_FILE_BYTES:
        raise ArchiveError(f"{source}: entry {quoted(member.name)} is larger than the {MAX_FILE_BYTES}-byte file limit")
    if member.size > budget.unpacked_bytes:
        raise ArchiveError(
            f"{source}: unpacked size exceeds the {MAX_UNPACKED_BYTES}-byte limit at entry {quoted(member.name)}"
        )
    handle = tar.extractfile(member)
    body = handle.read() if handle is not None else b""
    if len(body) != member.size:
        raise ArchiveError(f"{source}: corrupt chart archive: entry {quoted(member.name)} is truncated")
    budget.unpacked_bytes -= len(body)
    return body[len(UTF8_BOM) :] if body.startswith(UTF8_BOM) else body


def extract_archive(data: bytes, dest: Path, source: str) -> Path:
    """Safely unpack a chart archive into ``dest/<chart name>`` (``pull --untar``).

    Every entry is validated in memory first (``read_archive``); the files are then written into
    a temporary directory inside ``dest`` which is renamed into place, so nothing is written
    outside ``dest`` and a failure leaves no partial chart. Returns the chart directory.

    Raises ``ArchiveError`` for an unsafe or corrupt archive, a missing Chart.yaml, entries that
    conflict (a file where a directory is needed) or an existing ``dest/<chart name>``;
    ``ChartLoadError`` for an invalid Chart.yaml.
    """
    import shutil
    import tempfile

    files = read_archive(data, source)
    chart_yaml = next((f for f in files if f.name == "Chart.yaml"), None)
    if chart_yaml is None:
        raise ArchiveError(f"{source}: Chart.yaml file is missing")
    # parse_metadata guarantees a name that is a single path component.
    name = parse_metadata(chart_yaml.data, f"{source}: Chart.yaml").name
    names = {f.name for f in files}
    for f in files:
        parent = posixpath.dirname(f.name)
        while parent:
            if parent in names:
                raise ArchiveError(f"{source}: entry {quoted(parent)} is both a file and a directory")
            parent = posixpath.dirname(parent)

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / name
    if target.exists() or target.is_symlink():
        raise ArchiveError(f"{target}: a file or directory with the name {quoted(name)} already exists")
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=dest))
    try:
        for f in files:
            path = staging / f.name
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL|O_NOFOLLOW: never write through anything that appeared in the staging dir.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as out:
                out.write(f.data)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _source_date_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value.strip() == "":
        return DEFAULT_PACKAGE_MTIME
    try:
        epoch = int(value.strip())
    except ValueError:
        epoch = -1
    if epoch < 0:
        raise ChartError(f"SOURCE_DATE_EPOCH {quoted(value)} is not a non-negative integer (seconds since 1970)")
    return epoch


def build_archive(root: str, files: Iterable[ChartFile], *, mtime: int | None = None) -> bytes:
    """A deterministic gzip tar holding ``files`` under the directory ``root``.

    Chart.yaml comes first, then every path in sorted order, each directory entry just before
    its first child; owner 0/0 without names, mode 0644 (files) / 0755 (directories), one
    ``mtime`` for all entries (default: SOURCE_DATE_EPOCH, else ``DEFAULT_PACKAGE_MTIME``), and a
    gzip header without file name or timestamp. Returns the archive bytes; identical input gives
    identical bytes. Raises ``ChartError`` for an invalid SOURCE_DATE_EPOCH.
    """
    import gzip
    import tarfile

    stamp = _source_date_epoch() if mtime is None else mtime
    entries: list[tuple[str, bytes | None]] = []  # (path, data); None for a directory
    written_dirs: set[str] = set()
    for f in sorted(files, key=lambda f: (f.name != "Chart.yaml", f.name)):
        parts = f"{root}/{f.name}".split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory not in written_dirs:
                written_dirs.add(directory)
                entries.append((directory + "/", None))
        entries.append((f"{root}/{f.name}", f.data))

    buf = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = stamp
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def package_chart(
    chart_dir: Path, dest_dir: Path, *, version: str | None = None, app_version: str | None = None
) -> Path:
    """``helm package``: write ``dest_dir/NAME-VERSION.tgz`` from a chart directory.

    The files are those the directory loader keeps (``.helmignore`` applied; the ``.helmignore``
    file itself is packaged), subcharts under ``charts/`` included as they are (directories and
    ``.tgz``). Chart.yaml is re-serialised with sorted keys after applying ``version`` /
    ``app_version`` (empty means "keep"). The archive is reproducible (``build_archive``) and
    written atomically. Returns the archive path.

    Like Helm's ``chartutil.Save`` this does not check that declared dependencies are present
    (``dependency update`` packages local dependencies that way); ``helm package`` checks that
    first, with ``check_dependencies_present``.

    Raises ``ChartLoadError``/``ArchiveError`` for a chart that does not load, ``ChartError`` for
    an invalid ``version``, a values.schema.json in the chart or a subchart that is not JSON
    to Go (``invalid JSON in values.schema.json``, Helm's words) or an invalid SOURCE_DATE_EPOCH.
    """
    from helmlite.chart.loader import load_files, read_chart_dir
    from helmlite.semver import parse_version
    from helmlite.values.gojson import json_valid

    chart_dir = Path(chart_dir)
    files = read_chart_dir(chart_dir)
    chart = load_files(files, str(chart_dir))
    metadata = chart.metadata
    if version:
        try:
            parse_version(version)
        except ValueError:
            raise ChartError(f"version {quoted(version)} is not a valid SemVer version") from None
        metadata = replace(metadata, version=version)
    if app_version:
        metadata = replace(metadata, app_version=app_version)
    # Helm's chartutil.Save checks the schema of every chart it writes, subcharts (directories
    # and archives) included, with Go's json.Valid and nothing more: NaN and Infinity are
    # invalid (Python's json.loads takes them), bytes that are not UTF-8 are valid, and only
    # nesting deeper than 10 000 levels is refused. The words are Save's.
    if any(sub.schema is not None and not json_valid(sub.schema) for sub in chart.walk()):
        raise ChartError("invalid JSON in values.schema.json")

    entries = [ChartFile("Chart.yaml", dump_metadata(metadata))]
    entries.extend(f for f in files if f.name != "Chart.yaml")
    archive = build_archive(metadata.name, entries)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / f"{metadata.name}-{metadata.version}.tgz"
    _write_atomically(target, archive)
    return target
