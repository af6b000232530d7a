"""The mutating ``helmlite cluster`` verbs against the real kubectl (skipped without the binary).

One served cluster file; every operation runs twice on twin objects: once as ``helmlite
cluster …`` in the namespace ``h-<case>``, once as ``kubectl …`` in ``k-<case>``. Compared
are (a) what each prints — stdout, stderr and exit code — and (b) the objects afterwards:
spec, labels, annotations (the last-applied configuration included) and ``managedFields``
managers and operations.

Only names and what the wall clock decides are normalised: the namespace, pods' random
suffixes, uids, times, resourceVersions, generations and status (controllers run between the
two commands). Two differences are house style, documented in docs/simulator.md: kubectl's
own ``error: …`` is helmlite's ``Error: …`` (``Error from server (…): …`` lines are the same),
and kubectl names itself where helmlite says ``helmlite cluster``.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from apiserver.served import ServedCluster, find_kubectl, served_in

pytestmark = pytest.mark.skipif(find_kubectl() is None, reason="the real kubectl binary is not installed")

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
  annotations: {team: a}
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
        ports:
        - containerPort: 80
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
"""
# WEB with env B, the port, the team annotation and the tier label dropped, and a new image and size.
WEB_TRIMMED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.26
        env:
        - {name: A, value: "1"}
"""
CONFIGMAPS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: one, labels: {group: x}}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two, labels: {group: x}}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: three, labels: {group: other}}
data: {k: v}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    with served_in(tmp_path_factory.mktemp("verbs-vs-kubectl")) as served:
        yield served


class Twins:
    """One case's twin namespaces and manifests, and the two ways of running a verb."""

    def __init__(self, served: ServedCluster, case: str, directory: Path) -> None:
        self.served = served
        self.namespaces = {"helmlite": f"h-{case}", "kubectl": f"k-{case}"}
        self.directory = directory
        for ns in self.namespaces.values():
            self.kubectl_in(ns, "create", "namespace", ns)

    def manifest(self, name: str, text: str) -> str:
        path = self.directory / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def kubectl_in(self, ns: str, *args: str) -> str:
        kubectl_bin = find_kubectl()
        assert kubectl_bin is not None
        result = self.served.run(kubectl_bin, "-n", ns, *args, check=False)
        return result.stdout + result.stderr + f"[exit {result.returncode}]\n"

    def helmlite_in(self, ns: str, *args: str) -> str:
        result = self.served.run(sys.executable, "-m", "helmlite", "cluster", "-n", ns, *args, check=False)
        return result.stdout + result.stderr + f"[exit {result.returncode}]\n"

    def both(self, *args: str) -> None:
        """Set both twins up the same way, with kubectl (must succeed)."""
        for ns in self.namespaces.values():
            out = self.kubectl_in(ns, *args)
            assert out.endswith("[exit 0]\n"), out

    def advance(self, duration: str = "5m") -> None:
        """Let the controllers finish (virtual time), so that nothing moves between the two runs."""
        self.helmlite_in("default", "advance", duration)

    def compare(self, *args: str) -> str:
        """Run ``args`` with helmlite, then with kubectl; assert the same output; return it."""
        ours = self.normalise(self.helmlite_in(self.namespaces["helmlite"], *args), "helmlite")
        theirs = self.normalise(self.kubectl_in(self.namespaces["kubectl"], *args), "kubectl")
        assert ours == theirs, f"{' '.join(args)}"
        return ours

    def normalise(self, text: str, side: str) -> str:
        text = text.replace(self.namespaces[side], "NS")
        text = re.sub(r"(?m)^error: ", "Error: ", text)
        text = text.replace("helmlite cluster apply", "kubectl apply")
        text = re.sub(r"\b(web-[0-9a-f]{8,10})-[a-z0-9]{5}\b", r"\1-POD", text)
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)

    def objects(self, resource: str) -> tuple[Any, Any]:
        """The object (or list) ``resource`` names in each twin, normalised for comparison."""
        found = []
        for side, ns in self.namespaces.items():
            out = self.kubectl_in(ns, "get", resource, "-o", "json", "--show-managed-fields")
            assert out.endswith("[exit 0]\n"), out
            document = json.loads(out.rsplit("[exit", 1)[0])
            found.append(normalised_object(json.loads(self.normalise(json.dumps(document), side))))
        return found[0], found[1]

    def assert_same_objects(self, resource: str) -> None:
        ours, theirs = (json.dumps(obj, indent=1, sort_keys=True).splitlines() for obj in self.objects(resource))
        assert ours == theirs, f"{resource}:\n" + "\n".join(
            difflib.unified_diff(ours, theirs, "helmlite", "kubectl", lineterm=""))


_VOLATILE_METADATA = ("uid", "creationTimestamp", "resourceVersion", "generation", "deletionTimestamp")


def normalised_object(obj: Any) -> Any:
    """Drop status and what the server stamps at its own time; managedFields keep manager,
    operation, subresource and fields, not times."""
    if isinstance(obj, dict) and isinstance(obj.get("items"), list):
        return [normalised_object(item) for item in obj["items"]]
    if not isinstance(obj, dict):
        return obj
    obj = {k: v for k, v in obj.items() if k != "status"}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _VOLATILE_METADATA}
    if "managedFields" in meta:  # in the order of their managers: when controllers write is a matter of time
        entries = [{k: v for k, v in entry.items() if k != "time"} for entry in meta["managedFields"]
                   if entry.get("subresource") != "status"]  # status is the controllers', at their time
        meta["managedFields"] = sorted(entries, key=lambda e: (e["manager"], e["operation"], e.get("subresource", "")))
    if isinstance(meta.get("ownerReferences"), list):
        meta["ownerReferences"] = [{k: v for k, v in ref.items() if k != "uid"} for ref in meta["ownerReferences"]]
    if "name" in meta:
        meta["name"] = re.sub(r"-[a-z0-9]{5}$", "-POD", meta["name"]) if "pod-template-hash" in (
            meta.get("labels") or {}) and obj.get("kind") == "Pod" else meta["name"]
    obj["metadata"] = meta
    return obj


@pytest.fixture()
def twins(served: ServedCluster, request: pytest.FixtureRequest, tmp_path: Path) -> Twins:
    case = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower().removeprefix("test_"))[:50].strip("-")
    return Twins(served, case, tmp_path)


# --- apply ----------------------------------------------------------------------------------


def test_client_side_apply_create_unchanged_configure(twins: Twins) -> None:
    web, trimmed = twins.manifest("web.yaml", WEB), twins.manifest("trimmed.yaml", WEB_TRIMMED)
    assert twins.compare("apply", "-f", web) == "deployment.apps/web created\n[exit 0]\n"
    twins.assert_same_objects("deploy/web")
    assert twins.compare("apply", "-f", web) == "deployment.apps/web unchanged\n[exit 0]\n"
    # Other writers: a label and an env var, which the next apply keeps.
    twins.both("label", "deploy", "web", "extra=yes")
    twins.both("patch", "deploy", "web", "-p",
               '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"}]}]}}}}')
    assert twins.compare("apply", "-f", trimmed) == "deployment.apps/web configured\n[exit 0]\n"
    ours, _ = twins.objects("deploy/web")
    container = ours["spec"]["template"]["spec"]["containers"][0]
    assert [e["name"] for e in container["env"]] == ["C", "A"] and "ports" not in container
    assert ours["metadata"]["labels"] == {"app": "web", "extra": "yes"}
    assert json.loads(ours["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])[
        "metadata"]["annotations"] == {}
    twins.assert_same_objects("deploy/web")
    # The live list is longer than the applied one, so kubectl still sends an element order.
    assert twins.compare("apply", "-f", trimmed) == "deployment.apps/web configured\n[exit 0]\n"
    twins.assert_same_objects("deploy/web")


def test_server_side_apply_conflict_then_forced(twins: Twins) -> None:
    web = twins.manifest("web.yaml", WEB)
    twins.both("apply", "-f", twins.manifest("trimmed.yaml", WEB_TRIMMED))
    conflict = twins.compare("apply", "--server-side", "-f", web)
    assert conflict.startswith("Error: Apply failed with 2 conflicts") and conflict.endswith("[exit 1]\n")
    assert twins.compare("apply", "--server-side", "--force-conflicts", "-f", web) == \
        "deployment.apps/web serverside-applied\n[exit 0]\n"
    twins.assert_same_objects("deploy/web")
    assert twins.compare("apply", "--server-side", "-f", web) == "deployment.apps/web serverside-applied\n[exit 0]\n"
    twins.assert_same_objects("deploy/web")


@pytest.mark.parametrize("dry_run", ["client", "server"])
def test_apply_dry_run_prints_the_object(twins: Twins, dry_run: str) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.advance()
    for manifest in (twins.manifest("trimmed.yaml", WEB_TRIMMED), twins.manifest("cms.yaml", CONFIGMAPS)):
        args = ("apply", "-f", manifest, f"--dry-run={dry_run}", "-o", "yaml")
        ours = twins.helmlite_in(twins.namespaces["helmlite"], *args)
        theirs = twins.kubectl_in(twins.namespaces["kubectl"], *args)
        assert ours.endswith("[exit 0]\n") and theirs.endswith("[exit 0]\n"), ours + theirs
        parsed = [[normalised_object(doc) for doc in yaml.safe_load_all(
            twins.normalise(text.rsplit("[exit", 1)[0], side)) if doc] for text, side in
            ((ours, "helmlite"), (theirs, "kubectl"))]
        assert parsed[0] == parsed[1], manifest
    twins.assert_same_objects("deploy/web")
    assert twins.compare("get", "cm", "-l", "group") == \
        "No resources found in NS namespace.\n[exit 0]\n"


# --- delete ---------------------------------------------------------------------------------


def test_delete_by_name_file_selector_and_all(twins: Twins) -> None:
    configmaps = twins.manifest("cms.yaml", CONFIGMAPS)
    twins.both("apply", "-f", configmaps)
    twins.compare("delete", "cm", "one")
    twins.compare("delete", "cm", "one")
    twins.compare("delete", "cm", "one", "--ignore-not-found")
    twins.compare("delete", "cm", "one", "two")
    twins.compare("delete", "-f", configmaps)
    twins.both("apply", "-f", configmaps)
    twins.compare("delete", "cm", "-l", "group=x")
    twins.compare("delete", "cm", "-l", "group=nothing")
    twins.compare("delete", "cm", "-l", "group", "--dry-run=client")
    twins.compare("delete", "cm", "--all")
    twins.compare("delete", "-f", configmaps, "--ignore-not-found")
    twins.compare("delete", "nosuchtype", "x")


def test_delete_with_cascade_orphan_keeps_the_replica_set(twins: Twins) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.advance()
    twins.compare("delete", "deploy", "web", "--cascade=orphan")
    twins.advance()
    ours, theirs = twins.objects("rs")
    assert len(ours) == 1 and "ownerReferences" not in ours[0]["metadata"]
    assert ours == theirs


# --- scale, set image, label ----------------------------------------------------------------


def test_scale(twins: Twins) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.compare("scale", "deploy", "web", "--replicas=4", "--current-replicas=3")
    twins.compare("scale", "deploy", "web", "--replicas=4", "--current-replicas=2")
    twins.compare("scale", "deploy/web", "--replicas=1")
    twins.compare("scale", "deploy", "nope", "--replicas=1")
    twins.assert_same_objects("deploy/web")


def test_set_image(twins: Twins) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.compare("set", "image", "deploy/web", "app=nginx:1.27")
    twins.compare("set", "image", "deploy/web", "app=nginx:1.27")
    twins.compare("set", "image", "deploy/web", "nope=nginx:1.27")
    twins.compare("set", "image", "deploy/nope", "app=nginx:1.27")
    twins.assert_same_objects("deploy/web")


def test_label(twins: Twins) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.compare("label", "deploy", "web", "extra=yes")
    twins.compare("label", "deploy", "web", "extra=no")
    twins.compare("label", "deploy", "web", "extra=no", "--overwrite")
    twins.compare("label", "deploy", "web", "tier-")
    twins.compare("label", "deploy", "web", "tier-")
    # kubectl lists labels in Go's random map order: compared as sets.
    listed = [sorted(twins.normalise(run(ns, "label", "deploy", "web", "--list"), side).splitlines())
              for run, ns, side in ((twins.helmlite_in, twins.namespaces["helmlite"], "helmlite"),
                                    (twins.kubectl_in, twins.namespaces["kubectl"], "kubectl"))]
    assert listed[0] == listed[1] == ["[exit 0]", "app=web", "extra=no"]
    twins.compare("label", "deploy", "nope", "a=b")
    twins.assert_same_objects("deploy/web")


# --- rollout, logs --------------------------------------------------------------------------


def test_rollout_messages(twins: Twins) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.both("set", "image", "deploy/web", "app=nginx:1.26")
    twins.advance()
    twins.compare("rollout", "status", "deploy/web")
    twins.compare("rollout", "status", "deploy/nope")
    twins.compare("rollout", "history", "deploy/web")
    twins.compare("rollout", "history", "deploy/web", "--revision=9")
    twins.compare("rollout", "pause", "deploy/web")
    twins.compare("rollout", "pause", "deploy/web")
    twins.compare("rollout", "restart", "deploy/web")
    twins.compare("rollout", "undo", "deploy/web")
    twins.compare("rollout", "resume", "deploy/web")
    twins.compare("rollout", "resume", "deploy/web")
    twins.assert_same_objects("deploy/web")
    twins.compare("rollout", "undo", "deploy/web", "--to-revision=9")
    twins.compare("rollout", "undo", "deploy/web")
    twins.compare("rollout", "restart", "deploy/web")
    twins.advance()
    twins.compare("rollout", "history", "deploy/web")
    twins.assert_same_objects("deploy/web")


def test_logs_errors(twins: Twins) -> None:
    twins.both("apply", "-f", twins.manifest("web.yaml", WEB))
    twins.both("scale", "deploy/web", "--replicas=1")
    twins.advance()
    twins.compare("logs", "nope")
    twins.compare("logs", "deploy/nope")
    twins.compare("logs", "deploy/web", "-c", "nope")
    twins.compare("logs", "deploy/web", "--previous")
