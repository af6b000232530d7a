"""What running the action tests on the served simulator needs: ``cluster serve --time-scale``
(virtual time N times faster than the wall clock, with the file's wall-time bookkeeping right
for the CLI afterwards), and a kube-backend wait that ends mid-watch leaving no connection
behind that a later request would queue on."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from kube_served import ObjectKey, ServedCluster, reset_served

from helmlite.apiserver.state import ServedCluster as ServedState
from helmlite.cluster.cluster import Cluster

SCALE = 60.0


def _deployment(name: str) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}


def _stored_clock(path: Path) -> tuple[float, float]:
    """``(now, wallTime)`` as the file's last commit recorded them."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('now', 'wallTime')").fetchall())
    return float(json.loads(rows["now"])), float(json.loads(rows["wallTime"]))


def test_virtual_time_runs_time_scale_times_the_wall_clock(tmp_path: Path) -> None:
    wall = [1_000_000.0]
    served = ServedState(tmp_path / "cluster.db", wall_clock=lambda: wall[0], time_scale=SCALE)
    served.open()
    try:
        start = served.cluster.clock.now
        with served.write() as cluster:
            cluster.store.create(_deployment("web"))
        deadline = served.cluster.clock.next_deadline()
        assert deadline is not None  # the pod's start-up timers
        # Wall seconds to a timer are its virtual distance over the scale.
        assert served.seconds_to_next_timer() == pytest.approx((deadline - start) / SCALE)
        wall[0] += 2
        assert served.virtual_now() == pytest.approx(start + 2 * SCALE)
        assert served.refresh() is True
        assert served.cluster.clock.now == pytest.approx(start + 2 * SCALE)  # the timers fired on the way
        pod = next(served.cluster.store.peek_all("", "Pod", "default"))
        assert pod["status"]["phase"] == "Running"
    finally:
        served.close()


def test_a_command_after_the_server_catches_up_at_scale_one(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    wall = [1_000_000.0]
    served = ServedState(path, wall_clock=lambda: wall[0], time_scale=SCALE)
    served.open()
    try:
        with served.write() as cluster:
            cluster.store.create(_deployment("web"))
        saved_at_wall = wall[0]
        wall[0] += 0.5  # the server's clock moves 30 s in memory; nothing is due, nothing committed
        served.refresh()
    finally:
        served.close()
    now, wall_time = _stored_clock(path)
    # The file pairs the saved clock with the wall time it read that on the server's scale.
    assert wall_time == pytest.approx(saved_at_wall)
    # A command 10 wall seconds later catches up 10 virtual seconds, as between two commands.
    with Cluster.open(path, wall_clock=lambda: saved_at_wall + 10) as cluster:
        assert cluster.clock.now == pytest.approx(now + 10)


def test_the_server_catches_up_after_a_command_at_its_own_scale(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    wall = [1_000_000.0]
    served = ServedState(path, wall_clock=lambda: wall[0], time_scale=SCALE)
    served.open()
    try:
        with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:  # e.g. `helmlite cluster apply`
            cluster.store.create(_deployment("cli"))
            cli_now = cluster.clock.now
        wall[0] += 1
        assert served.refresh() is True  # reloads the command's commit
        assert served.cluster.store.peek("apps", "Deployment", "default", "cli") is not None
        assert served.cluster.clock.now == pytest.approx(cli_now + SCALE)
    finally:
        served.close()


@pytest.mark.parametrize("scale", [0.0, -1.0, float("inf"), float("nan")])
def test_a_time_scale_must_be_positive_and_finite(tmp_path: Path, scale: float) -> None:
    with pytest.raises(ValueError, match="time scale must be a positive number"):
        ServedState(tmp_path / "cluster.db", time_scale=scale)


def test_a_wait_stopped_mid_watch_returns_no_busy_connection_to_the_pool(
        served_for_actions: tuple[ServedCluster, set[ObjectKey]]) -> None:
    # Fixed bug: a watch thread stopped between receiving the watch's headers and registering
    # the response (the wait ended meanwhile, common when objects are ready at once) put the
    # still-streaming connection back into the pool; the next request sent on it queued behind
    # the watch until its timeoutSeconds (tens of seconds) on the server.
    import kubernetes.client

    from helmlite.backends.kube import KubeConnection, _Api, _Discovery, _Watches

    served, pristine = served_for_actions
    reset_served(served, pristine)
    configuration = KubeConnection(kubeconfig=str(served.kubeconfig)).configuration()
    configuration.retries = False  # a request stuck on the watch's connection must fail, not be retried elsewhere
    api = _Api(kubernetes.client.ApiClient(configuration))
    configmaps = _Discovery(api).resolve("v1", "ConfigMap")
    version = api.json("GET", configmaps.path("default"), query=[("limit", 1)])["metadata"]["resourceVersion"]
    watches = _Watches(api, [(configmaps, "default")], lambda *_: None, deadline=time.monotonic() + 120)
    watches._stop.set()  # the wait is over before the stream is registered for cutting
    assert watches._stream(configmaps, "default", version) == ""
    # The next requests on the pool are answered, not queued behind the watch (which the
    # server would end only after its timeoutSeconds, 60 s: the read timeout is far shorter).
    for _ in range(4):
        api.call("GET", configmaps.path("default"), timeout=(15, 15)).read()
