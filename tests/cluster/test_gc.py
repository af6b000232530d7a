"""Garbage collection through ownerReferences: background, foreground and orphan propagation."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster, NotFoundError

from .manifests import configmap, owner_ref

NS = "default"


def names(cluster: Cluster) -> list[str]:
    # kube-root-ca.crt is the root-CA publisher's, present in every namespace as on a real cluster.
    return [o["metadata"]["name"] for o in cluster.store.list("v1", "ConfigMap", namespace=NS)
            if o["metadata"]["name"] != "kube-root-ca.crt"]


def get(cluster: Cluster, name: str) -> dict:
    return cluster.store.get("v1", "ConfigMap", name, namespace=NS)


def chain(cluster: Cluster, *, block: bool = True) -> tuple[dict, dict, dict]:
    """owner -> child -> grandchild, plus an unrelated bystander."""
    owner = cluster.store.create(configmap("owner"))
    child = cluster.store.create(configmap("child", owners=[owner_ref(owner, block=block)]))
    grandchild = cluster.store.create(configmap("grandchild", owners=[owner_ref(child, block=block)]))
    cluster.store.create(configmap("bystander"))
    cluster.reconcile()
    return owner, child, grandchild


def test_background_deletion_collects_dependents(cluster: Cluster) -> None:
    chain(cluster)
    cluster.store.delete("v1", "ConfigMap", "owner", namespace=NS, propagation_policy="Background")
    assert names(cluster) == ["bystander", "child", "grandchild"]  # the owner is gone at once
    cluster.reconcile()
    assert names(cluster) == ["bystander"]


def test_foreground_deletion_waits_for_dependents(cluster: Cluster) -> None:
    chain(cluster)
    # A finalizer on the grandchild holds the whole chain.
    held = get(cluster, "grandchild")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    cluster.store.replace(held)
    deleting = cluster.store.delete("v1", "ConfigMap", "owner", namespace=NS, propagation_policy="Foreground")
    assert deleting["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert deleting["metadata"]["deletionTimestamp"]
    cluster.reconcile()
    assert names(cluster) == ["bystander", "child", "grandchild", "owner"]
    assert get(cluster, "owner")["metadata"]["deletionTimestamp"]
    # The child has dependents, so it is deleted in the foreground too.
    assert get(cluster, "child")["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert get(cluster, "grandchild")["metadata"]["deletionTimestamp"]
    cluster.store.patch("v1", "ConfigMap", "grandchild", {"metadata": {"finalizers": None}}, namespace=NS)
    cluster.reconcile()
    assert names(cluster) == ["bystander"]


def test_non_blocking_dependents_do_not_hold_the_owner(cluster: Cluster) -> None:
    owner = cluster.store.create(configmap("owner"))
    cluster.store.create(configmap("child", owners=[owner_ref(owner, block=False)], finalizers=["example.com/hold"]))
    cluster.store.delete("v1", "ConfigMap", "owner", namespace=NS, propagation_policy="Foreground")
    cluster.reconcile()
    assert names(cluster) == ["child"]  # owner gone; the child is terminating, held by its finalizer
    assert get(cluster, "child")["metadata"]["deletionTimestamp"]


def test_orphan_deletion_keeps_dependents(cluster: Cluster) -> None:
    chain(cluster)
    deleting = cluster.store.delete("v1", "ConfigMap", "owner", namespace=NS, propagation_policy="Orphan")
    assert deleting["metadata"]["finalizers"] == ["orphan"]
    cluster.reconcile()
    assert names(cluster) == ["bystander", "child", "grandchild"]
    assert "ownerReferences" not in get(cluster, "child")["metadata"]
    assert get(cluster, "grandchild")["metadata"]["ownerReferences"][0]["name"] == "child"


def test_owner_without_dependents_is_removed_at_once(cluster: Cluster) -> None:
    cluster.store.create(configmap("lonely"))
    last = cluster.store.delete("v1", "ConfigMap", "lonely", namespace=NS, propagation_policy="Foreground")
    assert "finalizers" not in last["metadata"]
    assert names(cluster) == []


def test_dependent_with_a_live_owner_loses_only_the_dead_reference(cluster: Cluster) -> None:
    first = cluster.store.create(configmap("first"))
    second = cluster.store.create(configmap("second"))
    cluster.store.create(configmap("shared", owners=[owner_ref(first, controller=False),
                                                     owner_ref(second, controller=False)]))
    cluster.store.delete("v1", "ConfigMap", "first", namespace=NS)
    cluster.reconcile()
    assert [r["name"] for r in get(cluster, "shared")["metadata"]["ownerReferences"]] == ["second"]
    cluster.store.delete("v1", "ConfigMap", "second", namespace=NS)
    cluster.reconcile()
    assert names(cluster) == []


def test_dangling_reference_at_creation_is_collected(cluster: Cluster) -> None:
    ghost = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ghost", "uid": "0" * 8 + "-0000-4000-8000-" + "0" * 12}}
    cluster.store.create(configmap("orphaned", owners=[owner_ref(ghost)]))
    cluster.reconcile()
    assert names(cluster) == []


def test_recreated_owner_does_not_adopt_by_name(cluster: Cluster) -> None:
    owner = cluster.store.create(configmap("owner"))
    cluster.store.create(configmap("child", owners=[owner_ref(owner)]))
    cluster.store.delete("v1", "ConfigMap", "owner", namespace=NS)
    cluster.store.create(configmap("owner"))  # same name, new uid
    cluster.reconcile()
    assert names(cluster) == ["owner"]


def test_cross_kind_ownership(cluster: Cluster) -> None:
    deploy = cluster.store.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "ownerReferences": [owner_ref(deploy)]},
           "spec": {"containers": [{"name": "c", "image": "x"}]}}
    cluster.store.create(pod)
    cluster.store.delete("apps/v1", "Deployment", "web", namespace=NS)
    cluster.reconcile()
    assert cluster.store.list("v1", "Pod") == []


def test_job_deletion_orphans_by_default(cluster: Cluster) -> None:
    job = cluster.store.create({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
        "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}], "restartPolicy": "Never"}}}})
    cluster.store.create(configmap("job-output", owners=[owner_ref(job)]))
    cluster.store.delete("batch/v1", "Job", "pi", namespace=NS)
    cluster.reconcile()
    with pytest.raises(NotFoundError):
        cluster.store.get("batch/v1", "Job", "pi", namespace=NS)
    assert names(cluster) == ["job-output"]
    assert "ownerReferences" not in get(cluster, "job-output")["metadata"]
