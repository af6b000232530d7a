"""``helmlite cluster describe`` against a real simulated cluster file (seed scenario, frozen
time as in test_get.py). Set HELMLITE_UPDATE_GOLDEN=1 to rewrite the golden files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from helmlite.cluster import Cluster

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "cluster"


@pytest.fixture
def cluster_file(tmp_path: Path) -> Path:
    labels = {"app": "nginx"}
    manifest = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx", "labels": labels},
                "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                         "template": {"metadata": {"labels": labels},
                                      "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}}
    path = tmp_path / "cluster.db"
    with Cluster.open(path, wall_clock=lambda: time.time() + 3600) as cluster:
        cluster.store.apply(manifest, field_manager="kubectl")
        cluster.advance(65)
    return path


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("HELMLITE_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("name, args", [
    ("describe-deploy", ["describe", "deploy", "nginx"]),
    ("describe-svc", ["describe", "svc/kubernetes"]),
])
def test_golden(cli, cluster_file: Path, name: str, args: list[str]) -> None:
    result = cli("cluster", *args, "--cluster", str(cluster_file))
    assert result.exit_code == 0, result.stderr
    check_golden(name, result.stdout + result.stderr)


def test_pods_by_prefix_without_events(cli, cluster_file: Path) -> None:
    """A prefix match prints each page and a newline, without events (kubectl's default)."""
    result = cli("cluster", "describe", "pods", "nginx-", "--cluster", str(cluster_file))
    pages = result.stdout.split("\n\nName:")
    assert len(pages) == 3
    assert "Controlled By:  ReplicaSet/nginx-" in result.stdout
    assert "Events:" not in result.stdout


def test_one_pod_by_name_with_events(cli, cluster_file: Path) -> None:
    listed = cli("cluster", "get", "pods", "-o", "name", "--cluster", str(cluster_file)).stdout.split()
    result = cli("cluster", "describe", listed[0], "--cluster", str(cluster_file))
    assert "  Normal  Scheduled  65s   default-scheduler  Successfully assigned default/nginx-" in result.stdout


def test_missing_object(cli, cluster_file: Path) -> None:
    result = cli("cluster", "describe", "deploy", "web", "--cluster", str(cluster_file))
    assert result.exit_code == 1
    assert result.stderr == 'Error from server (NotFound): deployments.apps "web" not found\n'


@pytest.mark.parametrize("target", ["node/node-1", "ns/default", "sc/standard", "replicaset"])
def test_other_kinds_describe(cli, cluster_file: Path, target: str) -> None:
    result = cli("cluster", "describe", *target.split(" "), "--cluster", str(cluster_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Name:")


WORKLOADS = Path(__file__).resolve().parent / "data" / "workloads.yaml"


@pytest.fixture
def policy_cluster_file(tmp_path: Path) -> Path:
    """The Role and NetworkPolicies of the workload set test_vs_kubectl.py compares with kubectl."""
    import yaml

    path = tmp_path / "cluster.db"
    with Cluster.open(path, wall_clock=lambda: time.time() + 3600) as cluster:
        for doc in yaml.safe_load_all(WORKLOADS.read_text()):
            if doc["kind"] in ("Namespace", "Role", "NetworkPolicy"):
                cluster.store.apply(doc, field_manager="kubectl")
    return path


def test_role_rules_are_broken_down_compacted_and_sorted(cli, policy_cluster_file: Path) -> None:
    """Sorted by PolicyRule.String(), verbs first: ``pods/log`` before ``pods`` (``/`` < ``]``),
    one row per resource name (the page kubectl v1.37 printed for the same Role)."""
    result = cli("cluster", "describe", "role", "web-reader", "-n", "shop", "--cluster", str(policy_cluster_file))
    assert result.stdout == (
        "Name:         web-reader\n"
        "Labels:       app=web\n"
        "Annotations:  <none>\n"
        "PolicyRule:\n"
        "  Resources               Non-Resource URLs  Resource Names  Verbs\n"
        "  ---------               -----------------  --------------  -----\n"
        "  configmaps              []                 []              [get list watch]\n"
        "  pods/log                []                 []              [get list watch]\n"
        "  pods                    []                 []              [get list watch]\n"
        "  deployments.apps/scale  []                 []              [get patch]\n"
        "  deployments.apps        []                 []              [get patch]\n"
        "  secrets                 []                 [db-secret]     [get]\n"
        "  secrets                 []                 [web-secret]    [get]\n")


def test_network_policy_rules_and_defaulted_policy_types(cli, policy_cluster_file: Path) -> None:
    result = cli("cluster", "describe", "netpol", "-n", "shop", "--cluster", str(policy_cluster_file))
    assert "  PodSelector:     app=web\n" in result.stdout
    assert "    To Port Range: 5432-5440/TCP\n" in result.stdout
    assert "      NamespaceSelector: team=payments\n      PodSelector: role=probe\n" in result.stdout
    assert "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n" in result.stdout
    assert "    <none> (Selected pods are isolated for egress connectivity)\n" in result.stdout
    assert result.stdout.count("  Policy Types: Ingress, Egress\n") == 2
