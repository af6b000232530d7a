"""The served cluster file under concurrency: a CLI command holding the file, clients going away,
many writers at once with the clock ticking, and the server killed in the middle of writes.

The in-process tests drive the ASGI application directly (its ``receive``/``send`` protocol,
no HTTP); the others run a real ``helmlite cluster serve`` on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cluster_file_support import deployment, file_is_free, held
from served import REPO_ROOT, ServedCluster, start_served_cluster

from helmlite.apiserver import app as app_module
from helmlite.apiserver.app import ApiServerApp
from helmlite.apiserver.state import ServedCluster as ServedState
from helmlite.cluster.cluster import Cluster

CM = "/api/v1/namespaces/default/configmaps"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
STRESS_SECONDS = 3.0
STRESS_WRITERS = 4
WRITES_BEFORE_KILL = 120


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}











async def call(app: ApiServerApp, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    """One request through the ASGI interface: status, headers, decoded JSON body."""
    payload = b"" if body is None else json.dumps(body).encode()
    scope = {"type": "http", "method": method, "path": path, "query_string": b"",
             "headers": [(b"content-type", b"application/json")]}
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await asyncio.get_running_loop().create_future()  # the client stays connected
        raise AssertionError("unreachable")

    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    headers = {k.decode(): v.decode() for k, v in messages[0]["headers"]}
    data = b"".join(m.get("body", b"") for m in messages[1:])
    return messages[0]["status"], headers, json.loads(data) if data else None


@pytest.fixture
def served_state(tmp_path: Path) -> Iterator[ServedState]:
    served = ServedState(tmp_path / "cluster.db")
    served.open()
    try:
        yield served
    finally:
        served.close()


def test_a_write_waits_for_a_busy_file_without_stopping_reads_and_a_cancelled_one_leaves_it_free(
        served_state: ServedState, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "BUSY_WAIT_SECONDS", 600.0)  # the writes wait for as long as the test holds
    path = served_state.path

    async def scenario() -> None:
        app = ApiServerApp(served_state)
        app.start_ticker()
        try:
            with held(path):
                waiting = asyncio.create_task(call(app, "POST", CM, configmap("waits")))
                cancelled = asyncio.create_task(call(app, "POST", CM, configmap("cancelled")))
                await asyncio.sleep(0.05)  # both are polling the busy file now
                assert not waiting.done() and not cancelled.done()
                status, _, listed = await call(app, "GET", CM)  # a read is answered from memory meanwhile
                assert status == 200 and listed["kind"] == "ConfigMapList"
                cancelled.cancel()  # the client went away
                with contextlib.suppress(asyncio.CancelledError):
                    await cancelled
            status, _, created = await waiting  # the file is free: the waiting write goes through
            assert status == 201 and created["metadata"]["name"] == "waits"
            assert file_is_free(path)
        finally:
            await app.stop()

    asyncio.run(scenario())
    with Cluster.open(path) as cluster:
        names = {c["metadata"]["name"] for c in cluster.store.list("v1", "ConfigMap", namespace="default")}
    assert "waits" in names and "cancelled" not in names


def test_a_file_busy_for_too_long_is_a_503_with_retry_after(served_state: ServedState,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "BUSY_WAIT_SECONDS", 0.2)

    async def scenario() -> None:
        app = ApiServerApp(served_state)
        with held(served_state.path):
            status, headers, body = await call(app, "POST", CM, configmap("too-late"))
            assert status == 503 and headers["retry-after"] == str(app_module.BUSY_RETRY_AFTER_SECONDS)
            assert body["reason"] == "ServiceUnavailable" and "is busy" in body["message"]
            assert body["details"]["retryAfterSeconds"] == app_module.BUSY_RETRY_AFTER_SECONDS
            assert (await call(app, "GET", CM))[0] == 200
        assert (await call(app, "POST", CM, configmap("in-time")))[0] == 201

    asyncio.run(scenario())


# --- a real server ---------------------------------------------------------------------------


def request(served: ServedCluster, method: str, path: str, body: Any = None,
            content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    return served.request(method, path, body, content_type=content_type, timeout=60)


def is_busy_answer(status: int, headers: dict[str, str], data: bytes) -> bool:
    """The one documented 5xx: 503 ServiceUnavailable with Retry-After (a CLI command held the file)."""
    return status == 503 and "retry-after" in headers and json.loads(data).get("reason") == "ServiceUnavailable"


def cli_hold(served: ServedCluster, name: str, holding: threading.Event, release: threading.Event) -> None:
    """A CLI process creating ConfigMap ``name`` in one transaction: ``holding`` is set once it
    holds the file, which it keeps until ``release`` is set."""
    script = ("import sys\nfrom helmlite.cluster.cluster import Cluster\n"
              f"with Cluster.open({str(served.cluster_path)!r}) as cluster:\n"
              f"    cluster.store.create({configmap(name)!r} | {{'metadata': {{'name': {name!r}, "
              "'namespace': 'default'}})\n"
              "    print('holding', flush=True)\n"
              "    sys.stdin.readline()\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, env=served.env(), text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip() == "holding"
        holding.set()
        release.wait(timeout=60)
        process.stdin.write("\n")
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_stress_every_acknowledged_write_is_in_the_file(tmp_path: Path) -> None:
    served = start_served_cluster(tmp_path / "stress")
    created: set[str] = set()
    deleted: set[str] = set()
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + STRESS_SECONDS

    def check(what: str, expected: int, answer: tuple[int, dict[str, str], bytes]) -> bool:
        status, headers, data = answer
        if status == expected:
            return True
        if not is_busy_answer(status, headers, data):
            with lock:
                failures.append(f"{what}: {status} {data[:300]!r}")
        return False

    def writer(number: int) -> None:
        mine: list[str] = []
        step = 0
        while time.monotonic() < stop_at and not failures:
            step += 1
            name = f"w{number}-{step}"
            if check(f"create {name}", 201, request(served, "POST", CM, configmap(name))):
                mine.append(name)
                with lock:
                    created.add(name)
            if step % 5 == 0 and mine:
                victim = mine.pop(0)
                if check(f"delete {victim}", 200, request(served, "DELETE", f"{CM}/{victim}")):
                    with lock:
                        deleted.add(victim)
            if step % 7 == 0:
                check("scale", 200, request(served, "PATCH", f"{DEPLOYMENTS}/web", {"spec": {"replicas": step % 4 + 1}},
                                            content_type="application/merge-patch+json"))
                check("dry run", 201, request(served, "POST", f"{CM}?dryRun=All", configmap(f"dry-{name}")))
            check("list", 200, request(served, "GET", CM))

    try:
        assert request(served, "POST", DEPLOYMENTS, deployment("web", 3))[0] == 201  # timers for the ticker
        holding, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=cli_hold, args=(served, "held-by-cli", holding, release))
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(STRESS_WRITERS)]
        for thread in (*threads, holder):
            thread.start()
        assert holding.wait(timeout=60)
        # While the CLI holds the file, writes wait; reads are still answered from memory.
        for _ in range(5):
            assert request(served, "GET", "/api/v1/namespaces/default/pods")[0] == 200
        release.set()
        manifest = tmp_path / "cli.yaml"
        cli_created: list[str] = []
        while time.monotonic() < stop_at:  # and CLI commands writing the file between requests
            name = f"cli-{len(cli_created)}"
            manifest.write_text(json.dumps({**configmap(name), "metadata": {"name": name, "namespace": "default"}}))
            served.run(sys.executable, "-m", "helmlite", "cluster", "apply", "-f", str(manifest))
            cli_created.append(name)
        for thread in (*threads, holder):
            thread.join(timeout=120)
        assert not failures, failures
        assert len(created) > STRESS_WRITERS  # the stress did write
        assert request(served, "GET", "/healthz")[0] == 200
        assert request(served, "POST", CM, configmap("after-stress"))[0] == 201
    finally:
        served.stop()
    with Cluster.open(served.cluster_path) as cluster:
        stored = cluster.store.list("v1", "ConfigMap", namespace="default")
    names = {c["metadata"]["name"] for c in stored}
    assert created - deleted <= names, sorted(created - deleted - names)
    assert not deleted & names
    assert {"held-by-cli", "after-stress", *cli_created} <= names
    assert not {n for n in names if n.startswith("dry-")}
    versions = [c["metadata"]["resourceVersion"] for c in stored]
    assert len(versions) == len(set(versions))  # no resourceVersion handed out twice


def test_a_killed_server_loses_no_acknowledged_write(tmp_path: Path) -> None:
    directory = tmp_path / "crash"
    served = start_served_cluster(directory)
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def writer(number: int) -> None:
        step = 0
        while True:
            step += 1
            name = f"w{number}-{step}"
            try:
                status, _, _ = request(served, "POST", CM, configmap(name))
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if status == 201:
                with lock:
                    acknowledged.append(name)
                    if len(acknowledged) >= WRITES_BEFORE_KILL:
                        enough.set()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    try:
        assert request(served, "POST", DEPLOYMENTS, deployment("web", 3))[0] == 201
        for thread in threads:
            thread.start()
        assert enough.wait(timeout=120)
        served.process.kill()  # SIGKILL, by pid, while the writers are still sending
        served.process.wait(timeout=30)
        for thread in threads:
            thread.join(timeout=120)
    finally:
        served.stop()
    with lock:
        written = list(acknowledged)
    restarted = start_served_cluster(directory)  # the same cluster file
    try:
        _, listed = restarted.json("GET", CM)
        present = {item["metadata"]["name"] for item in listed["items"]}
        assert set(written) <= present, sorted(set(written) - present)
        assert restarted.request("POST", CM, configmap("after-restart"))[0] == 201
    finally:
        restarted.stop()
    with sqlite3.connect(restarted.cluster_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
