"""The mutating ``helmlite cluster`` verbs, driven through the CLI against a real cluster file.

Each test works on a fresh temporary cluster file (``--cluster``) and checks what kubectl
would show: the printed lines, and the objects as a later command finds them in the store.
The seed scenarios (seeds.md D-15/D-40/D-43, SS-09, SS-17, DS-03, image-pull faults) replay
end to end. Golden files (``tests/cli/golden/cluster/verbs-*.txt``) hold exact output; set
HELMLITE_UPDATE_GOLDEN=1 to rewrite them after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from helmlite.cluster.cluster import Cluster

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cluster"

NGINX = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels: {app: nginx}
spec:
  replicas: 3
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: nginx:1.23
        ports:
        - containerPort: 80
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector: {app: nginx}
  ports:
  - port: 80
"""

STATEFULSET = """\
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector: {app: nginx}
  ports:
  - port: 80
    name: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 5
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: nginx:1.23
        ports:
        - containerPort: 80
          name: web
"""

DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      nodeSelector: {disktype: ssd}
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sleep", "3600"]
"""


class Sim:
    """One temporary cluster file and the CLI pointed at it."""

    def __init__(self, cli: Any, path: Path) -> None:
        self.cli = cli
        self.path = path

    def run(self, *args: str, stdin: str = "", code: int = 0) -> str:
        """stdout + stderr of ``helmlite cluster ARGS``; the exit code must be ``code``."""
        result = self.cli("cluster", "--cluster", str(self.path), *args, stdin=stdin)
        assert result.exit_code == code, result.stdout + result.stderr
        return result.stdout + result.stderr

    def write(self, name: str, text: str) -> str:
        path = self.path.parent / name
        path.write_text(text)
        return str(path)

    def objects(self, api_version: str, kind: str, namespace: str = "default", **query: Any) -> list[dict[str, Any]]:
        with Cluster.open(self.path) as cluster:
            return cluster.store.list(api_version, kind, namespace=namespace, **query)

    def get(self, api_version: str, kind: str, name: str, namespace: str = "default") -> dict[str, Any] | None:
        found = [o for o in self.objects(api_version, kind, namespace) if o["metadata"]["name"] == name]
        return found[0] if found else None

    def pod_names(self, selector: str = "") -> list[str]:
        return [p["metadata"]["name"] for p in self.objects("v1", "Pod", label_selector=selector or None)
                if not p["metadata"].get("deletionTimestamp")]

    def events(self, reason: str) -> list[str]:
        found = [e for e in self.objects("v1", "Event") if e.get("reason") == reason]
        found.sort(key=lambda e: (e.get("firstTimestamp") or "", int(e["metadata"]["resourceVersion"])))
        return [e["message"] for e in found]


@pytest.fixture
def sim(cli: Any, tmp_path: Path) -> Sim:
    return Sim(cli, tmp_path / "cluster.db")


def assert_golden(name: str, got: str) -> None:
    golden = GOLDEN / f"verbs-{name}.txt"
    if os.environ.get("HELMLITE_UPDATE_GOLDEN"):
        golden.write_text(got)
    assert got == golden.read_text()


# --- apply ----------------------------------------------------------------------------------


def test_apply_create_unchanged_configured_and_last_applied(sim: Sim) -> None:
    manifest = sim.write("web.yaml", NGINX + "---\n" + SERVICE)
    out = sim.run("apply", "-f", manifest)
    out += sim.run("apply", "-f", manifest)
    sim.write("web.yaml", NGINX.replace("replicas: 3", "replicas: 2") + "---\n" + SERVICE)
    out += sim.run("apply", "-f", manifest)
    assert_golden("apply", out)

    deployment = sim.get("apps/v1", "Deployment", "nginx")
    assert deployment is not None and deployment["spec"]["replicas"] == 2
    last_applied = deployment["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    # Go's json.Encoder of the applied object: sorted keys, the namespace kubectl filled in, a newline.
    assert last_applied == (
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"nginx"},"name":"nginx",'
        '"namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},"template":'
        '{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"image":"nginx:1.23","name":"nginx",'
        '"ports":[{"containerPort":80}]}]}}}}\n')
    managers = {e["manager"] for e in deployment["metadata"]["managedFields"]}
    assert "kubectl-client-side-apply" in managers


def test_apply_three_way_merge_keeps_other_writers_and_drops_removed_fields(sim: Sim) -> None:
    with_annotation = NGINX.replace("  labels: {app: nginx}\nspec:",
                                    "  labels: {app: nginx}\n  annotations: {team: blue}\nspec:", 1)
    manifest = sim.write("web.yaml", with_annotation)
    sim.run("apply", "-f", manifest)
    assert sim.run("label", "deploy", "nginx", "tier=web") == "deployment.apps/nginx labeled\n"
    sim.write("web.yaml", NGINX)  # the annotation is no longer applied
    assert sim.run("apply", "-f", manifest) == "deployment.apps/nginx configured\n"
    deployment = sim.get("apps/v1", "Deployment", "nginx")
    assert deployment is not None
    assert "team" not in deployment["metadata"]["annotations"]
    assert deployment["metadata"]["labels"] == {"app": "nginx", "tier": "web"}  # kubectl-label's label stays
    assert any(e["manager"] == "kubectl-label" for e in deployment["metadata"]["managedFields"])
    # Defaults the API server filled in are not "changes" either.
    assert deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"


def test_apply_from_stdin_directory_and_output_formats(sim: Sim) -> None:
    assert sim.run("apply", "-f", "-", "-o", "name", stdin=SERVICE) == "service/nginx\n"
    folder = sim.path.parent / "manifests"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.yaml").write_text(NGINX)
    (folder / "nested" / "b.yaml").write_text(SERVICE)
    (folder / "notes.txt").write_text("not a manifest")
    assert sim.run("apply", "-f", str(folder)) == "deployment.apps/nginx created\n"
    assert sim.run("apply", "-f", str(folder), "-R") == "deployment.apps/nginx unchanged\nservice/nginx unchanged\n"
    printed = json.loads(sim.run("apply", "-f", "-", "-o", "json", stdin=SERVICE))
    assert printed["kind"] == "Service" and printed["spec"]["clusterIP"]


def test_apply_dry_runs_keep_nothing(sim: Sim) -> None:
    manifest = sim.write("web.yaml", NGINX)
    assert sim.run("apply", "-f", manifest, "--dry-run=client") == "deployment.apps/nginx created (dry run)\n"
    assert sim.run("apply", "-f", manifest, "--dry-run=server") == "deployment.apps/nginx created (server dry run)\n"
    assert sim.get("apps/v1", "Deployment", "nginx") is None
    invalid = sim.write("bad.yaml", NGINX.replace("matchLabels: {app: nginx}", "matchLabels: {app: other}"))
    out = sim.run("apply", "-f", invalid, "--dry-run=server", code=1)
    assert out.startswith(f'Error from server (Invalid): error when creating "{invalid}": Deployment.apps "nginx" is invalid')


def test_server_side_apply_conflicts_with_kubectl_scale_unless_forced(sim: Sim) -> None:
    manifest = sim.write("web.yaml", NGINX)
    assert sim.run("apply", "-f", manifest, "--server-side") == "deployment.apps/nginx serverside-applied\n"
    assert sim.run("scale", "deploy/nginx", "--replicas=5") == "deployment.apps/nginx scaled\n"
    out = sim.run("apply", "-f", manifest, "--server-side", code=1)
    # kubectl scale names no field manager: the API server records "kubectl", its user agent.
    assert out.startswith('Error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale"')
    assert ".spec.replicas" in out and "--force-conflicts" in out
    forced = sim.run("apply", "-f", manifest, "--server-side", "--force-conflicts")
    assert forced == "deployment.apps/nginx serverside-applied\n"
    deployment = sim.get("apps/v1", "Deployment", "nginx")
    assert deployment is not None and deployment["spec"]["replicas"] == 3
    owners = {(e["manager"], e.get("subresource")) for e in deployment["metadata"]["managedFields"]}
    assert ("kubectl", None) in owners and ("kubectl", "scale") not in owners


def test_apply_usage_errors(sim: Sim) -> None:
    manifest = sim.write("web.yaml", NGINX)
    assert "--force-conflicts only works with --server-side" in sim.run("apply", "-f", manifest,
                                                                        "--force-conflicts", code=1)
    assert 'the path "nope.yaml" does not exist' in sim.run("apply", "-f", "nope.yaml", code=1)
    crd_object = sim.write("x.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    assert "ensure CRDs are installed first" in sim.run("apply", "-f", crd_object, code=1)
    other_ns = sim.write("ns.yaml", NGINX.replace("  name: nginx\n", "  name: nginx\n  namespace: prod\n", 1))
    assert "does not match the namespace" in sim.run("-n", "dev", "apply", "-f", other_ns, code=1)


# --- the Deployment seed: set image, rollout status/history/undo (D-15, D-40, D-43, D-44) -----


def test_deployment_image_update_history_and_undo(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    assert sim.run("rollout", "status", "deploy/nginx").endswith('deployment "nginx" successfully rolled out\n')

    assert sim.run("set", "image", "deployment/nginx", "nginx=nginx:1.25") == "deployment.apps/nginx image updated\n"
    assert sim.run("set", "image", "deployment/nginx", "nginx=nginx:1.25") == ""  # nothing changed: silent
    status = sim.run("rollout", "status", "deployment", "nginx").splitlines()
    assert status[-1] == 'deployment "nginx" successfully rolled out'
    assert all(line.startswith('Waiting for deployment "nginx" rollout to finish: ') for line in status[:-1])

    # The ScalingReplicaSet sequence of a 3-replica rolling update (25%/25% → surge 1, unavailable 0).
    scaling = sim.events("ScalingReplicaSet")
    old, new = scaling[0].split()[4], scaling[1].split()[4]
    assert [(m.split()[1], m.split()[4], m.split()[-1]) for m in scaling] == [
        ("up", old, "3"), ("up", new, "1"), ("down", old, "2"), ("up", new, "2"),
        ("down", old, "1"), ("up", new, "3"), ("down", old, "0")]

    history = sim.run("rollout", "history", "deploy/nginx")
    assert history == "deployment.apps/nginx \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    assert "Image:\tnginx:1.23" in sim.run("rollout", "history", "deploy/nginx", "--revision=1")

    assert sim.run("rollout", "undo", "deploy/nginx", "--to-revision=1") == (
        "deployment.apps/nginx rolled back\nWarning: resource deployments/nginx was previously managed with "
        "'helmlite cluster apply'. Rolling back will not update the kubectl.kubernetes.io/last-applied-configuration "
        "annotation, which may cause unexpected behavior on future 'helmlite cluster apply' operations. Consider "
        "using 'helmlite cluster apply' with your previous configuration file instead.\n")
    sim.run("rollout", "status", "deploy/nginx")
    deployment = sim.get("apps/v1", "Deployment", "nginx")
    assert deployment is not None
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.23"
    # Revision 1's ReplicaSet was re-used as revision 3: the numbers moved (D-44).
    assert sim.run("rollout", "history", "deploy/nginx").splitlines()[2:4] == ["2         <none>", "3         <none>"]
    out = sim.run("rollout", "undo", "deploy/nginx", "--to-revision=1", code=1)
    assert out.endswith("instead.\nError: unable to find specified revision 1 in history\n")


def test_rollout_pause_resume_restart_messages(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    out = sim.run("rollout", "pause", "deploy/nginx")
    out += sim.run("rollout", "pause", "deploy/nginx", code=1)
    out += sim.run("rollout", "restart", "deploy/nginx", code=1)
    out += sim.run("rollout", "resume", "deploy/nginx")
    out += sim.run("rollout", "restart", "deploy/nginx")
    out += sim.run("rollout", "status", "deploy/nginx", "--watch=false")
    assert_golden("rollout-pause-resume", out)


# --- the StatefulSet seed: scale 5→3, orphan delete (SS-09, SS-17) ------------------------------


def test_statefulset_scale_down_deletes_highest_ordinal_first(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("sts.yaml", STATEFULSET))
    sim.run("rollout", "status", "sts/web")
    assert sim.pod_names() == ["web-0", "web-1", "web-2", "web-3", "web-4"]

    assert sim.run("scale", "sts", "web", "--replicas=3") == "statefulset.apps/web scaled\n"
    sim.run("advance", "1m")
    assert sim.pod_names() == ["web-0", "web-1", "web-2"]
    # One at a time, highest ordinal first: web-3 only once web-4 was gone.
    deletions = [m for m in sim.events("SuccessfulDelete") if "StatefulSet web" in m]
    assert deletions == ["delete Pod web-4 in StatefulSet web successful",
                         "delete Pod web-3 in StatefulSet web successful"]


def test_delete_statefulset_with_cascade_orphan_leaves_its_pods(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("sts.yaml", STATEFULSET.replace("replicas: 5", "replicas: 3")))
    sim.run("rollout", "status", "sts/web")
    assert sim.run("delete", "sts", "web", "--cascade=orphan") == 'statefulset.apps "web" deleted from default namespace\n'
    sim.run("advance", "1m")
    assert sim.get("apps/v1", "StatefulSet", "web") is None
    pods = sim.objects("v1", "Pod", label_selector="app=nginx")
    assert [p["metadata"]["name"] for p in pods] == ["web-0", "web-1", "web-2"]
    assert all(not p["metadata"].get("ownerReferences") for p in pods)
    # An orphan deleted now is not recreated (SS-17).
    assert sim.run("delete", "pod", "web-0") == 'pod "web-0" deleted from default namespace\n'
    sim.run("advance", "1m")
    assert sim.pod_names("app=nginx") == ["web-1", "web-2"]


def test_delete_messages_and_cascade(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX + "---\n" + SERVICE))
    sim.run("rollout", "status", "deploy/nginx")
    out = sim.run("delete", "svc/nginx", "--dry-run=client")
    out += sim.run("delete", "svc", "nginx", "nope", code=1)
    out += sim.run("delete", "svc", "nginx", "--ignore-not-found")
    out += sim.run("delete", "deploy", "nginx", "--cascade")
    out += sim.run("delete", "pods", "--all")
    assert_golden("delete", out)
    # --wait (the default) advanced virtual time until the pods were gone too.
    assert sim.objects("v1", "Pod") == []
    assert sim.objects("apps/v1", "ReplicaSet") == []


def test_delete_by_selector_and_file_usage_errors(sim: Sim) -> None:
    manifest = sim.write("web.yaml", NGINX)
    sim.run("apply", "-f", manifest)
    sim.run("rollout", "status", "deploy/nginx")
    assert "no name was specified" in sim.run("delete", "pods", code=1)
    assert "name cannot be provided when a selector is specified" in sim.run("delete", "pod", "x", "-l", "a=b",
                                                                                 code=1)
    out = sim.run("delete", "pods", "-l", "app=nginx", "--wait=false", "--grace-period=0", "--force")
    assert out.count("force deleted") == 3 and "Immediate deletion" in out
    assert sim.run("delete", "-f", manifest) == 'deployment.apps "nginx" deleted from default namespace\n'


# --- scale, labels, nodes and the DaemonSet seed (DS-03) -----------------------------------------


def test_scale_precondition(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    out = sim.run("scale", "deploy/nginx", "--replicas=1", "--current-replicas=2", code=1)
    assert out == "Error: Expected replicas to be 2, was 3\n"
    assert sim.run("scale", "deployment", "nginx", "--replicas=1", "--current-replicas=3") == \
        "deployment.apps/nginx scaled\n"
    sim.run("rollout", "status", "deploy/nginx")
    assert len(sim.pod_names("app=nginx")) == 1
    scaled = sim.get("apps/v1", "Deployment", "nginx")
    assert scaled is not None
    assert any(e["manager"] == "kubectl" and e.get("subresource") == "scale"
               for e in scaled["metadata"]["managedFields"])


def test_label_messages(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    out = sim.run("label", "deploy", "nginx", "app=web", code=1)
    out += sim.run("label", "deploy/nginx", "app=web", "--overwrite")
    out += sim.run("label", "deploy/nginx", "tier=front", "--dry-run=server")
    out += sim.run("label", "deploy/nginx", "app-")
    out += sim.run("label", "deploy/nginx", "app-")
    out += sim.run("label", "nodes", "--all", "zone=x")
    assert_golden("label", out)
    deployment = sim.get("apps/v1", "Deployment", "nginx")
    assert deployment is not None and deployment["metadata"].get("labels", {}) == {}


def test_daemonset_follows_node_labels(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("ds.yaml", DAEMONSET))
    sim.run("advance", "30s")
    assert sim.pod_names("app=agent") == []

    assert sim.run("nodes", "label", "node-2", "disktype=ssd") == "node/node-2 labeled\n"
    sim.run("advance", "30s")
    pods = sim.objects("v1", "Pod", label_selector="app=agent")
    assert [p["spec"]["nodeName"] for p in pods] == ["node-2"]

    assert sim.run("nodes", "add", "--labels", "disktype=ssd") == "node/node-4 created\n"
    assert sim.run("label", "nodes", "node-1", "disktype=ssd") == "node/node-1 labeled\n"
    sim.run("advance", "30s")
    nodes = sorted(p["spec"]["nodeName"] for p in sim.objects("v1", "Pod", label_selector="app=agent"))
    assert nodes == ["node-1", "node-2", "node-4"]

    assert sim.run("nodes", "label", "node-2", "disktype-") == "node/node-2 unlabeled\n"
    sim.run("advance", "1m")
    nodes = sorted(p["spec"]["nodeName"] for p in sim.objects("v1", "Pod", label_selector="app=agent"))
    assert nodes == ["node-1", "node-4"]


def test_nodes_verbs(sim: Sim) -> None:
    out = sim.run("nodes", "add", "--count", "2", "--cpu", "8")
    out += sim.run("nodes", "add", "infra-1", "--taint", "dedicated=infra:NoSchedule")
    out += sim.run("nodes", "list")
    out += sim.run("nodes", "taint", "node-1", "dedicated=db:NoSchedule")
    out += sim.run("nodes", "taint", "node-1", "dedicated=web:NoSchedule", code=1)
    out += sim.run("nodes", "taint", "node-1", "dedicated=web:NoSchedule", "--overwrite")
    out += sim.run("nodes", "taint", "node-1", "dedicated-")
    out += sim.run("nodes", "taint", "node-1", "dedicated-", code=1)
    out += sim.run("nodes", "taint", "node-1", "dedicated=x:Sometimes", code=1)
    out += sim.run("nodes", "cordon", "node-2")
    out += sim.run("nodes", "cordon", "node-2")
    out += sim.run("nodes", "uncordon", "node-2")
    out += sim.run("nodes", "remove", "node-5", "node-9", code=1)
    assert_golden("nodes", out)
    infra = sim.get("v1", "Node", "infra-1", namespace="")
    assert infra is not None
    assert infra["spec"]["taints"] == [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}]
    assert sim.get("v1", "Node", "node-4", namespace="")["status"]["capacity"]["cpu"] == "8"  # type: ignore[index]
    assert sim.get("v1", "Node", "node-5", namespace="") is None


# --- faults, logs, advance, reset ------------------------------------------------------------------


def test_image_pull_fault_gives_image_pull_back_off(sim: Sim) -> None:
    assert sim.run("faults", "add", "--image", "nginx:broken", "--pull-error") == "fault/fault-1 created\n"
    sim.run("apply", "-f", sim.write("web.yaml", NGINX.replace("nginx:1.23", "nginx:broken")))
    sim.run("advance", "1m")
    pods = sim.objects("v1", "Pod", label_selector="app=nginx")
    assert len(pods) == 3
    waiting = [p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason") for p in pods]
    assert waiting == ["ImagePullBackOff"] * 3
    out = sim.run("logs", pods[0]["metadata"]["name"], code=1)
    assert out == (f'Error from server (BadRequest): container "nginx" in pod "{pods[0]["metadata"]["name"]}" is waiting to start: '
                   "trying and failing to pull image\n")

    listed = sim.run("faults", "list")
    assert listed.splitlines()[0].split() == ["ID", "KIND", "DETAILS", "ADDED"]
    assert "image=nginx:broken" in listed
    assert sim.run("faults", "remove", "fault-1") == 'fault "fault-1" deleted\n'
    sim.run("advance", "5m")
    assert sim.run("rollout", "status", "deploy/nginx").endswith("successfully rolled out\n")


def test_faults_add_validation_and_formats(sim: Sim) -> None:
    assert "give exactly one fault" in sim.run("faults", "add", code=1)
    assert "--after cannot be used with a image-pull fault" in sim.run("faults", "add", "--image", "x",
                                                                        "--after", "5s", code=1)
    sim.run("-n", "prod", "faults", "add", "--exit-code", "137", "--reason", "OOMKilled", "--after", "30s",
            "--pod", "memleak-*")
    sim.run("faults", "add", "--node-not-ready", "node-2", "--mode", "not-ready")
    entries = json.loads(sim.run("faults", "list", "-o", "json"))
    assert [(e["id"], e["kind"]) for e in entries] == [("fault-1", "container-exit"), ("fault-2", "node-not-ready")]
    assert entries[0]["namespace"] == "prod" and entries[0]["after"] == 30 and entries[0]["exitCode"] == 137
    assert sim.run("faults", "clear") == "2 faults deleted\n"
    assert sim.run("faults", "list", "-o", "yaml") == "[]\n"


def test_logs_of_a_workload_pick_a_pod(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    sim.run("rollout", "status", "deploy/nginx")
    out = sim.run("logs", "deploy/nginx", "--tail", "1")
    assert out.startswith("[helmlite] ") and "started container nginx (image docker.io/library/nginx:1.23" in out
    assert "Found 3 pods, using pod/nginx-" in out


def test_advance_prints_the_new_time_and_what_happened(sim: Sim) -> None:
    sim.run("advance", "0s")  # creates the cluster
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    out = sim.run("advance", "1h30m")
    assert out.startswith("advanced 1h30m0s, now 2026-01-01T01:30:")
    assert "Error" in sim.run("advance", "ten minutes", code=1)


def test_reset_starts_a_fresh_cluster(sim: Sim) -> None:
    sim.run("apply", "-f", sim.write("web.yaml", NGINX))
    sim.run("faults", "add", "--image", "x")
    assert "without --yes" in sim.run("reset", code=1)
    assert sim.run("reset", "--nodes", "2", "--yes") == f"cluster {sim.path} reset: 2 nodes, seed 0\n"
    assert sim.run("nodes", "list") == "node/node-1\nnode/node-2\n"
    assert sim.objects("apps/v1", "Deployment") == []
    assert sim.run("faults", "list", "-o", "json") == "[]\n"
