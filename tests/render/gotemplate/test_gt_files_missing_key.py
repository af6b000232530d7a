"""A file the chart does not have, read as a field or an index of ``.Files`` (issue #6).

``.Files`` is Helm's ``engine.files``, a ``map[string][]byte``: ``.Files.foo`` and
``index .Files "foo"`` of a missing name give the element type's zero value, a nil ``[]byte``
(prints ``[]``, is empty, marshals to ``null``), where a missing key of a values map gives
nothing. ``.Files.Get`` of a missing name is ``""``. Expected outputs were printed by the real
``helm template`` (v4.3.1) for a chart holding only ``foo.txt`` (``hello``).
"""

from __future__ import annotations

from typing import Any

import pytest

FILES = {"foo.txt": b"hello"}

CASES = [
    ("{{ .Files.missing }}", "[]"),
    ('{{ index .Files "missing" }}', "[]"),
    ("{{ .Files.missing | quote }}", '""'),
    ('{{ index .Files "missing" | quote }}', '""'),
    ('{{ .Files.Get "missing" | quote }}', '""'),
    ('{{ printf "%v" .Files.missing }}', "[]"),
    ('{{ printf "%v" (index .Files "missing") }}', "[]"),
    ('{{ printf "%v" (.Files.Get "missing") }}', ""),
    ('{{ printf "%d" .Files.missing }}', "[]"),
    ('{{ printf "%s|%q|%x|" .Files.missing .Files.missing .Files.missing }}', '|""||'),
    ('{{ printf "%T" .Files.missing }}', "[]uint8"),
    ('{{ printf "%T" (index .Files "missing") }}', "[]uint8"),
    ("{{ .Files.missing | len }}", "0"),
    ("{{ kindOf .Files.missing }}", "slice"),
    ("{{ typeOf .Files.missing }}", "[]uint8"),
    ("{{ empty .Files.missing }}", "true"),
    ("{{ .Files.missing | toJson }}", "null"),
    ("{{ .Files.missing | toString | quote }}", '""'),
    ("{{ if .Files.missing }}yes{{ else }}no{{ end }}", "no"),
    ('{{ .Files.missing | default "dflt" }}', "dflt"),
    # A file that is there is its bytes.
    ('{{ index .Files "foo.txt" }}', "[104 101 108 108 111]"),
    ('{{ printf "%v" .Files }}', "map[foo.txt:[104 101 108 108 111]]"),
]


@pytest.mark.parametrize(("template", "expected"), CASES, ids=[case[0] for case in CASES])
def test_missing_file_is_a_nil_byte_slice(template: str, expected: str, make_chart: Any, render: Any) -> None:
    chart = make_chart("c", {"t.yaml": template}, engine=None, files=FILES)
    assert render(chart)["c/templates/t.yaml"] == expected


def test_b64enc_refuses_the_byte_slice_as_helm_does(make_chart: Any, render: Any) -> None:
    from helmlite.errors import RenderError

    chart = make_chart("c", {"t.yaml": "{{ .Files.missing | b64enc }}"}, engine=None, files=FILES)
    with pytest.raises(RenderError, match=r"wrong type for value; expected string; got \[\]uint8"):
        render(chart)


# %#v of a []byte is Go syntax, and eq/ne treat a nil slice or map as equal to nil.
TYPED_NIL_CASES = [
    ('{{ printf "%#v" .Files.missing }}', "[]byte(nil)"),
    ('{{ printf "%#v" (.Files.GetBytes "missing") }}', "[]byte{}"),
    ("{{ eq .Files.missing nil }}", "true"),
    ("{{ ne .Files.missing nil }}", "false"),
]


@pytest.mark.parametrize(("template", "expected"), TYPED_NIL_CASES, ids=[case[0] for case in TYPED_NIL_CASES])
def test_missing_file_as_a_typed_nil(template: str, expected: str, make_chart: Any, render: Any) -> None:
    chart = make_chart("c", {"t.yaml": template}, engine=None, files=FILES)
    assert render(chart)["c/templates/t.yaml"] == expected
