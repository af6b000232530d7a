"""Fixtures for the values tests: chart trees built directly from the model."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from helmlite.chart.model import Chart, ChartFile, ChartMetadata

MakeChart = Callable[..., Chart]


@pytest.fixture
def make_chart() -> MakeChart:
    """``make_chart(name, values, *subcharts, schema=None, files=None)`` → a Chart tree.

    ``schema`` may be a dict (dumped as JSON) or bytes; ``files`` maps chart paths to content.
    """

    def build(
        name: str,
        values: dict[str, Any] | None = None,
        *subcharts: Chart,
        schema: dict[str, Any] | bytes | None = None,
        files: dict[str, bytes] | None = None,
    ) -> Chart:
        schema_bytes = json.dumps(schema).encode() if isinstance(schema, dict) else schema
        chart = Chart(
            metadata=ChartMetadata(name=name, version="0.1.0"),
            values=values or {},
            schema=schema_bytes,
            raw=[ChartFile(path, data) for path, data in (files or {}).items()],
        )
        for sub in subcharts:
            chart.add_dependency(sub)
        return chart

    return build
