"""The served cluster and its file: one connection committing request after request, in step
with other processes writing the same file (the CLI), and the compact RNG state."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from helmlite.apiserver.state import ServedCluster
from helmlite.cluster.cluster import Cluster


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
