"""Dependency processing: tags, conditions, aliases, import-values (Helm's ProcessDependencies)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from helmlite.chart.dependencies import check_dependencies_present, dependency_status, process_dependencies
from helmlite.chart.loader import load_chart
from helmlite.chart.model import Chart
from helmlite.values.coalesce import coalesce_values

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Release.Name }}\n"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def chart_files(
    prefix: str,
    name: str,
    deps: list[dict[str, Any]] | None = None,
    values: Any = None,
    version: str = "0.1.0",
    chart_type: str = "application",
) -> dict[str, str | bytes]:
    meta: dict[str, Any] = {"apiVersion": "v2", "name": name, "version": version, "type": chart_type}
    if deps:
        meta["dependencies"] = deps
    files: dict[str, str | bytes] = {f"{prefix}Chart.yaml": yaml.safe_dump(meta, sort_keys=False)}
    if chart_type == "application":
        files[f"{prefix}templates/cm.yaml"] = CM
    if values is not None:
        files[f"{prefix}values.yaml"] = yaml.safe_dump(values)
    return files


def dep(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "version": "0.1.0", "repository": "http://localhost:10191", **extra}


def subpop(root: Path) -> Path:
    """The shape of Helm's ``subpop`` test chart: two subcharts with tags, conditions and an alias."""
    files: dict[str, str | bytes] = {}
    files |= chart_files(
        "",
        "parentchart",
        [
            dep("subchart1", condition="subchart1.enabled", tags=["front-end", "subchart1"]),
            dep("subchart2", condition="subchart2.enabled", tags=["back-end", "subchart2"]),
            dep("subchart2", alias="subchart2alias", condition="subchart2alias.enabled"),
        ],
        {"tags": {"front-end": True, "back-end": False}, "subchart2alias": {"enabled": False}},
    )
    files |= chart_files(
        "charts/subchart1/",
        "subchart1",
        [
            dep("subcharta", condition="subcharta.enabled", tags=["front-end", "subcharta"]),
            dep("subchartb", condition="subchartb.enabled", tags=["front-end", "subchartb"]),
        ],
    )
    files |= chart_files("charts/subchart1/charts/subchartA/", "subcharta")
    files |= chart_files("charts/subchart1/charts/subchartB/", "subchartb")
    files |= chart_files(
        "charts/subchart2/",
        "subchart2",
        [
            dep("subchartb", condition="subchartb.enabled,subchart2.subchartb.enabled", tags=["back-end", "subchartb"]),
            dep("subchartc", condition="subchartc.enabled", tags=["back-end", "subchartc"]),
        ],
    )
    files |= chart_files("charts/subchart2/charts/subchartB/", "subchartb")
    files |= chart_files("charts/subchart2/charts/subchartC/", "subchartc")
    return write_tree(root / "parentchart", files)


def chart_paths(chart: Chart) -> list[str]:
    """Every chart of the tree as Helm's ChartPath (``parent.sub.subsub``), sorted."""
    out = []
    for c in chart.walk():
        names = []
        node: Chart | None = c
        while node is not None:
            names.append(node.name)
            node = node.parent
        out.append(".".join(reversed(names)))
    return sorted(out)


P, S1, S2 = "parentchart", "parentchart.subchart1", "parentchart.subchart2"
ENABLED_TABLE = [
    ("tags with no effect", {"tags": {"nothinguseful": False}}, [P, S1, f"{S1}.subcharta", f"{S1}.subchartb"]),
    ("tags disabling a group", {"tags": {"front-end": False}}, [P]),
    (
        "tags disabling a group and enabling a different group",
        {"tags": {"front-end": False, "back-end": True}},
        [P, S2, f"{S2}.subchartb", f"{S2}.subchartc"],
    ),
    (
        "tags disabling only children: front-end=true from values.yaml keeps them",
        {"tags": {"subcharta": False, "subchartb": False}},
        [P, S1, f"{S1}.subcharta", f"{S1}.subchartb"],
    ),
    (
        "tags disabling all parents/children with an additional tag re-enabling a parent",
        {"tags": {"front-end": False, "subchart1": True, "back-end": False}},
        [P, S1],
    ),
    (
        "conditions enabling the parents; back-end children still disabled by values.yaml tags",
        {"subchart1": {"enabled": True}, "subchart2": {"enabled": True}},
        [P, S1, f"{S1}.subcharta", f"{S1}.subchartb", S2],
    ),
    (
        "conditions disabling the parents, effectively disabling children",
        {"subchart1": {"enabled": False}, "subchart2": {"enabled": False}},
        [P],
    ),
    (
        "a condition path relative to the subchart disables one child",
        {"subchart1": {"subcharta": {"enabled": False}}},
        [P, S1, f"{S1}.subchartb"],
    ),
    (
        "tags enabling a group with a condition disabling one child",
        {"subchart2": {"subchartc": {"enabled": False}}, "tags": {"back-end": True}},
        [P, S1, f"{S1}.subcharta", f"{S1}.subchartb", S2, f"{S2}.subchartb"],
    ),
    (
        "tags do not enable a child whose parent a condition disables",
        {"subchart1": {"enabled": False}, "tags": {"front-end": True}},
        [P],
    ),
    (
        "subcharts with an alias respect conditions too",
        {"subchart1": {"enabled": False}, "subchart2alias": {"enabled": True, "subchartb": {"enabled": True}}},
        [P, f"{P}.subchart2alias", f"{P}.subchart2alias.subchartb"],
    ),
]


@pytest.mark.parametrize(("case", "values", "expected"), ENABLED_TABLE, ids=[c[0] for c in ENABLED_TABLE])
def test_dependency_enabled(tmp_path: Path, case: str, values: dict[str, Any], expected: list[str]) -> None:
    chart = load_chart(subpop(tmp_path))
    process_dependencies(chart, values)
    assert chart_paths(chart) == expected


@pytest.mark.helm
@pytest.mark.parametrize(("case", "values", "expected"), ENABLED_TABLE, ids=[c[0] for c in ENABLED_TABLE])
def test_dependency_enabled_agrees_with_helm(
    tmp_path: Path, helm_bin: str, case: str, values: dict[str, Any], expected: list[str]
) -> None:
    root = subpop(tmp_path)
    (tmp_path / "values.yaml").write_text(yaml.safe_dump(values))
    rendered = subprocess.run(
        [helm_bin, "template", "r", str(root), "-f", str(tmp_path / "values.yaml")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sources = re.findall(r"^# Source: (.*)/templates/cm.yaml$", rendered, re.M)
    assert sorted(s.replace("/charts/", ".") for s in sources) == expected


def test_metadata_dependencies_are_pruned_and_renamed(tmp_path: Path) -> None:
    chart = load_chart(subpop(tmp_path))
    process_dependencies(chart, {"subchart2alias": {"enabled": True}})
    assert [d.name for d in chart.metadata.dependencies] == ["subchart1", "subchart2alias"]
    assert [d.name for d in chart.dependencies] == ["subchart1", "subchart2alias"]
    alias = chart.dependencies[1]
    assert alias.full_path() == "parentchart/charts/subchart2alias"
    assert alias.metadata.version == "0.1.0"


def test_conditions_first_resolvable_path_wins(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files(
            "",
            "p",
            [dep("a", condition="missing.path,a.flag,a.enabled,b.enabled"), dep("b", condition="b.enabled,a.enabled")],
            {"a": {"flag": "yes please"}},
        )
        | chart_files("charts/a/", "a")
        | chart_files("charts/b/", "b"),
    )
    warnings: list[str] = []
    chart = load_chart(root)
    process_dependencies(chart, {"a": {"enabled": False}, "b": {"enabled": True}}, warn=warnings.append)
    # a: "missing.path" does not resolve, "a.flag" is not a bool (warned), "a.enabled" decides.
    # b: "b.enabled" decides before "a.enabled" is looked at.
    assert [d.name for d in chart.dependencies] == ["b"]
    assert warnings == ['condition "a.flag" for dependency "a" is not a boolean; ignoring it']


def test_non_boolean_tags_are_ignored_with_a_warning(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p", chart_files("", "p", [dep("a", tags=["t1", "t2"])]) | chart_files("charts/a/", "a")
    )
    chart = load_chart(root)
    warnings: list[str] = []
    process_dependencies(chart, {"tags": {"t1": "no", "t2": False}}, warn=warnings.append)
    assert chart.dependencies == []
    assert warnings == ['tag "t1" for dependency "a" is not a boolean; ignoring it']


def test_nested_conditions_three_levels_deep(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "top",
        chart_files("", "top", [dep("mid", condition="mid.enabled")])
        | chart_files("charts/mid/", "mid", [dep("low", condition="low.enabled")])
        | chart_files(
            "charts/mid/charts/low/", "low", [dep("leaf", condition="leaf.enabled")], {"leaf": {"enabled": True}}
        )
        | chart_files("charts/mid/charts/low/charts/leaf/", "leaf"),
    )
    chart = load_chart(root)
    process_dependencies(chart, {})
    assert chart_paths(chart) == ["top", "top.mid", "top.mid.low", "top.mid.low.leaf"]
    chart = load_chart(root)
    process_dependencies(chart, {"mid": {"low": {"leaf": {"enabled": False}}}})
    assert chart_paths(chart) == ["top", "top.mid", "top.mid.low"]
    chart = load_chart(root)
    process_dependencies(chart, {"mid": {"low": {"enabled": False}}})
    assert chart_paths(chart) == ["top", "top.mid"]


def test_without_declared_dependencies_nested_conditions_are_not_evaluated(tmp_path: Path) -> None:
    """Helm's processDependencyEnabled returns early for a chart that declares nothing."""
    root = write_tree(
        tmp_path / "top",
        chart_files("", "top")
        | chart_files("charts/mid/", "mid", [dep("low", condition="low.enabled")])
        | chart_files("charts/mid/charts/low/", "low"),
    )
    chart = load_chart(root)
    process_dependencies(chart, {"mid": {"low": {"enabled": False}}})
    assert chart_paths(chart) == ["top", "top.mid", "top.mid.low"]


def test_unlisted_and_version_mismatched_subcharts_are_kept(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files("", "p", [dep("a", version="^2.0.0", alias="renamed")])
        | chart_files("charts/a/", "a")
        | chart_files("charts/extra/", "extra"),
    )
    chart = load_chart(root)
    process_dependencies(chart, {})
    # No chart satisfies ^2.0.0, so no alias copy is made; "a" stays as an unlisted subchart.
    assert sorted(d.name for d in chart.dependencies) == ["a", "extra"]


def test_the_same_chart_aliased_twice(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files(
            "",
            "p",
            [dep("sub", alias="one"), dep("sub", alias="two", condition="two.enabled")],
            {"two": {"enabled": True}},
        )
        | chart_files("charts/sub/", "sub", values={"who": "sub"})
        | chart_files("charts/sub/charts/leaf/", "leaf"),
    )
    chart = load_chart(root)
    original = chart.dependencies[0]
    process_dependencies(chart, {})
    one, two = chart.dependencies
    assert (one.name, two.name) == ("one", "two")
    assert one is not two and one.templates is original.templates  # copies of the node, shared content
    assert [c.full_path() for c in chart.walk()] == [
        "p",
        "p/charts/one",
        "p/charts/one/charts/leaf",
        "p/charts/two",
        "p/charts/two/charts/leaf",
    ]
    assert original.name == "sub" and original.dependencies[0].parent is original  # the loaded chart is untouched
    values = coalesce_values(chart, {"two": {"who": "user"}})
    assert (values["one"]["who"], values["two"]["who"]) == ("sub", "user")


def test_alias_can_be_disabled_alone(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files("", "p", [dep("sub", alias="one"), dep("sub", alias="two", condition="two.enabled")])
        | chart_files("charts/sub/", "sub"),
    )
    chart = load_chart(root)
    process_dependencies(chart, {"two": {"enabled": False}})
    assert [d.name for d in chart.dependencies] == ["one"]


IMPORTING_PARENT = {
    "overridden": {"b": "parent"},
    "fromExports2": "parent",
}
CHILD_VALUES = {
    "exports": {"data": {"fromExports": 1, "fromExports2": "child"}},
    "SC1data": {"a": "child", "b": "child"},
    "nested": {"x": {"z": 1}},
    "scalar": 5,
}


def importing_chart(root: Path, alias: str | None = None) -> Path:
    extra = {"alias": alias} if alias else {}
    return write_tree(
        root / "p",
        chart_files(
            "",
            "p",
            [
                dep(
                    "sub",
                    **extra,
                    **{
                        "import-values": [
                            "data",
                            {"child": "SC1data", "parent": "imported"},
                            {"child": "SC1data", "parent": "overridden"},
                            {"child": "nested.x", "parent": "deep.path"},
                            {"child": "scalar", "parent": "nope"},
                            "missing",
                        ]
                    },
                )
            ],
            IMPORTING_PARENT,
        )
        | chart_files("charts/sub/", "sub", values=CHILD_VALUES),
    )


def test_import_values_both_forms_and_precedence(tmp_path: Path) -> None:
    chart = load_chart(importing_chart(tmp_path))
    warnings: list[str] = []
    process_dependencies(chart, {}, warn=warnings.append)
    values = chart.values
    assert values["fromExports"] == 1  # "data" = child exports.data into the parent's root
    assert values["fromExports2"] == "parent"  # the parent's own value beats the import
    assert values["imported"] == {"a": "child", "b": "child"}
    assert values["overridden"] == {"a": "child", "b": "parent"}
    assert values["deep"] == {"path": {"z": 1}}
    assert "nope" not in values
    assert warnings == [
        'import-values: dependency "sub" has no table "scalar" to import',
        'import-values: dependency "sub" has no table "exports.missing" to import',
    ]
    # User values still win over everything at render time.
    computed = coalesce_values(chart, {"overridden": {"a": "user"}})
    assert computed["overridden"] == {"a": "user", "b": "parent"}


def test_import_values_from_an_aliased_dependency(tmp_path: Path) -> None:
    chart = load_chart(importing_chart(tmp_path, alias="renamed"))
    process_dependencies(chart, {})
    assert chart.values["imported"] == {"a": "child", "b": "child"}
    assert [d.name for d in chart.dependencies] == ["renamed"]


def test_import_values_see_the_parents_overrides_of_the_child(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files(
            "",
            "p",
            [dep("sub", **{"import-values": [{"child": "data", "parent": "got"}]})],
            {"sub": {"data": {"a": "from-parent"}}},
        )
        | chart_files("charts/sub/", "sub", values={"data": {"a": "default", "b": "default"}}),
    )
    chart = load_chart(root)
    process_dependencies(chart, {})
    assert chart.values["got"] == {"a": "from-parent", "b": "default"}


def test_import_values_three_levels_precedence(tmp_path: Path) -> None:
    """User > parent values > imported > subchart values, imports processed bottom-up."""
    service_import = {"import-values": [{"child": "service", "parent": "service"}]}
    files = chart_files("", "umbrella", [dep("app1"), dep("app2"), dep("app3")], {"app1": {"service": {"port": 3456}}})
    for app, values in (("app1", None), ("app2", {"service": {"port": 8080}}), ("app3", None)):
        files |= chart_files(
            f"charts/{app}/", app, [dep("library", **service_import)] if app != "app1" else None, values
        )
        if app != "app1":
            files |= chart_files(
                f"charts/{app}/charts/library/", "library", values={"service": {"port": 9090}}, chart_type="library"
            )
    chart = load_chart(write_tree(tmp_path / "umbrella", files))
    process_dependencies(chart, {})
    values = coalesce_values(chart, {})
    assert values["app1"]["service"]["port"] == 3456  # set by the umbrella
    assert values["app2"]["service"]["port"] == 8080  # the app's own value beats its import
    assert values["app3"]["service"]["port"] == 9090  # imported from the library
    assert [d.metadata.is_library for d in chart.dependencies[1].dependencies] == [True]  # library charts stay


def test_imports_keep_nulls_so_they_still_delete_defaults(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files(
            "", "p", [dep("sub", **{"import-values": [{"child": "data", "parent": "got"}]})], {"got": {"drop": None}}
        )
        | chart_files("charts/sub/", "sub", values={"data": {"drop": "x", "keep": "kept"}}),
    )
    chart = load_chart(root)
    process_dependencies(chart, {})
    assert chart.values["got"] == {"drop": None, "keep": "kept"}
    assert coalesce_values(chart, {})["got"] == {"keep": "kept"}


def test_check_dependencies_present(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        chart_files("", "p", [dep("here"), dep("gone"), dep("here", alias="again")])
        | chart_files("charts/here/", "here"),
    )
    assert check_dependencies_present(load_chart(root)) == ["gone"]


def status_fixture(tmp_path: Path) -> Path:
    """A chart whose declared dependencies are in every state ``dependency list`` knows."""
    from helmlite.chart.archive import package_chart

    def packaged(name: str, version: str, into: Path) -> None:
        src = write_tree(tmp_path / "src" / f"{name}-{version}", chart_files("", name, version=version))
        package_chart(src, into)

    root = write_tree(
        tmp_path / "p",
        chart_files(
            "",
            "p",
            [
                dep("packed"),
                dep("unpacked", version="~0.1"),
                dep("missing"),
                dep("wrongver", version="^2.0.0"),
                dep("badconstraint", version="not a constraint"),
                dep("noversion", version=""),
                dep("dup"),
                dep("misnamed"),
                dep("packwrong", version="^3"),
            ],
        )
        | chart_files("charts/unpacked/", "unpacked", version="0.1.5")
        | chart_files("charts/wrongver/", "wrongver")
        | chart_files("charts/badconstraint/", "badconstraint")
        | chart_files("charts/noversion/", "noversion"),
    )
    charts = root / "charts"
    packaged("packed", "0.1.0", charts)
    packaged("dup", "0.1.0", charts)
    packaged("dup", "0.2.0", charts)
    packaged("packwrong", "0.1.0", charts)
    packaged("other", "0.1.0", tmp_path / "tmp")
    (tmp_path / "tmp" / "other-0.1.0.tgz").rename(charts / "misnamed-0.1.0.tgz")
    return root


def test_dependency_status(tmp_path: Path) -> None:
    statuses = {row[0]: row[3] for row in dependency_status(status_fixture(tmp_path))}
    assert statuses == {
        "packed": "ok",
        "unpacked": "unpacked",
        "missing": "missing",
        "wrongver": "wrong version",
        "badconstraint": "invalid version",
        "noversion": "invalid version",
        "dup": "too many matches",
        "misnamed": "misnamed",
        "packwrong": "wrong version",
    }
    assert dependency_status(write_tree(tmp_path / "lonely", chart_files("", "lonely"))) == []


@pytest.mark.helm
def test_dependency_status_agrees_with_helm(tmp_path: Path, helm_bin: str) -> None:
    root = status_fixture(tmp_path)
    listed = subprocess.run([helm_bin, "dependency", "list", str(root)], capture_output=True, text=True, check=True)
    rows = [[cell.strip() for cell in line.split("\t")] for line in listed.stdout.splitlines()[1:] if "\t" in line]
    assert [tuple(row) for row in rows] == dependency_status(root)
