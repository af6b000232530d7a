"""``<<`` merge keys and infinite or NaN map keys in ``-f`` values files, as Helm v4.3.1 reads them.

go-yaml v2 decodes a mapping's pairs in order, a merge key's mapping where the merge key
stands (so it replaces the keys before it, and the keys after it replace its keys), a merged
sequence's mappings last first (so an earlier one wins); it refuses to merge anything else,
an alias to a sequence included, with ``map merge requires map or sequence of maps as the
value`` and no line number. sigs.k8s.io/yaml writes an infinite or NaN key as ``.inf``,
``-.inf`` or ``.nan``: only a value is a number JSON cannot hold.

Every expected message and value was printed by the real helm binary (``helm template CHART -f
m.yaml`` with the file's text, the chart printing ``{{ .Values | toJson }}``); no helm is
needed to run them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helmlite.errors import ValuesError
from helmlite.values.options import ValueOptions
from helmlite.values.yamlio import load_values

_UNMARSHAL = "cannot unmarshal yaml document: error converting YAML to JSON: "
_NO_MERGE = _UNMARSHAL + "yaml: map merge requires map or sequence of maps as the value"

# (file text, what Helm prints after "failed to parse m.yaml: ")
ERRORS: list[tuple[str, str]] = [
    ("<<: 1\n", _NO_MERGE),
    ("a: 1\n<<: 1\n", _NO_MERGE),  # go-yaml's failf: no line number
    ("<<:\n", _NO_MERGE),
    ("<<: ~\n", _NO_MERGE),
    ('<<: "s"\n', _NO_MERGE),
    ("<<: !!str 1\n", _NO_MERGE),
    ("a: {<<: 1}\n", _NO_MERGE),
    ("<<: [1]\n", _NO_MERGE),
    ("<<: [{a: 1}, 2]\n", _NO_MERGE),
    ("b: &x 5\n<<: *x\n", _NO_MERGE),  # an alias to a scalar
    ("s: &s [{a: 1}]\n<<: *s\n", _NO_MERGE),  # an alias to a sequence, even of mappings
    ("? !!merge <<\n: 1\n", _NO_MERGE),  # the explicit tag makes a merge key too
    ("s: &s [{<<: *s}]\n", _NO_MERGE),  # an alias to the sequence it is in
    ("s: &s [{<<: [*s]}]\n", _NO_MERGE),
    ("<<: [*u]\n", _UNMARSHAL + "yaml: unknown anchor 'u' referenced"),
    # decoding goes in document order, a merged sequence from its end
    ("a: !!int x\n<<: 1\n", _UNMARSHAL + "yaml: cannot decode !!str `x` as a !!int"),
    ("<<: 1\na: !!int x\n", _NO_MERGE),
    ("<<: [{a: !!int x}, 1]\n", _NO_MERGE),
    ("<<: [1, {a: !!int x}]\n", _UNMARSHAL + "yaml: cannot decode !!str `x` as a !!int"),
    ("a: {b: 1}\n<<: {a: !!int x}\n", _UNMARSHAL + "yaml: cannot decode !!str `x` as a !!int"),
    ("s: &s\n  <<: [*s, 1]\n", _NO_MERGE),
    ("s: &s\n  <<: [1, *s]\n", _UNMARSHAL + "yaml: anchor 's' value contains itself"),
    ("s: &s\n  <<: *s\n", _UNMARSHAL + "yaml: anchor 's' value contains itself"),
    # an infinite or NaN key is text; the same node as a value (through an alias) is not
    ("&a .inf: 1\nb: *a\n", _UNMARSHAL + "json: unsupported value: +Inf"),
    ("b: &a .nan\n*a : 1\n", _UNMARSHAL + "json: unsupported value: NaN"),
    ("? .nan\n: .nan\n", _UNMARSHAL + "json: unsupported value: NaN"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[ascii(case[0])[:40] for case in ERRORS])
def test_a_values_file_fails_as_in_helm(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ValuesError) as raised:
        ValueOptions(value_files=(str(path),)).merge()
    assert str(raised.value) == f"failed to parse {path}: {message}"


# (file text, the values Helm reads from it)
READS: list[tuple[str, dict[str, Any]]] = [
    ("a: 1\n<<: {a: 2}\n", {"a": 2}),  # the merge replaces the key before it
    ("<<: {a: 2}\na: 1\n", {"a": 1}),
    ("b: 1\n<<: [{b: 2, c: 2}, {c: 3, d: 3}]\n", {"b": 2, "c": 2, "d": 3}),
    ("b: 1\n<<: [{b: 2, c: 2}, {c: 3, d: 3}]\n<<: {d: 4}\n", {"b": 2, "c": 2, "d": 4}),
    ("m: &m {<<: {z: 1}, y: 2, z: 5}\n<<: *m\n", {"m": {"true": 2, "z": 5}, "true": 2, "z": 5}),
    ("e: &e {a: 1}\n<<: [*e]\nx: !!merge <<\n", {"a": 1, "e": {"a": 1}, "x": "<<"}),
    ('"<<": 1\n', {"<<": 1}),  # a quoted "<<" is a plain key
    ("'<<': {a: 1}\n", {"<<": {"a": 1}}),
    (".inf: 1\n", {".inf": 1}),
    ("-.inf: 1\n", {"-.inf": 1}),
    (".nan: 1\n", {".nan": 1}),
    (".NaN: 1\n.Inf: 2\n+.inf: 3\n", {".nan": 1, ".inf": 3}),
    ("!!float .nan: 1\n", {".nan": 1}),
    ("1e39: 1\n", {".inf": 1}),  # too large for the float32 the key is written as
]


@pytest.mark.parametrize(("text", "values"), READS, ids=[ascii(case[0])[:40] for case in READS])
def test_a_values_file_reads_as_in_helm(text: str, values: dict[str, Any]) -> None:
    assert load_values(text, "m.yaml") == values
