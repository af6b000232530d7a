"""``show`` and ``diff`` on charts and manifests holding what go-yaml cannot write (a control
character U+007F-U+009F other than NEL, U+FFFE, U+FFFF; a NEL in a map key).

Helm v4.3.1's loader strips such characters from the Chart.yaml fields it sanitises
(description, keywords, maintainers…), so ``helm show chart`` prints those fields cleaned; it
keeps annotations as written and then fails (``Error: yaml: control characters are not
allowed``). helmlite fails there too, naming the chart, the field and the fix. ``diff`` shows
any manifest: when go-yaml cannot write a resource, both sides are written with the characters
escaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helmlite.actions.diff import manifest_changes
from helmlite.actions.show import Show
from helmlite.errors import ChartLoadError


def _chart(root: Path, chart_yaml: str) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(chart_yaml)
    (chart / "values.yaml").write_text("x: 1\n")
    return chart


def test_show_chart_prints_sanitised_fields_as_helm_does(tmp_path: Path) -> None:
    chart = _chart(
        tmp_path,
        'apiVersion: v2\nname: c\nversion: 0.1.0\ndescription: "a\\x7f\\x85b"\nkeywords: ["k\\uffff"]\n',
    )
    # helm show chart, byte for byte: the control characters dropped, the NEL a space
    assert (
        Show("chart").run(str(chart))
        == "apiVersion: v2\ndescription: a b\nkeywords:\n- k\nname: c\nversion: 0.1.0\n\n"
    )


@pytest.mark.parametrize("kind", ["chart", "all"])
@pytest.mark.parametrize(
    ("annotations", "problem"),
    [
        ('  x: "a\\x7f"\n', "yaml: control characters are not allowed"),
        ('  "x\\x85": a\n', "yaml: line 1: did not find expected ',' or '}'"),
    ],
    ids=["control-character", "nel-in-a-key"],
)
def test_show_of_annotations_go_yaml_cannot_write_is_a_one_line_error(
    tmp_path: Path, kind: str, annotations: str, problem: str
) -> None:
    chart = _chart(
        tmp_path,
        f"apiVersion: v2\nname: c\nversion: 0.1.0\nannotations:\n{annotations}",
    )
    with pytest.raises(ChartLoadError) as raised:
        Show(kind).run(str(chart))
    assert str(raised.value) == (
        f"Chart.yaml of {chart}, field 'annotations', cannot be printed as YAML ({problem}): remove the control "
        "characters (U+007F-U+009F, U+FFFE, U+FFFF) from its values and line breaks (U+0085) from its keys"
    )


def test_show_values_of_such_a_chart_still_prints_the_file(tmp_path: Path) -> None:
    # Helm fails here as for `show chart`; the values do not need Chart.yaml printed
    chart = _chart(
        tmp_path,
        'apiVersion: v2\nname: c\nversion: 0.1.0\nannotations:\n  x: "a\\x7f"\n',
    )
    assert Show("values").run(str(chart)) == "x: 1\n\n"


_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n"


def test_diff_of_a_value_go_yaml_cannot_write_escapes_it_on_both_sides() -> None:
    (change,) = manifest_changes(
        _HEAD + '  x: "1"\n  z: "2"\n', _HEAD + '  x: "1\\x7f"\n  z: "2"\n'
    )
    assert change.action == "update"
    assert change.diff == (
        "--- ConfigMap/a (deployed)\n"
        "+++ ConfigMap/a (proposed)\n"
        "@@ -1,6 +1,6 @@\n"
        " apiVersion: v1\n"
        " data:\n"
        "-  x: '1'\n"
        '+  x: "1\\x7F"\n'
        "   z: '2'\n"
        " kind: ConfigMap\n"
        " metadata:\n"
    )


def test_diff_of_a_created_and_a_deleted_resource_with_a_nel_in_a_key() -> None:
    manifest = _HEAD + '  "k\\x85": v\n'
    (created,) = manifest_changes("", manifest)
    (deleted,) = manifest_changes(manifest, "")
    assert (created.action, deleted.action) == ("create", "delete")
    assert '+  ? "k\\N"\n+  : v\n' in created.diff
    assert '-  ? "k\\N"\n-  : v\n' in deleted.diff


def test_diff_of_unchanged_resources_with_such_values_is_empty() -> None:
    manifest = _HEAD + '  x: "1\\x7f"\n'
    (change,) = manifest_changes(manifest, manifest)
    assert (change.action, change.diff) == ("unchanged", "")
