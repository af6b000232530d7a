"""Events: naming, fields, aggregation of identical events, listing, expiry."""

from __future__ import annotations

import re

from helmlite.cluster import Cluster

from .manifests import deployment


def test_record_creates_an_event(cluster: Cluster) -> None:
    deploy = cluster.store.create(deployment())
    cluster.advance(1.5)
    event = cluster.events.record(deploy, "Normal", "ScalingReplicaSet", "Scaled up replica set web-abc to 3",
                                  component="deployment-controller")
    assert event is not None
    assert re.fullmatch(r"web\.[0-9a-f]+", event["metadata"]["name"])
    assert int(event["metadata"]["name"].split(".")[1], 16) == int(cluster.clock.now * 1e9)
    assert event["metadata"]["namespace"] == "default"
    assert event["involvedObject"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "default",
        "uid": deploy["metadata"]["uid"], "resourceVersion": deploy["metadata"]["resourceVersion"]}
    assert {k: event[k] for k in ("type", "reason", "message", "count", "source", "firstTimestamp", "lastTimestamp",
                                  "reportingComponent")} == {
        "type": "Normal", "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-abc to 3", "count": 1,
        "source": {"component": "deployment-controller"}, "firstTimestamp": "2026-01-01T00:00:01Z",
        "lastTimestamp": "2026-01-01T00:00:01Z", "reportingComponent": "deployment-controller"}


def test_identical_events_are_aggregated(cluster: Cluster) -> None:
    deploy = cluster.store.create(deployment())
    first = cluster.events.record(deploy, "Warning", "BackOff", "Back-off restarting failed container",
                                  component="kubelet", host="node-1")
    cluster.advance(30)
    second = cluster.events.record(deploy, "Warning", "BackOff", "Back-off restarting failed container",
                                   component="kubelet", host="node-1")
    assert first is not None and second is not None
    assert second["metadata"]["name"] == first["metadata"]["name"]
    assert second["count"] == 2
    assert second["firstTimestamp"] == "2026-01-01T00:00:00Z"
    assert second["lastTimestamp"] == "2026-01-01T00:00:30Z"
    assert second["source"] == {"component": "kubelet", "host": "node-1"}
    other = cluster.events.record(deploy, "Warning", "BackOff", "a different message", component="kubelet",
                                  host="node-1")
    assert other is not None and other["metadata"]["name"] != first["metadata"]["name"]
    # (the workload controllers record their own events about the Deployment too)
    assert len([e for e in cluster.store.list("v1", "Event", namespace="default") if e["reason"] == "BackOff"]) == 2


def test_events_about_cluster_scoped_objects_live_in_default(cluster: Cluster) -> None:
    node = cluster.store.get("v1", "Node", "node-1")
    event = cluster.events.record(node, "Normal", "NodeReady", "Node node-1 status is now: NodeReady",
                                  component="kubelet", host="node-1")
    assert event is not None and event["metadata"]["namespace"] == "default"
    assert "namespace" not in event["involvedObject"]


def test_events_are_listable_by_involved_object(cluster: Cluster) -> None:
    web = cluster.store.create(deployment("web"))
    api = cluster.store.create(deployment("api"))
    cluster.events.record(web, "Normal", "A", "about web", component="c")
    cluster.events.record(api, "Normal", "A", "about api", component="c")
    selected = cluster.store.list("v1", "Event", namespace="default",
                                  field_selector=f"involvedObject.kind=Deployment,involvedObject.uid={web['metadata']['uid']}")
    assert [e["message"] for e in selected] == ["about web"]


def test_container_events_carry_a_field_path(cluster: Cluster) -> None:
    web = cluster.store.create(deployment())
    event = cluster.events.record(web, "Normal", "Pulling", 'Pulling image "nginx"', component="kubelet",
                                  field_path="spec.containers{nginx}")
    assert event is not None and event["involvedObject"]["fieldPath"] == "spec.containers{nginx}"


def test_events_expire_an_hour_after_their_last_update(cluster: Cluster) -> None:
    web = cluster.store.create(deployment())
    cluster.events.record(web, "Normal", "A", "m", component="c")
    cluster.advance(1800)
    cluster.events.record(web, "Normal", "A", "m", component="c")  # refreshes lastTimestamp
    cluster.advance(3599)
    assert len(cluster.store.list("v1", "Event")) == 1
    cluster.advance(1)
    assert cluster.store.list("v1", "Event") == []
    again = cluster.events.record(web, "Normal", "A", "m", component="c")
    assert again is not None and again["count"] == 1
