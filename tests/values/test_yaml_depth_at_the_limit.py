"""Values nested MAX_YAML_DEPTH deep load and survive what helmlite does with them later.

The limit is below Helm's 10,000 because loaded values are walked by recursive Python code
within Python's default recursion limit (docs/differences.md); these tests run the deepest of
those walks on values at the limit, from pytest's own deep stack, at the default limit.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest

from helmlite.errors import ValuesError
from helmlite.output import Output
from helmlite.values.coalesce import merge_maps
from helmlite.values.yamlio import MAX_YAML_DEPTH, dump_yaml, load_values

# Python's default; the tests must not pass only because something raised it.
_DEFAULT_RECURSION_LIMIT = 1000


def nested_values_text(depth: int) -> str:
    """A values file whose collections nest ``depth`` deep (its root mapping included), lists
    and mappings in turn: mappings of lists take the most frames a level to print as YAML."""
    value: Any = "x"
    for level in range(depth - 1):
        value = [value] if level % 2 == 0 else {"k": value}
    return json.dumps({"a": value})


def nesting_depth(value: Any) -> int:
    """How deep the first item of every collection in ``value`` nests (the test data's shape)."""
    depth = 0
    while isinstance(value, (dict, list)):
        depth += 1
        if not value:
            break
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
    return depth


@pytest.fixture(autouse=True)
def default_recursion_limit() -> None:
    assert sys.getrecursionlimit() == _DEFAULT_RECURSION_LIMIT


def test_values_at_the_limit_load_and_survive_coalescing_and_printing() -> None:
    values = load_values(nested_values_text(MAX_YAML_DEPTH), "m.yaml")
    assert nesting_depth(values) == MAX_YAML_DEPTH
    merged = merge_maps({"a": [], "b": 1}, values)
    assert nesting_depth(merged) == MAX_YAML_DEPTH
    assert load_values(dump_yaml(merged), "again.yaml") == merged
    stdout = io.StringIO()
    Output(stdout=stdout).data(merged, "yaml")  # what `helmlite get values` prints
    assert load_values(stdout.getvalue(), "printed.yaml") == merged
    assert json.loads(json.dumps(merged)) == merged


def test_one_level_more_fails_with_helmlites_message() -> None:
    with pytest.raises(ValuesError) as raised:
        load_values(nested_values_text(MAX_YAML_DEPTH + 1), "m.yaml")
    assert str(raised.value) == (
        "failed to parse m.yaml: cannot unmarshal yaml document: error converting YAML to JSON: "
        f"yaml: nesting is deeper than {MAX_YAML_DEPTH} levels"
    )


def test_aliases_at_the_limit_load() -> None:
    half = MAX_YAML_DEPTH // 2
    outer = MAX_YAML_DEPTH - half - 1  # the root mapping is a level too

    def aliased(outer: int) -> str:
        return f"x: &x {'[' * half}{']' * half}\nz: {'[' * outer}*x{']' * outer}\n"

    values = load_values(aliased(outer), "m.yaml")
    assert nesting_depth({"z": values["z"]}) == MAX_YAML_DEPTH
    with pytest.raises(ValuesError, match=f"nesting is deeper than {MAX_YAML_DEPTH} levels$"):
        load_values(aliased(outer + 1), "m.yaml")
