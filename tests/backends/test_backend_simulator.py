"""The simulator backend end to end: apply, wait in virtual time, fail clearly, persist per session."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from helmlite.backends import (
    Backend,
    BackendUnavailable,
    ReadyStatus,
    ResourceConflict,
    ResourceExists,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    ResourceStatus,
    Session,
    UnknownKind,
    WaitError,
    WaitTarget,
    get_backend,
)
from helmlite.backends.simulator import SimulatorBackend, SimulatorSession
from helmlite.cli.options import global_options, settings
from helmlite.cluster.faults import add_fault

WALL = 1_800_000_000.0


def deployment(name: str = "web", image: str = "nginx:1.25", replicas: int = 3, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": name, "image": image}]}},
            **spec,
        },
    }


def service(name: str = "web", type_: str = "ClusterIP") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": type_, "selector": {"app": name}, "ports": [{"port": 80}]}}


def job(name: str, command: list[str]) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
            "spec": {"backoffLimit": 1, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "main", "image": "busybox:1.36", "command": command}]}}}}


def ref(obj: dict[str, Any]) -> ResourceRef:
    return ResourceRef.of(obj)


@pytest.fixture
def session() -> Any:
    with SimulatorBackend.in_memory(seed=0).session() as s:
        yield s


def test_backend_and_session_satisfy_the_protocols() -> None:
    backend = SimulatorBackend.in_memory()
    assert isinstance(backend, Backend) and backend.name == "simulator"
    with backend.session() as s:
        assert isinstance(s, Session)


def test_deployment_and_service_become_ready_by_fast_forwarding(session: SimulatorSession) -> None:
    seen: list[Sequence[ResourceStatus]] = []
    session.apply(deployment())
    session.apply(service(type_="LoadBalancer"))
    result = session.wait_ready([ref(deployment()), ref(service())], timeout=300, progress=seen.append)
    assert result.ready and not result.timed_out and result.message() == ""
    # the rollout took simulated time (image pull, container start), far less than the timeout
    assert 0 < result.elapsed < 300
    assert [s.describe() for s in result.statuses] == [
        "Deployment/default/web: 3/3 ready", "Service/default/web: ready"]
    # progress saw the rollout start and finish, and is only called when something changed
    assert seen[0][0].status is ReadyStatus.IN_PROGRESS and seen[-1] == list(result.statuses)
    assert all(a != b for a, b in itertools.pairwise(seen))
    result.raise_for_status()


def test_an_image_that_cannot_be_pulled_times_out_naming_the_pod(session: SimulatorSession) -> None:
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


def test_hook_jobs_must_complete(session: SimulatorSession) -> None:
    ok, bad = job("migrate", ["echo", "done"]), job("broken", ["sh", "-c", "exit 3"])
    session.apply(ok)
    session.apply(bad)
    done = session.wait_ready([ref(ok)], target=WaitTarget.HOOKS)
    assert done.ready and done.statuses[0].message == "complete (1/1 succeeded)"
    failed = session.wait_ready([ref(bad)], target=WaitTarget.HOOKS)
    assert not failed.ready and not failed.timed_out
    assert failed.statuses[0].status is ReadyStatus.FAILED
    assert failed.statuses[0].message.startswith("failed: BackoffLimitExceeded")


def test_a_hook_job_deleted_the_instant_it_completes_still_counts(session: SimulatorSession) -> None:
    # ttlSecondsAfterFinished: 0 — complete and deleted at the same virtual instant
    hook = job("cleanup", ["echo", "done"])
    hook["spec"]["ttlSecondsAfterFinished"] = 0
    session.apply(hook)
    result = session.wait_ready([ref(hook)], timeout=60, target=WaitTarget.HOOKS)
    assert result.ready and not result.timed_out
    assert [s.describe() for s in result.statuses] == ["Job/default/cleanup: complete (1/1 succeeded)"]
    assert session.get(ref(hook)) is None


def test_paused_deployments_are_not_waited_for(session: SimulatorSession) -> None:
    paused = deployment(paused=True)
    session.apply(paused)
    result = session.wait_ready([ref(paused)], timeout=60)
    assert result.ready and result.statuses == () and result.elapsed == 0


def test_missing_resources_are_not_found_until_the_timeout(session: SimulatorSession) -> None:
    result = session.wait_ready([ResourceRef("v1", "ConfigMap", "default", "nope")], timeout=10)
    assert result.timed_out and result.message() == (
        "timed out waiting for the condition: ConfigMap/default/nope: not found")


def test_crd_is_established_and_served(session: SimulatorSession) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object",
                                                              "x-kubernetes-preserve-unknown-fields": True}}}]},
    }
    with pytest.raises(UnknownKind):
        session.namespaced("example.com/v1", "Widget")
    session.apply(crd)
    crd_ref = ResourceRef.of(crd)
    assert session.wait_ready([crd_ref], timeout=60).ready
    assert session.namespaced("example.com/v1", "Widget") and not session.namespaced("v1", "Namespace")
    caps = session.capabilities()
    assert caps.kube_version.version == "v1.37.0"
    assert {"v1", "apps/v1", "apps/v1/Deployment", "example.com/v1", "example.com/v1/Widget"} <= set(caps.api_versions)


def test_dry_run_reports_an_immutable_change_and_changes_nothing(session: SimulatorSession) -> None:
    session.apply(deployment())
    before = session.get(ref(deployment()))
    moved = deployment()
    moved["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    moved["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    immutable = r'^Deployment.apps "web" is invalid: spec.selector: .*field is immutable'
    with pytest.raises(ResourceInvalid, match=immutable):
        session.apply(moved, dry_run=True)
    scaled = session.apply(deployment(replicas=5), dry_run=True)
    assert scaled["spec"]["replicas"] == 5
    new = session.apply(deployment(name="fresh"), dry_run=True)
    assert new["metadata"]["uid"]
    assert session.get(ref(deployment())) == before
    assert session.get(ref(deployment(name="fresh"))) is None


def test_api_errors_keep_the_api_servers_message(session: SimulatorSession) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
          "data": {"a": "1"}}
    session.create(cm)
    with pytest.raises(ResourceExists, match='^configmaps "cfg" already exists$'):
        session.create(cm)
    with pytest.raises(ResourceNotFound, match='^namespaces "nowhere" not found$'):
        session.apply({**cm, "metadata": {"name": "cfg", "namespace": "nowhere"}})
    with pytest.raises(UnknownKind, match="no matches for kind"):
        session.get(ResourceRef("example.com/v1", "Gadget", "default", "x"))
    # a field another manager took over: conflict, unless forced
    session.apply({**cm, "data": {"a": "2"}}, field_manager="kubectl", force=True)
    with pytest.raises(ResourceConflict, match='^Apply failed with 1 conflict: conflict with "kubectl"'):
        session.apply({**cm, "data": {"a": "3"}}, field_manager="helmlite")
    assert session.apply({**cm, "data": {"a": "3"}}, force=True)["data"] == {"a": "3"}
    with pytest.raises(ResourceInvalid, match="resource name may not be empty"):
        session.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})


def test_delete_and_wait_for_deletion(session: SimulatorSession) -> None:
    session.apply(deployment())
    assert session.wait_ready([ref(deployment())]).ready
    pods = session.list("v1", "Pod", namespace="default", label_selector="app=web")
    assert len(pods) == 3
    assert session.delete(ref(deployment()))
    assert not session.delete(ref(deployment()))
    pod_refs = [ResourceRef.of(p) for p in pods]
    result = session.wait_deleted(pod_refs, timeout=120)
    # pods of a background-deleted Deployment are collected and terminated
    assert result.ready and result.message() == ""
    assert all(s.status is ReadyStatus.NOT_FOUND for s in result.statuses)
    assert session.list("v1", "Pod", namespace="default", label_selector="app=web") == []


def test_events_of_an_object(session: SimulatorSession) -> None:
    session.apply(deployment())
    session.wait_ready([ref(deployment())])
    reasons = [e["reason"] for e in session.events(ref(deployment()))]
    assert reasons and reasons[0] == "ScalingReplicaSet"


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
