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


def test_create_deployment(kubectl) -> None:  # type: ignore[no-untyped-def]
    # Typed client: the Deployment arrives as protobuf, pod template and all.
    assert kubectl("create", "deployment", "api", "--image=nginx:1.25", "--replicas=2",
                   "--port=8080").stdout.strip() == "deployment.apps/api created"
    status = kubectl("rollout", "status", "deploy/api", "--timeout=90s").stdout
    assert status.rstrip().endswith('deployment "api" successfully rolled out')
    deployment = json.loads(kubectl("get", "deploy", "api", "-o", "json").stdout)
    assert deployment["spec"]["replicas"] == 2
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"], container["ports"][0]["containerPort"]) == ("nginx", "nginx:1.25",
                                                                                                8080)


def test_imperative_create_commands(kubectl) -> None:  # type: ignore[no-untyped-def]
    def created(*args: str) -> str:
        return str(kubectl("create", *args).stdout.strip())

    def get(*args: str) -> dict:  # type: ignore[type-arg]
        return dict(json.loads(kubectl("get", *args, "-o", "json").stdout))

    assert created("namespace", "team") == "namespace/team created"
    assert get("ns", "team")["status"]["phase"] == "Active"

    assert created("service", "clusterip", "front", "--tcp=80:8080") == "service/front created"
    service = get("svc", "front")
    assert service["spec"]["ports"][0]["port"] == 80 and service["spec"]["ports"][0]["targetPort"] == 8080
    assert service["spec"]["type"] == "ClusterIP" and service["spec"]["clusterIP"]

    assert created("job", "once", "--image=busybox", "--", "echo", "hi") == "job.batch/once created"
    job_container = get("job", "once")["spec"]["template"]["spec"]["containers"][0]
    assert job_container["command"] == ["echo", "hi"]

    assert created("cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date") == \
        "cronjob.batch/tick created"
    assert get("cronjob", "tick")["spec"]["schedule"] == "*/5 * * * *"
    assert created("job", "manual", "--from=cronjob/tick") == "job.batch/manual created"
    owner = get("job", "manual")["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"]) == ("CronJob", "tick")

    assert created("serviceaccount", "bot", "-n", "team") == "serviceaccount/bot created"
    assert get("sa", "bot", "-n", "team")["metadata"]["namespace"] == "team"

    assert created("secret", "generic", "creds", "--from-literal=user=admin") == "secret/creds created"
    assert get("secret", "creds")["data"] == {"user": "YWRtaW4="}

    assert created("role", "reader", "--verb=get,list", "--resource=pods") == \
        "role.rbac.authorization.k8s.io/reader created"
    assert created("rolebinding", "reader-bot", "--role=reader", "--serviceaccount=team:bot") == \
        "rolebinding.rbac.authorization.k8s.io/reader-bot created"
    assert get("rolebinding", "reader-bot")["subjects"] == [{"kind": "ServiceAccount", "name": "bot",
                                                              "namespace": "team"}]
    assert created("poddisruptionbudget", "api-pdb", "--selector=app=api", "--min-available=1") == \
        "poddisruptionbudget.policy/api-pdb created"
    assert get("pdb", "api-pdb")["spec"]["minAvailable"] == 1


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
