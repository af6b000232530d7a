"""The Session contract, on both backends: the simulator in process (waits fast-forward virtual
time) and the kube backend against the simulator served as a Kubernetes API (waits take real,
short, seconds). The same calls must give the same objects, statuses, messages and errors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from backend_objects import (
    WIDGET_CRD,
    config_map,
    deployment,
    job,
    ref,
    service,
    widget,
)

from helmlite.actions.managedfields import managed_fields_patch
from helmlite.backends import (
    Backend,
    ReadyStatus,
    ResourceConflict,
    ResourceError,
    ResourceExists,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    ResourceStatus,
    Session,
    UnknownKind,
    WaitTarget,
)
from helmlite.backends.simulator import SimulatorBackend


@dataclass
class BackendUnderTest:
    """A session on one backend, and how to inject a simulator fault into its cluster."""

    backend: Backend
    session: Session
    add_fault: Callable[[Mapping[str, Any]], object]


@pytest.fixture(params=["simulator", "kube"])
def under_test(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BackendUnderTest]:
    if request.param == "simulator":
        from helmlite.cluster.faults import add_fault

        simulator = SimulatorBackend.in_memory(seed=0)
        with simulator.session() as sim:
            yield BackendUnderTest(simulator, sim, lambda spec: add_fault(sim.cluster, spec))
        return
    pytest.importorskip("kubernetes", reason="the kube backend needs the kubernetes client (pip install "
                                             "'helmlite[kube]')")
    from kube_served import add_fault as add_served_fault
    from kube_served import served_in

    from helmlite.backends.kube import KubeBackend, KubeConnection

    with served_in(tmp_path / "served") as served:
        kube = KubeBackend(KubeConnection(apiserver=served.url))
        with kube.session() as session:
            yield BackendUnderTest(kube, session, lambda spec: add_served_fault(served, spec))


@pytest.fixture
def session(under_test: BackendUnderTest) -> Session:
    return under_test.session


def test_backend_and_session_satisfy_the_protocols(under_test: BackendUnderTest) -> None:
    assert isinstance(under_test.backend, Backend) and isinstance(under_test.session, Session)


# --- readiness and waiting -------------------------------------------------------------------


def test_deployment_and_service_become_ready(session: Session) -> None:
    seen: list[Sequence[ResourceStatus]] = []
    session.apply(deployment(replicas=2))
    session.apply(service(type_="LoadBalancer"))
    result = session.wait_ready([ref(deployment()), ref(service())], timeout=120, progress=seen.append)
    assert result.ready and not result.timed_out and result.message() == ""
    assert 0 < result.elapsed < 120
    assert [s.describe() for s in result.statuses] == ["Deployment/default/web: 2/2 ready", "Service/default/web: ready"]
    # progress saw the rollout start and finish, and is only called when something changed
    assert seen[0][0].status is ReadyStatus.IN_PROGRESS and seen[-1] == list(result.statuses)
    assert all(a != b for a, b in itertools.pairwise(seen))
    pods = session.list("v1", "Pod", namespace="default", label_selector="app=web")
    assert [p["metadata"]["name"][:4] for p in pods] == ["web-", "web-"]
    assert session.events(ref(deployment()))[0]["reason"] == "ScalingReplicaSet"


def test_an_image_that_cannot_be_pulled_times_out_naming_the_pod(under_test: BackendUnderTest) -> None:
    under_test.add_fault({"kind": "image-pull", "image": "nginx:9.99"})
    under_test.session.apply(deployment(image="nginx:9.99", replicas=1))
    result = under_test.session.wait_ready([ref(deployment())], timeout=8)
    assert not result.ready and result.timed_out and result.elapsed >= 8
    assert re.fullmatch(r"timed out waiting for the condition: Deployment/default/web: 0/1 ready, "
                        r"pod web-[a-z0-9]+-[a-z0-9]{5}: (ImagePullBackOff|ErrImagePull)", result.message())


def test_hook_jobs_must_complete_even_when_deleted_at_once(session: Session) -> None:
    # ttlSecondsAfterFinished: 0 — complete and deleted at the same instant
    ok, bad = job("migrate", ["echo", "done"]), job("broken", ["sh", "-c", "exit 3"])
    ok["spec"]["ttlSecondsAfterFinished"] = 0
    session.apply(ok)
    session.apply(bad)
    done = session.wait_ready([ref(ok)], timeout=60, target=WaitTarget.HOOKS)
    assert done.ready and not done.timed_out
    assert [s.describe() for s in done.statuses] == ["Job/default/migrate: complete (1/1 succeeded)"]
    failed = session.wait_ready([ref(bad)], timeout=60, target=WaitTarget.HOOKS)
    assert not failed.ready and not failed.timed_out
    assert failed.statuses[0].status is ReadyStatus.FAILED
    assert failed.statuses[0].message.startswith("failed: BackoffLimitExceeded")


def test_paused_deployments_and_missing_objects(session: Session) -> None:
    paused = deployment(paused=True)
    session.apply(paused)
    assert session.wait_ready([ref(paused)], timeout=30).statuses == ()
    result = session.wait_ready([ResourceRef("v1", "ConfigMap", "default", "nope")], timeout=1)
    assert result.timed_out and result.message() == "timed out waiting for the condition: ConfigMap/default/nope: not found"


def test_a_crd_is_established_and_its_kind_served_at_once(session: Session) -> None:
    with pytest.raises(UnknownKind, match='^no matches for kind "Widget" in version "example.com/v1"$'):
        session.namespaced("example.com/v1", "Widget")
    session.apply(WIDGET_CRD)
    assert session.wait_ready([ref(WIDGET_CRD)], timeout=60).ready
    assert session.namespaced("example.com/v1", "Widget") and not session.namespaced("v1", "Namespace")
    caps = session.capabilities()
    assert caps.kube_version.version.startswith("v1.")
    assert {"v1", "apps/v1", "apps/v1/Deployment", "example.com/v1", "example.com/v1/Widget"} <= set(caps.api_versions)
    session.apply(widget())
    assert [w["spec"] for w in session.list("example.com/v1", "Widget")] == [{"size": 3}]


def test_delete_and_wait_for_deletion(session: Session) -> None:
    session.apply(deployment(replicas=2))
    assert session.wait_ready([ref(deployment())], timeout=120).ready
    pods = session.list("v1", "Pod", namespace="default", label_selector="app=web")
    assert session.delete(ref(deployment()))
    assert not session.delete(ref(deployment()))
    # pods of a background-deleted Deployment are collected and terminated
    result = session.wait_deleted([ResourceRef.of(p) for p in pods], timeout=120)
    assert result.ready and result.message() == ""
    assert all(s.status is ReadyStatus.NOT_FOUND for s in result.statuses)
    assert session.list("v1", "Pod", namespace="default", label_selector="app=web") == []


def test_orphan_propagation_keeps_the_dependents(session: Session) -> None:
    session.apply(deployment(replicas=1))
    assert session.wait_ready([ref(deployment())], timeout=120).ready
    [replica_set] = session.list("apps/v1", "ReplicaSet", namespace="default", label_selector="app=web")
    assert session.delete(ref(deployment()), propagation="Orphan")
    assert session.wait_deleted([ref(deployment())], timeout=60).ready
    kept = session.get(ResourceRef.of(replica_set))
    assert kept is not None and not kept["metadata"].get("ownerReferences")


def test_logs_of_a_pod(session: Session) -> None:
    hello = job("hello", ["echo", "hello from the job"])
    session.apply(hello)
    assert session.wait_ready([ref(hello)], timeout=60, target=WaitTarget.HOOKS).ready
    [pod] = session.list("v1", "Pod", namespace="default", label_selector="job-name=hello")
    assert "hello from the job" in session.logs("default", pod["metadata"]["name"])
    assert session.logs("default", pod["metadata"]["name"], "main") == session.logs("default", pod["metadata"]["name"])
    with pytest.raises(ResourceNotFound):
        session.logs("default", "nope")


# --- writes and errors ------------------------------------------------------------------------


def test_dry_run_reports_an_immutable_change_and_changes_nothing(session: Session) -> None:
    session.apply(deployment())
    before = session.get(ref(deployment()))
    moved = deployment()
    moved["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    moved["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(ResourceInvalid, match=r'^Deployment.apps "web" is invalid: spec.selector: .*field is immutable'):
        session.apply(moved, dry_run=True)
    assert session.apply(deployment(replicas=5), dry_run=True)["spec"]["replicas"] == 5
    assert session.apply(deployment(name="fresh"), dry_run=True)["metadata"]["uid"]
    assert session.get(ref(deployment())) == before
    assert session.get(ref(deployment(name="fresh"))) is None


def test_api_errors_keep_the_api_servers_message(session: Session) -> None:
    cm = config_map(a="1")
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
        session.apply({**cm, "data": {"a": "3"}})
    assert session.apply({**cm, "data": {"a": "3"}}, force=True)["data"] == {"a": "3"}
    with pytest.raises(ResourceInvalid, match="resource name may not be empty"):
        session.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})
    with pytest.raises(ResourceInvalid, match='^propagationPolicy: Unsupported value: "Sideways": supported values: '):
        session.delete(ref(cm), propagation="Sideways")


def test_patches_of_each_type(session: Session) -> None:
    session.apply(deployment(replicas=1))
    target = ref(deployment())
    merged = session.patch(target, {"spec": {"replicas": 2}, "metadata": {"labels": {"tier": "web"}}},
                           patch_type="merge")
    assert merged["spec"]["replicas"] == 2 and merged["metadata"]["labels"] == {"tier": "web"}
    # strategic merge: containers merge by name instead of replacing the list
    sidecar = {"name": "log", "image": "busybox:1.36"}
    patched = session.patch(target, {"spec": {"template": {"spec": {"containers": [sidecar]}}}},
                            patch_type="strategic")
    assert [c["name"] for c in patched["spec"]["template"]["spec"]["containers"]] == ["log", "web"]
    ops = [{"op": "test", "path": "/spec/replicas", "value": 2}, {"op": "replace", "path": "/spec/replicas", "value": 4}]
    assert session.patch(target, ops)["spec"]["replicas"] == 4
    # The API server's words; the cause (``testing value /spec/replicas failed``) is in its details.
    with pytest.raises(ResourceInvalid, match="^the server rejected our request due to an error in our request$"):
        session.patch(target, ops, patch_type="json")
    with pytest.raises(ResourceNotFound, match='^deployments.apps "nope" not found$'):
        session.patch(ResourceRef("apps/v1", "Deployment", "default", "nope"), {}, patch_type="merge")
    with pytest.raises(ResourceInvalid, match="unknown patch type 'yaml'"):
        session.patch(target, {}, patch_type="yaml")  # type: ignore[arg-type]


def test_strategic_merge_is_for_built_in_kinds_only(session: Session) -> None:
    session.apply(WIDGET_CRD)
    assert session.wait_ready([ref(WIDGET_CRD)], timeout=60).ready
    session.apply(widget())
    with pytest.raises(ResourceError, match="^the body of the request was in an unknown format") as refused:
        session.patch(ref(widget()), {"spec": {"size": 4}}, patch_type="strategic")
    assert (refused.value.code, refused.value.reason) == (415, "UnsupportedMediaType")
    assert session.patch(ref(widget()), {"spec": {"size": 4}}, patch_type="merge")["spec"] == {"size": 4}


def test_the_managed_fields_patch_is_guarded_by_the_resource_version(session: Session) -> None:
    session.apply(config_map(a="1"), field_manager="helm")
    live = session.get(ref(config_map()))
    assert live is not None
    entries = live["metadata"]["managedFields"]
    taken_over = [{**entry, "manager": "helmlite"} for entry in entries]
    session.apply(config_map(a="2"), field_manager="helm")  # another writer gets in after the read
    stale = managed_fields_patch(taken_over, live["metadata"]["resourceVersion"])
    with pytest.raises(ResourceConflict, match="the object has been modified"):
        session.patch(ref(config_map()), stale, field_manager="helmlite")
    fresh = session.get(ref(config_map()))
    assert fresh is not None
    moved = session.patch(ref(config_map()), managed_fields_patch(
        [{**entry, "manager": "helmlite"} for entry in fresh["metadata"]["managedFields"]],
        fresh["metadata"]["resourceVersion"]), field_manager="helmlite")
    assert [(e["manager"], e["operation"]) for e in moved["metadata"]["managedFields"]] == [("helmlite", "Apply")]
    assert moved["data"] == {"a": "2"} and moved["metadata"]["resourceVersion"] != fresh["metadata"]["resourceVersion"]
