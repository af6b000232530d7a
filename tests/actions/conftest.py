"""Fixtures for the release-engine tests: the in-memory simulator, a Config over it, and charts.

``chart(name, templates, values=…, version=…)`` writes a native (Jinja2) chart directory; the
templates are a ``{file name: text}`` mapping under ``templates/``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from release_fixtures import CONFIGMAP, ChartFactory

from helmlite.actions.action import Config
from helmlite.backends.simulator import SimulatorBackend
from helmlite.output import Output
from helmlite.values.yamlio import dump_yaml


@pytest.fixture
def backend() -> SimulatorBackend:
    return SimulatorBackend.in_memory()


@pytest.fixture(params=["memory", "secret"])
def config(request: pytest.FixtureRequest, backend: SimulatorBackend) -> Config:
    """A Config over the in-memory simulator, with the memory driver and with the secret driver."""
    return Config(backend=backend, driver=request.param, output=Output(io.StringIO(), io.StringIO()))


@pytest.fixture
def memory_config(backend: SimulatorBackend) -> Config:
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

