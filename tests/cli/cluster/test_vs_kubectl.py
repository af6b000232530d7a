"""``helmlite cluster describe``/``get`` against the real kubectl describing and getting the same
objects through ``helmlite cluster serve`` (skipped without the kubectl binary).

kubectl builds describe pages client-side from the objects, and lays ``get`` tables out
client-side, so comparing the two outputs checks our describers and layout, not the server
against itself. One cluster file holds a representative workload set (data/workloads.yaml,
then a rollout of the web Deployment so it has an old ReplicaSet). The only normalisation is
of ages: kubectl measures them against the wall clock, helmlite against the cluster's virtual
clock, so age cells become ``AGE`` and runs of padding are compared as two spaces (the column
widths move with the age texts; the cells and their separation are still compared).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from apiserver.served import ServedCluster, find_kubectl, served_in

WORKLOADS = Path(__file__).resolve().parent / "data" / "workloads.yaml"
NAMESPACE = "shop"

pytestmark = pytest.mark.skipif(find_kubectl() is None, reason="the real kubectl binary is not installed")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    """The served workload set, settled: 10 virtual minutes in (two CronJob runs, then
    suspended so nothing changes between the two commands of a comparison), and the web
    Deployment rolled to a new image."""
    with served_in(tmp_path_factory.mktemp("vs-kubectl")) as served:
        kubectl = find_kubectl()
        assert kubectl is not None
        served.run(kubectl, "apply", "-f", str(WORKLOADS))
        helmlite(served, "advance", "10m")
        served.run(kubectl, "-n", NAMESPACE, "patch", "cronjob", "report", "-p", '{"spec":{"suspend":true}}')
        served.run(kubectl, "-n", NAMESPACE, "set", "image", "deploy/web", "app=nginx:1.26")
        helmlite(served, "advance", "5m")
        yield served


def helmlite(served: ServedCluster, *args: str, check: bool = True) -> str:
    """``helmlite cluster ARGS`` against the served file: stdout, then stderr and the exit code."""
    result = served.run(sys.executable, "-m", "helmlite", "cluster", *args, check=check)
    return result.stdout + result.stderr + f"[exit {result.returncode}]\n"


def kubectl(served: ServedCluster, *args: str) -> str:
    """The real kubectl's output."""
    kubectl_bin = find_kubectl()
    assert kubectl_bin is not None
    result = served.run(kubectl_bin, *args, check=False)
    return result.stdout + result.stderr + f"[exit {result.returncode}]\n"


_AGE = r"(?:\d+[smhdy])+|<invalid>"


def normalise(text: str) -> str:
    """Ages → ``AGE`` (event ages, trailing AGE cells, ``Duration:``/``lasts``), then padding
    runs → two spaces."""
    lines: list[str] = []
    in_events = False
    for line in text.split("\n"):
        if line.startswith("Events:"):
            in_events = True
        elif line and not line.startswith(" "):
            in_events = False
        if in_events and line.startswith("  ") and not line.lstrip().startswith(("Type", "----")):
            cells = re.split(r"  +", line.strip(), maxsplit=4)
            cells[2] = "AGE"
            line = "  " + "  ".join(cells)
        line = re.sub(rf"(lasts |Duration: +)(?:{_AGE})", r"\1AGE", line)
        line = re.sub(rf"(\s)(?:{_AGE})(\s|$)", r"\1AGE\2", line)
        lines.append(re.sub(r" {3,}", "  ", line))
    return "\n".join(lines)


def names(served: ServedCluster, resource: str) -> list[str]:
    listed = helmlite(served, "get", resource, "-n", NAMESPACE, "-o", "name")
    return [line.split("/", 1)[1] for line in listed.splitlines() if "/" in line]


DESCRIBED_TYPES = ["deployment", "replicaset", "pod", "statefulset", "daemonset", "job", "cronjob", "service",
                   "endpoints", "endpointslice", "horizontalpodautoscaler", "persistentvolumeclaim",
                   "persistentvolume", "node", "namespace", "configmap", "secret", "ingress", "serviceaccount",
                   "storageclass", "priorityclass", "role", "rolebinding", "clusterrole", "clusterrolebinding",
                   "networkpolicy", "poddisruptionbudget", "certificatesigningrequest"]


@pytest.mark.parametrize("resource", DESCRIBED_TYPES)
def test_describe_each_object_as_kubectl_does(served: ServedCluster, resource: str) -> None:
    objects = names(served, resource)
    assert objects, f"no {resource} in the workload set"
    for name in objects:
        args = ("describe", resource, name, "-n", NAMESPACE)
        assert normalise(helmlite(served, *args)) == normalise(kubectl(served, *args)), f"{resource}/{name}"


def test_describe_the_kubernetes_service_with_its_endpoint(served: ServedCluster) -> None:
    args = ("describe", "svc", "kubernetes", "-n", "default")
    described = helmlite(served, *args)
    assert "Endpoints:                172.18.0.1:6443\n" in described
    assert normalise(described) == normalise(kubectl(served, *args))


@pytest.mark.parametrize("args", [
    ["describe", "pods"],                       # several objects: no events, two blank lines between
    ["describe", "svc", "web-"],                # prefix match: no events, one newline after each page
    ["describe", "pods", "-l", "app=db"],
    ["describe", "deploy"],                     # a single object listed by type shows its events
    ["describe", "deploy", "missing"],
])
def test_describe_lists_as_kubectl_does(served: ServedCluster, args: list[str]) -> None:
    assert normalise(helmlite(served, *args, "-n", NAMESPACE, check=False)) == \
        normalise(kubectl(served, *args, "-n", NAMESPACE))


@pytest.mark.parametrize("args", [
    ["get", "pods", "-o", "wide"],
    ["get", "pods", "-A"],
    ["get", "pods", "--show-labels"],
    ["get", "pods", "-L", "app,tier"],
    ["get", "deploy,svc,pods"],
    ["get", "all"],
    ["get", "all", "-A"],
    ["get", "pods", "-o", "name"],
    ["get", "jobs", "-n", "kube-public", "-o", "name"],   # nothing there: the message on stderr
    ["get", "deploy", "web", "-o", "yaml"],
    ["get", "deploy", "web", "-o", "json"],
    ["get", "cm", "-o", "yaml"],
    ["get", "svc", "-o", "json"],
    ["get", "pods", "--no-headers"],
    ["get", "pods", "--sort-by=.metadata.name"],
    ["get", "pod", "nope"],
    ["get", "deploy", "web", "nope"],
    ["get", "pods", "-n", "default"],
    ["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"],
    ["get", "deployment.v1.apps"],
    ["get", "nodes", "-o", "wide"],
    ["get", "pvc,pv"],
    # The server's tables for the kinds kubectl has no columns of its own for, as kubectl lays them out.
    ["get", "role,rolebinding,networkpolicy,poddisruptionbudget", "-o", "wide"],
    ["get", "clusterrole,clusterrolebinding,certificatesigningrequest"],
    ["get", "apiservice,ingressclass,storageclass,priorityclass,runtimeclass,csidriver,csinode"],
    ["get", "endpointslices,controllerrevisions,leases,limitranges,resourcequotas"],
    ["get", "endpointslices,endpoints", "-n", "default"],
])
def test_get_as_kubectl_does(served: ServedCluster, args: list[str]) -> None:
    if "-n" not in args and "-A" not in args:
        args = [*args, "-n", NAMESPACE]
    assert normalise(helmlite(served, *args, check=False)) == normalise(kubectl(served, *args))


@pytest.mark.parametrize("args", [
    ["rollout", "history", "deploy/web"],
    ["rollout", "history", "deploy/web", "--revision", "1"],     # kubectl's DescribePodTemplate, tabs unaligned
    ["rollout", "history", "deploy/web", "--revision", "2"],
    ["rollout", "history", "sts/db", "--revision", "1"],
    ["rollout", "history", "ds/agent", "--revision", "1"],
])
def test_rollout_history_as_kubectl_does(served: ServedCluster, args: list[str]) -> None:
    # No ages in these pages: compared byte for byte.
    assert helmlite(served, *args, "-n", NAMESPACE) == kubectl(served, *args, "-n", NAMESPACE)
