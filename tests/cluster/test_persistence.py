"""The cluster file: round trips, catch-up, atomicity under crashes, concurrent processes."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from helmlite.cluster import Cluster, SimulatorError
from helmlite.cluster.store import WatchEvent

from .manifests import configmap, deployment

T0 = 1_800_000_000.0  # a fixed wall-clock time for deterministic catch-up



def user_configmaps(cluster: Cluster) -> list[str]:
    """ConfigMap names, without the kube-root-ca.crt every namespace gets (as on a real cluster)."""
    return [c["metadata"]["name"] for c in cluster.store.list("v1", "ConfigMap")
            if c["metadata"]["name"] != "kube-root-ca.crt"]

def wall(offset: float = 0.0) -> Callable[[], float]:
    return lambda: T0 + offset


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_new_file_is_bootstrapped(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path, wall_clock=wall()) as cluster:
        assert len(cluster.store.list("v1", "Node")) == 3
    with Cluster.open(path, wall_clock=wall()) as cluster:
        assert [n["metadata"]["name"] for n in cluster.store.list("v1", "Node")] == ["node-1", "node-2", "node-3"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_round_trip_continues_exactly_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"

    def first_half(cluster: Cluster) -> None:
        cluster.store.create(deployment())
        cluster.store.create(configmap("c"))
        cluster.store.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                             "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "type": "NodePort"}},
                            field_manager="helm")
        cluster.store.delete("v1", "ConfigMap", "c", namespace="default")

    def second_half(cluster: Cluster) -> None:
        cluster.store.create(configmap("after"))
        cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
                              "spec": {"ports": [{"port": 80}], "type": "NodePort"}})

    reference = Cluster.in_memory(seed=3)
    first_half(reference)
    reference.reconcile()
    second_half(reference)

    with Cluster.open(path, seed=3, wall_clock=wall()) as cluster:
        first_half(cluster)
    with Cluster.open(path, wall_clock=wall()) as cluster:
        assert cluster.store.resource_version == reference.store.resource_version - 2
        second_half(cluster)
        for api_version, kind in (("apps/v1", "Deployment"), ("v1", "ConfigMap"), ("v1", "Service"),
                                  ("v1", "Namespace"), ("v1", "Node")):
            assert cluster.store.list(api_version, kind) == reference.store.list(api_version, kind)
    with Cluster.open(path, wall_clock=wall()) as cluster:
        assert cluster.store.list("v1", "Service") == reference.store.list("v1", "Service")
        # Allocations were rebuilt from the stored Services: no address is handed out twice.
        taken = {s["spec"]["clusterIP"] for s in cluster.store.list("v1", "Service")}
        new = cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "third"},
                                    "spec": {"ports": [{"port": 80}]}})
        assert new["spec"]["clusterIP"] not in taken


def test_clock_catches_up_with_wall_time_and_timers_fire(tmp_path: Path) -> None:
    class Alarm:
        name = "alarm"
        watches = ()

        def __init__(self) -> None:
            self.rang: list[float] = []

        def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
            return ()

        def sync(self, cluster: Cluster, key: str) -> None:
            self.rang.append(cluster.clock.now)

    path = tmp_path / "cluster.db"
    with Cluster.open(path, controllers=[Alarm()], wall_clock=wall()) as cluster:
        start = cluster.clock.now
        cluster.enqueue_after("alarm", "k", 100)
    alarm = Alarm()
    with Cluster.open(path, controllers=[alarm], wall_clock=wall(60)) as cluster:
        assert cluster.clock.now == start + 60 and alarm.rang == []
    alarm = Alarm()
    with Cluster.open(path, controllers=[alarm], wall_clock=wall(150)) as cluster:
        assert alarm.rang == [start + 100]  # fired during the catch-up, at its own time
        assert cluster.clock.now == start + 150
    with Cluster.open(path, wall_clock=wall(100)) as cluster:  # a wall clock going backwards is ignored
        assert cluster.clock.now == start + 150


def test_an_exception_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path, wall_clock=wall()) as cluster:
        cluster.store.create(configmap("kept"))
    with pytest.raises(RuntimeError), Cluster.open(path, wall_clock=wall()) as cluster:
        cluster.store.create(configmap("lost"))
        raise RuntimeError("the command failed")
    with Cluster.open(path, wall_clock=wall()) as cluster:
        assert user_configmaps(cluster) == ["kept"]


CRASHING_COMMAND = textwrap.dedent("""
    import sys, time
    import helmlite.cluster.persistence as persistence
    from helmlite.cluster import Cluster

    def hang(self):  # everything is written, COMMIT is next: announce it and wait to be killed
        print("written", flush=True)
        time.sleep(60)

    persistence.ClusterFile.commit = hang
    with Cluster.open(sys.argv[1]) as cluster:
        for i in range(5000):  # enough to spill uncommitted pages into the WAL
            cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": f"doomed-{i}", "namespace": "default"},
                                  "data": {"payload": "x" * 200}}, copy=False)
        cluster.store.delete("v1", "ConfigMap", "kept", namespace="default")
""")


def test_a_crash_before_commit_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path) as cluster:
        cluster.store.create(configmap("kept"))
        before = cluster.store.resource_version
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CRASHING_COMMAND, str(path)], stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"written"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert integrity(path) == "ok"
    with Cluster.open(path) as cluster:
        assert user_configmaps(cluster) == ["kept"]
        assert cluster.store.resource_version == before
        cluster.store.create(configmap("after-crash"))
    with Cluster.open(path) as cluster:
        assert user_configmaps(cluster) == ["after-crash", "kept"]


def _worker(path: str, worker: int, commands: int) -> None:
    for i in range(commands):
        with Cluster.open(path, timeout=120) as cluster:
            counter = cluster.store.get("v1", "ConfigMap", "counter", namespace="default")
            counter["data"]["n"] = str(int(counter["data"]["n"]) + 1)
            cluster.store.replace(counter)
            cluster.store.create(configmap(f"w{worker}-{i}"))


def test_concurrent_processes_serialise(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path) as cluster:
        cluster.store.create(configmap("counter", data={"n": "0"}))
    workers, commands = 4, 15
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_worker, args=(str(path), w, commands)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
        assert process.exitcode == 0
    assert integrity(path) == "ok"
    with Cluster.open(path) as cluster:
        counter = cluster.store.get("v1", "ConfigMap", "counter", namespace="default")
        assert counter["data"]["n"] == str(workers * commands)  # no lost update
        names = set(user_configmaps(cluster))
        assert names == {"counter"} | {f"w{w}-{i}" for w in range(workers) for i in range(commands)}


def test_a_busy_file_times_out_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path):
        pass
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(SimulatorError, match="is busy: another helmlite command is using it"), \
                Cluster.open(path, timeout=0.2):
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(SimulatorError, match="has schema 99"), Cluster.open(path):
        pass


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SimulatorError, match="cannot use cluster file"), Cluster.open(path):
        pass


def test_load_speed_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cluster.db"
    count = 10_000
    with Cluster.open(path) as cluster:
        for i in range(count):
            cluster.store.create(configmap(f"cm-{i:05d}", data={"key": "value" * 20}), copy=False)
    started = time.perf_counter()
    with Cluster.open(path) as cluster:
        opened = time.perf_counter()
        listed = cluster.store.list("v1", "ConfigMap", namespace="default", copy=False)
        decoded = time.perf_counter()
    assert len([c for c in listed if c["metadata"]["name"].startswith("cm-")]) == count
    with capsys.disabled():
        print(f"\n[load speed] open {count} objects: {(opened - started) * 1000:.0f} ms; "
              f"decode and list all: {(decoded - opened) * 1000:.0f} ms")


SCENARIO = textwrap.dedent("""
    import json
    from helmlite.cluster import Cluster
    cluster = Cluster.in_memory(seed=11)
    store = cluster.store
    for i in range(5):
        store.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"web{i}", "labels": {"a": "b"}},
                     "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                         "metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
                                                  "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}]}}}},
                    field_manager="helm")
        store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc{i}"},
                      "spec": {"type": "NodePort", "ports": [{"port": 80}]}})
        owner = store.get("apps/v1", "Deployment", f"web{i}", namespace="default")
        store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": f"web{i}-", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"web{i}", "uid": owner["metadata"]["uid"],
             "controller": True}]}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        cluster.events.record(owner, "Normal", "Test", "hello", component="test")
        cluster.advance(7)
    store.delete("apps/v1", "Deployment", "web0", namespace="default")
    cluster.advance(1)
    out = {k: store.list(v, k) for v, k in (("apps/v1", "Deployment"), ("v1", "Pod"), ("v1", "Service"), ("v1", "Event"))}
    print(json.dumps(out))
""")


def test_same_seed_same_cluster_across_processes() -> None:
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", SCENARIO], capture_output=True, env=env, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    # the garbage collector took the dead deployment's pods (its own and its ReplicaSet's)
    assert not [p for p in json.loads(outputs[0])["Pod"] if p["metadata"]["name"].startswith("web0-")]
