"""Release storage on the simulator: the driver, history and lease contracts of tests/release,
run against Secret and ConfigMap drivers over ``SimulatorObjectClient``.

The contract tests are imported from their modules (loaded by path, so this file runs alone
too) and collected here, where ``make_driver`` builds drivers over the simulated cluster.
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helmlite.backends.simulator import SimulatorBackend, SimulatorSession
from helmlite.release.storage import (
    ConfigMapDriver,
    Driver,
    ObjectClient,
    ObjectClientError,
    ObjectConflict,
    ObjectExists,
    ObjectNotFound,
    SecretDriver,
)

RELEASE_TESTS = Path(__file__).resolve().parent.parent / "release"
NOW = 1795313942
# The namespaces the contract tests write to; the API server refuses writes to missing ones.
NAMESPACES = ("prod", "dev", "team-a", "a", "b")
DriverFactory = Callable[[str], Driver]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"backend_contract_{name}", RELEASE_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _contract_tests() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in ("test_release_drivers", "test_release_history", "test_release_lock"):
        for attr, fn in vars(_load(name)).items():
            if attr.startswith("test_") and callable(fn):
                params = inspect.signature(fn).parameters
                if "make_driver" in params or "driver" in params:
                    found[attr] = fn
    return found


globals().update(_contract_tests())


@pytest.fixture
def cluster_session() -> Iterator[SimulatorSession]:
    with SimulatorBackend.in_memory().session() as s:
        for ns in NAMESPACES:
            s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        yield s


@pytest.fixture(params=["secret", "configmap"])
def make_driver(request: pytest.FixtureRequest, cluster_session: SimulatorSession) -> DriverFactory:
    cls = SecretDriver if request.param == "secret" else ConfigMapDriver
    client = cluster_session.object_client()

    def make(ns: str) -> Driver:
        return cls(client, ns, clock=lambda: NOW)

    return make


@pytest.fixture
def driver(make_driver: DriverFactory) -> Driver:
    return make_driver("default")


def test_the_contract_tests_were_collected() -> None:
    names = set(_contract_tests())
    assert {"test_create_twice_is_release_exists", "test_lease_store_is_compare_and_swap",
            "test_history_last_and_get", "test_live_holder_is_refused_with_the_exact_message"} <= names


def test_object_client_has_kubernetes_write_semantics(cluster_session: SimulatorSession) -> None:
    client = cluster_session.object_client()
    assert isinstance(client, ObjectClient)
    cm: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "prod"},
                          "data": {}}
    created = client.create(cm)
    with pytest.raises(ObjectExists, match='^configmaps "a" already exists$'):
        client.create(cm)
    updated = client.update({**cm, "data": {"k": "v"}})
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    stale = {**cm, "metadata": {**cm["metadata"], "resourceVersion": created["metadata"]["resourceVersion"]}}
    with pytest.raises(ObjectConflict, match="the object has been modified"):
        client.update(stale)
    with pytest.raises(ObjectConflict, match="Precondition failed"):
        client.delete("ConfigMap", "prod", "a", resource_version=created["metadata"]["resourceVersion"])
    with pytest.raises(ObjectNotFound):
        client.update({**cm, "metadata": {"name": "b", "namespace": "prod"}})
    returned = client.get("ConfigMap", "prod", "a")
    assert returned is not None
    returned["data"]["k"] = "mutated"
    assert (client.get("ConfigMap", "prod", "a") or {})["data"] == {"k": "v"}
    assert [o["metadata"]["name"] for o in client.list("ConfigMap", "", {})
            if o["metadata"]["namespace"] == "prod"] == ["a"]
    client.delete("ConfigMap", "prod", "a", resource_version=updated["metadata"]["resourceVersion"])
    assert client.get("ConfigMap", "prod", "a") is None
    with pytest.raises(ObjectNotFound):
        client.delete("ConfigMap", "prod", "a")


def test_object_client_other_api_errors_are_storage_errors(cluster_session: SimulatorSession) -> None:
    client = cluster_session.object_client()
    with pytest.raises(ObjectClientError, match='^namespaces "nowhere" not found$'):
        client.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "nowhere"}})
    with pytest.raises(ObjectClientError, match='no matches for kind "Gadget"'):
        client.get("Gadget", "default", "x")


def test_releases_are_helms_secrets_in_the_cluster(cluster_session: SimulatorSession) -> None:
    from helmlite.release import Info, Release, Status
    from helmlite.release.storage import make_key

    driver = SecretDriver(cluster_session.object_client(), "prod", clock=lambda: NOW)
    release = Release(name="web", namespace="prod", version=1,
                      info=Info(status=Status.DEPLOYED, description="Install complete"),
                      chart={"metadata": {"name": "app", "version": "1.0.0"}}, config={}, manifest="")
    driver.create(make_key("web", 1), release, {})
    secret = cluster_session.cluster.store.get("v1", "Secret", "sh.helm.release.v1.web.v1", namespace="prod")
    assert secret["type"] == "helm.sh/release.v1"
    assert secret["metadata"]["labels"] == {"createdAt": str(NOW), "name": "web", "owner": "helm",
                                            "status": "deployed", "version": "1"}
    assert driver.get(make_key("web", 1)).info.description == "Install complete"
