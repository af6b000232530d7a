"""Operation leases in the actions: a live holder refuses at once, a dead or expired one is taken
over and its pending revision recovered, and Helm's own stuck pending state is recovered by
rollback."""

from __future__ import annotations

import time

import pytest
from release_fixtures import ChartFactory, history

from helmlite.actions.action import Config
from helmlite.actions.install import Install
from helmlite.actions.rollback import Rollback
from helmlite.actions.uninstall import Uninstall
from helmlite.actions.upgrade import Upgrade
from helmlite.release.lock import OperationInProgress, OperationLock
from helmlite.release.model import Info, Release, ReleaseError, Status


def pend(config: Config, *, pid: int, host: str = "", ttl: float = 600.0, with_lease: bool = True) -> None:
    """Leave revision 2 of ``web`` pending-upgrade, as a process that stopped mid-upgrade would,
    with its lease held by ``pid`` on ``host`` (this host when empty)."""
    with config.session() as session:
        storage = config.storage(session)
        last = storage.last("web")
        storage.create(Release(name="web", namespace=last.namespace, version=last.version + 1,
                               info=Info(status=Status.PENDING_UPGRADE, description="Preparing upgrade"),
                               chart=last.chart, manifest=last.manifest))
        if with_lease:
            lock = OperationLock(storage.driver, ttl=ttl, pid=pid, **({"host": host} if host else {}))
            lock.acquire("web", "upgrade")


def test_a_live_holder_refuses_every_mutation_at_once(config: Config, chart: ChartFactory) -> None:
    import os

    path = str(chart())
    Install(config, release_name="web").run(path)
    pend(config, pid=os.getpid())
    for attempt in (lambda: Upgrade(config).run("web", path), lambda: Rollback(config).run("web"),
                    lambda: Uninstall(config).run("web")):
        with pytest.raises(OperationInProgress, match=r"^another operation \(upgrade by pid \d+ on host .+ since "
                                                      r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) is in progress$"):
            attempt()


def test_a_dead_holders_pending_revision_is_recovered_by_the_next_upgrade(config: Config, chart: ChartFactory) -> None:
    path = str(chart())
    Install(config, release_name="web").run(path)
    pend(config, pid=2**22 + 12345)  # no such process on this host
    rel = Upgrade(config).run("web", path)
    assert rel.version == 3
    rows = history(config, "web")
    assert [row[:2] for row in rows] == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert rows[1][2].startswith('Upgrade "web" failed: interrupted (upgrade by pid 4206649 on host ')
    assert rows[1][2].endswith(" ended before finishing)")


def test_a_lease_from_another_host_is_taken_over_after_it_expires(config: Config, chart: ChartFactory) -> None:
    path = str(chart())
    Install(config, release_name="web").run(path)
    pend(config, pid=1, host="elsewhere", ttl=0.01)
    time.sleep(0.05)
    Rollback(config).run("web")
    assert [row[:2] for row in history(config, "web")] == [(1, "superseded"), (2, "failed"), (3, "deployed")]


def test_helms_stuck_pending_state_is_refused_by_upgrade_and_recovered_by_rollback(config: Config,
                                                                                   chart: ChartFactory) -> None:
    path = str(chart())
    Install(config, release_name="web").run(path)
    pend(config, pid=0, with_lease=False)  # what a killed Helm leaves: a pending revision, no lease
    with pytest.raises(ReleaseError, match=r"^another operation \(install/upgrade/rollback\) is in progress: revision 2 "
                                        r'of "web" is pending-upgrade .*"helmlite rollback web" recovers it$'):
        Upgrade(config).run("web", path)
    rel = Rollback(config).run("web")
    assert (rel.version, rel.info.description) == (3, "Rollback to 1")
    rows = history(config, "web")
    assert rows[1][:2] == (2, "failed")
    assert "no operation was holding the release" in rows[1][2]
    Upgrade(config).run("web", path)  # and the release works again
