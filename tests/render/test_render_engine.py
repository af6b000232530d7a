"""The native dialect end to end: objects, defines/include across the chart tree, tpl, errors, Files, dispatch."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helmlite.chart.model import Chart, Dependency, Maintainer
from helmlite.errors import IncompatibleChartError, RenderError
from helmlite.render.capabilities import Capabilities, KubeVersion
from helmlite.render.context import ReleaseInfo
from helmlite.render.jinja.environment import get_environment

Render = Callable[..., dict[str, str]]
MakeChart = Callable[..., Chart]


def parent_with_sub(make_chart: MakeChart, parent_templates: dict[str, str], sub_templates: dict[str, str]) -> Chart:
    parent = make_chart("parent", parent_templates)
    parent.add_dependency(make_chart("sub", sub_templates))
    return parent


# ----- built-in objects ------------------------------------------------------------------------


def test_release_object(render1: Callable[..., str]) -> None:
    source = "{{ Release.Name }} {{ Release.Namespace }} {{ Release.Revision }} {{ Release.IsInstall }} {{ Release.IsUpgrade }} {{ Release.Service }}"
    release = ReleaseInfo("rel", namespace="ns", revision=3, is_install=False, is_upgrade=True)
    assert render1(source, release=release) == "rel ns 3 false true Helm"


def test_chart_object_has_helm_keys(make_chart: MakeChart, render: Render) -> None:
    chart = make_chart(
        "demo",
        {"t.yaml": "{{ Chart.Name }}|{{ Chart.Version }}|{{ Chart.AppVersion }}|{{ Chart.Description }}|{{ Chart.Type }}|"
         "{{ Chart.APIVersion }}|{{ Chart.Keywords }}|{{ Chart.Maintainers[0].name }}|{{ Chart.IsRoot }}|"
         "{{ Chart.Dependencies[0].name }}|{{ Chart.Annotations['a'] }}|{{ Chart.Deprecated }}|{{ Chart.KubeVersion }}"},
        version="1.2.3",
        app_version="9.9",
        description="d",
        keywords=("k1", "k2"),
        maintainers=(Maintainer("me", "me@x"),),
        dependencies=(Dependency("dep", "1.0.0"),),
        annotations={"a": "b"},
        kube_version=">=1.20",
    )  # fmt: skip
    out = render(chart)["demo/templates/t.yaml"]
    assert out == "demo|1.2.3|9.9|d|application|v2|[k1 k2]|me|true|dep|b|false|>=1.20"


def test_capabilities_object(render1: Callable[..., str]) -> None:
    caps = Capabilities(KubeVersion.parse("1.29.3")).with_extra_api_versions(("example.com/v1",))
    source = (
        "{{ Capabilities.KubeVersion }} {{ Capabilities.KubeVersion.Version }} {{ Capabilities.KubeVersion.Major }} "
        "{{ Capabilities.KubeVersion.Minor }} {{ Capabilities.KubeVersion.GitVersion }} "
        "{{ Capabilities.APIVersions.Has('apps/v1') }} {{ Capabilities.APIVersions.Has('example.com/v1') }} "
        "{{ Capabilities.APIVersions.Has('nope/v9') }} {{ 'batch/v1' in Capabilities.APIVersions }} "
        "{{ Capabilities.HelmVersion.Version }}"
    )
    assert render1(source, capabilities=caps) == "v1.29.3 v1.29.3 1 29 v1.29.3 true true false true v4.3.1"


def test_template_object_and_ctx_root(make_chart: MakeChart, render: Render) -> None:
    chart = make_chart("c", {"sub/t.yaml": "{{ Template.Name }} {{ Template.BasePath }} {{ ctx.Template.Name }} {{ ctx.Values.x }}"})
    out = render(chart, {"x": 1})
    assert out == {"c/templates/sub/t.yaml": "c/templates/sub/t.yaml c/templates c/templates/sub/t.yaml 1"}


def test_subchart_sees_scoped_values_and_its_own_objects(make_chart: MakeChart, render: Render) -> None:
    chart = parent_with_sub(
        make_chart,
        {"p.yaml": "{{ Values.sub.x }} {{ Subcharts.sub.Values.x }} {{ Subcharts.sub.Chart.Name }}"},
        {"s.yaml": "{{ Values.x }} {{ Values.global.g }} {{ Chart.Name }} {{ Chart.IsRoot }} {{ Template.Name }}"},
    )
    out = render(chart, {"sub": {"x": 5, "global": {"g": "G"}}, "global": {"g": "G"}})
    assert out == {
        "parent/templates/p.yaml": "5 5 sub",
        "parent/charts/sub/templates/s.yaml": "5 G sub false parent/charts/sub/templates/s.yaml",
    }


def test_values_keys_win_over_dict_methods(render1: Callable[..., str]) -> None:
    values = {"items": ["a"], "keys": "K", "values": 3, "update": "u", "get": "g"}
    out = render1("{{ Values.items }} {{ Values.keys }} {{ Values.values }} {{ Values.update }} {{ Values.get }}", values)
    assert out == "[a] K 3 u g"
    # Without such keys the methods are still there, as in any Jinja template.
    assert render1("{% for k, v in Values.m.items() %}{{ k }}={{ v }};{% endfor %}", {"m": {"b": 2, "a": 1}}) == "b=2;a=1;"


def test_missing_value_prints_empty_and_integers_stay_integers(render1: Callable[..., str]) -> None:
    assert render1("[{{ Values.missing }}] {{ Values.n }} {{ Values.n * 2 }}", {"n": 1000000}) == "[] 1000000 2000000"


def test_whitespace_settings(render1: Callable[..., str]) -> None:
    source = "a:\n  {% if true %}\n  b: 1\n  {% endif %}\nc: {{- ' x' }}\nd: 2   {{- '' -}}   \n"
    assert render1(source) == "a:\n  b: 1\nc: x\nd: 2"


# ----- define / include ------------------------------------------------------------------------

HELPERS = """{# helpers #}
{% define "c.name" -%}
{{ Chart.Name }}-{{ Values.suffix }}
{%- enddefine %}
{% define "c.labels" -%}
app: {{ include("c.name", ctx) }}
release: {{ Release.Name }}
{%- enddefine %}
{% define "c.pair" %}{{ context.Values.suffix }}/{{ foo }}/{{ ctx.foo }}{% enddefine %}
"""


def test_include_with_ctx_default_and_pipe(render1: Callable[..., str]) -> None:
    source = "labels:\n  {{- include('c.labels', ctx) | nindent(2) }}\nname: {{ include('c.name') }}\n"
    assert render1(source, {"suffix": "s"}, partials=HELPERS) == "labels:\n  app: c-s\n  release: r\nname: c-s\n"


def test_include_with_dict_exposes_keys_as_names(render1: Callable[..., str]) -> None:
    out = render1("{{ include('c.pair', dict(context=ctx, foo=1)) }}", {"suffix": "s"}, partials=HELPERS)
    assert out == "s/1/1"


def test_include_with_scalar_data(render1: Callable[..., str]) -> None:
    partials = '{% define "twice" %}{{ ctx }}{{ ctx }}{% enddefine %}'
    assert render1("{{ include('twice', 'ab') }}|{{ include('twice', 3) | quote }}", partials=partials) == 'abab|"33"'


def test_dict_keys_do_not_shadow_functions(render1: Callable[..., str]) -> None:
    partials = '{% define "x" %}{{ quote(ctx.quote) }}{% enddefine %}'
    assert render1("{{ include('x', dict(quote='q')) }}", partials=partials) == '"q"'


def test_defines_are_shared_across_the_tree_and_the_parent_wins(make_chart: MakeChart, render: Render) -> None:
    chart = parent_with_sub(
        make_chart,
        {
            "_helpers.tpl": '{% define "shared" %}from-parent{% enddefine %}{% define "p.only" %}P{% enddefine %}',
            "p.yaml": '{{ include("shared") }} {{ include("s.only") }}',
        },
        {
            "_helpers.tpl": '{% define "shared" %}from-sub{% enddefine %}{% define "s.only" %}S:{{ Chart.Name }}{% enddefine %}',
            "s.yaml": '{{ include("shared") }} {{ include("p.only") }}',
        },
    )
    out = render(chart)
    assert out["parent/templates/p.yaml"] == "from-parent S:parent"
    assert out["parent/charts/sub/templates/s.yaml"] == "from-parent P"


def test_define_precedence_same_depth_and_empty_bodies(make_chart: MakeChart, render: Render) -> None:
    chart = make_chart(
        "c",
        {
            # Same depth: reverse lexical parse order, so _a.tpl is parsed last and wins.
            "_a.tpl": '{% define "n" %}from-a{% enddefine %}{% define "e" %}  {% enddefine %}',
            "_b.tpl": '{% define "n" %}from-b{% enddefine %}{% define "e" %}kept{% enddefine %}',
            "t.yaml": '{{ include("n") }} {{ include("e") }}',
        },
    )
    assert render(chart)["c/templates/t.yaml"] == "from-a kept"


def test_defines_in_non_partial_files_and_partials_not_rendered(make_chart: MakeChart, render: Render) -> None:
    chart = make_chart("c", {"a.yaml": '{% define "in.a" %}A{% enddefine %}x: 1\n', "b.yaml": '{{ include("in.a") }}', "_p.tpl": "ignored"})
    assert render(chart) == {"c/templates/a.yaml": "x: 1\n", "c/templates/b.yaml": "A"}


def test_library_chart_contributes_only_partials(make_chart: MakeChart, render: Render) -> None:
    parent = make_chart("app", {"t.yaml": '{{ include("lib.hello", "x") }}'})
    parent.add_dependency(
        make_chart("lib", {"_h.tpl": '{% define "lib.hello" %}hello {{ ctx }}{% enddefine %}', "ignored.yaml": "a: b"}, chart_type="library")
    )
    assert render(parent) == {"app/templates/t.yaml": "hello x"}


def test_notes_are_rendered_too(make_chart: MakeChart, render: Render) -> None:
    chart = make_chart("c", {"NOTES.txt": "Thanks for installing {{ Release.Name }}"})
    assert render(chart) == {"c/templates/NOTES.txt": "Thanks for installing r"}


def test_include_recursion_works_until_the_limit(render1: Callable[..., str]) -> None:
    partials = '{% define "rec" %}{% if ctx > 0 %}{{ ctx }}{{ include("rec", ctx - 1) }}{% endif %}{% enddefine %}'
    assert render1("{{ include('rec', 3) }}", partials=partials) == "321"
    assert len(render1("{{ include('rec', 99) }}", partials=partials)) > 100
    with pytest.raises(RenderError, match=r"include recursion too deep: rec"):
        render1("{{ include('rec', 100) }}", partials=partials)


def test_include_of_an_unknown_name(render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError, match=r'execution error at \(c/templates/t.yaml:2\): include: no template named "nope"'):
        render1("a\n{{ include('nope', ctx) }}")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% define "x" %}a{% enddefine %}{% define "x" %}b{% enddefine %}', 'parse error at (c/templates/t.yaml:1): multiple definition of template "x"'),
        ('{% if true %}\n{% define "x" %}{% enddefine %}{% endif %}', "parse error at (c/templates/t.yaml:2): define is only allowed at the top level"),
        ("{% define x %}{% enddefine %}", "parse error at (c/templates/t.yaml:1): define: the template name must be a quoted string"),
        ("a\n{{ Values.x }\n", "parse error at (c/templates/t.yaml:2): unexpected '}'"),
    ],
)
def test_parse_errors(source: str, message: str, render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError) as info:
        render1(source)
    assert str(info.value).startswith(message)


# ----- required / fail / undefined / tpl -------------------------------------------------------


def test_required_names_file_line_and_value_path(render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError) as info:
        render1("a: 1\nimage: {{ Values.image.repository | required('image.repository is required') }}\n", {"image": {}})
    assert str(info.value) == (
        "execution error at (c/templates/t.yaml:2): image.repository is required "
        "(missing or empty: Values.image.repository)"
    )
    with pytest.raises(RenderError, match=r"t.yaml:1\): need tag \(missing or empty: Values\.image\['tag-x'\]\)"):
        render1("{{ required('need tag', Values.image['tag-x']) }}", {"image": {"tag-x": ""}})


def test_required_passes_values_through(render1: Callable[..., str]) -> None:
    assert render1("{{ required('m', Values.a) }} {{ Values.z | required('m') }} {{ required('m', false) }}", {"a": "x", "z": 0}) == "x 0 false"


def test_required_inside_a_helper_names_the_helper(render1: Callable[..., str]) -> None:
    partials = '\n\n{% define "needs" %}\n{{ required("x is required", Values.x) }}\n{% enddefine %}\n'
    with pytest.raises(RenderError) as info:
        render1("a: 1\nb: {{ include('needs', ctx) }}\n", partials=partials)
    assert str(info.value) == (
        "execution error at (c/templates/_helpers.tpl:4): x is required (missing or empty: Values.x) "
        "(included from c/templates/t.yaml:2)"
    )


def test_fail(render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError, match=r"^execution error at \(c/templates/t.yaml:3\): custom failure$"):
        render1("a\nb\n{{ fail('custom failure') }}")


def test_lint_mode_makes_required_and_fail_no_ops(render1: Callable[..., str]) -> None:
    assert render1("[{{ required('m', Values.x) }}][{{ fail('f') }}]", lint=True) == "[][]"


def test_attribute_of_a_missing_value_names_file_and_line(render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError) as info:
        render1("a: 1\n\nb: {{ Values.image.tag }}\n")
    assert str(info.value) == "execution error at (c/templates/t.yaml:3): nil pointer evaluating image.tag: 'image' is undefined"


def test_unknown_function(render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError, match=r"t.yaml:1\): 'nosuchfunc' is undefined"):
        render1("{{ nosuchfunc(1) }}")


def test_tpl_renders_with_ctx_and_sees_defines(render1: Callable[..., str]) -> None:
    values = {"name": "n", "tmpl": "{{ Values.name }}-{{ include('c.name', ctx) }}", "suffix": "s"}
    assert render1("{{ tpl(Values.tmpl, ctx) }}|{{ tpl('{{ x }}', dict(x=3)) }}|{{ tpl(Values.tmpl) }}", values, partials=HELPERS) == "n-c-s|3|n-c-s"


def test_tpl_local_defines_stay_local(render1: Callable[..., str]) -> None:
    source = "{{ tpl('{% define \"tt\" %}T{% enddefine %}[{{ include(\"tt\") }}]', ctx) }}{{ include('tt') }}"
    with pytest.raises(RenderError, match='include: no template named "tt"'):
        render1(source)
    assert render1("{{ tpl('{% define \"tt\" %}T{% enddefine %}[{{ include(\"tt\") }}]', ctx) }}") == "[T]"


def test_tpl_errors(render1: Callable[..., str]) -> None:
    with pytest.raises(RenderError, match=r"t.yaml:2\): tpl: parse error at line 1: unexpected '}'"):
        render1("a\n{{ tpl('{{ x }', ctx) }}")
    with pytest.raises(RenderError, match=r"include recursion too deep: tpl"):
        render1("{{ tpl(Values.t, ctx) }}", {"t": "{{ tpl(Values.t, ctx) }}"})


def test_lookup_calls_the_injected_function(render1: Callable[..., str]) -> None:
    calls = []

    def lookup(api_version: str, kind: str, namespace: str, name: str) -> dict:
        calls.append((api_version, kind, namespace, name))
        return {"data": {"k": "v"}}

    assert render1("{{ lookup('v1', 'Secret', 'ns', 'n').data.k }}", lookup=lookup) == "v"
    assert calls == [("v1", "Secret", "ns", "n")]


def test_values_mutations_follow_helm_execution_order(make_chart: MakeChart, render: Render) -> None:
    # Deepest path first, then reverse lexical: z.yaml runs before a.yaml, sub/deep.yaml before both.
    chart = make_chart(
        "c",
        {
            "sub/deep.yaml": "{{ Values.seen | join(',') }}{% do Values.seen.append('deep') %}",
            "z.yaml": "{{ Values.seen | join(',') }}{% do Values.seen.append('z') %}",
            "a.yaml": "{{ Values.seen | join(',') }}",
        },
    )
    out = render(chart, {"seen": []})
    assert out == {"c/templates/sub/deep.yaml": "", "c/templates/z.yaml": "deep", "c/templates/a.yaml": "deep,z"}


# ----- Files -----------------------------------------------------------------------------------

FILES = {
    "files/a.txt": b"line1\nline2\n",
    "files/b.txt": b"bee",
    "files/sub/c.conf": b"c=1",
    "other/d.txt": b"d",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ Files.Get('files/a.txt') }}|{{ Files.Get('nope') }}", "line1\nline2\n|"),
        ("{{ Files.GetBytes('files/b.txt') | b64enc }}|{{ Files.GetBytes('nope') | length }}", "YmVl|0"),
        ("{{ Files.Lines('files/a.txt') }}|{{ Files.Lines('nope') }}", "[line1 line2]|[]"),
        ("{% for path in Files.Glob('files/*') %}{{ path }};{% endfor %}", "files/a.txt;files/b.txt;"),
        ("{{ Files.Glob('files/**') | list | length }} {{ Files.Glob('**.txt') | list | length }}", "3 3"),
        ("{{ Files.Glob('files/*').AsConfig() }}", "a.txt: |\n  line1\n  line2\nb.txt: bee"),
        ("{{ Files.Glob('files/b*').AsSecrets() }}|{{ Files.Glob('nomatch/*').AsSecrets() }}", "b.txt: YmVl|{}"),
        ("{% for path, data in Files.Glob('other/*').items() %}{{ path }}={{ data | b64enc }}{% endfor %}", "other/d.txt=ZA=="),
    ],
)
def test_files_api(source: str, expected: str, make_chart: MakeChart, render: Render) -> None:
    chart = make_chart("c", {"t.yaml": source}, files=FILES)
    assert render(chart)["c/templates/t.yaml"] == expected


# ----- dispatch, caching, performance ----------------------------------------------------------


def test_one_dialect_per_chart_tree(make_chart: MakeChart, render: Render) -> None:
    # A chart without the jinja2 annotation is a Helm (Go template) chart and renders as one.
    assert render(make_chart("helmchart", {"t.yaml": "{{ .Values.x }}"}, engine=None), {"x": 5}) == {
        "helmchart/templates/t.yaml": "5"
    }
    parent = make_chart("native", {})
    parent.add_dependency(make_chart("gosub", {}, engine=None))
    with pytest.raises(IncompatibleChartError, match="^gosub: a subchart written in Go templates cannot be rendered"):
        render(parent)


def test_invalid_utf8_template(make_chart: MakeChart, render: Render) -> None:
    chart = make_chart("c")
    from helmlite.chart.model import ChartFile

    chart.templates.append(ChartFile("templates/bad.yaml", b"\xff\xfe"))
    with pytest.raises(RenderError, match=r"parse error at \(c/templates/bad.yaml\): the template is not valid UTF-8"):
        render(chart)


def test_compiled_files_are_cached(make_chart: MakeChart, render: Render) -> None:
    env = get_environment()
    chart = make_chart("cachetest", {"t.yaml": "{{ Values.x }}", "_h.tpl": '{% define "h" %}h{% enddefine %}'})
    render(chart, {"x": 1})
    first = env.compile_file("cachetest/templates/t.yaml", "{{ Values.x }}")
    assert render(chart, {"x": 2}) == {"cachetest/templates/t.yaml": "2"}
    assert env.compile_file("cachetest/templates/t.yaml", "{{ Values.x }}") is first


def test_a_thousand_templates_render_fast(make_chart: MakeChart, render: Render) -> None:
    helpers = '{% define "big.name" %}{{ Release.Name }}-{{ Chart.Name }}{% enddefine %}'
    body = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include('big.name', ctx) }}-%d\n"
        "  labels:\n    {{- Values.labels | toYaml | nindent(4) }}\ndata:\n  k: {{ Values.v | quote }}\n"
    )
    templates = {f"cm{i:04d}.yaml": body.replace("%d", str(i)) for i in range(1000)}
    templates["_helpers.tpl"] = helpers
    chart = make_chart("big", templates)
    values = {"labels": {"a": "b"}, "v": "x"}
    out = render(chart, values)
    assert len(out) == 1000
    assert out["big/templates/cm0007.yaml"].startswith("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r-big-7\n")
    # Speed is measured by benchmarks/render.py, not asserted here.
