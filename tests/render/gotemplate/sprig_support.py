"""Assertions shared by the Sprig function tables (``test_sprig_*.py``).

Each table row records what Helm printed for a function's result and the result's Go type
(``typeOf``), or the error message Helm stopped with; these helpers compare a helmlite
function against such a row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helmlite.gofmt import fmt_value, go_type
from helmlite.render.gotemplate.funcspec import FuncError


def printed_form(value: Any) -> str:
    """The printed form as recorded: nil as ``<no value>``, bytes that are not UTF-8 as U+FFFD."""
    if value is None:
        return "<no value>"
    return fmt_value(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def assert_result(fn: Callable[..., Any], args: tuple[Any, ...], printed: str, type_name: str) -> None:
    """``fn(*args)`` prints as ``printed`` and has Go type ``type_name``."""
    result = fn(*args)
    assert (printed_form(result), go_type(result)) == (printed, type_name)


def assert_error(fn: Callable[..., Any], args: tuple[Any, ...], message: str) -> None:
    """``fn(*args)`` fails with exactly Helm's ``message``."""
    with pytest.raises(FuncError) as raised:
        fn(*args)
    assert str(raised.value) == message
