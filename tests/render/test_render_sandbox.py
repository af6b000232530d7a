"""Untrusted templates: no escape from the sandbox, and bounded size, depth and time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helmlite.errors import RenderError
from helmlite.render.jinja import environment

Render1 = Callable[..., str]


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ Values.__class__ }}",
        "{{ include.__globals__ }}",
        "{{ Files._data }}",
        "{{ Capabilities.APIVersions._capabilities }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{{ toYaml.__module__ }}",
    ],
)
def test_private_attributes_are_refused(source: str, render1: Render1) -> None:
    with pytest.raises(RenderError, match=r"execution error at \(c/templates/t.yaml:1\): access to attribute .* is unsafe"):
        render1(source)


def test_no_module_or_loader_access(render1: Render1) -> None:
    for source in ("{{ os }}", "{{ __import__ }}", "{{ lipsum }}", "{{ open }}", "{{ getattr }}"):
        assert render1(source) == ""
    for source in ("{% include 'c/templates/t.yaml' %}", "{% extends 'x' %}", "{% import 'x' as y %}"):
        with pytest.raises(RenderError, match=r"cannot load '.*': share text between files with \{% define"):
            render1(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ range(10**9) | list | length }}", "range too large"),
        ("{{ until(1000000) | length }}", "until: 1000000 items is more than the limit"),
        ("{{ 'x' * 10**9 }}", "value too large"),
        ("{{ [1] * 10**9 }}", "value too large"),
        ("{{ 10 ** 100000 }}", "number too large"),
        ("{{ '%999999999d' % 1 }}", "value too large"),
        ("{{ 'x'.ljust(10**9) }}", "value too large"),
        ("{{ 'ab'.replace('', 'x' * 20000000) }}", "value too large"),
        ("{{ repeat(10**9, 'x') }}", "repeat: result too large"),
        ("{{ indent(10**8, 'a\\nb\\nc\\nd') }}", "indent: result too large"),
        ("{{ randAlphaNum(10**8) }}", "randAlphaNum: 100000000 is too many characters"),
        ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "value too large"),
        ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "value too large"),
        ("{% set l = [1] %}{% for i in range(100) %}{% do l.extend(l) %}{% endfor %}", "collection too large"),
    ],
)
def test_resource_limits(source: str, message: str, render1: Render1) -> None:
    with pytest.raises(RenderError, match=message):
        render1(source)


def test_printf_widths_are_capped(render1: Render1) -> None:
    assert len(render1("{{ printf('%999999999s', 'x') }}")) == 10_000


def test_output_size_is_bounded(render1: Render1, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "MAX_OUTPUT_CHARS", 1000)
    with pytest.raises(RenderError, match="rendered output exceeds 1000 characters"):
        render1("{% for i in range(200) %}{{ 'abcdefghij' }}{% endfor %}")
    partials = '{% define "big" %}{% for i in range(200) %}0123456789{% endfor %}{% enddefine %}'
    with pytest.raises(RenderError, match="rendered output exceeds 1000 characters"):
        render1("{{ include('big') | length }}", partials=partials)


def test_total_output_of_all_files_is_bounded(make_chart: Callable, render: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "MAX_OUTPUT_CHARS", 1000)
    chart = make_chart("c", {f"t{i}.yaml": "x" * 400 for i in range(3)})
    with pytest.raises(RenderError, match="rendered output exceeds 1000 characters"):
        render(chart)


def test_render_time_is_bounded(render1: Render1, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "RENDER_TIME_LIMIT_SECONDS", 0.0)
    with pytest.raises(RenderError, match="render took longer than 0 s"):
        render1("{% for i in range(5000) %}{{ quote(i) }}{% endfor %}")


def test_include_depth_is_bounded(render1: Render1) -> None:
    partials = '{% define "loop" %}{{ include("loop", ctx) }}{% enddefine %}'
    with pytest.raises(RenderError, match=r"_helpers.tpl:1\): include recursion too deep: loop \(included from c/templates/t.yaml:1\)"):
        render1("{{ include('loop', ctx) }}", partials=partials)


def test_render_state_is_not_reachable_from_templates(render1: Render1) -> None:
    # The define registry and lookup live in a contextvar, not in any template-visible name.
    assert render1("[{{ state }}{{ _STATE }}{{ environment }}]") == "[]"
