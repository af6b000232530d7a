"""Fixtures for the release-engine tests: a backend, a Config over it, and charts.

Every test that takes ``backend`` (or a fixture built on it, ``config``, ``memory_config``…)
runs twice: on the in-memory simulator (``simulator``: virtual time moves only when a wait
fast-forwards it) and on the kube backend against the served simulator (``kube``: one
``helmlite cluster serve --time-scale FAST_TIME_SCALE`` for the whole session, reset to its
pristine state before each test). ``config`` also runs with both release drivers on the
simulator; on kube only with the secret driver (what Helm uses there — the memory driver's
records never leave the process, so it tests nothing more there).

On kube, client-side timeouts are wall-clock seconds while the cluster's time runs
``FAST_TIME_SCALE`` times faster: tests say their timeouts in virtual seconds through
``wait_seconds``. Faults are injected with ``inject_fault`` (through the served file on kube).
Tests that drive the simulator itself stay on it: ``test_release_processes`` (CLI processes on
one cluster file) and ``test_release_state_machine`` (hypothesis, thousands of steps).

``chart(name, templates, values=…, version=…)`` writes a native (Jinja2) chart directory; the
templates are a ``{file name: text}`` mapping under ``templates/``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from kube_served import (
    FAST_TIME_SCALE,
    ObjectKey,
    ServedCluster,
    object_keys,
    reset_served,
    served_in,
)
from release_fixtures import CONFIGMAP, ChartFactory

from helmlite.actions.action import Config
from helmlite.backends.base import Backend
from helmlite.backends.simulator import SimulatorBackend
from helmlite.output import Output
from helmlite.values.yamlio import dump_yaml

# (backend, release driver) pairs ``config`` runs with; tests without ``config`` run on each backend.
_CONFIG_VARIANTS = [("simulator", "memory"), ("simulator", "secret"), ("kube", "secret")]
BACKEND_NAMES = ("simulator", "kube")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``backend_name`` (and ``driver`` with it, when ``config`` is used)."""
    if "backend_name" not in metafunc.fixturenames:
        return
    if "driver" in metafunc.fixturenames:
        metafunc.parametrize(("backend_name", "driver"), _CONFIG_VARIANTS,
                             ids=[f"{name}-{driver}" for name, driver in _CONFIG_VARIANTS])
    else:
        metafunc.parametrize("backend_name", BACKEND_NAMES)


@pytest.fixture(scope="session")
def served_for_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedCluster, set[ObjectKey]]]:
    """The fast served simulator shared by every kube test, and the keys of its pristine objects."""
    pytest.importorskip("kubernetes", reason="the kube backend needs the kubernetes client (pip install 'helmlite[kube]')")
    with served_in(tmp_path_factory.mktemp("served-actions"), time_scale=FAST_TIME_SCALE) as served:
        yield served, object_keys(served)


@pytest.fixture
def backend(backend_name: str, request: pytest.FixtureRequest) -> Backend:
    """A fresh in-memory simulator, or the kube backend on the shared server, reset for this test."""
    if backend_name == "simulator":
        return SimulatorBackend.in_memory()
    from helmlite.backends.kube import KubeBackend, KubeConnection

    served, pristine = request.getfixturevalue("served_for_actions")
    reset_served(served, pristine)
    return KubeBackend(KubeConnection(kubeconfig=str(served.kubeconfig)))


@pytest.fixture
def wait_seconds(backend_name: str) -> Callable[[float], float]:
    """A wait timeout of ``virtual`` cluster seconds, as the backend counts it (wall seconds on kube)."""
    scale = FAST_TIME_SCALE if backend_name == "kube" else 1.0
    return lambda virtual: virtual / scale


@pytest.fixture
def inject_fault(backend: Backend, backend_name: str,
                 request: pytest.FixtureRequest) -> Callable[[Mapping[str, Any]], None]:
    """Add a simulator fault (``helmlite.cluster.faults``) to the cluster the backend talks to."""
    from helmlite.cluster.faults import add_fault

    def inject(spec: Mapping[str, Any]) -> None:
        if backend_name == "simulator":
            assert isinstance(backend, SimulatorBackend)
            with backend.session() as session:
                add_fault(session.cluster, dict(spec))
        else:
            from kube_served import add_fault as add_served_fault

            add_served_fault(request.getfixturevalue("served_for_actions")[0], spec)

    return inject


@pytest.fixture
def config(driver: str, backend: Backend) -> Config:
    """A Config over the backend with a release driver (memory and secret; secret on kube)."""
    return Config(backend=backend, driver=driver, output=Output(io.StringIO(), io.StringIO()))


@pytest.fixture
def memory_config(backend: Backend) -> Config:
    return Config(backend=backend, driver="memory", output=Output(io.StringIO(), io.StringIO()))


@pytest.fixture
def chart(tmp_path: Path) -> ChartFactory:
    def make(name: str = "app", templates: dict[str, str] | None = None, *, values: dict[str, Any] | None = None,
             version: str = "0.1.0", crds: dict[str, str] | None = None) -> Path:
        root = tmp_path / f"{name}-{version}"
        (root / "templates").mkdir(parents=True, exist_ok=True)
        (root / "Chart.yaml").write_text(
            f"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\ntype: application\n"
            "annotations:\n  helmlite.io/template-engine: jinja2\n"
        )
        defaults = {"replicas": 1, "selector": "web", "image": "nginx:1.25", "greeting": "hello"}
        (root / "values.yaml").write_text(dump_yaml({**defaults, **(values or {})}))
        for file_name, text in (templates if templates is not None else {"cm.yaml": CONFIGMAP}).items():
            (root / "templates" / file_name).write_text(text)
        for file_name, text in (crds or {}).items():
            (root / "crds").mkdir(exist_ok=True)
            (root / "crds" / file_name).write_text(text)
        return root

    return make
