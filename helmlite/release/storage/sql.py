"""Release records in SQL: a SQLite file, or PostgreSQL shared by a team.

The tables are Helm's SQL driver's (``pkg/storage/driver/sql.go``)::

    releases_v1      (key, type, body, name, namespace, version, status, owner,
                      createdAt, modifiedAt; PRIMARY KEY (key, namespace))
    custom_labels_v1 (releaseKey, releaseNamespace, key, value)

with ``body`` = ``helmlite.release.codec.encode`` (base64(gzip(json))), so on PostgreSQL
Helm (``HELM_DRIVER=sql``) and helmlite share one store. helmlite adds one table of its own,
``helmlite_leases_v1`` (operation leases, ``helmlite.release.lock``).

SQLite runs in WAL mode; every write is one ``BEGIN IMMEDIATE`` transaction (the write lock is
taken up front, so concurrent processes queue on ``busy_timeout`` instead of failing on a
lock upgrade). A ``postgres://``/``postgresql://`` URL selects PostgreSQL through psycopg, which
is not a dependency of helmlite: without it the driver refuses the URL with a clear error.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from helmlite.release.codec import decode, encode
from helmlite.release.model import Release, ReleaseDecodeError, ReleaseError
from helmlite.release.storage.driver import (
    OWNER,
    STORAGE_TYPE,
    SYSTEM_LABELS,
    LeaseStore,
    NoResults,
    ReleaseExists,
    ReleaseFilter,
    ReleaseNotFound,
    lease_key,
    parse_key,
    system_labels,
    write_namespace,
)

__all__ = ["SQLITE_BUSY_TIMEOUT_SECONDS", "SQLDriver", "SQLStorageError"]

# How long a writer waits for another process's transaction before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS releases_v1 (
    key VARCHAR(90) NOT NULL,
    type VARCHAR(64) NOT NULL,
    body TEXT NOT NULL,
    name VARCHAR(64) NOT NULL,
    namespace VARCHAR(64) NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    owner TEXT NOT NULL,
    createdAt INTEGER NOT NULL,
    modifiedAt INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, namespace)
);
CREATE INDEX IF NOT EXISTS releases_v1_name_namespace ON releases_v1 (name, namespace);
CREATE INDEX IF NOT EXISTS releases_v1_status ON releases_v1 (status);
CREATE INDEX IF NOT EXISTS releases_v1_owner ON releases_v1 (owner);
CREATE TABLE IF NOT EXISTS custom_labels_v1 (
    releaseKey VARCHAR(64),
    releaseNamespace VARCHAR(67),
    key VARCHAR(317),
    value VARCHAR(63)
);
CREATE INDEX IF NOT EXISTS custom_labels_v1_release ON custom_labels_v1 (releaseKey, releaseNamespace);
CREATE TABLE IF NOT EXISTS helmlite_leases_v1 (
    key VARCHAR(253) NOT NULL,
    namespace VARCHAR(64) NOT NULL,
    body TEXT NOT NULL,
    revision VARCHAR(32) NOT NULL,
    PRIMARY KEY (key, namespace)
);
"""

# Helm creates its tables through sql-migrate and skips that when these migration ids are
# recorded; recording them when helmlite creates the tables lets Helm open the same database.
_POSTGRES_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS gorp_migrations (id VARCHAR(255) NOT NULL PRIMARY KEY, applied_at TIMESTAMP WITH TIME ZONE);
INSERT INTO gorp_migrations (id, applied_at) VALUES ('init', now()), ('custom_labels', now()) ON CONFLICT DO NOTHING;
"""

_SYSTEM_COLUMNS = {
    "name": "name",
    "owner": "owner",
    "status": "status",
    "createdAt": "createdAt",
    "modifiedAt": "modifiedAt",
}


class SQLStorageError(ReleaseError):
    """The SQL store cannot be opened or used (bad URL, missing psycopg, unreachable server)."""


# ``run(sql, params) -> cursor`` inside one transaction.
_Run = Callable[[str, Sequence[Any]], Any]


@dataclass(frozen=True)
class _Dialect:
    placeholder: str
    begin_write: str
    # A duplicate key: the driver turns it into ReleaseExists / a lost lease race.
    integrity_errors: tuple[type[BaseException], ...]
    # Every other database failure (locked past busy_timeout, connection lost…).
    errors: tuple[type[BaseException], ...]


_SQLITE = _Dialect(
    placeholder="?",
    begin_write="BEGIN IMMEDIATE",
    integrity_errors=(sqlite3.IntegrityError,),
    errors=(sqlite3.Error,),
)


def _sqlite_path(url: str) -> str:
    """The file of a SQLite URL, SQLAlchemy style: ``sqlite:///rel.db``, ``sqlite:////abs.db``."""
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url


def _connect_sqlite(path: str) -> Any:
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            str(Path(path).expanduser()) if path != ":memory:" else path,
            timeout=SQLITE_BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # autocommit: transactions are opened explicitly, never implicitly
            check_same_thread=False,  # guarded by the driver's own lock
        )
        conn.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed revision survives power loss too, not only a crash of the process.
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise SQLStorageError(f"cannot open SQLite release store {path!r}: {exc}") from None
    return conn


def _connect_postgres(url: str) -> tuple[Any, _Dialect]:
    try:
        import psycopg  # type: ignore[import-not-found]
    except ImportError:
        raise SQLStorageError(
            "a PostgreSQL release store needs the psycopg package, which helmlite does not install: "
            "pip install 'psycopg[binary]'"
        ) from None
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise SQLStorageError(f"cannot connect to the PostgreSQL release store: {exc}") from None
    return conn, _Dialect(
        placeholder="%s", begin_write="BEGIN", integrity_errors=(psycopg.IntegrityError,), errors=(psycopg.Error,)
    )


class SQLDriver:
    """Release records in SQLite or PostgreSQL, in Helm's SQL driver tables.

    ``url`` is a file path, a SQLite URL (``sqlite:///relative.db``, ``sqlite:////abs.db``,
    ``:memory:`` for a private in-memory database) or a ``postgres://``/``postgresql://`` URL.
    Raises SQLStorageError when the store cannot be opened.
    """

    def __init__(self, url: str, namespace: str = "default", *, clock: Callable[[], float] = time.time) -> None:
        self._namespace = namespace
        self._clock = clock
        self._lock = threading.Lock()
        if url.startswith(("postgres://", "postgresql://")):
            self._conn, self._dialect = _connect_postgres(url)
            schema = _SCHEMA + _POSTGRES_MIGRATIONS
        else:
            self._conn, self._dialect = _connect_sqlite(_sqlite_path(url)), _SQLITE
            schema = _SCHEMA
        with self._write() as run:
            for statement in schema.split(";"):
                if statement.strip():
                    run(statement, ())

    @property
    def name(self) -> str:
        return "SQL"

    @property
    def namespace(self) -> str:
        return self._namespace

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # -- transactions ---------------------------------------------------------------------

    def _sql(self, statement: str) -> str:
        return statement if self._dialect.placeholder == "?" else statement.replace("?", self._dialect.placeholder)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[_Run]:
        """One transaction; yields ``run``; rolls back on any error.

        Duplicate keys propagate as the dialect's integrity error; any other database
        failure becomes SQLStorageError.
        """
        with self._lock:
            try:
                self._conn.execute(begin)
            except self._dialect.errors as exc:
                raise SQLStorageError(f"release store: {exc}") from exc
            try:
                yield lambda statement, params: self._conn.execute(self._sql(statement), tuple(params))
                self._conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, self._dialect.errors) and not isinstance(exc, self._dialect.integrity_errors):
                    raise SQLStorageError(f"release store: {exc}") from exc
                raise

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        except self._dialect.errors:
            # The failure being raised already ended the transaction (a failed COMMIT can);
            # that failure, not this one, is what the caller needs to see.
            pass

    def _write(self) -> AbstractContextManager[_Run]:
        return self._transaction(self._dialect.begin_write)

    def _read(self) -> AbstractContextManager[_Run]:
        # One snapshot for the records and their labels.
        return self._transaction("BEGIN")

    # -- helpers --------------------------------------------------------------------------

    def _scope(self) -> tuple[str, list[Any]]:
        """SQL condition and parameters limiting reads to the driver's namespace."""
        if self._namespace:
            return " AND r.namespace = ?", [self._namespace]
        return "", []

    def _rows(self, where: str, params: list[Any]) -> list[tuple[Release, dict[str, str]]]:
        """Decoded records matching ``where`` (over ``r``) with every label (system + user)."""
        scope, scope_params = self._scope()
        condition = f"r.owner = ?{scope}{where}"
        args = [OWNER, *scope_params, *params]
        with self._read() as run:
            rows = run(
                "SELECT r.key, r.namespace, r.body, r.createdAt, r.modifiedAt FROM releases_v1 r "
                f"WHERE {condition} ORDER BY r.namespace, r.name, r.version",
                args,
            ).fetchall()
            label_rows = run(
                "SELECT c.releaseKey, c.releaseNamespace, c.key, c.value FROM custom_labels_v1 c JOIN releases_v1 r"
                f" ON c.releaseKey = r.key AND c.releaseNamespace = r.namespace WHERE {condition}",
                args,
            ).fetchall()
        custom: dict[tuple[str, str], dict[str, str]] = {}
        for rkey, rns, label, value in label_rows:
            custom.setdefault((rkey, rns), {})[label] = value
        out = []
        for key, ns, body, created, modified in rows:
            try:
                release = decode(body)
            except ReleaseDecodeError:
                # Helm skips records it cannot decode rather than failing the listing.
                continue
            labels = {k: v for k, v in custom.get((key, ns), {}).items() if k not in SYSTEM_LABELS}
            if created:
                labels["createdAt"] = str(created)
            if modified:
                labels["modifiedAt"] = str(modified)
            labels.update(system_labels(release))
            out.append((release, labels))
        return out

    def _locate(self, run: _Run, key: str) -> tuple[str, str] | None:
        """``(namespace, body)`` of the record under ``key`` in scope, or None."""
        scope, scope_params = self._scope()
        row = run(
            f"SELECT r.namespace, r.body FROM releases_v1 r WHERE r.key = ?{scope} ORDER BY r.namespace LIMIT 1",
            [key, *scope_params],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def _user_labels(self, run: _Run, key: str, namespace: str) -> dict[str, str]:
        rows = run(
            "SELECT key, value FROM custom_labels_v1 WHERE releaseKey = ? AND releaseNamespace = ?", [key, namespace]
        ).fetchall()
        return {k: v for k, v in rows if k not in SYSTEM_LABELS}

    def _insert_labels(self, run: _Run, key: str, namespace: str, labels: Mapping[str, str]) -> None:
        for label, value in sorted(labels.items()):
            if label not in SYSTEM_LABELS:
                run(
                    "INSERT INTO custom_labels_v1 (releaseKey, releaseNamespace, key, value) VALUES (?, ?, ?, ?)",
                    [key, namespace, label, value],
                )

    # -- the Driver protocol --------------------------------------------------------------

    def get(self, key: str) -> Release:
        """The record under ``key`` with its user labels; raises InvalidKey or ReleaseNotFound."""
        parse_key(key)
        with self._read() as run:
            found = self._locate(run, key)
            labels = self._user_labels(run, key, found[0]) if found else {}
        if found is None:
            raise ReleaseNotFound()
        return replace(decode(found[1]), labels=labels)

    def list(self, filter: ReleaseFilter | None = None) -> list[Release]:
        """Every ``owner=helm`` record in scope passing ``filter``, with all its labels."""
        releases = [replace(rel, labels=labels) for rel, labels in self._rows("", [])]
        return [rel for rel in releases if filter is None or filter(rel)]

    def query(self, labels: Mapping[str, str]) -> builtins.list[Release]:
        """Records in scope carrying every label of ``labels``; raises NoResults when none.

        System labels are matched on their columns, user labels on ``custom_labels_v1``
        (Helm's SQL driver refuses user labels in queries; helmlite answers them).
        """
        where = ""
        params: list[Any] = []
        for label, value in sorted(labels.items()):
            if label == "version":
                if not value.isdigit():
                    raise NoResults()
                where += " AND r.version = ?"
                params.append(int(value))
            elif label in _SYSTEM_COLUMNS:
                column = _SYSTEM_COLUMNS[label]
                where += f" AND r.{column} = ?"
                params.append(int(value) if label in ("createdAt", "modifiedAt") and value.isdigit() else value)
            else:
                where += (
                    " AND EXISTS (SELECT 1 FROM custom_labels_v1 c WHERE c.releaseKey = r.key"
                    " AND c.releaseNamespace = r.namespace AND c.key = ? AND c.value = ?)"
                )
                params.extend([label, value])
        found = self._rows(where, params)
        if not found:
            raise NoResults()
        return [replace(rel, labels=every) for rel, every in found]

    def create(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Insert a record and its user labels in one transaction; raises ReleaseExists."""
        parse_key(key)
        ns = write_namespace(release, self._namespace)
        body = encode(release)
        try:
            with self._write() as run:
                run(
                    "INSERT INTO releases_v1 (key, type, body, name, namespace, version, status, owner, createdAt)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        key,
                        STORAGE_TYPE,
                        body,
                        release.name,
                        ns,
                        release.version,
                        release.info.status.value,
                        OWNER,
                        int(self._clock()),
                    ],
                )
                self._insert_labels(run, key, ns, labels)
        except self._dialect.integrity_errors:
            raise ReleaseExists() from None

    def update(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Replace a record and its user labels in one transaction; raises ReleaseNotFound."""
        parse_key(key)
        ns = write_namespace(release, self._namespace)
        body = encode(release)
        with self._write() as run:
            cursor = run(
                "UPDATE releases_v1 SET body = ?, name = ?, version = ?, status = ?, owner = ?, modifiedAt = ?"
                " WHERE key = ? AND namespace = ?",
                [body, release.name, release.version, release.info.status.value, OWNER, int(self._clock()), key, ns],
            )
            if cursor.rowcount == 0:
                raise ReleaseNotFound()
            run("DELETE FROM custom_labels_v1 WHERE releaseKey = ? AND releaseNamespace = ?", [key, ns])
            self._insert_labels(run, key, ns, labels)

    def delete(self, key: str) -> Release:
        """Delete a record and its labels in one transaction and return it; raises ReleaseNotFound."""
        parse_key(key)
        with self._write() as run:
            found = self._locate(run, key)
            if found is None:
                raise ReleaseNotFound()
            ns, body = found
            labels = self._user_labels(run, key, ns)
            run("DELETE FROM releases_v1 WHERE key = ? AND namespace = ?", [key, ns])
            run("DELETE FROM custom_labels_v1 WHERE releaseKey = ? AND releaseNamespace = ?", [key, ns])
        return replace(decode(body), labels=labels)

    def lease_store(self) -> LeaseStore:
        """Leases in ``helmlite_leases_v1`` of the same database, in this driver's namespace."""
        return _SQLLeases(self, self._namespace or "default")


class _SQLLeases:
    """Compare-and-swap on ``helmlite_leases_v1``; each call is one write transaction.

    ``revision`` is a fresh random token on every write, never a counter, so a lease that
    was removed and created again can never be mistaken for the one a caller read (ABA).
    """

    def __init__(self, driver: SQLDriver, namespace: str) -> None:
        self._driver = driver
        self._namespace = namespace

    def read(self, name: str) -> tuple[str, str] | None:
        with self._driver._read() as run:
            row = run(
                "SELECT body, revision FROM helmlite_leases_v1 WHERE key = ? AND namespace = ?",
                [lease_key(name), self._namespace],
            ).fetchone()
        return (row[0], row[1]) if row else None

    def create(self, name: str, body: str) -> bool:
        try:
            with self._driver._write() as run:
                run(
                    "INSERT INTO helmlite_leases_v1 (key, namespace, body, revision) VALUES (?, ?, ?, ?)",
                    [lease_key(name), self._namespace, body, uuid.uuid4().hex],
                )
        except self._driver._dialect.integrity_errors:
            return False
        return True

    def swap(self, name: str, version: str, body: str) -> bool:
        with self._driver._write() as run:
            cursor = run(
                "UPDATE helmlite_leases_v1 SET body = ?, revision = ? WHERE key = ? AND namespace = ? AND revision = ?",
                [body, uuid.uuid4().hex, lease_key(name), self._namespace, version],
            )
            return bool(cursor.rowcount == 1)

    def remove(self, name: str, version: str) -> bool:
        with self._driver._write() as run:
            cursor = run(
                "DELETE FROM helmlite_leases_v1 WHERE key = ? AND namespace = ? AND revision = ?",
                [lease_key(name), self._namespace, version],
            )
            return bool(cursor.rowcount == 1)
