"""The real kubectl against the served simulator (skipped without the binary)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from served import ServedCluster

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


@pytest.fixture(scope="module")
def kubectl(kubectl_bin: str, served_cluster: ServedCluster):  # type: ignore[no-untyped-def]
    def run(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return served_cluster.run(kubectl_bin, *args, check=check, timeout=timeout)

    return run


def test_get_shows_the_columns_a_real_cluster_shows(kubectl) -> None:  # type: ignore[no-untyped-def]
    nodes = kubectl("get", "nodes").stdout.splitlines()
    assert nodes[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert nodes[1].split()[:2] == ["node-1", "Ready"]
    namespaces = kubectl("get", "ns", "-o", "name").stdout.split()
    assert "namespace/kube-system" in namespaces


def test_apply_rollout_scale_set_image_undo_label(kubectl, served_cluster: ServedCluster) -> None:  # type: ignore[no-untyped-def]
    manifest = served_cluster.home / "web.yaml"
    manifest.write_text(DEPLOYMENT)
    assert kubectl("apply", "-f", str(manifest)).stdout.split("\n")[:2] == ["deployment.apps/web created",
                                                                             "service/web created"]
    status = kubectl("rollout", "status", "deploy/web", "--timeout=90s").stdout
    assert status.rstrip().endswith('deployment "web" successfully rolled out')
    table = kubectl("get", "deploy", "web").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert table[1].split()[:4] == ["web", "2/2", "2", "2"]
    assert kubectl("apply", "-f", str(manifest)).stdout.split("\n")[:2] == ["deployment.apps/web unchanged",
                                                                             "service/web unchanged"]

    assert kubectl("scale", "deploy/web", "--replicas=3").stdout.strip() == "deployment.apps/web scaled"
    assert kubectl("set", "image", "deploy/web", "app=nginx:1.26").stdout.strip() == "deployment.apps/web image updated"
    kubectl("rollout", "status", "deploy/web", "--timeout=90s")
    history = kubectl("rollout", "history", "deploy/web").stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]
    assert kubectl("rollout", "undo", "deploy/web").stdout.strip() == "deployment.apps/web rolled back"
    kubectl("rollout", "status", "deploy/web", "--timeout=90s")
    image = kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}").stdout
    assert image == "nginx:1.25"

    assert kubectl("label", "deploy", "web", "tier=frontend").stdout.strip() == "deployment.apps/web labeled"
    labels = json.loads(kubectl("get", "deploy", "web", "-o", "json").stdout)["metadata"]["labels"]
    assert labels == {"tier": "frontend"}
    described = kubectl("describe", "deploy", "web").stdout
    assert "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable" in described
    assert "ScalingReplicaSet" in described


def test_server_side_apply_and_create(kubectl, served_cluster: ServedCluster) -> None:  # type: ignore[no-untyped-def]
    manifest = served_cluster.home / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n")
    assert kubectl("apply", "--server-side", "-f", str(manifest)).stdout.strip() == "configmap/ssa serverside-applied"
    managers = json.loads(kubectl("get", "cm", "ssa", "-o", "json", "--show-managed-fields").stdout)
    assert [m["manager"] for m in managers["metadata"]["managedFields"]] == ["kubectl"]
    # kubectl create uses typed clients: the body is protobuf.
    assert kubectl("create", "configmap", "typed", "--from-literal=a=b").stdout.strip() == "configmap/typed created"
    assert json.loads(kubectl("get", "cm", "typed", "-o", "json").stdout)["data"] == {"a": "b"}


@pytest.mark.xfail(reason="helmlite/apiserver/protobuf.py decodes only v1 Secret and ConfigMap bodies so far; "
                          "kubectl create deployment sends an apps/v1 Deployment as protobuf", strict=False)
def test_create_deployment(kubectl) -> None:  # type: ignore[no-untyped-def]
    assert kubectl("create", "deployment", "api", "--image=nginx:1.25").stdout.strip() == "deployment.apps/api created"
    assert kubectl("get", "deploy", "api", "-o", "name").stdout.strip() == "deployment.apps/api"


def test_delete_with_orphan_cascade_keeps_the_replica_sets(kubectl, served_cluster: ServedCluster) -> None:  # type: ignore[no-untyped-def]
    manifest = served_cluster.home / "orphan.yaml"
    manifest.write_text(DEPLOYMENT.split("---")[0].replace("name: web", "name: orphan").replace("app: web", "app: orphan"))
    kubectl("apply", "-f", str(manifest))
    kubectl("rollout", "status", "deploy/orphan", "--timeout=90s")
    kubectl("delete", "deploy", "orphan", "--cascade=orphan")
    assert kubectl("get", "deploy", "orphan", check=False).returncode == 1
    replica_sets = kubectl("get", "rs", "-l", "app=orphan", "-o", "json").stdout
    items = json.loads(replica_sets)["items"]
    assert len(items) == 1 and "ownerReferences" not in items[0]["metadata"]


def test_get_watch_streams_until_the_request_timeout(kubectl) -> None:  # type: ignore[no-untyped-def]
    result = kubectl("get", "pods", "-l", "app=web", "-w", "--request-timeout=3s", timeout=60)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "READY", "STATUS"]
    assert any("Running" in line for line in lines[1:])


def test_tls_with_a_token_through_the_written_kubeconfig(kubectl_bin: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from served import start_served_cluster

    served = start_served_cluster(tmp_path / "tls", tls=True, token="t0ken")
    try:
        assert served.url.startswith("https://127.0.0.1:")
        assert served.run(kubectl_bin, "get", "ns", "default", "-o", "name").stdout.strip() == "namespace/default"
        # `helmlite cluster kubeconfig` writes the same connection details for the running server.
        written = tmp_path / "kc-from-cli"
        served.run(sys.executable, "-m", "helmlite", "cluster", "kubeconfig", "-o", str(written))
        again = served.run(kubectl_bin, "--kubeconfig", str(written), "get", "nodes", "-o", "name").stdout
        assert again.split() == ["node/node-1", "node/node-2", "node/node-3"]
        denied = served.run(kubectl_bin, "--kubeconfig", str(written), "--token", "wrong", "get", "ns", check=False)
        assert denied.returncode == 1 and "Unauthorized" in denied.stderr
    finally:
        served.stop()
