"""Coalescing: precedence, null deletion, globals and subchart scoping (helm-behaviour.md §3.1)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import pytest

from helmlite.chart.model import Chart
from helmlite.errors import ValuesError
from helmlite.values.coalesce import coalesce_tables, coalesce_values, merge_maps, scoped_values
from helmlite.values.strvals import parse_set
from helmlite.values.yamlio import load_values

MakeChart = Callable[..., Chart]


def test_user_values_win_and_maps_merge(make_chart: MakeChart) -> None:
    chart = make_chart("app", {"image": {"repo": "nginx", "tag": "1.0"}, "ports": [80, 443], "replicas": 1})
    values = coalesce_values(chart, {"image": {"tag": "2.0"}, "ports": [8080], "extra": "x"})
    assert values == {"image": {"repo": "nginx", "tag": "2.0"}, "ports": [8080], "replicas": 1, "extra": "x"}


@pytest.mark.parametrize(
    ("defaults", "user", "expected"),
    [
        ({"a": 1, "b": 2}, {"a": None}, {"b": 2}),  # a user null deletes a default
        ({"m": {"x": 1, "y": 2}}, {"m": {"x": None}}, {"m": {"y": 2}}),  # nested
        ({"m": {"x": 1}}, {"m": None}, {}),  # a null deletes a whole map
        ({}, {"u": None}, {"u": None}),  # a user null with no default stays, as in Helm
        ({"m": {}}, {"m": {"u": None}}, {"m": {"u": None}}),
        ({"a": None}, {"a": None}, {}),  # a null default is deleted too
        ({"a": None, "m": {"b": None, "c": 1}}, {}, {"m": {"c": 1}}),  # nulls in values.yaml never show
        ({"l": [1, None]}, {}, {"l": [1, None]}),  # nulls inside lists are data
        ({"a": ""}, {"a": None}, {}),
        ({"a": 1}, {"a": ""}, {"a": ""}),
    ],
)
def test_null_deletion(make_chart: MakeChart, defaults: dict[str, Any], user: dict[str, Any], expected: Any) -> None:
    assert coalesce_values(make_chart("app", defaults), user) == expected


def test_subchart_defaults_are_scoped_under_its_name(make_chart: MakeChart) -> None:
    sub = make_chart("db", {"port": 5432, "auth": {"user": "app"}})
    chart = make_chart("app", {"name": "app"}, sub)
    values = coalesce_values(chart, {})
    assert values == {"name": "app", "db": {"port": 5432, "auth": {"user": "app"}, "global": {}}}
    # nothing of the subchart is imported into the parent's own scope
    assert "port" not in values and "auth" not in values
    assert scoped_values(values, sub) == {"port": 5432, "auth": {"user": "app"}, "global": {}}
    assert scoped_values(values, chart) is values


def test_precedence_user_over_parent_over_subchart(make_chart: MakeChart) -> None:
    sub = make_chart("db", {"a": "sub", "b": "sub", "c": "sub"})
    chart = make_chart("app", {"db": {"a": "parent", "b": "parent"}}, sub)
    values = coalesce_values(chart, {"db": {"a": "user"}})
    assert values["db"] == {"a": "user", "b": "parent", "c": "sub", "global": {}}


def test_user_null_deletes_subchart_default_through_parent_value(make_chart: MakeChart) -> None:
    sub = make_chart("db", {"x": "sub", "keep": 1})
    chart = make_chart("app", {"db": {"x": "parent"}}, sub)
    assert coalesce_values(chart, {"db": {"x": None}})["db"] == {"keep": 1, "global": {}}


def test_parent_values_yaml_null_deletes_subchart_default(make_chart: MakeChart) -> None:
    """Helm v4.3.1 ignores this null (issue #32132); helmlite applies it."""
    sub = make_chart("sub", {"resources": {"limits": {"cpu": "200m", "memory": "1Gi"}}, "runAsUser": 65534})
    parent_values = load_values(
        "sub:\n  runAsUser: null\n  resources:\n    limits:\n      cpu: null\n  extra: null\n", "values.yaml"
    )
    chart = make_chart("parent", parent_values, sub)
    expected = {"resources": {"limits": {"memory": "1Gi"}}, "global": {}}
    assert coalesce_values(chart, {})["sub"] == expected
    # the same whether or not the user also sets something for the subchart
    assert coalesce_values(chart, {"sub": {"other": 1}})["sub"] == {**expected, "other": 1}


def test_null_deletes_at_every_lower_level(make_chart: MakeChart) -> None:
    leaf = make_chart("leaf", {"x": "leaf", "y": "leaf"})
    middle = make_chart("middle", {"leaf": {"x": "middle"}}, leaf)
    root = make_chart("root", {"middle": {"leaf": {"y": None}}}, middle)
    values = coalesce_values(root, {"middle": {"leaf": {"x": None}}})
    assert values["middle"]["leaf"] == {"global": {}}


def test_subchart_key_null_drops_higher_overrides_but_keeps_defaults(make_chart: MakeChart) -> None:
    sub = make_chart("s", {"x": 1})
    chart = make_chart("app", {"s": {"x": 2}}, sub)
    assert coalesce_values(chart, {"s": None})["s"] == {"x": 1, "global": {}}
    assert coalesce_values(make_chart("app", {"s": None}, make_chart("s", {"x": 1})), {})["s"] == {
        "x": 1,
        "global": {},
    }


def test_subchart_values_must_be_a_map(make_chart: MakeChart) -> None:
    chart = make_chart("app", {}, make_chart("s", {"x": 1}))
    with pytest.raises(ValuesError, match="^type mismatch on s: the values of subchart 's' must be a map, got int$"):
        coalesce_values(chart, {"s": 5})


def test_subchart_list_values_replace_defaults(make_chart: MakeChart) -> None:
    chart = make_chart("app", {}, make_chart("s", {"list": [1, 2]}))
    assert coalesce_values(chart, parse_set("s.list[1]=9"))["s"]["list"] == [None, 9]


def test_globals_propagate_down_and_the_parent_wins(make_chart: MakeChart) -> None:
    leaf = make_chart("leaf", {"global": {"g": "leaf", "onlyLeaf": 1, "tree": {"l2": "leaf"}}})
    middle = make_chart("middle", {"global": {"g": "middle", "tree": {"l1": "middle"}}}, leaf)
    root = make_chart("root", {"global": {"g": "root", "tree": {"l0": "root"}}}, middle)
    values = coalesce_values(root, {"global": {"u": "user"}, "middle": {"global": {"g": "user-middle", "m": 1}}})
    assert values["global"] == {"g": "root", "u": "user", "tree": {"l0": "root"}}
    assert values["middle"]["global"] == {"g": "root", "u": "user", "m": 1, "tree": {"l0": "root", "l1": "middle"}}
    assert values["middle"]["leaf"]["global"] == {
        "g": "root",
        "u": "user",
        "m": 1,
        "onlyLeaf": 1,
        "tree": {"l0": "root", "l1": "middle", "l2": "leaf"},
    }


def test_root_has_no_global_unless_defined(make_chart: MakeChart) -> None:
    values = coalesce_values(make_chart("app", {"a": 1}, make_chart("s")), {})
    assert "global" not in values
    assert values["s"]["global"] == {}


def test_global_null_deletes_subchart_global_defaults(make_chart: MakeChart) -> None:
    sub = make_chart("s", {"global": {"x": "sub", "y": "sub"}})
    chart = make_chart("app", {"global": {"x": "parent"}}, sub)
    values = coalesce_values(chart, {"global": {"x": None, "z": None}})
    assert values["global"] == {"z": None}
    assert values["s"]["global"] == {"y": "sub", "z": None}


def test_global_that_is_not_a_map_is_skipped_with_a_warning(make_chart: MakeChart) -> None:
    warnings: list[str] = []
    chart = make_chart("app", {}, make_chart("s", {"x": 1}))
    values = coalesce_values(chart, {"global": 5}, warn=warnings.append)
    assert values == {"global": 5, "s": {"x": 1}}
    assert warnings == ["skipping globals for s: the parent's global is not a table"]
    warnings.clear()
    values = coalesce_values(chart, {"s": {"global": 5}}, warn=warnings.append)
    assert values["s"] == {"global": 5, "x": 1}
    assert warnings == ["skipping globals for s: its global is not a table"]


def test_table_conflicts_keep_the_higher_value_and_warn(make_chart: MakeChart) -> None:
    warnings: list[str] = []
    chart = make_chart("app", {"a": 1, "m": {"t": {"x": 1}}}, make_chart("s", {"x": 1}))
    values = coalesce_values(chart, {"a": {"b": 1}, "m": {"t": "flat"}, "s": {"x": {"y": 1}}}, warn=warnings.append)
    assert values == {"a": {"b": 1}, "m": {"t": "flat"}, "s": {"x": {"y": 1}, "global": {}}}
    assert warnings == [
        "destination for a is a table; ignoring non-table value 1",
        "cannot overwrite table with non-table value for m.t; keeping 'flat'",
        "destination for s.x is a table; ignoring non-table value 1",
    ]


def test_warnings_go_to_the_log_by_default(make_chart: MakeChart, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="helmlite.values.coalesce"):
        coalesce_values(make_chart("app", {"a": 1}), {"a": {"b": 1}})
    assert caplog.messages == ["destination for a is a table; ignoring non-table value 1"]


def test_inputs_are_never_modified(make_chart: MakeChart) -> None:
    sub_defaults = {"m": {"x": 1, "n": None}, "global": {"g": 1}, "l": [{"k": 1}]}
    parent_defaults = {"s": {"m": {"x": None}}, "global": {"h": {"deep": 1}}}
    user = {"s": {"m": {"y": None}, "l": [1]}, "global": {"h": {"deep": None}}, "u": None}
    sub = make_chart("s", copy.deepcopy(sub_defaults))
    chart = make_chart("app", copy.deepcopy(parent_defaults), sub)
    user_copy = copy.deepcopy(user)
    first = coalesce_values(chart, user_copy)
    first["s"]["global"]["g"] = "mutated"
    first["s"]["l"].append(2)
    assert user_copy == user
    assert chart.values == parent_defaults
    assert sub.values == sub_defaults
    assert coalesce_values(chart, user) != first


def test_helm_moby_tree(make_chart: MakeChart) -> None:
    """Helm's TestCoalesceValues scenario (chart moby → pequod → ahab, and spouter), re-expressed."""
    ahab = make_chart(
        "ahab",
        {
            "global": {"nested": {"foo": "bar", "foo2": "bar2"}, "nested2": {"l2": "ahab"}},
            "scope": "ahab",
            "name": "ahab",
            "boat": True,
            "nested": {"foo": False, "boat": True},
            "object": {"foo": "bar"},
        },
    )
    pequod = make_chart(
        "pequod",
        {
            "name": "pequod",
            "scope": "pequod",
            "global": {"nested2": {"l1": "pequod"}},
            "boat": False,
            "ahab": {"boat": False, "nested": {"boat": False}},
        },
        ahab,
    )
    spouter = make_chart("spouter", {"scope": "spouter", "global": {"nested2": {"l1": "spouter"}}})
    moby = make_chart(
        "moby",
        {
            "back": "exists",
            "bottom": "exists",
            "front": "exists",
            "left": "exists",
            "name": "moby",
            "nested": {"boat": True},
            "override": "bad",
            "right": "exists",
            "scope": "moby",
            "top": "nope",
            "global": {"nested2": {"l0": "moby"}},
            "pequod": {"boat": "maybe", "ahab": {"boat": "maybe", "nested": {"boat": "maybe"}}},
        },
        pequod,
        spouter,
    )
    user = load_values(
        """
top: yup
bottom: null
right: Null
left: NULL
front: ~
back: ""
nested:
  boat: null
global:
  name: Ishmael
  subject: Queequeg
  nested:
    boat: true
pequod:
  boat: null
  global:
    name: Stinky
    harpooner: Tashtego
    nested:
      boat: false
      sail: true
      foo2: null
  ahab:
    scope: whale
    boat: null
    nested:
      foo: true
      boat: null
    object: null
""",
        "user.yaml",
    )
    values = coalesce_values(moby, user)
    p, a, s = values["pequod"], values["pequod"]["ahab"], values["spouter"]
    assert (values["top"], values["back"], values["name"]) == ("yup", "", "moby")
    assert values["global"] == {
        "name": "Ishmael",
        "subject": "Queequeg",
        "nested": {"boat": True},
        "nested2": {"l0": "moby"},
    }
    assert (p["name"], a["name"], a["scope"], a["nested"]) == ("pequod", "ahab", "whale", {"foo": True})
    assert a["global"]["nested"] == {"foo": "bar", "boat": True, "sail": True}  # foo2 deleted by the user's null
    assert (a["global"]["name"], a["global"]["subject"], a["global"]["harpooner"]) == ("Ishmael", "Queequeg", "Tashtego")
    assert p["global"]["name"] == "Ishmael"
    # the user's null deleted nothing at pequod's level, so it shows there (as user nulls do)
    assert p["global"]["nested"] == {"boat": True, "sail": True, "foo2": None}
    assert s["global"] == {
        "name": "Ishmael",
        "subject": "Queequeg",
        "nested": {"boat": True},
        "nested2": {"l0": "moby", "l1": "spouter"},
    }
    assert p["global"]["nested2"] == {"l0": "moby", "l1": "pequod"}
    assert a["global"]["nested2"] == {"l0": "moby", "l1": "pequod", "l2": "ahab"}
    for key in ("bottom", "right", "left", "front"):
        assert key not in values
    assert values["nested"] == {}
    assert "boat" not in p and "boat" not in a and "object" not in a


def test_coalescing_is_linear(make_chart: MakeChart, monkeypatch: pytest.MonkeyPatch) -> None:
    """The work (recursive copy and merge steps) grows with the input, not with its square."""
    from helmlite.values import coalesce

    calls = {"n": 0}
    for name in ("_copy", "_copy_defaults", "_fill"):
        original = getattr(coalesce, name)

        def counted(*args: Any, _original: Any = original) -> Any:
            calls["n"] += 1
            return _original(*args)

        monkeypatch.setattr(coalesce, name, counted)

    def work(width: int) -> int:
        defaults = {f"k{i}": {"v": i, "l": [i, i]} for i in range(width)}
        subs = [make_chart(f"s{i}", dict(defaults)) for i in range(20)]
        root = make_chart("root", {"global": {f"g{i}": i for i in range(50)}, **defaults}, *subs)
        calls["n"] = 0
        coalesce_values(root, {f"k{i}": {"v": None} for i in range(0, width, 2)})
        return calls["n"]

    small, large = work(500), work(4000)
    assert small > 0
    assert large <= small * 8 * 1.1  # 8x the input: linear work is ~8x, quadratic would be ~64x


def test_merge_maps() -> None:
    base: dict[str, Any] = {"a": 1, "m": {"x": 1, "y": {"deep": 1}}, "l": [1, 2], "t": {"k": 1}, "s": "str"}
    override: dict[str, Any] = {"m": {"y": {"other": 2}}, "l": [3], "t": "flat", "s": {"now": "map"}, "n": None}
    merged = merge_maps(base, override)
    assert merged == {
        "a": 1,
        "m": {"x": 1, "y": {"deep": 1, "other": 2}},
        "l": [3],
        "t": "flat",
        "s": {"now": "map"},
        "n": None,
    }
    merged["m"]["x"] = 2
    merged["l"].append(4)
    assert base["m"]["x"] == 1 and override["l"] == [3]
    assert merge_maps({"a": 1}, {"a": None}) == {"a": None}


def test_coalesce_tables() -> None:
    dst = {
        "name": "Ishmael",
        "address": {"street": "123 Spouter Inn Ct.", "city": "Nantucket", "country": None},
        "details": {"friends": ["Tashtego"]},
        "boat": "pequod",
        "hole": None,
    }
    src = {
        "occupation": "whaler",
        "address": {"state": "MA", "street": "234 Spouter Inn Ct.", "country": "US"},
        "details": "empty",
        "boat": {"mast": True},
        "hole": "black",
    }
    dst_before, src_before = copy.deepcopy(dst), copy.deepcopy(src)
    warnings: list[str] = []
    result = coalesce_tables(dst, src, warn=warnings.append)
    # Nulls stay (Helm drops them here), so that they still delete chart defaults afterwards.
    assert result == {
        "name": "Ishmael",
        "occupation": "whaler",
        "address": {"street": "123 Spouter Inn Ct.", "city": "Nantucket", "state": "MA", "country": None},
        "details": {"friends": ["Tashtego"]},
        "boat": "pequod",
        "hole": None,
    }
    assert warnings == [
        "destination for details is a table; ignoring non-table value 'empty'",
        "cannot overwrite table with non-table value for boat; keeping 'pequod'",
    ]
    assert (dst, src) == (dst_before, src_before)
    assert coalesce_tables(dst, {}) == dst


def test_reused_null_still_deletes_a_chart_default(make_chart: MakeChart) -> None:
    chart = make_chart("app", {"x": "default", "y": "default"})
    user = coalesce_tables({"x": None}, {"x": "previous", "y": "previous"})
    assert coalesce_values(chart, user) == {"y": "previous"}


def test_scoped_values_of_missing_or_non_map_scopes(make_chart: MakeChart) -> None:
    leaf = make_chart("leaf")
    middle = make_chart("middle", {}, leaf)
    make_chart("root", {}, middle)
    assert scoped_values({"middle": {"leaf": {"a": 1}}}, leaf) == {"a": 1}
    assert scoped_values({"middle": {}}, leaf) == {}
    assert scoped_values({"middle": "x"}, leaf) == {}
