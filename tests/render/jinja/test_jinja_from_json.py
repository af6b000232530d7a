"""The jinja2 dialect's ``fromJson``/``fromJsonArray`` on unpaired UTF-16 surrogate escapes
(issue #6): U+FFFD in their place, as Go's JSON decoder gives Helm's ``fromJson``, so the
strings can be printed and written out. The texts are those ``helm template`` (v4.3.1) printed
for the same calls in the gotemplate dialect.
"""

from __future__ import annotations

from typing import Any

import pytest

R = "\ufffd"  # the replacement character

VALUES = {
    "j": r'{"x":"a\ud800b","\udc00":"k","p":"\ud83d\ude00","q":"\ud800\ud800\udc00"}',
    "a": r'["a\ud800b",{"\udc00":"v"}]',
    "j1": r'{"x":"\ud800\u0041\udc00\ud800"}',
}

CASES = [
    ("{{ fromJson(Values.j).x }}", f"a{R}b"),
    ("{{ fromJson(Values.j1).x }}", f"{R}A{R}{R}"),
    ("{{ toJson(fromJson(Values.j)) }}", f'{{"p":"\U0001f600","q":"{R}\U00010000","x":"a{R}b","{R}":"k"}}'),
    ("{{ toJson(fromJsonArray(Values.a)) }}", f'["a{R}b",{{"{R}":"v"}}]'),
    ("{{ fromJsonArray(Values.a)[1] | toYaml }}", f"{R}: v"),
]


@pytest.mark.parametrize(("template", "expected"), CASES, ids=[case[0] for case in CASES])
def test_from_json_replaces_lone_surrogates(template: str, expected: str, render1: Any) -> None:
    assert render1(template, VALUES) == expected


def test_from_json_of_a_file_that_is_not_utf8(make_chart: Any, render: Any) -> None:
    template = "{{ toJson(fromJson(Files.Get('bad.json'))) }}|{{ toJson(fromJsonArray(Files.Get('bad.jsonl'))) }}"
    chart = make_chart(
        "c", {"t.yaml": template}, files={"bad.json": b'{"x":"a\xffb"}', "bad.jsonl": b'["\xfe", "\\udfff"]'}
    )
    assert render(chart)["c/templates/t.yaml"] == f'{{"x":"a{R}b"}}|["{R}","{R}"]'
