"""The store's and the event recorder's fast paths keep what clients see: event names when many
events hit one object at one instant, key order and value types of what a write stores, the
managedFields of objects written alike, and the store's change counter."""

from __future__ import annotations

from helmlite.cluster import Cluster

from .manifests import configmap, deployment


def test_many_events_about_one_object_at_one_instant_take_consecutive_names(cluster: Cluster) -> None:
    rs = cluster.store.create(deployment("web", replicas=0))
    base = round(cluster.clock.now * 1_000_000_000)
    names = [cluster.events.record(rs, "Normal", "SuccessfulCreate", f"Created pod: web-{i}",
                                   component="replicaset-controller")["metadata"]["name"]  # type: ignore[index]
             for i in range(300)]
    assert names == [f"web.{base + i:x}" for i in range(300)]


def test_a_deleted_event_frees_its_name_for_the_next_one_at_that_instant(cluster: Cluster) -> None:
    rs = cluster.store.create(deployment("web", replicas=0))
    base = round(cluster.clock.now * 1_000_000_000)
    for i in range(3):
        cluster.events.record(rs, "Normal", "A", f"m{i}", component="c")
    cluster.store.delete("v1", "Event", f"web.{base + 1:x}", namespace="default")
    again = cluster.events.record(rs, "Normal", "A", "m3", component="c")
    later = cluster.events.record(rs, "Normal", "A", "m4", component="c")
    assert again is not None and again["metadata"]["name"] == f"web.{base + 1:x}"
    assert later is not None and later["metadata"]["name"] == f"web.{base + 3:x}"


def test_an_event_name_someone_else_took_is_skipped(cluster: Cluster) -> None:
    rs = cluster.store.create(deployment("web", replicas=0))
    base = round(cluster.clock.now * 1_000_000_000)
    cluster.events.record(rs, "Normal", "A", "m0", component="c")
    cluster.store.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"web.{base + 1:x}"},
                          "involvedObject": {"kind": "Pod", "name": "other", "namespace": "default"},
                          "reason": "X", "message": "y", "type": "Normal"})
    event = cluster.events.record(rs, "Normal", "A", "m1", component="c")
    assert event is not None and event["metadata"]["name"] == f"web.{base + 2:x}"


def test_a_write_stores_the_new_key_order_and_value_types(cluster: Cluster) -> None:
    cluster.store.create(configmap("cfg", data={"a": "1", "b": "2"}))
    current = cluster.store.get("v1", "ConfigMap", "cfg", namespace="default")
    current["data"] = {"b": "2", "a": "1"}  # equal as a dict, but JSON output shows the order
    current["metadata"]["labels"] = {"tier": "web"}
    stored = cluster.store.replace(current)
    assert list(stored["data"]) == ["b", "a"]
    assert list(cluster.store.get("v1", "ConfigMap", "cfg", namespace="default")["data"]) == ["b", "a"]


def test_pods_written_alike_have_equal_managed_fields_yet_independent_copies() -> None:
    cluster = Cluster.in_memory(nodes=3)
    for name in ("a", "b"):
        cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                              "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}})
    cluster.run_until(lambda: False, 60)
    a, b = (cluster.store.get("v1", "Pod", n, namespace="default") for n in ("a", "b"))
    creator_a, creator_b = (next(e for e in p["metadata"]["managedFields"] if e["manager"] == "helmlite")
                            for p in (a, b))
    assert creator_a == creator_b
    creator_a["fieldsV1"]["f:spec"].clear()  # a client's copy is its own
    again = cluster.store.get("v1", "Pod", "b", namespace="default")
    assert next(e for e in again["metadata"]["managedFields"] if e["manager"] == "helmlite") == creator_b


def test_change_count_moves_on_every_write_and_removal(cluster: Cluster) -> None:
    before = cluster.store.change_count
    cluster.store.create(configmap("cfg"))
    created = cluster.store.change_count
    cluster.store.delete("v1", "ConfigMap", "cfg", namespace="default")  # removed at once: no resourceVersion
    assert before < created < cluster.store.change_count


def test_managers_owning_identical_fields_get_unaliased_copies(cluster: Cluster) -> None:
    manifest = configmap("cfg", data={"k": "v"})
    cluster.store.apply(manifest, field_manager="first")
    cluster.store.apply(manifest, field_manager="second")
    got = cluster.store.get("v1", "ConfigMap", "cfg", namespace="default")
    first, second = (e["fieldsV1"] for e in got["metadata"]["managedFields"])
    assert first == second
    first["f:data"].clear()
    assert second["f:data"] == {"f:k": {}}
