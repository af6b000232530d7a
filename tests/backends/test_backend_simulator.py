"""The simulator backend: what only virtual time and the cluster file show (exact timeouts,
rollouts failing over simulated minutes, sessions as transactions). The Session contract both
backends share is tested in ``test_backend_contract.py``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
from backend_objects import deployment, ref, service
from click.testing import CliRunner

from helmlite.backends import (
    BackendUnavailable,
    ReadyStatus,
    ResourceInvalid,
    ResourceRef,
    WaitError,
    get_backend,
)
from helmlite.backends.simulator import SimulatorBackend, SimulatorSession
from helmlite.cli.options import global_options, settings
from helmlite.cluster.faults import add_fault

WALL = 1_800_000_000.0


@pytest.fixture
def session() -> Any:
    with SimulatorBackend.in_memory(seed=0).session() as s:
        yield s


def test_a_timed_out_wait_takes_exactly_the_timeout_and_raises_naming_the_pod(session: SimulatorSession) -> None:
    add_fault(session.cluster, {"kind": "image-pull", "image": "nginx:9.99"})
    session.apply(deployment(image="nginx:9.99"))
    result = session.wait_ready([ref(deployment())], timeout=120)
    assert not result.ready and result.timed_out and result.elapsed == 120
    assert re.fullmatch(r"timed out waiting for the condition: Deployment/default/web: 0/3 ready, "
                        r"pod web-[a-z0-9]+-[a-z0-9]{5}: (ImagePullBackOff|ErrImagePull)", result.message())
    with pytest.raises(WaitError, match="ImagePull") as caught:
        result.raise_for_status()
    assert caught.value.result is result


def test_an_upgrade_to_a_bad_image_names_the_new_pod(session: SimulatorSession) -> None:
    session.apply(deployment())
    assert session.wait_ready([ref(deployment())]).ready
    add_fault(session.cluster, {"kind": "image-pull", "image": "nginx:9.99"})
    session.apply(deployment(image="nginx:9.99"))
    result = session.wait_ready([ref(deployment())], timeout=60)
    [status] = result.statuses
    assert status.status is ReadyStatus.IN_PROGRESS
    assert re.fullmatch(r"1/3 updated, pod web-[a-z0-9]+-[a-z0-9]{5}: ImagePullBackOff", status.message)


def test_a_progress_deadline_fails_the_wait_before_the_timeout(session: SimulatorSession) -> None:
    add_fault(session.cluster, {"kind": "image-pull", "image": "nginx:9.99"})
    session.apply(deployment(image="nginx:9.99", progressDeadlineSeconds=30))
    result = session.wait_ready([ref(deployment())], timeout=600)
    assert not result.ready and not result.timed_out and result.elapsed < 600
    assert result.statuses[0].status is ReadyStatus.FAILED
    assert result.message().startswith("resources failed: Deployment/default/web: progress deadline exceeded")


def test_a_crash_looping_pod_is_named_with_its_restarts(session: SimulatorSession) -> None:
    add_fault(session.cluster, {"kind": "container-exit", "selector": "app=web", "exitCode": 1})
    session.apply(deployment(replicas=1))
    result = session.wait_ready([ref(deployment())], timeout=120)
    assert re.fullmatch(r"0/1 ready, pod web-\S+: CrashLoopBackOff \(restarted \d+ times?, last exit code 1\)",
                        result.statuses[0].message)











# --- sessions over a cluster file ----------------------------------------------------------


def file_backend(path: Path, **kw: Any) -> SimulatorBackend:
    return SimulatorBackend(path, wall_clock=lambda: WALL, **kw)


def test_sessions_persist_to_the_cluster_file(tmp_path: Path) -> None:
    backend = file_backend(tmp_path / "cluster.db")
    with backend.session() as s:
        s.apply(deployment())
        assert s.wait_ready([ref(deployment())]).ready
    with file_backend(tmp_path / "cluster.db").session() as s:
        status = s.status([ref(deployment())])
        assert [x.describe() for x in status] == ["Deployment/default/web: 3/3 ready"]


def test_an_exception_inside_a_session_keeps_nothing(tmp_path: Path) -> None:
    backend = file_backend(tmp_path / "cluster.db")
    with backend.session() as s:
        s.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept", "namespace": "default"}})
    with pytest.raises(RuntimeError, match="crash"), backend.session() as s:
        s.apply(deployment())
        s.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "lost", "namespace": "default"}})
        raise RuntimeError("crash")
    with backend.session() as s:
        assert s.get(ResourceRef("v1", "ConfigMap", "default", "kept")) is not None
        assert s.get(ResourceRef("v1", "ConfigMap", "default", "lost")) is None
        assert s.get(ref(deployment())) is None
        assert s.list("v1", "Pod", namespace="default") == []


def test_a_busy_cluster_file_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "cluster.db"
    busy = pytest.raises(BackendUnavailable, match="is busy")
    with file_backend(path).session(), busy, file_backend(path, timeout=0.05).session():
        pass


def test_in_memory_sessions_share_one_cluster() -> None:
    backend = SimulatorBackend.in_memory()
    with backend.session() as s:
        s.apply(deployment())
    with backend.session() as s:
        assert s.get(ref(deployment())) is not None


# --- choosing the backend ------------------------------------------------------------------


def test_get_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = get_backend("simulator", cluster=tmp_path / "a.db")
    assert isinstance(explicit, SimulatorBackend) and explicit.path == tmp_path / "a.db"
    monkeypatch.setenv("HELMLITE_CLUSTER", str(tmp_path / "env.db"))
    assert getattr(get_backend(), "path", None) == tmp_path / "env.db"
    monkeypatch.delenv("HELMLITE_CLUSTER")
    monkeypatch.setenv("HELMLITE_DATA", str(tmp_path / "data"))
    assert getattr(get_backend(), "path", None) == tmp_path / "data" / "cluster.db"
    # The kube backend connects lazily: building it needs no cluster (and imports no client).
    assert get_backend("kube").name == "kube"
    with pytest.raises(BackendUnavailable, match="unknown backend 'nope'"):
        get_backend("nope")


def test_cluster_flag_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    @global_options
    def show() -> None:
        click.echo(settings().cluster or "<default>")

    runner = CliRunner()
    monkeypatch.delenv("HELMLITE_CLUSTER", raising=False)
    assert runner.invoke(show, []).output == "<default>\n"
    assert runner.invoke(show, ["--cluster", "/tmp/c.db"]).output == "/tmp/c.db\n"
    monkeypatch.setenv("HELMLITE_CLUSTER", "/tmp/env.db")
    assert runner.invoke(show, []).output == "/tmp/env.db\n"


def test_wait_for_deletion_times_out_on_a_finalizer(session: SimulatorSession) -> None:
    held = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "held", "namespace": "default", "finalizers": ["example.com/hold"]}}
    session.create(held)
    assert session.delete(ResourceRef.of(held))
    result = session.wait_deleted([ResourceRef.of(held)], timeout=10)
    assert result.timed_out and not result.ready and result.elapsed == 10
    assert result.message() == "timed out waiting for the condition: ConfigMap/default/held: being deleted"


def test_dry_run_sees_addresses_other_services_hold(session: SimulatorSession) -> None:
    web = service()
    web["spec"] = {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": 30080}]}
    session.apply(web)
    other = {**web, "metadata": {"name": "other", "namespace": "default"}}
    with pytest.raises(ResourceInvalid, match="provided port is already allocated"):
        session.apply(other, dry_run=True)
    # an update keeps its own address and port
    moved = session.apply({**web, "spec": {**web["spec"], "selector": {"app": "x"}}}, dry_run=True)
    assert moved["spec"]["clusterIP"] == (session.get(ResourceRef.of(web)) or {})["spec"]["clusterIP"]
