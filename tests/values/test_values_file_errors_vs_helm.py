"""``-f`` values files that go-yaml or the YAML-to-JSON step refuses, and odd tags it accepts,
as Helm v4.3.1 reads them.

Every expected message and value was printed by the real helm binary (``helm template CHART -f
m.yaml`` with the file's text; ``Error: failed to parse m.yaml: …``); no helm is needed to run
them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helmlite.errors import ValuesError
from helmlite.values.options import ValueOptions
from helmlite.values.yamlio import load_values

_UNMARSHAL = "cannot unmarshal yaml document: error converting YAML to JSON: "

# (file text, what Helm prints after "failed to parse m.yaml: ")
ERRORS: list[tuple[str, str]] = [
    ("a: \x7f\n", _UNMARSHAL + "yaml: control characters are not allowed"),
    ("a: !!binary xyz\n", _UNMARSHAL + "yaml: !!binary value contains invalid base64 data"),
    ("a: !!int x\n", _UNMARSHAL + "yaml: cannot decode !!str `x` as a !!int"),
    ("a: !!float x\n", _UNMARSHAL + "yaml: cannot decode !!str `x` as a !!float"),
    ("a: !!int 1.5\n", _UNMARSHAL + "yaml: cannot decode !!float `1.5` as a !!int"),
    ("a: !!bool 1\n", _UNMARSHAL + "yaml: cannot decode !!int `1` as a !!bool"),
    ("a: !!int ~\n", _UNMARSHAL + "yaml: cannot decode !!null `~` as a !!int"),
    ('a: !!int ""\n', _UNMARSHAL + "yaml: cannot decode !!null `` as a !!int"),
    ("a: !!float 1e999\n", _UNMARSHAL + "yaml: cannot decode !!str `1e999` as a !!float"),
    ("a: !!int 99999999999999999999\n", _UNMARSHAL + "yaml: cannot decode !!float `99999999999999999999` as a !!int"),
    ("a: !!timestamp 2001-13-14\n", _UNMARSHAL + "yaml: cannot decode !!str `2001-13-14` as a !!timestamp"),
    ('a: !!binary "YQ =="\n', _UNMARSHAL + "yaml: !!binary value contains invalid base64 data"),
    ("? [a]\n: 1\n", _UNMARSHAL + 'yaml: invalid map key: []interface {}{"a"}'),
    ("? {a: 1}\n: 1\n", _UNMARSHAL + 'yaml: invalid map key: map[interface {}]interface {}{"a":1}'),
    (
        "? [a, 1, 1.5, true, ~, {b: c}, [1e6]]\n: 1\n",
        _UNMARSHAL + 'yaml: invalid map key: []interface {}{"a", 1, 1.5, true, interface {}(nil), '
        'map[interface {}]interface {}{"b":"c"}, []interface {}{1e+06}}',
    ),
    ("~: 1\n", _UNMARSHAL + "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"),
    (
        "~: {1: a}\n",
        _UNMARSHAL + 'unsupported map key of type: %!s(<nil>), key: <nil>, value: map[interface {}]interface {}{1:"a"}',
    ),
    (
        "18446744073709551615: 1\n",
        _UNMARSHAL + "unsupported map key of type: uint64, key: 0xffffffffffffffff, value: 1",
    ),
    ("a: .inf\n", _UNMARSHAL + "json: unsupported value: +Inf"),
    ("a: .nan\n", _UNMARSHAL + "json: unsupported value: NaN"),
    ("b: .inf\na: -.inf\n", _UNMARSHAL + "json: unsupported value: -Inf"),  # json.Marshal's key order
    ("a: .inf\n~: 1\n", _UNMARSHAL + "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"),
    ("~: 1\nb: !!int x\n", _UNMARSHAL + "yaml: cannot decode !!str `x` as a !!int"),  # decoding first
    ("a: \xff\n", _UNMARSHAL + "yaml: invalid leading UTF-8 octet"),
    ("a: [1, 2\n", _UNMARSHAL + "yaml: line 1: did not find expected ',' or ']'"),
    ("a: 1\nb", _UNMARSHAL + "yaml: line 3: could not find expected ':'"),
    # each document is read on its own: go-yaml's line numbers start again after "---"
    ("a: 1\n---\nb: [\n", _UNMARSHAL + "yaml: line 1: did not find expected node content"),
    ("a: 1\n---\n\n\nb: [\n", _UNMARSHAL + "yaml: line 3: did not find expected node content"),
    ("a: 1\n---\nb: 1\n---\n\nc: [\n", _UNMARSHAL + "yaml: line 2: did not find expected node content"),
    ("a: 1\n--- # c\nb: [\n", _UNMARSHAL + "yaml: line 1: did not find expected node content"),
    ("a: 1\n--- x: [\n", "error reading yaml document: invalid Yaml document separator: x: ["),
    ("a: 1\n---x\nb: [\n", "error reading yaml document: invalid Yaml document separator: x"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[ascii(case[0])[:40] for case in ERRORS])
def test_a_values_file_fails_as_in_helm(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(text.encode("utf-8") if text != "a: \xff\n" else b"a: \xff\n")
    with pytest.raises(ValuesError) as raised:
        ValueOptions(value_files=(str(path),)).merge()
    assert str(raised.value) == f"failed to parse {path}: {message}"


# (file text, the values Helm reads from it)
READS: list[tuple[str, dict[str, Any]]] = [
    ("a: !!map x\n", {"a": "x"}),  # a tag for another kind of node is ignored
    ("a: !!seq x\n", {"a": "x"}),
    ("a: !!int [1]\n", {"a": [1]}),
    ("a: !!set [a]\n", {"a": ["a"]}),
    ("a: ! 12\n", {"a": "12"}),
    ("a: !foo 12\n", {"a": "12"}),
    ("a: 1e999\n", {"a": "1e999"}),  # too large for a float64: a string
    ("a: !!int 0x1F\nb: !!int 0o17\nc: !!int 017\nd: !!int 1_000\n", {"a": 31, "b": 15, "c": 15, "d": 1000}),
    ('a: !!int "12"\n', {"a": 12}),
    ("a: !!float 1\n", {"a": 1.0}),
    ("a: !!bool yes\n", {"a": True}),
    ('a: !!null ""\n', {"a": None}),
    ("a: !!str 1\n", {"a": "1"}),
    ("a: !!binary YQ==\n", {"a": "a"}),
    ("a: !!timestamp 2001-12-14\n", {"a": "2001-12-14"}),
    ('a: !!timestamp "2001-12-14 21:59:43.10"\n', {"a": "2001-12-14 21:59:43.10"}),
    ("a: 1\n...\nb: [\n", {"a": 1}),  # nothing after "..." is read
]


@pytest.mark.parametrize(("text", "values"), READS, ids=[ascii(case[0])[:40] for case in READS])
def test_a_values_file_reads_as_in_helm(text: str, values: dict[str, Any]) -> None:
    assert load_values(text, "m.yaml") == values
