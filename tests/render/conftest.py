"""Builders for render tests: charts made directly from the model dataclasses."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from helmlite.chart.model import (
    TEMPLATE_ENGINE_ANNOTATION,
    Chart,
    ChartFile,
    ChartMetadata,
)
from helmlite.render.capabilities import Capabilities
from helmlite.render.context import ReleaseInfo
from helmlite.render.engine import render_templates

MakeChart = Callable[..., Chart]


def build_chart(
    name: str = "c",
    templates: dict[str, str] | None = None,
    *,
    files: dict[str, bytes] | None = None,
    values: dict[str, Any] | None = None,
    chart_type: str = "application",
    engine: str | None = "jinja2",
    **metadata: Any,
) -> Chart:
    """A chart whose ``templates`` keys are paths under ``templates/``."""
    annotations = dict(metadata.pop("annotations", {}))
    if engine is not None:
        annotations[TEMPLATE_ENGINE_ANNOTATION] = engine
    md = ChartMetadata(
        name=name, version=metadata.pop("version", "0.1.0"), type=chart_type, annotations=annotations, **metadata
    )
    return Chart(
        md,
        templates=[ChartFile(f"templates/{k}", v.encode()) for k, v in (templates or {}).items()],
        values=values or {},
        files=[ChartFile(k, v) for k, v in (files or {}).items()],
    )


def render_chart(
    chart: Chart,
    values: dict[str, Any] | None = None,
    *,
    release: ReleaseInfo | None = None,
    capabilities: Capabilities | None = None,
    **kwargs: Any,
) -> dict[str, str]:
    return render_templates(
        chart,
        values or {},
        release=release or ReleaseInfo("r"),
        capabilities=capabilities or Capabilities(),
        **kwargs,
    )


def render_one(source: str, values: dict[str, Any] | None = None, *, partials: str = "", **kwargs: Any) -> str:
    """Render ``source`` as ``c/templates/t.yaml`` (with ``partials`` as ``_helpers.tpl``)."""
    templates = {"t.yaml": source}
    if partials:
        templates["_helpers.tpl"] = partials
    return render_chart(build_chart("c", templates), values, **kwargs)["c/templates/t.yaml"]


@pytest.fixture
def make_chart() -> MakeChart:
    return build_chart


@pytest.fixture
def render() -> Callable[..., dict[str, str]]:
    return render_chart


@pytest.fixture
def render1() -> Callable[..., str]:
    return render_one


def write_one_template_chart(root: Path, template: str, values: str = "{}\n") -> Path:
    """A chart directory ``c`` whose only template, ``templates/t.yaml``, is ``template``: what
    the CLI tests run ``helmlite template`` on, as they ran ``helm template``."""
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "t.yaml").write_bytes(template.encode("utf-8"))
    return chart


def helmlite_template(root: Path, template: str, values: str = "{}\n") -> dict[str, str]:
    """``helmlite template r`` of a one-template chart, in-process: ``{"stdout": …}``, or
    ``{"error": …}`` with the message alone (no ``Error:`` prefix, no ``--debug`` hint)."""
    from helmlite.cli.main import main

    chart = write_one_template_chart(root, template, values)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["template", "r", str(chart)])
        except SystemExit as exc:
            if exc.code:
                message = err.getvalue().removeprefix("Error: ")
                return {"error": message.split("\n\nUse --debug flag", 1)[0].rstrip("\n")}
    return {"stdout": out.getvalue()}
