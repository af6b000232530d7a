"""``helmlite cluster get`` against a real simulated cluster file.

The seed scenario (nginx Deployment, 3 replicas, 65 s old) is written once; each test copies
the file. Its recorded wall time lies an hour ahead, so the command under test catches up by
zero seconds and outputs, ages included, are exact. Golden files hold stdout then stderr;
set HELMLITE_UPDATE_GOLDEN=1 to rewrite them after an intended change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helmlite.cluster import Cluster

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "cluster"


def seed_cluster(path: Path) -> None:
    """The seed scenario: ``kubectl create deployment nginx --image=nginx:1.25 --replicas=3``."""
    labels = {"app": "nginx"}
    manifest = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx", "labels": labels},
                "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                         "template": {"metadata": {"labels": labels},
                                      "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}}
    with Cluster.open(path, wall_clock=lambda: time.time() + 3600) as cluster:
        cluster.store.apply(manifest, field_manager="kubectl")
        cluster.advance(65)


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "cluster.db"
    seed_cluster(path)
    return path


@pytest.fixture
def cluster_file(seed_file: Path, tmp_path: Path) -> Path:
    """A private copy of the seed cluster (the command under test sees it frozen)."""
    path = tmp_path / "cluster.db"
    for suffix in ("", "-wal", "-shm"):
        source = seed_file.with_name(seed_file.name + suffix)
        if source.exists():
            shutil.copy(source, path.with_name(path.name + suffix))
    return path


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("HELMLITE_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("name, args", [
    ("get-deploy-rs-pods", ["get", "deploy,rs,pods"]),
    ("get-pods-wide", ["get", "pods", "-o", "wide"]),
    ("get-pods-show-labels", ["get", "pods", "--show-labels"]),
    ("get-all", ["get", "all"]),
    ("get-all-all-namespaces", ["get", "all", "-A"]),
    ("get-events", ["get", "events"]),
    ("get-nodes-wide", ["get", "nodes", "-o", "wide"]),
    ("get-pod-not-found", ["get", "pods", "nope"]),
    ("get-empty-namespace", ["get", "pods", "-n", "kube-system"]),
])
def test_golden(cli, cluster_file: Path, name: str, args: list[str]) -> None:
    result = cli("cluster", *args, "--cluster", str(cluster_file))
    check_golden(name, result.stdout + result.stderr)
    assert result.exit_code == (1 if name == "get-pod-not-found" else 0)


def test_no_headers_and_name_output(cli, cluster_file: Path) -> None:
    result = cli("cluster", "get", "deploy", "--no-headers", "--cluster", str(cluster_file))
    assert result.stdout.split() == ["nginx", "3/3", "3", "3", "65s"]
    names = cli("cluster", "get", "deployment.apps/nginx", "-o", "name", "--cluster", str(cluster_file))
    assert names.stdout == "deployment.apps/nginx\n"


def test_json_of_one_object_and_of_a_list(cli, cluster_file: Path) -> None:
    one = json.loads(cli("cluster", "get", "deploy", "nginx", "-o", "json", "--cluster", str(cluster_file)).stdout)
    assert one["kind"] == "Deployment" and one["metadata"]["name"] == "nginx"
    listed = cli("cluster", "get", "pods", "-o", "json", "--cluster", str(cluster_file)).stdout
    assert listed.startswith('{\n    "apiVersion": "v1",\n    "items": [')
    document = json.loads(listed)
    assert document["kind"] == "List" and document["metadata"] == {"resourceVersion": ""}
    assert len(document["items"]) == 3


def test_yaml_of_one_object(cli, cluster_file: Path) -> None:
    text = cli("cluster", "get", "deploy/nginx", "-o", "yaml", "--cluster", str(cluster_file)).stdout
    assert text.startswith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n")
    assert "  replicas: 3\n" in text


def test_jsonpath(cli, cluster_file: Path) -> None:
    result = cli("cluster", "get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}", "--cluster", str(cluster_file))
    assert sorted(result.stdout.split(" ")) == ["node-1", "node-2", "node-3"]
    ranged = cli("cluster", "get", "pods", "-o", r'jsonpath={range .items[*]}{.status.phase}{"\n"}{end}',
                 "--cluster", str(cluster_file))
    assert ranged.stdout == "Running\nRunning\nRunning\n"


def test_selectors(cli, cluster_file: Path) -> None:
    by_label = cli("cluster", "get", "pods", "-l", "app=nginx", "-o", "name", "--cluster", str(cluster_file))
    assert len(by_label.stdout.splitlines()) == 3
    by_node = cli("cluster", "get", "pods", "--field-selector", "spec.nodeName=node-2", "-o", "name",
                  "--cluster", str(cluster_file))
    assert len(by_node.stdout.splitlines()) == 1
    none = cli("cluster", "get", "pods", "-l", "app=other", "--cluster", str(cluster_file))
    assert none.stdout == "" and none.stderr == "No resources found in default namespace.\n"


def test_sort_by(cli, cluster_file: Path) -> None:
    result = cli("cluster", "get", "pods", "--sort-by", ".spec.nodeName", "-o",
                 "jsonpath={.items[*].spec.nodeName}", "--cluster", str(cluster_file))
    assert result.stdout == "node-1 node-2 node-3"


def test_unknown_type_and_selector_with_name_are_errors(cli, cluster_file: Path) -> None:
    unknown = cli("cluster", "get", "gizmos", "--cluster", str(cluster_file))
    assert unknown.exit_code == 1
    assert unknown.stderr == 'Error: the server doesn\'t have a resource type "gizmos"\n'
    mixed = cli("cluster", "get", "pods", "x", "-l", "app=nginx", "--cluster", str(cluster_file))
    assert mixed.exit_code == 1
    assert mixed.stderr == "Error: name cannot be provided when a selector is specified\n"


@pytest.mark.parametrize("args", [["--help"], ["cluster", "--help"], ["cluster", "get", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    code = ("import sys; from helmlite.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('jinja2', 'requests', 'uvicorn', 'starlette', 'kubernetes') if m in sys.modules]\n"
            "print('HEAVY:' + ','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                            check=True)
    assert result.stdout.splitlines()[-1] == "HEAVY:"
