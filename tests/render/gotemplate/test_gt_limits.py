"""Untrusted templates are bounded: include recursion (Helm's limit and message), template depth,
output size and wall time all end the render with a clear RenderError instead of hanging."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.chart.model import Chart, ChartFile, ChartMetadata
from helmlite.errors import RenderError
from helmlite.render.capabilities import Capabilities
from helmlite.render.context import ReleaseInfo
from helmlite.render.gotemplate import engine


def _render(template: str, values: dict[str, Any] | None = None) -> dict[str, str]:
    chart = Chart(ChartMetadata(name="c", version="0.1.0"), templates=[ChartFile("templates/t.yaml", template.encode())])
    return engine.render_chart(chart, values or {}, release=ReleaseInfo("r"), capabilities=Capabilities())


def test_include_recursion_stops_at_helms_limit_with_helms_message() -> None:
    with pytest.raises(RenderError) as raised:
        _render('{{ define "r" }}{{ include "r" . }}{{ end }}a: {{ include "r" . }}')
    message = str(raised.value)
    # Helm reports the raw chain (1001 nested "error calling include"), ending with its own error.
    assert message.startswith('template: c/templates/t.yaml:1:50: executing "c/templates/t.yaml" at <include "r" .>')
    assert message.count("error calling include:") == 1002
    assert message.endswith("rendering template has a nested reference name: r: unable to execute template")


def test_bounded_include_recursion_renders() -> None:
    source = '{{ define "n" }}{{ if gt (int .) 0 }}{{ include "n" (sub . 1) }}{{ else }}done{{ end }}{{ end }}{{ include "n" 900 }}'
    assert _render(source) == {"c/templates/t.yaml": "done"}


def test_template_recursion_depth() -> None:
    with pytest.raises(RenderError, match=r'executing "r" at <\{\{template "r" \.\}\}>:\n    exceeded maximum template depth'):
        _render('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}')


def test_wall_time_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RENDER_TIMEOUT_SECONDS", 0.2)
    with pytest.raises(RenderError, match=r"^execution error in \(c/templates/t\.yaml\): rendering took too long$"):
        _render("{{ range $i := 9000000 }}{{ end }}")


def test_exponential_includes_are_stopped_by_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RENDER_TIMEOUT_SECONDS", 0.2)
    defines = "".join(f'{{{{ define "d{i}" }}}}{{{{ include "d{i + 1}" . }}}}{{{{ include "d{i + 1}" . }}}}{{{{ end }}}}' for i in range(40))
    with pytest.raises(RenderError, match="rendering took too long"):
        _render(defines + '{{ define "d40" }}{{ end }}{{ include "d0" . }}')


def test_output_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "MAX_OUTPUT_CHARS", 1000)
    with pytest.raises(RenderError, match="exceeds"):
        _render('{{ $s := "x" }}{{ range until 20 }}{{ $s = print $s $s }}{{ end }}')
    with pytest.raises(RenderError, match="rendered output exceeds 1000 characters"):
        _render("{{ range 2000 }}x{{ end }}")


def test_parenthesis_nesting_is_a_parse_error_not_a_crash() -> None:
    with pytest.raises(RenderError, match=r"^parse error at \(c/templates/t\.yaml:1\): max expression depth exceeded$"):
        _render("{{ " + "(" * 10001 + "1" + ")" * 10001 + " }}")
