"""The served cluster and its file: one connection committing request after request, in step
with other processes writing the same file (the CLI), and the compact RNG state; a busy file
refuses a change at once, and every transaction ends, whatever happens in it."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from cluster_file_support import deployment, file_is_free, held

from helmlite.apiserver.state import ServedCluster
from helmlite.cluster.cluster import Cluster
from helmlite.cluster.persistence import ClusterBusyError


def _configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": {"k": "v"}}


def _create(served: ServedCluster, name: str) -> dict[str, Any]:
    with served.write() as cluster:
        return dict(cluster.store.create(_configmap(name)))


def test_each_request_is_committed_and_the_rng_state_is_stored_compactly(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    served = ServedCluster(path)
    served.open()
    try:
        uids = [_create(served, f"cm-{i}")["metadata"]["uid"] for i in range(3)]
        state = served.cluster.rng.getstate()
        resource_version = served.cluster.store.resource_version
    finally:
        served.close()
    with sqlite3.connect(path) as conn:
        (rng_row,) = conn.execute("SELECT value FROM meta WHERE key = 'rng'").fetchone()
    assert isinstance(rng_row, bytes) and len(rng_row) == 625 * 4
    # The next command continues exactly where the server stopped: same RNG, same counters.
    with Cluster.open(path) as cluster:
        assert cluster.rng.getstate() == state
        assert cluster.store.resource_version == resource_version
        stored = cluster.store.list("v1", "ConfigMap", namespace="default")
        assert {c["metadata"]["uid"] for c in stored} >= set(uids)


def test_a_file_with_the_rng_state_as_json_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    with Cluster.open(path) as cluster:
        state = cluster.rng.getstate()
    with sqlite3.connect(path) as conn:  # the form files written before the compact one hold
        conn.execute("UPDATE meta SET value = ? WHERE key = 'rng'", (json.dumps(list(state)),))
    with Cluster.open(path) as cluster:
        assert cluster.rng.getstate() == state


def test_another_process_writing_the_file_is_seen_and_versions_keep_increasing(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    served = ServedCluster(path)
    served.open()
    try:
        before = int(_create(served, "from-server-1")["metadata"]["resourceVersion"])
        with Cluster.open(path) as cli:  # a CLI command: its own connection and transaction
            from_cli = cli.store.create(_configmap("from-cli"))
        served.refresh()
        assert served.cluster.store.peek("", "ConfigMap", "default", "from-cli") is not None
        after = int(_create(served, "from-server-2")["metadata"]["resourceVersion"])
        assert before < int(from_cli["metadata"]["resourceVersion"]) < after
    finally:
        served.close()
    with Cluster.open(path) as cluster:
        names = {c["metadata"]["name"] for c in cluster.store.list("v1", "ConfigMap", namespace="default")}
    assert {"from-server-1", "from-cli", "from-server-2"} <= names


# --- a busy file, failures, reconnects ------------------------------------------------------











def test_a_busy_file_fails_a_write_at_once_and_memory_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    wall = [time.time()]
    served = ServedCluster(path, wall_clock=lambda: wall[0])
    served.open()
    try:
        with served.write() as cluster:
            cluster.store.create(deployment("web"))
        deadline = served.cluster.clock.next_deadline()
        assert deadline is not None  # the pods' start-up timers
        wall[0] += deadline - served.cluster.clock.now + 1
        before = served.cluster.clock.now
        ran = False
        with held(path):
            with pytest.raises(ClusterBusyError, match="is busy"), served.write():
                ran = True
            assert not ran  # refused before the change ran: retrying it is safe
            # Due timers wait for the file; what memory holds is still served.
            assert served.refresh() is False
            assert served.cluster.clock.now == before
            assert served.cluster.store.peek("apps", "Deployment", "default", "web") is not None
            assert served.scratch().store.peek("apps", "Deployment", "default", "web") is not None  # dry run
        assert served.refresh() is True
        assert served.cluster.clock.now > deadline  # the timers fired once the file was free
    finally:
        served.close()


def test_a_commit_made_while_the_server_found_the_file_busy_is_seen(tmp_path: Path) -> None:
    # The server once reopened its connection after a busy error, and a new connection's
    # data_version count starts afresh: it could equal the old one, hiding the CLI's commit,
    # and the server then handed out the CLI's resourceVersions again.
    path = tmp_path / "cluster.db"
    served = ServedCluster(path)
    served.open()
    try:
        _create(served, "before")
        with Cluster.open(path) as cli:
            from_cli = int(cli.store.create(_configmap("from-cli"))["metadata"]["resourceVersion"])
            with pytest.raises(ClusterBusyError):
                _create(served, "during")
        served.refresh()
        assert served.cluster.store.peek("", "ConfigMap", "default", "from-cli") is not None
        assert served.cluster.store.peek("", "ConfigMap", "default", "during") is None
        assert int(_create(served, "after")["metadata"]["resourceVersion"]) > from_cli
    finally:
        served.close()


def test_a_failed_change_ends_its_transaction_and_is_never_served(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    served = ServedCluster(path)
    served.open()
    try:
        with pytest.raises(ZeroDivisionError), served.write() as cluster:
            cluster.store.create(_configmap("half-done"))
            _ = 1 / 0  # a bug in the middle of a request
        assert file_is_free(path)
        # Memory still holds the rolled-back object: it must not be served until reloaded, and
        # it cannot be reloaded while the file is busy.
        with held(path), pytest.raises(ClusterBusyError):
            served.refresh()
        served.refresh()
        assert served.cluster.store.peek("", "ConfigMap", "default", "half-done") is None
        _create(served, "next")
    finally:
        served.close()
    with Cluster.open(path) as cluster:
        names = {c["metadata"]["name"] for c in cluster.store.list("v1", "ConfigMap", namespace="default")}
    assert "next" in names and "half-done" not in names


def test_a_nested_write_is_refused_clearly_and_the_file_is_left_free(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    served = ServedCluster(path)
    served.open()
    try:
        with pytest.raises(RuntimeError, match="a transaction is already open"), served.write(), served.write():
            pass
        assert file_is_free(path)
        _create(served, "afterwards")
    finally:
        served.close()
