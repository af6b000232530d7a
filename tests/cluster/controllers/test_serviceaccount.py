"""Every namespace gets the ``default`` ServiceAccount and the ``kube-root-ca.crt`` ConfigMap."""

from __future__ import annotations

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.serviceaccount import cluster_ca_certificate


def test_system_namespaces_have_them(cluster: Cluster) -> None:
    accounts = {(sa["metadata"]["namespace"], sa["metadata"]["name"])
                for sa in cluster.store.list("v1", "ServiceAccount")}
    assert accounts == {(ns, "default") for ns in ("default", "kube-system", "kube-public", "kube-node-lease")}


def test_a_new_namespace_gets_them(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mayikt-sit"}})
    cluster.reconcile()
    assert cluster.store.get("v1", "ServiceAccount", "default", namespace="mayikt-sit")
    cm = cluster.store.get("v1", "ConfigMap", "kube-root-ca.crt", namespace="mayikt-sit")
    assert cm["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert cm["data"]["ca.crt"].endswith("\n-----END CERTIFICATE-----\n")
    assert cm["metadata"]["annotations"]["kubernetes.io/description"].startswith("Contains a CA bundle")
    assert cm["data"]["ca.crt"] == cluster_ca_certificate(cluster.seed)


def test_they_come_back(cluster: Cluster) -> None:
    cluster.store.delete("v1", "ServiceAccount", "default", namespace="default")
    cluster.store.delete("v1", "ConfigMap", "kube-root-ca.crt", namespace="default")
    cluster.reconcile()
    assert cluster.store.get("v1", "ServiceAccount", "default", namespace="default")
    cm = cluster.store.get("v1", "ConfigMap", "kube-root-ca.crt", namespace="default")
    cm["data"] = {"ca.crt": "tampered"}
    cluster.store.replace(cm)
    cluster.reconcile()
    assert cluster.store.get("v1", "ConfigMap", "kube-root-ca.crt", namespace="default")["data"]["ca.crt"].startswith(
        "-----BEGIN CERTIFICATE-----")


def test_a_terminating_namespace_is_left_alone(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gone"}})
    cluster.reconcile()
    cluster.store.delete("v1", "Namespace", "gone")
    cluster.reconcile()
    assert cluster.store.peek("", "Namespace", "", "gone") is None
