"""The controller contract: registration, work queue, wakeups, back-off, the reconcile loop."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from helmlite.cluster import Cluster, ConflictError, SimulatorError
from helmlite.cluster.controllers import (
    KindController,
    WorkQueue,
    object_key,
    split_key,
)
from helmlite.cluster.store import WatchEvent

from .manifests import configmap, owner_ref


class Mirror(KindController):
    """Test controller: keeps a ConfigMap ``<name>-copy`` owned by each ConfigMap labelled mirror=yes."""

    name = "mirror-controller"
    kind = ("", "ConfigMap")
    owns = (("", "ConfigMap"),)

    def __init__(self) -> None:
        self.synced: list[str] = []

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        labels = event.object["metadata"].get("labels") or {}
        return [object_key(event.object)] if labels.get("mirror") == "yes" else []

    def sync(self, cluster: Cluster, key: str) -> None:
        self.synced.append(key)
        namespace, name = split_key(key)
        source = cluster.store.peek("", "ConfigMap", namespace, name)
        if source is None or cluster.store.peek("", "ConfigMap", namespace, f"{name}-copy") is not None:
            return
        cluster.store.create(configmap(f"{name}-copy", namespace=namespace, owners=[owner_ref(source)],
                                       data=source.get("data")), field_manager=self.name)
        cluster.events.record(source, "Normal", "Mirrored", f"Created {name}-copy", component=self.name)


def mirrored(name: str) -> dict:
    cm = configmap(name)
    cm["metadata"]["labels"] = {"mirror": "yes"}
    return cm


def test_work_queue_deduplicates_in_fifo_order() -> None:
    queue = WorkQueue()
    for controller, key in (("a", "1"), ("a", "2"), ("a", "1"), ("b", "1")):
        queue.add(controller, key)
    assert len(queue) == 3 and ("a", "2") in queue
    assert [queue.pop() for _ in range(3)] == [("a", "1"), ("a", "2"), ("b", "1")]
    with pytest.raises(IndexError):
        queue.pop()


def test_keys() -> None:
    assert object_key({"metadata": {"name": "web", "namespace": "prod"}}) == "prod/web"
    assert object_key({"metadata": {"name": "node-1"}}) == "node-1"
    assert split_key("prod/web") == ("prod", "web") and split_key("node-1") == ("", "node-1")


def test_owned_objects_wake_their_controller() -> None:
    class Owner(KindController):
        name = "owner"
        kind = ("apps", "ReplicaSet")
        owns = (("", "Pod"),)

    cluster = Cluster.in_memory(controllers=[])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rs-abc", "namespace": "prod", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u", "controller": True}]}}
    kind = cluster.kinds.get("", "Pod")
    assert kind is not None
    assert list(Owner().keys_for(cluster, WatchEvent("ADDED", kind, pod, None))) == ["prod/rs"]
    assert Owner().watches == (("apps", "ReplicaSet"), ("", "Pod"))


def test_reconcile_runs_controllers_until_quiescent() -> None:
    mirror = Mirror()
    cluster = Cluster.in_memory(controllers=[mirror])
    cluster.store.create(mirrored("a"))
    cluster.store.create(configmap("ignored"))
    assert cluster.store.peek("", "ConfigMap", "default", "a-copy") is None  # nothing runs until reconcile
    syncs = cluster.reconcile()
    assert syncs >= 1
    assert mirror.synced == ["default/a"]
    copy = cluster.store.get("v1", "ConfigMap", "a-copy", namespace="default")
    assert copy["metadata"]["ownerReferences"][0]["name"] == "a"
    assert copy["metadata"]["managedFields"][0]["manager"] == "mirror-controller"
    assert [e["reason"] for e in cluster.store.list("v1", "Event")] == ["Mirrored"]
    assert cluster.reconcile() == 0


def test_builtin_machinery_runs_alongside() -> None:
    cluster = Cluster.in_memory(controllers=[Mirror()])
    cluster.store.create(mirrored("a"))
    cluster.reconcile()
    cluster.store.delete("v1", "ConfigMap", "a", namespace="default")
    cluster.reconcile()  # the garbage collector removes the copy
    assert cluster.store.list("v1", "ConfigMap", namespace="default") == []


def test_enqueue_after_wakes_at_the_virtual_time() -> None:
    class Alarm:
        name = "alarm"
        watches = ()

        def __init__(self) -> None:
            self.rang: list[tuple[str, float]] = []

        def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
            return ()

        def sync(self, cluster: Cluster, key: str) -> None:
            self.rang.append((key, cluster.clock.now))

    alarm = Alarm()
    cluster = Cluster.in_memory(controllers=[alarm])
    start = cluster.clock.now
    cluster.enqueue_after("alarm", "wake", 90)
    cluster.enqueue_after("alarm", "wake", 300)  # later request: the earlier one stands
    cluster.enqueue_after("alarm", "now", 0)
    cluster.reconcile()
    assert alarm.rang == [("now", start)]
    cluster.advance(89)
    assert len(alarm.rang) == 1
    assert cluster.run_until(lambda: len(alarm.rang) == 2, timeout=600) is True
    assert alarm.rang[1] == ("wake", start + 90)


def test_api_errors_are_retried_with_backoff() -> None:
    class Flaky:
        name = "flaky"
        watches = ()

        def __init__(self) -> None:
            self.attempts: list[float] = []

        def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
            return ()

        def sync(self, cluster: Cluster, key: str) -> None:
            self.attempts.append(round(cluster.clock.now - start, 3))
            if len(self.attempts) < 4:
                raise ConflictError("try again")

    flaky = Flaky()
    cluster = Cluster.in_memory(controllers=[flaky])
    start = cluster.clock.now
    cluster.enqueue("flaky", "k")
    cluster.advance(1)
    assert flaky.attempts == [0, 0.005, 0.015, 0.035]


def test_other_exceptions_propagate() -> None:
    class Broken:
        name = "broken"
        watches = ()

        def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
            return ()

        def sync(self, cluster: Cluster, key: str) -> None:
            raise RuntimeError("bug")

    cluster = Cluster.in_memory(controllers=[Broken()])
    cluster.enqueue("broken", "k")
    with pytest.raises(RuntimeError, match="bug"):
        cluster.reconcile()


def test_livelock_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    class Restless:
        name = "restless"
        watches = ()

        def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
            return ()

        def sync(self, cluster: Cluster, key: str) -> None:
            cluster.enqueue(self.name, "again" if key == "k" else "k")

    monkeypatch.setattr("helmlite.cluster.cluster.MAX_SYNCS_PER_RECONCILE", 100)
    cluster = Cluster.in_memory(controllers=[Restless()])
    cluster.enqueue("restless", "k")
    with pytest.raises(SimulatorError, match="did not settle"):
        cluster.reconcile()


def test_controller_names_are_unique() -> None:
    cluster = Cluster.in_memory(controllers=[Mirror()])
    with pytest.raises(ValueError, match="already registered"):
        cluster.register_controller(Mirror())
    assert cluster.controller("garbage-collector").name == "garbage-collector"
