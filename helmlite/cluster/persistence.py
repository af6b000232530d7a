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

__all__ = ["BUSY_TIMEOUT_SECONDS", "SCHEMA_VERSION", "ClusterFile"]

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ("CREATE TABLE IF NOT EXISTS objects (grp TEXT NOT NULL, kind TEXT NOT NULL, namespace TEXT NOT NULL, "
     "name TEXT NOT NULL, uid TEXT NOT NULL, owners TEXT NOT NULL, data TEXT NOT NULL, "
     "PRIMARY KEY (grp, kind, namespace, name)) WITHOUT ROWID"),
    "CREATE TABLE IF NOT EXISTS timers (key TEXT PRIMARY KEY, at REAL NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID",
)


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

    def _fail(self, exc: sqlite3.Error) -> SimulatorError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return SimulatorError(f"cluster file {self.path} is busy: another helmlite command is using it "
                                  f"(waited {self._timeout:g}s)")
        return SimulatorError(f"cannot use cluster file {self.path}: {exc}")

    def begin(self) -> dict[str, Any] | None:
        """Open the file (creating it if needed) and start the exclusive write transaction.

        The connection stays open after ``commit``/``rollback``, so a long-lived owner (the API
        server) can run one transaction after another on it; ``close`` ends it.

        Returns the stored meta values, or None for a new, empty cluster file.

        Raises:
            SimulatorError: the file is busy past the timeout, unreadable, or from a newer schema.
        """
        try:
            conn = self._connect()
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
            self.close()
            raise self._fail(exc) from None
        except (ValueError, TypeError) as exc:
            self.close()
            raise SimulatorError(f"cannot use cluster file {self.path}: corrupt meta value ({exc})") from None
        self._pending_meta = {}
        meta = dict(self._meta)
        if not meta:
            return None
        if meta.get("schema") != SCHEMA_VERSION:
            self.rollback()
            self.close()
            raise SimulatorError(f"cluster file {self.path} has schema {meta.get('schema')!r}; "
                                 f"this helmlite understands schema {SCHEMA_VERSION}")
        return meta

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            self._conn = conn
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed command survives power loss too, not only a process crash
            # (NORMAL when the owner chose speed, see __init__).
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
        return self._conn

    def data_version(self) -> int:
        """SQLite's ``data_version`` for this connection: it changes exactly when *another*
        connection (another command, another process) commits to the file, so a long-lived
        owner polls it to notice foreign writers cheaply (outside a transaction, or right after
        ``begin``, whose snapshot is the latest commit).

        Raises:
            SimulatorError: the file cannot be read.
        """
        try:
            row = self._connect().execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        return int(row[0])

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on this file."""
        return self._conn is not None and self._conn.in_transaction

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise SimulatorError(f"cluster file {self.path} is not open")
        return self._conn

    def objects(self) -> Iterator[tuple[str, str, str, str, str, str, str]]:
        """Every stored object as ``(group, kind, namespace, name, uid, owners, json)``, undecoded."""
        yield from self._connection().execute("SELECT grp, kind, namespace, name, uid, owners, data FROM objects")

    def timers(self) -> list[tuple[str, float, int]]:
        """Every pending timer as ``(key, at, seq)``."""
        return list(self._connection().execute("SELECT key, at, seq FROM timers"))

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
            SimulatorError: the commit failed (nothing of this transaction is kept).
        """
        try:
            self._connection().execute("COMMIT")
        except sqlite3.Error as exc:
            self._meta = None
            raise self._fail(exc) from None
        if self._meta is not None:
            self._meta.update(self._pending_meta)  # our own commit leaves data_version as it was
        self._pending_meta = {}

    def rollback(self) -> None:
        """Abandon the transaction (no-op if none is open)."""
        self._pending_meta = {}
        if self._conn is not None and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""
        self._meta = None
        self._pending_meta = {}
        self._schema_ready = False
        if self._conn is not None:
            self._conn.close()
            self._conn = None
