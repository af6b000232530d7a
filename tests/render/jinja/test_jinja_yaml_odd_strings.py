"""The jinja2 dialect's ``toYaml``, ``mustToYaml`` and ``Files.AsConfig``/``AsSecrets`` on values
Helm's ``toYaml`` cannot write (a control character U+007F-U+009F other than NEL, U+FFFE, U+FFFF;
a NEL in a map key): ``""`` as Helm prints, or go-yaml's message from ``mustToYaml``, never a
crash. Strings Helm can write come out as its ``toYaml`` writes them (NELs folded).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from helmlite.errors import RenderError

UNWRITABLE = [
    ({"a": "a\x7f"}, "yaml: control characters are not allowed"),
    (["\x9f"], "yaml: control characters are not allowed"),
    ("a\uffff", "yaml: control characters are not allowed"),
    ({"a\x85": 1}, "yaml: line 1: did not find expected ',' or '}'"),
]


@pytest.mark.parametrize(
    ("value", "message"), UNWRITABLE, ids=[ascii(case[0]) for case in UNWRITABLE]
)
def test_to_yaml_prints_nothing_and_must_to_yaml_fails_with_go_yamls_message(
    value: Any, message: str, render1: Any
) -> None:
    assert render1("[{{ toYaml(Values.v) }}]", {"v": value}) == "[]"
    with pytest.raises(RenderError) as raised:
        render1("{{ mustToYaml(Values.v) }}", {"v": value})
    assert str(raised.value).endswith(f"mustToYaml: {message}")


def test_to_yaml_folds_a_nel_as_helm_does(render1: Any) -> None:
    assert (
        render1("{{ toYaml(Values.v) }}", {"v": {"a": "a\x85b", "b": "a\t\x85b"}})
        == 'a: a b\nb: "a\\t b"'
    )


@pytest.mark.parametrize(
    "content", [b"a\x7f", "a\x85\x7f".encode(), "a\uffff".encode()], ids=ascii
)
def test_as_config_of_a_file_go_yaml_cannot_write_is_empty(
    content: bytes, make_chart: Any, render: Any
) -> None:
    template = "[{{ Files.Glob('files/*').AsConfig() }}|{{ Files.Glob('files/*').AsSecrets() }}]"
    chart = make_chart(
        "c", {"t.yaml": template}, files={"files/k.txt": content, "files/j.txt": b"j"}
    )
    secrets = "j.txt: ag==\nk.txt: " + base64.b64encode(content).decode()
    assert render(chart)["c/templates/t.yaml"] == f"[|{secrets}]"
