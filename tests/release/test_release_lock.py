"""Operation leases: refused while live, taken over when abandoned, race-free across processes."""

from __future__ import annotations

import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helmlite.release import LeaseHolder, LeaseLost, OperationInProgress, OperationLock, Timestamp
from helmlite.release.storage import (
    Driver,
    InMemoryObjectClient,
    SecretDriver,
    SQLDriver,
)

T0 = 1795313942.25  # 2026-11-22T02:19:02.25Z
MESSAGE = re.compile(
    r"^another operation \((install|upgrade|rollback|uninstall) by pid \d+ on host \S+ since "
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) is in progress$"
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def locker(driver: Driver, clock: Clock, *, pid: int, host: str = "h1", alive: bool = True) -> OperationLock:
    return OperationLock(driver, clock=clock, pid=pid, host=host, is_alive=lambda _pid: alive, ttl=60)


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_live_holder_is_refused_with_the_exact_message(driver: Driver) -> None:
    clock = Clock()
    lease = locker(driver, clock, pid=4242, host="ci-7").acquire("web", "upgrade")
    clock.now += 5
    with pytest.raises(OperationInProgress) as err:
        locker(driver, clock, pid=777, host="ci-7").acquire("web", "rollback")
    assert (
        str(err.value)
        == "another operation (upgrade by pid 4242 on host ci-7 since 2026-11-22T02:19:02Z) is in progress"
    )
    assert err.value.holder == lease.holder
    # Another release is independent.
    locker(driver, clock, pid=777, host="ci-7").acquire("db", "install")


def test_holder_describes_the_lease(driver: Driver) -> None:
    clock = Clock()
    lock = locker(driver, clock, pid=4242)
    assert lock.holder("web") is None
    lease = lock.acquire("web", "install")
    held = lock.holder("web")
    assert held == lease.holder
    assert held is not None
    assert (held.operation, held.pid, held.host) == ("install", 4242, "h1")
    assert held.started_at == Timestamp.from_unix(T0)
    assert held.expires_at == Timestamp.from_unix(T0 + 60)


def test_release_frees_the_lease(driver: Driver) -> None:
    clock = Clock()
    with locker(driver, clock, pid=1).acquire("web", "install") as lease:
        assert lease.holder.pid == 1
    assert locker(driver, clock, pid=2).holder("web") is None
    second = locker(driver, clock, pid=2).acquire("web", "upgrade")
    assert second.release()
    assert not second.release()  # already gone


def test_dead_holder_on_this_host_is_taken_over(driver: Driver) -> None:
    host = socket.gethostname()
    crashed = OperationLock(driver, pid=dead_pid(), host=host)
    crashed.acquire("web", "upgrade")  # ... and the process "died" holding it
    me = OperationLock(driver, host=host)
    lease = me.acquire("web", "rollback")
    assert lease.holder.pid == os.getpid()
    assert lease.holder.operation == "rollback"


def test_dead_looking_pid_on_another_host_is_not_taken_over(driver: Driver) -> None:
    clock = Clock()
    locker(driver, clock, pid=dead_pid(), host="other-host").acquire("web", "upgrade")
    with pytest.raises(OperationInProgress, match="on host other-host"):
        OperationLock(driver, clock=clock, host="this-host").acquire("web", "upgrade")


def test_expired_lease_is_taken_over(driver: Driver) -> None:
    clock = Clock()
    locker(driver, clock, pid=1, host="other").acquire("web", "upgrade")
    clock.now += 59
    with pytest.raises(OperationInProgress):
        locker(driver, clock, pid=2).acquire("web", "upgrade")
    clock.now += 1
    assert locker(driver, clock, pid=2).acquire("web", "upgrade").holder.pid == 2


def test_renew_extends_and_detects_a_takeover(driver: Driver) -> None:
    clock = Clock()
    lease = locker(driver, clock, pid=1, host="other").acquire("web", "upgrade")
    clock.now += 50
    lease.renew()
    assert lease.holder.expires_at == Timestamp.from_unix(T0 + 110)
    clock.now += 50  # past the original expiry, within the renewed one
    with pytest.raises(OperationInProgress):
        locker(driver, clock, pid=2).acquire("web", "upgrade")
    clock.now += 61
    usurper = locker(driver, clock, pid=2).acquire("web", "upgrade")
    with pytest.raises(LeaseLost):
        lease.renew()
    # Releasing a lease that was taken over leaves the new holder in place.
    assert not lease.release()
    assert locker(driver, clock, pid=3).holder("web") == usurper.holder


def test_unreadable_lease_is_treated_as_abandoned(driver: Driver) -> None:
    driver.lease_store().create("web", "not json")
    assert locker(driver, Clock(), pid=1).acquire("web", "upgrade").holder.pid == 1


def test_break_lease_removes_any_holder(driver: Driver) -> None:
    clock = Clock()
    lease = locker(driver, clock, pid=1).acquire("web", "upgrade")
    lock = locker(driver, clock, pid=2)
    assert lock.break_lease("web") == lease.holder
    assert lock.break_lease("web") is None
    lock.acquire("web", "rollback")


def test_lease_body_round_trips() -> None:
    holder = LeaseHolder("web", "upgrade", 12, "h", Timestamp.from_unix(T0), Timestamp.from_unix(T0 + 1), "tok")
    assert LeaseHolder.from_body(holder.to_body()) == holder
    assert LeaseHolder.from_body('{"release": "web"}') is None


def test_lease_is_invisible_to_release_listings() -> None:
    client = InMemoryObjectClient()
    driver = SecretDriver(client)
    OperationLock(driver).acquire("web", "install")
    assert driver.list() == []
    [obj] = client.list("Secret", "default", {})
    assert obj["metadata"]["name"] == "sh.helmlite.lock.v1.web"
    assert obj["type"] == "helmlite.io/lock.v1"
    assert obj["metadata"]["labels"] == {"name": "web", "owner": "helmlite"}


# -- 8 processes on one SQLite file ---------------------------------------------------------------


def _one_shot(path: str, start: Any, done: Any, results: Any) -> None:
    """Everyone tries at once; the winner holds until every attempt is over."""
    lock = OperationLock(SQLDriver(path))
    start.wait()
    try:
        lease = lock.acquire("race", "upgrade")
    except OperationInProgress as exc:
        results.put(("refused", str(exc)))
        done.wait()
        return
    results.put(("won", str(os.getpid())))
    done.wait()
    lease.release()


def _contend(path: str, rounds: int, inside: Any, overlap: Any, results: Any) -> None:
    """Acquire/release in a loop; the critical section checks nobody else is in it."""
    lock = OperationLock(SQLDriver(path))
    won = refused = 0
    for _ in range(rounds):
        try:
            lease = lock.acquire("race", "upgrade")
        except OperationInProgress as exc:
            if not MESSAGE.match(str(exc)):
                results.put(("bad-message", str(exc)))
                return
            refused += 1
            continue
        with inside.get_lock():
            inside.value += 1
            if inside.value != 1:
                overlap.value = 1
        time.sleep(0.002)
        with inside.get_lock():
            inside.value -= 1
        lease.release()
        won += 1
    results.put(("counts", won, refused))


@pytest.fixture
def spawn() -> Any:
    # Fresh interpreters, as separate helmlite commands would be; no inherited SQLite handles.
    return multiprocessing.get_context("spawn")


def test_eight_processes_exactly_one_winner(tmp_path: Path, spawn: Any) -> None:
    path = str(tmp_path / "releases.db")
    SQLDriver(path).close()
    start, done, results = spawn.Barrier(8), spawn.Barrier(8), spawn.Queue()
    procs = [spawn.Process(target=_one_shot, args=(path, start, done, results)) for _ in range(8)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    winners = [o for o in outcomes if o[0] == "won"]
    refusals = [o[1] for o in outcomes if o[0] == "refused"]
    assert len(winners) == 1
    assert len(refusals) == 7
    for message in refusals:
        assert MESSAGE.match(message), message
        assert f"by pid {winners[0][1]} on host" in message


def test_eight_processes_never_overlap(tmp_path: Path, spawn: Any) -> None:
    path = str(tmp_path / "releases.db")
    SQLDriver(path).close()
    inside, overlap, results = spawn.Value("i", 0), spawn.Value("i", 0), spawn.Queue()
    rounds = 25
    procs = [spawn.Process(target=_contend, args=(path, rounds, inside, overlap, results)) for _ in range(8)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert all(o[0] == "counts" for o in outcomes), outcomes
    assert overlap.value == 0
    assert sum(o[1] for o in outcomes) >= 8  # every process got its turn at some point or others did
    assert all(o[1] + o[2] == rounds for o in outcomes)
    assert SQLDriver(path).lease_store().read("race") is None
