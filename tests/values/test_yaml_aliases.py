"""Aliases in values files and in ``unmarshal_yaml`` behave as go-yaml v2's do in Helm v4.3.1.

Observed with the real helm binary (``helm template x c -f v.yaml``, chart printing
``{{ toJson .Values }}``): an anchor may be defined again and an alias names the latest
definition; an undefined alias fails with ``unknown anchor 'x' referenced``, one inside its own
anchor with ``anchor 'x' value contains itself``. Helm wraps a values-file error as
``failed to parse v.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml:
<problem>``; helmlite keeps its own ``<file>: line N: <problem>`` form for values files, with
go-yaml's words for the problem.
"""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.errors import ValuesError
from helmlite.values.yamlio import load_values, unmarshal_yaml


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (
            "a: &x 1\nb: &x 2\nc: *x\n",
            {"a": 1, "b": 2, "c": 2},
        ),  # helm: {"a":1,"b":2,"c":2}
        ("a: &x [1, &x 2, *x]\n", {"a": [1, 2, 2]}),  # helm: {"a":[1,2,2]}
    ],
)
def test_an_anchor_defined_again_names_the_latest_value(
    text: str, values: dict[str, Any]
) -> None:
    assert load_values(text, "v.yaml") == values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: *x\n", "yaml: unknown anchor 'x' referenced"),
        ("a: 1\nb:\n  - 2\n  - *x\n", "yaml: unknown anchor 'x' referenced"),
        ("a: &x 1\n---\nb: *x\n", "yaml: unknown anchor 'x' referenced"),  # anchors end with their document
        ("a: &x [*x]\n", "yaml: anchor 'x' value contains itself"),
        ("a: &x\n  b: 1\n  <<: *x\n", "yaml: anchor 'x' value contains itself"),
    ],
)
def test_values_file_alias_errors_use_go_yamls_words(text: str, message: str) -> None:
    with pytest.raises(ValuesError) as raised:
        load_values(text, "v.yaml")
    assert str(raised.value) == (
        f"failed to parse v.yaml: cannot unmarshal yaml document: error converting YAML to JSON: {message}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # what helm prints after "YAML parse error on <file>: " for the same rendered document
        (
            "a: *x\n",
            "error converting YAML to JSON: yaml: unknown anchor 'x' referenced",
        ),
        (
            "a: &x [*x]\n",
            "error converting YAML to JSON: yaml: anchor 'x' value contains itself",
        ),
        (
            "a: &x [*x]\nb: [1\n",
            "error converting YAML to JSON: yaml: line 2: did not find expected ',' or ']'",
        ),
        (
            "a: *x\nb: [1\n",
            "error converting YAML to JSON: yaml: unknown anchor 'x' referenced",
        ),
    ],
)
def test_unmarshal_errors_are_helms(text: str, message: str) -> None:
    with pytest.raises(ValuesError) as raised:
        unmarshal_yaml(text)
    assert str(raised.value) == message


def test_unmarshal_reads_the_first_document_only() -> None:
    assert unmarshal_yaml("a: &x 1\nb: *x\n...\nc: *y\n[\n") == {"a": 1, "b": 1}
    assert unmarshal_yaml("# nothing\n") is None
