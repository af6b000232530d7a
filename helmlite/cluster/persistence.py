"""The cluster file: a whole simulated cluster in one SQLite database (WAL mode).

Every command runs inside one ``BEGIN IMMEDIATE`` transaction: a second process opening the
same file waits for the first to commit (up to ``BUSY_TIMEOUT_SECONDS``) instead of
interleaving with it, and a process killed before ``COMMIT`` leaves the last committed state
untouched (SQLite rolls the partial transaction back). Only objects changed or deleted by the
command are written, each as one row of compact JSON, plus the clock, counters and RNG state
(only the meta values that changed).

Tables: ``meta(key, value)`` (JSON values; the Mersenne Twister state of ``rng`` as a BLOB of
its 625 little-endian 32-bit words, a third of its JSON size and far cheaper to write — it
changes with every uid), ``objects(grp, kind, namespace, name, uid, owners, data)`` — ``uid``
and ``owners`` (the owner uids) let the store build its indexes without decoding any object —
and ``timers(key, at, seq)``.

A long-lived owner (the API server) commits many transactions on one connection; it pays for
neither the schema statements nor the meta read again while no other process has written
(SQLite's ``data_version`` tells), so a one-object transaction costs a few SQL statements.
Such an owner must never hold the file for nothing: a transaction ends on every path (a failed
``commit`` rolls back, a failed ``rollback`` closes the connection, ``close`` rolls back
first), and ``begin(wait=0)`` answers ``ClusterBusyError`` at once instead of blocking in
SQLite's busy handler, so an event loop can wait for the file without stopping.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from helmlite.cluster.errors import SimulatorError

__all__ = ["BUSY_TIMEOUT_SECONDS", "SCHEMA_VERSION", "ClusterBusyError", "ClusterFile", "FileVersion"]

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ("CREATE TABLE IF NOT EXISTS objects (grp TEXT NOT NULL, kind TEXT NOT NULL, namespace TEXT NOT NULL, "
     "name TEXT NOT NULL, uid TEXT NOT NULL, owners TEXT NOT NULL, data TEXT NOT NULL, "
     "PRIMARY KEY (grp, kind, namespace, name)) WITHOUT ROWID"),
    "CREATE TABLE IF NOT EXISTS timers (key TEXT PRIMARY KEY, at REAL NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID",
)

# SQLite's primary result codes for "another connection holds the lock" (extended codes keep
# them in the low byte).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6

# (connection number, SQLite data_version): see ClusterFile.data_version.
FileVersion = tuple[int, int]


class ClusterBusyError(SimulatorError):
    """Another connection (a CLI command) holds the cluster file's write lock; try again later."""


# random.Random.getstate() of CPython's Mersenne Twister: (3, 624 words + position, gauss_next).
_RNG_STATE_VERSION = 3
_RNG_STATE_WORDS = 625


def _encode_meta(key: str, value: Any) -> str | bytes:
    if key == "rng":
        version, state, gauss = value
        if version == _RNG_STATE_VERSION and gauss is None and len(state) == _RNG_STATE_WORDS:
            words = array("I", state)  # raises OverflowError past 32 bits: not an MT state then
            if sys.byteorder == "big":
                words.byteswap()
            return words.tobytes()
    return json.dumps(value, separators=(",", ":"))


def _decode_meta(value: str | bytes) -> Any:
    if isinstance(value, bytes):  # the packed RNG state (see the module docstring)
        words = array("I")
        words.frombytes(value)
        if sys.byteorder == "big":
            words.byteswap()
        return [_RNG_STATE_VERSION, words.tolist(), None]
    return json.loads(value)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type (1 == 1.0 == True must still be rewritten)."""
    return type(a) is type(b) and a == b


def _index_columns(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj["metadata"]
    owners = sorted({r["uid"] for r in meta.get("ownerReferences") or [] if r.get("uid")})
    return meta.get("uid", ""), json.dumps(owners) if owners else ""


class ClusterFile:
    """One open transaction on a cluster file: ``begin`` → reads → ``write`` → ``commit``."""

    def __init__(self, path: str | Path, *, timeout: float = BUSY_TIMEOUT_SECONDS, power_safe: bool = True) -> None:
        """``power_safe=False`` commits without waiting for the disk (SQLite ``synchronous=NORMAL``
        in WAL mode): a commit still survives the process crashing, but a power loss may undo
        the last few. The API server uses it — an fsync per request would cap it at the disk's
        sync rate (a few hundred per second) — while one-shot commands keep full durability."""
        self.path = Path(path)
        self._timeout = timeout
        self._synchronous = "FULL" if power_safe else "NORMAL"
        self._conn: sqlite3.Connection | None = None
        # The stored meta values as of this connection's last begin/commit, and the file's
        # data_version then: while it is unchanged no one else wrote, so they are still current.
        self._meta: dict[str, Any] | None = None
        self._meta_version = -1
        self._pending_meta: dict[str, Any] = {}
        self._schema_ready = False
        # Counts connections opened: data_version values of different connections are unrelated.
        self._connection_number = 0
        self._busy_timeout = timeout  # what the open connection's busy handler waits, in seconds

    def _fail(self, exc: sqlite3.Error) -> SimulatorError:
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return ClusterBusyError(f"cluster file {self.path} is busy: another helmlite command is using it "
                                    f"(waited {self._busy_timeout:g}s)")
        return SimulatorError(f"cannot use cluster file {self.path}: {exc}")

    def begin(self, *, wait: float | None = None, write: bool = True) -> dict[str, Any] | None:
        """Open the file (creating it if needed) and start a transaction: the exclusive write
        transaction, or with ``write=False`` a read-only snapshot (which in WAL mode never waits
        for a writer, and creates nothing).

        ``wait``: seconds to wait for another connection's lock (default: the file's timeout);
        0 answers ``ClusterBusyError`` at once, without blocking in SQLite's busy handler.

        The connection stays open after ``commit``/``rollback``, so a long-lived owner (the API
        server) can run one transaction after another on it; ``close`` ends it.

        Returns the stored meta values, or None for a new, empty cluster file.

        Raises:
            ClusterBusyError: another connection holds the file past ``wait``.
            SimulatorError: the file is unreadable or from a newer schema.
            RuntimeError: a transaction is already open on this file (a nested ``begin``).
        """
        if self.in_transaction:
            raise RuntimeError(f"cluster file {self.path}: a transaction is already open on this connection; "
                               "commit or roll it back before beginning another")
        if not write:
            return self._begin_read(wait)
        try:
            conn = self._connect(wait)
            conn.execute("BEGIN IMMEDIATE")
            if not self._schema_ready:
                for statement in _SCHEMA:
                    conn.execute(statement)
                self._schema_ready = True
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            if self._meta is None or version != self._meta_version:
                self._meta = {key: _decode_meta(value) for key, value in conn.execute("SELECT key, value FROM meta")}
                self._meta_version = version
        except sqlite3.Error as exc:
            raise self._begin_failed(exc) from None
        except (ValueError, TypeError) as exc:
            self.close()
            raise SimulatorError(f"cannot use cluster file {self.path}: corrupt meta value ({exc})") from None
        self._pending_meta = {}
        return self._checked(dict(self._meta))

    def _begin_read(self, wait: float | None) -> dict[str, Any] | None:
        try:
            conn = self._connect(wait)
            conn.execute("BEGIN")
            # Read afresh: the cache belongs to the write transactions' bookkeeping.
            meta = {key: _decode_meta(value) for key, value in conn.execute("SELECT key, value FROM meta")}
        except sqlite3.Error as exc:
            raise self._begin_failed(exc) from None
        except (ValueError, TypeError) as exc:
            self.close()
            raise SimulatorError(f"cannot use cluster file {self.path}: corrupt meta value ({exc})") from None
        return self._checked(meta)

    def _begin_failed(self, exc: sqlite3.Error) -> SimulatorError:
        """End what a failed ``begin`` started; the error to raise."""
        error = self._fail(exc)
        if isinstance(error, ClusterBusyError):
            self.rollback()  # keep the connection (and its data_version count) for the next try
        else:
            self.close()
        return error

    def _checked(self, meta: dict[str, Any]) -> dict[str, Any] | None:
        if not meta:
            return None
        if meta.get("schema") != SCHEMA_VERSION:
            self.close()
            raise SimulatorError(f"cluster file {self.path} has schema {meta.get('schema')!r}; "
                                 f"this helmlite understands schema {SCHEMA_VERSION}")
        return meta

    def _connect(self, wait: float | None = None) -> sqlite3.Connection:
        wait = self._timeout if wait is None else wait
        conn = self._conn
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=wait, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                # FULL: a committed command survives power loss too, not only a process crash
                # (NORMAL when the owner chose speed, see __init__).
                conn.execute(f"PRAGMA synchronous={self._synchronous}")
            except BaseException:
                conn.close()  # never keep a half-configured connection (it would not be in WAL mode)
                raise
            self._conn = conn
            self._connection_number += 1
        elif wait != self._busy_timeout:
            conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        self._busy_timeout = wait
        return conn

    def data_version(self, *, wait: float | None = None) -> FileVersion:
        """Whether another connection (another command, another process) committed to the file:
        SQLite's ``data_version`` changes exactly then, so a long-lived owner polls this to
        notice foreign writers cheaply (outside a transaction, or right after ``begin``, whose
        snapshot is the latest commit; our own commits leave it as it was). It is paired with
        the connection's number because a new connection's count starts afresh: after a
        reconnect the value differs even if the count happens to match.

        Raises:
            ClusterBusyError: the file is locked past ``wait`` (rare in WAL mode: recovery).
            SimulatorError: the file cannot be read.
        """
        try:
            row = self._connect(wait).execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        return self._connection_number, int(row[0])

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on this file."""
        return self._conn is not None and self._conn.in_transaction

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise SimulatorError(f"cluster file {self.path} is not open")
        return self._conn

    def objects(self) -> Iterator[tuple[str, str, str, str, str, str, str]]:
        """Every stored object as ``(group, kind, namespace, name, uid, owners, json)``, undecoded.

        Raises:
            SimulatorError: the file cannot be read.
        """
        try:
            yield from self._connection().execute("SELECT grp, kind, namespace, name, uid, owners, data FROM objects")
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def timers(self) -> list[tuple[str, float, int]]:
        """Every pending timer as ``(key, at, seq)``.

        Raises:
            SimulatorError: the file cannot be read.
        """
        try:
            return list(self._connection().execute("SELECT key, at, seq FROM timers"))
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def write(self, *, objects: Mapping[tuple[str, str, str, str], dict[str, Any] | None],
              timers: tuple[Mapping[str, tuple[float, int]], set[str]], meta: Mapping[str, Any]) -> None:
        """Write changed objects (None = deleted), timer changes and meta values (not committed yet).

        Raises:
            SimulatorError: SQLite refused the write.
        """
        conn = self._connection()
        dumps = json.dumps
        upserts = [(*key, *_index_columns(obj), dumps(obj, separators=(",", ":")))
                   for key, obj in objects.items() if obj is not None]
        deletes = [key for key, obj in objects.items() if obj is None]
        timer_upserts, timer_deletes = timers
        stored = {**(self._meta or {}), **self._pending_meta}
        changed = {k: v for k, v in {"schema": SCHEMA_VERSION, **meta}.items()
                   if k not in stored or not _same(stored[k], v)}
        try:
            if upserts:
                conn.executemany("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?)", upserts)
            if deletes:
                conn.executemany("DELETE FROM objects WHERE grp = ? AND kind = ? AND namespace = ? AND name = ?",
                                 deletes)
            if timer_upserts:
                conn.executemany("INSERT OR REPLACE INTO timers VALUES (?, ?, ?)",
                                 [(k, at, seq) for k, (at, seq) in timer_upserts.items()])
            if timer_deletes:
                conn.executemany("DELETE FROM timers WHERE key = ?", [(k,) for k in timer_deletes])
            if changed:
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [(k, _encode_meta(k, v)) for k, v in changed.items()])
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        self._pending_meta.update(changed)

    def commit(self) -> None:
        """Make the transaction durable.

        Raises:
            SimulatorError: the commit failed; the transaction is rolled back (nothing of it is
                kept, and the file is free again).
        """
        try:
            self._connection().execute("COMMIT")
        except sqlite3.Error as exc:
            self._meta = None
            self.rollback()  # SQLite keeps a transaction whose COMMIT failed open: end it here
            raise self._fail(exc) from None
        if self._meta is not None:
            self._meta.update(self._pending_meta)  # our own commit leaves data_version as it was
        self._pending_meta = {}

    def rollback(self) -> None:
        """Abandon the transaction (no-op if none is open). Never raises: if SQLite refuses the
        ``ROLLBACK``, the connection is closed, which ends the transaction all the same."""
        self._pending_meta = {}
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                self.close()

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""
        self._meta = None
        self._pending_meta = {}
        self._schema_ready = False
        conn, self._conn = self._conn, None
        if conn is not None:
            # Roll back explicitly first: a connection closed while a cursor is still alive
            # lingers as a "zombie" until the cursor is freed, keeping its transaction — and the
            # file's write lock — with it.
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # closing below ends the transaction anyway once nothing refers to it
            conn.close()
