"""Chart storage of ``helmlite serve``: packages on disk, the index served from memory.

One repository is one directory (the repository path, or one subdirectory per repository
with ``--multitenant``)::

    index.yaml                         the index, replaced atomically after every change
    charts/NAME-VERSION.tgz            packages; index URLs are relative: charts/NAME-VERSION.tgz
    charts/NAME-VERSION.tgz.prov       provenance files
    charts/.helmlite-index-cache.json  index_directory's incremental cache
    .uploads/                          uploads being written (left only by a crash; emptied on start)

The directory mirrors the URL space, so any static file server in front of it is a valid Helm
repository too; and packages copied into ``charts/`` by hand (``helmlite package -d``) are
picked up without a restart: a changed ``charts/`` modification time, checked at most once a
second when the index is requested, triggers the same incremental re-index as a start.

Write path (``ChartStore.save``): the upload is validated (a loadable chart, file name and
provenance matching it) and written to a temp file with fsync *outside* any lock, so uploads
validate and write in parallel. Under the store lock it is then checked against what exists
(409 unless overwriting), renamed into place, added to the in-memory index, and the lock is
released. ``_publish`` renders the index, writes it atomically and swaps the served snapshot;
publishers coalesce (one render covers every change committed while the previous render ran),
so a burst of uploads costs a few renders, not one each. A request gets its 201 only after a
snapshot containing its chart is served: read-after-write holds, unlike ChartMuseum's
asynchronous index update.

Crash recovery (``ChartStore.open``): packages are the source of truth. On start the leftover
upload files are removed and the index is rebuilt from ``charts/`` with ``index_directory``
(incremental: only packages not in its cache are read), keeping each entry's ``created`` from
the previous index when the digest is unchanged. Whatever instant a crash hit, the next start
serves exactly the packages on disk, and every upload that was answered 201 is among them.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from functools import cached_property
from pathlib import Path
from typing import Any

from helmlite.errors import HelmliteError
from helmlite.repo.index import (
    IndexFile,
    IndexLoadError,
    atomic_write,
    rfc3339_nano,
    url_join,
)
from helmlite.repo.server.provenance import (
    InvalidProvenance,
    Provenance,
    parse_provenance,
)

__all__ = [
    "INDEX_FILE",
    "MAX_UPLOAD_BYTES",
    "PACKAGE_DIR",
    "BadUpload",
    "ChartExists",
    "ChartNotFound",
    "ChartStore",
    "IndexSnapshot",
    "RepositorySet",
    "StoreError",
    "StoredFile",
    "Upload",
]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""Default largest upload request body (ChartMuseum's default, and helmlite's largest chart archive)."""
PACKAGE_DIR = "charts"
INDEX_FILE = "index.yaml"
STAGING_DIR = ".uploads"
_REFRESH_INTERVAL = 1.0
"""Seconds between two looks at ``charts/`` for packages added or removed by hand."""
_FILE_CACHE_BYTES = 64 * 1024 * 1024
"""Package bytes kept in memory for downloads (small charts; bigger files are streamed)."""
_FILE_CACHE_ITEM_BYTES = 1024 * 1024
_TENANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_RESERVED_TENANTS = frozenset({"api", "health", "info", "static", "index.yaml", "index.json", "charts"})

WarnFn = Callable[[str], None]


class StoreError(HelmliteError):
    """A request the store refuses; ``status_code`` is the HTTP status that reports it."""

    status_code = 500


class BadUpload(StoreError):
    """Not a chart, a name or file name that does not match, a bad provenance file."""

    status_code = 400


class ChartExists(StoreError):
    """The version (or its provenance file) is already stored and overwriting is not allowed."""

    status_code = 409


class ChartNotFound(StoreError):
    """No such chart, version or repository."""

    status_code = 404


@dataclass(frozen=True)
class Upload:
    """What one POST carries: a package and/or a provenance file, with the client's file names."""

    chart: bytes | None = None
    prov: bytes | None = None
    chart_filename: str | None = None
    prov_filename: str | None = None


@dataclass(frozen=True)
class _ValidChart:
    name: str
    version: str
    filename: str
    entry: dict[str, Any]
    digest: str
    data: bytes


class IndexSnapshot:
    """One published state of a repository's index, immutable once built.

    ``yaml`` is the exact file Helm downloads; the JSON form, the gzip encodings and the API
    listing are rendered on first request and kept with the snapshot, so each costs once per
    change, not once per request.
    """

    def __init__(self, generation: int, index: IndexFile, yaml_bytes: bytes) -> None:
        self.generation = generation
        self.yaml = yaml_bytes
        self.etag = _etag(yaml_bytes)
        self._index = index  # a private copy: entries lists are never mutated after this point

    @property
    def entries(self) -> Mapping[str, list[dict[str, Any]]]:
        return self._index.entries

    @cached_property
    def yaml_gzip(self) -> bytes:
        return _gzip(self.yaml)

    @cached_property
    def index_json(self) -> bytes:
        return self._index.to_json().encode("utf-8")

    @cached_property
    def index_json_etag(self) -> str:
        return _etag(self.index_json)

    @cached_property
    def index_json_gzip(self) -> bytes:
        return _gzip(self.index_json)

    @cached_property
    def charts_json(self) -> bytes:
        """``GET /api/charts``: chart name → versions, as ChartMuseum answers."""
        return json.dumps(self._index.entries, separators=(",", ":")).encode("utf-8")

    @cached_property
    def charts_json_gzip(self) -> bytes:
        return _gzip(self.charts_json)

    def get(self, name: str, version: str) -> dict[str, Any] | None:
        """ChartMuseum's lookup: ``latest`` (or empty) is the newest stable version, else Helm's ``Get``."""
        wanted = "" if version == "latest" else version
        try:
            return self._index.get(name, wanted)
        except ValueError:  # ConstraintError: not a version, so not found
            return None


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:40] + '"'


def _gzip(data: bytes) -> bytes:
    # Level 6 gets within 2% of level 9 on index YAML at a third of the time.
    return gzip.compress(data, compresslevel=6, mtime=0)


@dataclass(frozen=True)
class StoredFile:
    """A package or provenance file ready to send: bytes from memory, or a path to stream."""

    path: Path
    size: int
    etag: str
    last_modified: str
    data: bytes | None


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once the directory entry is: fsync the directory itself.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_client_filename(given: str | None, expected: str) -> None:
    """The file name the client sent must be a plain name and match the chart's own."""
    if given is None or given == "":
        return
    if "/" in given or "\\" in given or "\0" in given or given in (".", ".."):
        raise BadUpload(f"{given!r} is improperly formatted: a file name must not contain a path")
    if given != expected:
        raise BadUpload(f"file name {given!r} does not match the chart: expected {expected!r}")


def _validate_chart(data: bytes, filename: str | None = None) -> _ValidChart:
    """Check an uploaded package fully (Helm's loader rules, limits) and derive its index entry.

    Raises BadUpload for anything that is not a loadable chart, a chart name that would be a
    hidden file, or a client file name that differs from ``NAME-VERSION.tgz``.
    """
    from helmlite.chart.loader import load_archive
    from helmlite.repo.index import chart_entry_from_archive

    if not data:
        raise BadUpload("empty chart package")
    source = filename or "uploaded chart"
    try:
        chart = load_archive(data, source)
        entry, digest = chart_entry_from_archive(data, source)
    except HelmliteError as err:
        raise BadUpload(str(err)) from None
    name, version = chart.metadata.name, chart.metadata.version
    if (entry.get("name"), entry.get("version")) != (name, version):
        raise BadUpload(f"{source}: the archive holds more than one Chart.yaml for its top directory")
    if name.startswith("."):
        raise BadUpload(f"{source}: chart name {name!r} must not start with a dot")
    expected = f"{name}-{version}.tgz"
    _check_client_filename(filename, expected)
    return _ValidChart(name, version, expected, entry, digest, data)


def _validate_prov(data: bytes, filename: str | None) -> Provenance:
    if not data:
        raise BadUpload("empty provenance file")
    try:
        prov = parse_provenance(data)
    except InvalidProvenance as err:
        raise BadUpload(str(err)) from None
    _check_client_filename(filename, f"{prov.name}-{prov.version}.tgz.prov")
    return prov


class ChartStore:
    """One repository: its directory, its in-memory index and the lock that orders writes."""

    def __init__(self, root: Path, *, base_url: str = PACKAGE_DIR, allow_overwrite: bool = False,
                 warn: WarnFn | None = None) -> None:
        self.root = Path(root)
        self.charts_dir = self.root / PACKAGE_DIR
        self.index_path = self.root / INDEX_FILE
        self.staging_dir = self.root / STAGING_DIR
        self.base_url = base_url
        self.allow_overwrite = allow_overwrite
        self._warn = warn
        # _lock orders every change to charts/ and to _index; _publish_lock serialises renders.
        self._lock = threading.Lock()
        self._publish_lock = threading.Lock()
        self._index = IndexFile.new()
        self._generation = 0
        self._charts_mtime = 0  # charts/ mtime after our last change: anything else changed it
        self._next_look = 0.0
        self._snapshot = IndexSnapshot(0, IndexFile.new(), b"")
        self._files: OrderedDict[str, tuple[int, int, StoredFile]] = OrderedDict()
        self._files_bytes = 0
        self._files_lock = threading.Lock()

    @classmethod
    def open(cls, root: Path, *, base_url: str = PACKAGE_DIR, allow_overwrite: bool = False,
             warn: WarnFn | None = None) -> ChartStore:
        """Open (creating if needed) the repository at ``root`` and recover it; see ``recover``."""
        store = cls(root, base_url=base_url, allow_overwrite=allow_overwrite, warn=warn)
        store.recover()
        return store

    @property
    def snapshot(self) -> IndexSnapshot:
        """The index as last published; reading it needs no lock."""
        return self._snapshot

    def recover(self) -> None:
        """Rebuild the index from the packages on disk and publish it.

        Empties the staging directory of interrupted uploads, re-indexes ``charts/``
        incrementally and keeps ``created`` from the previous ``index.yaml`` for unchanged
        packages. Raises OSError when the directory cannot be created or written.
        """
        self.charts_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(exist_ok=True)
        for leftover in self.staging_dir.iterdir():
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                leftover.unlink()
        previous = self._previous_created()
        with self._lock:
            generation = self._reindex(previous)
        self._publish(generation)

    def changed_on_disk(self) -> bool:
        """Whether ``charts/`` changed since this store last touched it; looks at most once per
        ``_REFRESH_INTERVAL`` (a stat, cheap enough for the event loop), else answers False."""
        now = time.monotonic()
        if now < self._next_look:
            return False
        self._next_look = now + _REFRESH_INTERVAL
        try:
            return self.charts_dir.stat().st_mtime_ns != self._charts_mtime
        except OSError:
            return False

    def refresh(self) -> None:
        """Re-index ``charts/`` after changes made by hand, keeping known entries' ``created``.

        Blocking: run it in a worker thread. Raises OSError when the index cannot be written.
        """
        with self._lock:
            if self.charts_dir.stat().st_mtime_ns == self._charts_mtime:
                return  # another request already refreshed
            previous = {(e["name"], e["version"], e.get("digest")): e["created"]
                        for _, e in self._index.iter_entries() if e.get("created")}
            generation = self._reindex(previous)
        self._publish(generation)

    def _reindex(self, previous: Mapping[tuple[str, str, str | None], str]) -> int:
        """Replace the index by one built from ``charts/``; call with ``_lock`` held."""
        from helmlite.repo.index import index_directory

        index = index_directory(self.charts_dir, url=self.base_url, warn=self._warn)
        for _, entry in index.iter_entries():
            created = previous.get((entry["name"], entry["version"], entry.get("digest")))
            if created:
                entry["created"] = created
        self._index = index
        # Read after index_directory, whose cache file write also touches charts/.
        self._charts_mtime = self.charts_dir.stat().st_mtime_ns
        self._generation += 1
        return self._generation

    def _previous_created(self) -> dict[tuple[str, str, str | None], str]:
        if not self.index_path.is_file():
            return {}
        try:
            old = IndexFile.load_path(self.index_path)
        except IndexLoadError:
            return {}  # unreadable: entries simply get new timestamps
        return {(e["name"], e["version"], e.get("digest")): e["created"]
                for _, e in old.iter_entries() if e.get("created")}

    # --- writes ---------------------------------------------------------------------------------

    def save(self, upload: Upload, *, force: bool = False) -> None:
        """Store a chart and/or provenance file and publish the index that lists it.

        Blocking (validation, fsync): run it in a worker thread. ``force`` overwrites an
        existing version, as does the store's ``allow_overwrite``. Returns once the served
        index contains the change. Raises BadUpload (invalid chart or provenance, names that
        do not match, a provenance file without its chart), ChartExists (409) or OSError.
        """
        chart = _validate_chart(upload.chart, upload.chart_filename) if upload.chart is not None else None
        prov = _validate_prov(upload.prov, upload.prov_filename) if upload.prov is not None else None
        if chart is None and prov is None:
            raise BadUpload("no package or provenance file found in form fields chart and prov")
        if chart is not None and prov is not None:
            _check_prov_matches(prov, chart.name, chart.version, chart.filename, chart.digest)
        overwrite = force or self.allow_overwrite
        staged: list[Path] = []
        try:
            chart_tmp = self._stage(chart.data, staged) if chart is not None else None
            prov_tmp = self._stage(upload.prov or b"", staged) if prov is not None else None
            with self._lock:
                if chart is not None:
                    self._commit_chart(chart, chart_tmp, prov_tmp, overwrite)
                else:
                    assert prov is not None
                    self._commit_prov_only(prov, prov_tmp, overwrite)
                generation = self._committed()
        finally:
            for path in staged:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        self._publish(generation)

    def _committed(self) -> int:
        """Make the renames durable and note the change; call with ``_lock`` held."""
        _fsync_dir(self.charts_dir)
        self._charts_mtime = self.charts_dir.stat().st_mtime_ns
        self._generation += 1
        return self._generation

    def _stage(self, data: bytes, staged: list[Path]) -> Path:
        # Staged outside charts/ (same file system, so the rename is atomic) so that staging
        # does not look like a change made by hand.
        fd, name = tempfile.mkstemp(dir=self.staging_dir, prefix="upload-", suffix=".tmp")
        path = Path(name)
        staged.append(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, 0o644)
        return path

    def _commit_chart(self, chart: _ValidChart, chart_tmp: Path | None, prov_tmp: Path | None,
                      overwrite: bool) -> None:
        target = self.charts_dir / chart.filename
        prov_target = self.charts_dir / (chart.filename + ".prov")
        exists = target.exists() or any(e.get("version") == chart.version
                                        for e in self._index.entries.get(chart.name, ()))
        if exists and not overwrite:
            raise ChartExists("file already exists")
        if prov_tmp is None and prov_target.exists() and not self._prov_matches_file(prov_target, chart):
            # A provenance file of other bytes (an overwritten or orphaned version) can never
            # verify this package: drop it rather than serve a mismatch.
            prov_target.unlink()
        assert chart_tmp is not None
        os.replace(chart_tmp, target)
        if prov_tmp is not None:
            os.replace(prov_tmp, prov_target)
        self._drop_versions(chart.name, chart.version)
        self._index.add(chart.entry, chart.filename, self.base_url, chart.digest)
        self._sort_chart(chart.name)

    def _commit_prov_only(self, prov: Provenance, prov_tmp: Path | None, overwrite: bool) -> None:
        entry = next((e for e in self._index.entries.get(prov.name, ()) if e.get("version") == prov.version), None)
        if entry is None:
            raise BadUpload(f"no chart {prov.name} {prov.version} for this provenance file: upload the chart first")
        filename = f"{prov.name}-{prov.version}.tgz"
        _check_prov_matches(prov, prov.name, prov.version, filename, entry.get("digest", ""))
        target = self.charts_dir / (filename + ".prov")
        if target.exists() and not overwrite:
            raise ChartExists("file already exists")
        assert prov_tmp is not None
        os.replace(prov_tmp, target)

    @staticmethod
    def _prov_matches_file(path: Path, chart: _ValidChart) -> bool:
        try:
            prov = parse_provenance(path.read_bytes())
        except (OSError, InvalidProvenance):
            return False
        return prov.digest_of(chart.filename) == chart.digest

    def delete(self, name: str, version: str) -> None:
        """Remove one chart version, its package and its provenance file, and publish.

        Blocking: run it in a worker thread. Raises ChartNotFound when the version is not in
        the index, OSError when a file cannot be removed.
        """
        with self._lock:
            entries = [e for e in self._index.entries.get(name, ()) if e.get("version") == version]
            if not entries:
                raise ChartNotFound("chart not found")
            for entry in entries:
                rel = self.relative_path(entry)
                if rel is None:
                    continue
                for path in (self.charts_dir / rel, self.charts_dir / (rel + ".prov")):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
            self._drop_versions(name, version)
            generation = self._committed()
        self._publish(generation)

    def _drop_versions(self, name: str, version: str) -> None:
        versions = self._index.entries.get(name)
        if versions is None:
            return
        kept = [e for e in versions if e.get("version") != version]
        if kept:
            self._index.entries[name] = kept
        else:
            del self._index.entries[name]

    def _sort_chart(self, name: str) -> None:
        # IndexFile.sort_entries sorts every chart; only this one changed.
        one = IndexFile(entries={name: self._index.entries[name]})
        one.sort_entries()
        self._index.entries[name] = one.entries[name]

    def _publish(self, generation: int) -> None:
        """Make sure a snapshot at least as new as ``generation`` is written and served.

        The first waiter renders for everyone who committed before it took the render lock;
        later waiters find their generation already published and return at once.
        """
        with self._publish_lock:
            if self._snapshot.generation >= generation:
                return
            with self._lock:
                current = self._generation
                self._index.generated = rfc3339_nano()
                text = self._index.to_yaml()
                frozen = IndexFile(api_version=self._index.api_version,
                                   entries={n: list(v) for n, v in self._index.entries.items()},
                                   generated=self._index.generated, extra=dict(self._index.extra))
            data = text.encode("utf-8")
            atomic_write(self.index_path, data)
            _fsync_dir(self.root)
            self._snapshot = IndexSnapshot(current, frozen, data)

    # --- reads ----------------------------------------------------------------------------------

    def relative_path(self, entry: Mapping[str, Any]) -> str | None:
        """Where an entry's package lives under ``charts/`` (from its URL), or None if elsewhere."""
        urls = entry.get("urls") or []
        if not urls:
            return None
        prefix = self.base_url.rstrip("/") + "/"
        url = urls[0]
        return url[len(prefix):] if url.startswith(prefix) else None

    def file(self, rel: str) -> StoredFile | None:
        """A package (``.tgz``) or provenance (``.tgz.prov``) file under ``charts/`` by its
        URL path, or None when there is no such file or the name is not one that is served.

        ``rel`` is untrusted: only one subdirectory level, no dot files, no ``..``. Small files
        come back as bytes from a cache checked against the file's size and mtime.
        """
        parts = rel.split("/")
        if (len(parts) > 2 or not rel.endswith((".tgz", ".tgz.prov"))
                or any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts)):
            return None
        path = self.charts_dir.joinpath(*parts)
        try:
            st = path.stat()
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        with self._files_lock:
            hit = self._files.get(rel)
            if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                self._files.move_to_end(rel)
                return hit[2]
        last_modified = formatdate(st.st_mtime, usegmt=True)
        if st.st_size > _FILE_CACHE_ITEM_BYTES:
            etag = '"' + hashlib.sha256(f"{st.st_mtime_ns}-{st.st_size}".encode()).hexdigest()[:40] + '"'
            return StoredFile(path, st.st_size, etag, last_modified, None)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        stored = StoredFile(path, len(data), '"' + hashlib.sha256(data).hexdigest() + '"', last_modified, data)
        with self._files_lock:
            old = self._files.pop(rel, None)
            if old is not None:
                self._files_bytes -= old[1]
            self._files[rel] = (st.st_mtime_ns, len(data), stored)
            self._files_bytes += len(data)
            while self._files_bytes > _FILE_CACHE_BYTES:
                _, (_, size, _) = self._files.popitem(last=False)
                self._files_bytes -= size
        return stored

    def package_bytes(self, entry: Mapping[str, Any]) -> bytes | None:
        """The package bytes of an index entry, or None when it is not stored here."""
        rel = self.relative_path(entry)
        if rel is None:
            return None
        try:
            return (self.charts_dir / rel).read_bytes()
        except OSError:
            return None


def _check_prov_matches(prov: Provenance, name: str, version: str, filename: str, digest: str) -> None:
    if (prov.name, prov.version) != (name, version):
        raise BadUpload(f"provenance file is for {prov.name} {prov.version}, not {name} {version}")
    signed = prov.digest_of(filename)
    if signed is None:
        raise BadUpload(f'provenance file does not contain a SHA for a file named "{filename}"')
    if signed != digest:
        raise BadUpload(f"provenance file's sha256 for {filename} does not match the chart")


class RepositorySet:
    """Every repository one server holds: just one, or one per subdirectory with ``multitenant``.

    A multitenant repository is created by its first upload, as ChartMuseum's are.
    """

    def __init__(self, root: Path, *, multitenant: bool = False, url: str = "", allow_overwrite: bool = False,
                 warn: WarnFn | None = None) -> None:
        self.root = Path(root)
        self.multitenant = multitenant
        self.url = url
        self.allow_overwrite = allow_overwrite
        self._warn = warn
        self._stores: dict[str, ChartStore] = {}
        self._lock = threading.Lock()

    def open(self) -> None:
        """Create the root if needed and recover every existing repository (see ``ChartStore.recover``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.multitenant:
            self._stores[""] = self._open_store("")
            return
        for child in sorted(self.root.iterdir()):
            if child.is_dir() and self.valid_name(child.name) and (
                (child / PACKAGE_DIR).is_dir() or (child / INDEX_FILE).is_file()
            ):
                self._stores[child.name] = self._open_store(child.name)

    def _open_store(self, name: str) -> ChartStore:
        root = self.root / name if name else self.root
        if self.url:
            base = url_join(self.url, name, PACKAGE_DIR) if name else url_join(self.url, PACKAGE_DIR)
        else:
            base = PACKAGE_DIR
        return ChartStore.open(root, base_url=base, allow_overwrite=self.allow_overwrite, warn=self._warn)

    @staticmethod
    def valid_name(name: str) -> bool:
        """Whether ``name`` can be a repository of a multitenant server (one safe path segment)."""
        return bool(_TENANT_NAME.match(name)) and name not in _RESERVED_TENANTS and ".." not in name

    def names(self) -> list[str]:
        """The repositories, sorted (``[""]`` for a single-repository server)."""
        with self._lock:
            return sorted(self._stores)

    def get(self, name: str = "") -> ChartStore | None:
        """The repository called ``name`` if it exists."""
        return self._stores.get(name)

    def get_or_create(self, name: str = "") -> ChartStore:
        """The repository called ``name``, created when a multitenant server sees it first.

        Blocking (creating recovers the directory): call it from a worker thread. Raises
        ChartNotFound for a name that cannot be a repository.
        """
        store = self._stores.get(name)
        if store is not None:
            return store
        if not self.multitenant or not self.valid_name(name):
            raise ChartNotFound(f"repository {name!r} not found")
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                store = self._open_store(name)
                self._stores[name] = store
        return store
