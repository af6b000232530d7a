"""Operation leases: one operation at a time per release, and no release stuck forever.

Helm marks a release busy by writing a ``pending-*`` revision; if the process dies, the
status stays pending and every later operation fails with "another operation
(install/upgrade/rollback) is in progress" until someone rolls back or deletes storage by hand.
helmlite keeps that status (Helm reads it) but decides who may operate from a *lease*:

    holder = {operation, pid, host, started_at, expires_at, token}

Design: the lease is a separate record beside the release's records, in the same store,
under ``sh.helmlite.lock.v1.<name>`` (a Secret/ConfigMap of that name next to Helm's, a row in
``helmlite_leases_v1`` of the same database, an entry of the memory driver). A separate
record rather than a label on the latest revision because taking the lease must be one atomic
compare-and-swap that does not depend on which revision is latest, and must not rewrite (and
re-gzip) a whole release record; and it is a record Helm never selects (its owner is not
``helm``), so Helm is unaffected. Each store gives the swap its own guarantee: an SQL
statement conditioned on the random revision token read (inside ``BEGIN IMMEDIATE`` on
SQLite), a Kubernetes write conditioned on ``resourceVersion``, a locked dict update.

``acquire`` reads the lease. None → create it (a lost create race means someone else holds
it: read again). A live holder → ``OperationInProgress`` at once, naming who holds it. An
*abandoned* holder — its ``expires_at`` passed, or it ran on this host and its pid is gone —
is taken over by a swap that only succeeds if nobody changed the lease since it was read, so
of N racing processes exactly one wins and the others see the winner. Long operations call
``renew`` to push ``expires_at`` forward; ``release`` deletes the lease if it is still ours.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Self

from helmlite.release.model import ReleaseError, Timestamp
from helmlite.release.storage.driver import Driver, LeaseStore

__all__ = [
    "DEFAULT_LEASE_TTL_SECONDS",
    "LeaseHolder",
    "LeaseLost",
    "OperationInProgress",
    "OperationLease",
    "OperationLock",
    "pid_alive",
]

# How long a lease lasts without renewal. Only matters when the holder's death cannot be seen
# directly (another host sharing the store); on the same host a dead pid frees it at once.
DEFAULT_LEASE_TTL_SECONDS = 600.0
# Each retry of acquire follows a lost race; after this many, contention is reported.
_MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a release's operation lease, and until when."""

    release: str
    operation: str
    pid: int
    host: str
    started_at: Timestamp
    expires_at: Timestamp
    token: str

    def describe(self) -> str:
        """``upgrade by pid 4242 on host ci-7 since 2026-11-22T03:01:17Z``."""
        since = Timestamp(self.started_at.unix_nanos - self.started_at.unix_nanos % 1_000_000_000)
        return f"{self.operation} by pid {self.pid} on host {self.host} since {since}"

    def to_body(self) -> str:
        """The stored JSON text."""
        return json.dumps(
            {
                "release": self.release,
                "operation": self.operation,
                "pid": self.pid,
                "host": self.host,
                "started_at": self.started_at.format(),
                "expires_at": self.expires_at.format(),
                "token": self.token,
            },
            sort_keys=True,
        )

    @classmethod
    def from_body(cls, body: str) -> LeaseHolder | None:
        """Parse stored JSON text; None when it is not a lease (treated as abandoned)."""
        try:
            raw = json.loads(body)
            return cls(
                release=str(raw["release"]),
                operation=str(raw["operation"]),
                pid=int(raw["pid"]),
                host=str(raw["host"]),
                started_at=Timestamp.parse(raw["started_at"]),
                expires_at=Timestamp.parse(raw["expires_at"]),
                token=str(raw["token"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class OperationInProgress(ReleaseError):
    """Another live operation holds the release's lease.

    ``another operation (upgrade by pid N on host H since T) is in progress``
    """

    def __init__(self, holder: LeaseHolder) -> None:
        super().__init__(f"another operation ({holder.describe()}) is in progress")
        self.holder = holder


class LeaseLost(ReleaseError):
    """A lease this process held was taken over (it expired) or removed by someone else."""


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists on this host."""
    if pid <= 0:
        return False
    if os.name == "nt":
        # Signal 0 is not a probe on Windows; there, only expiry frees a lease.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    return True


class OperationLease:
    """A lease held by this process; a context manager that releases it on exit."""

    def __init__(self, lock: OperationLock, holder: LeaseHolder) -> None:
        self._lock = lock
        self.holder = holder

    def renew(self, ttl: float | None = None) -> None:
        """Push ``expires_at`` to now + ``ttl`` (the lock's default when None).

        Raises LeaseLost when the lease is no longer this one.
        """
        self.holder = self._lock._renew(self.holder, ttl)

    def release(self) -> bool:
        """Give the lease up; False when it was no longer ours (taken over or broken)."""
        return self._lock._release(self.holder)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class OperationLock:
    """Per-release operation leases in the store of ``driver``.

    ``clock`` is wall-clock time (leases are about real processes, never the simulator's
    virtual time); ``host``, ``pid`` and ``is_alive`` describe this process and how to probe
    others, injectable for tests.
    """

    def __init__(
        self,
        driver: Driver,
        *,
        ttl: float = DEFAULT_LEASE_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        host: str | None = None,
        pid: int | None = None,
        is_alive: Callable[[int], bool] = pid_alive,
    ) -> None:
        self._store: LeaseStore = driver.lease_store()
        self._ttl = ttl
        self._clock = clock
        self._host = host if host is not None else socket.gethostname()
        self._pid = pid if pid is not None else os.getpid()
        self._is_alive = is_alive

    def holder(self, name: str) -> LeaseHolder | None:
        """The current holder of ``name``'s lease (live or abandoned), or None."""
        current = self._store.read(name)
        return LeaseHolder.from_body(current[0]) if current else None

    def is_abandoned(self, holder: LeaseHolder) -> bool:
        """True when the lease expired, or its holder ran on this host and is gone."""
        if holder.expires_at.unix <= self._clock():
            return True
        return holder.host == self._host and not self._is_alive(holder.pid)

    def acquire(self, name: str, operation: str, ttl: float | None = None) -> OperationLease:
        """Take ``name``'s lease for ``operation`` (``install``, ``upgrade``, …).

        Raises OperationInProgress at once when a live holder has it, and ReleaseError
        when the lease kept changing under contention.
        """
        for _ in range(_MAX_ATTEMPTS):
            now = self._clock()
            mine = LeaseHolder(
                release=name,
                operation=operation,
                pid=self._pid,
                host=self._host,
                started_at=Timestamp.from_unix(now),
                expires_at=Timestamp.from_unix(now + (self._ttl if ttl is None else ttl)),
                token=uuid.uuid4().hex,
            )
            current = self._store.read(name)
            if current is None:
                if self._store.create(name, mine.to_body()):
                    return OperationLease(self, mine)
                continue  # lost the race to create it: look at the winner's lease
            body, version = current
            theirs = LeaseHolder.from_body(body)
            if theirs is not None and not self.is_abandoned(theirs):
                raise OperationInProgress(theirs)
            if self._store.swap(name, version, mine.to_body()):
                return OperationLease(self, mine)
        raise ReleaseError(f"could not take the operation lease of release {name!r}: it kept changing; try again")

    def break_lease(self, name: str) -> LeaseHolder | None:
        """Remove ``name``'s lease whoever holds it (``unlock --force``); returns the holder removed."""
        while True:
            current = self._store.read(name)
            if current is None:
                return None
            if self._store.remove(name, current[1]):
                return LeaseHolder.from_body(current[0])

    def _own(self, holder: LeaseHolder) -> str | None:
        """The stored version of ``holder``'s lease if it is still that lease, else None."""
        current = self._store.read(holder.release)
        if current is None:
            return None
        stored = LeaseHolder.from_body(current[0])
        return current[1] if stored is not None and stored.token == holder.token else None

    def _renew(self, holder: LeaseHolder, ttl: float | None) -> LeaseHolder:
        version = self._own(holder)
        renewed = replace(holder, expires_at=Timestamp.from_unix(self._clock() + (self._ttl if ttl is None else ttl)))
        if version is None or not self._store.swap(holder.release, version, renewed.to_body()):
            raise LeaseLost(f"the operation lease of release {holder.release!r} was taken over")
        return renewed

    def _release(self, holder: LeaseHolder) -> bool:
        version = self._own(holder)
        return version is not None and self._store.remove(holder.release, version)
