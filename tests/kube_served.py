"""The served simulator for the kube backend's tests (importable as ``kube_served``).

One fixture API serves every test that talks to ``helmlite cluster serve``: the server itself
is ``apiserver.served.start_served_cluster`` (its own process on a free 127.0.0.1 port, a
kubeconfig, stopped by pid). This module adds what the kube backend's tests need on top: a
fresh server per test (``served_api``), fault injection through the cluster file (which the
server re-reads when another process commits to it), and the Helm chart both the backend's
CLI tests and the interop tests with the real Helm install.

The release engine's tests (``tests/actions``) share one fast server for the session
(``served_in(…, time_scale=FAST_TIME_SCALE)``) and ``reset_served`` it between tests: what a
test created is deleted through the cluster file, so each test starts on a pristine cluster
without paying for a server start.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from apiserver.served import ServedCluster, served_in

__all__ = [
    "CONFIGMAP_TEMPLATE",
    "DEPLOYMENT_TEMPLATE",
    "FAST_TIME_SCALE",
    "ObjectKey",
    "ServedCluster",
    "add_fault",
    "object_keys",
    "reset_served",
    "served_api_fixture",
    "served_in",
    "write_chart",
]

# Virtual seconds per wall second for the release engine's tests on the kube backend: a hook
# Job that sleeps 10 s takes 0.1 s, a pod starts in a few hundredths of a second.
FAST_TIME_SCALE = 100.0
# Virtual seconds ``reset_served`` lets pass after deleting, so grace periods, finalizers and
# garbage collection finish (pods have 30 s of grace; namespaces finalize their contents).
_RESET_SETTLE_SECONDS = 300.0

ObjectKey = tuple[str, str, str, str]  # (group, kind, namespace, name)

# A ConfigMap and a Deployment in Helm's Go template dialect, rendered alike by Helm and helmlite.
CONFIGMAP_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: {{ .Values.greeting | quote }}
"""
DEPLOYMENT_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: 1
  selector:
    matchLabels: {app: {{ .Values.app }}}
  template:
    metadata:
      labels: {app: {{ .Values.app }}}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
"""
DEFAULT_VALUES = "greeting: hello\napp: web\nimage: nginx:1.25\n"


def write_chart(root: Path, name: str, *, version: str = "0.1.0", templates: Mapping[str, str] | None = None,
                crds: Mapping[str, str] | None = None, values: str = DEFAULT_VALUES) -> Path:
    """A Helm chart (Go templates) at ``root``: the ConfigMap and Deployment templates unless
    ``templates`` says otherwise, and ``crds/`` files; returns ``root``."""
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "Chart.yaml").write_text(f'apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: "1.0"\n')
    (root / "values.yaml").write_text(values)
    chosen = templates if templates is not None else {"configmap.yaml": CONFIGMAP_TEMPLATE,
                                                      "deployment.yaml": DEPLOYMENT_TEMPLATE}
    for file_name, text in chosen.items():
        (root / "templates" / file_name).write_text(text)
    for file_name, text in (crds or {}).items():
        (root / "crds").mkdir(exist_ok=True)
        (root / "crds" / file_name).write_text(text)
    return root


def add_fault(served: ServedCluster, spec: Mapping[str, Any]) -> str:
    """Inject a simulator fault (``helmlite.cluster.faults``) into the served cluster."""
    from helmlite.backends.simulator import SimulatorBackend
    from helmlite.cluster.faults import add_fault as add_cluster_fault

    with SimulatorBackend(served.cluster_path).session() as session:
        return add_cluster_fault(session.cluster, spec)


def object_keys(served: ServedCluster) -> set[ObjectKey]:
    """The key of every object in the served cluster (read through its file)."""
    from helmlite.backends.simulator import SimulatorBackend

    with SimulatorBackend(served.cluster_path).session() as session:
        cluster = session.cluster
        return {(kind.group, kind.kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
                for kind in cluster.kinds for obj in cluster.store.peek_all(kind.group, kind.kind)}


def reset_served(served: ServedCluster, pristine: set[ObjectKey]) -> None:
    """Delete every object of the served cluster not in ``pristine`` (CRDs and namespaces
    included), in one transaction on its file, and let the deletions finish in virtual time.

    Raises:
        AssertionError: something would not go (a finalizer nothing removes): the next test
            would not start clean.
    """
    from helmlite.backends.simulator import SimulatorBackend
    from helmlite.cluster.errors import NotFoundError

    with SimulatorBackend(served.cluster_path).session() as session:
        cluster = session.cluster
        for _ in range(3):  # a CRD's removal can reveal nothing new, a namespace's its contents
            extra = [(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
                     for kind in list(cluster.kinds) for obj in cluster.store.peek_all(kind.group, kind.kind)
                     if (kind.group, kind.kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
                     not in pristine]
            if not extra:
                return
            for kind, namespace, name in extra:
                try:
                    cluster.store.delete(kind.storage_api_version, kind.kind, name, namespace=namespace,
                                         propagation_policy="Background", grace_period_seconds=0)
                except NotFoundError:
                    pass  # collected with its owner
            cluster.advance(_RESET_SETTLE_SECONDS)
    raise AssertionError(f"reset_served: left behind {[(k.kind, ns, n) for k, ns, n in extra]}")


# Named apart from its fixture name, so a test module imports it without shadowing the argument.
@pytest.fixture(name="served_api")
def served_api_fixture(tmp_path: Path) -> Iterator[ServedCluster]:
    """``served_api``: the simulator served as a Kubernetes API, of its own for this test."""
    with served_in(tmp_path / "served") as served:
        yield served
