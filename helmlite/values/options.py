"""The values flags of install/upgrade/template/lint, merged into one map of user values.

Helm's order is by *flag type*, not by position on the command line
(``pkg/cli/values/options.go``; helm-behaviour.md §3.1): every ``-f`` file in order, then
every ``--set-json``, ``--set``, ``--set-string``, ``--set-file`` and ``--set-literal``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from helmlite.errors import SetParseError, ValuesError
from helmlite.values.coalesce import merge_maps
from helmlite.values.gojson import well_formed
from helmlite.values.yamlio import MAX_YAML_BYTES, load_values

__all__ = ["STDIN_PATH", "ValueOptions"]

STDIN_PATH = "-"
"""The ``-f``/``--set-file`` path that means standard input."""

_URL_SCHEMES = ("http://", "https://")


def _read_source(path: str, stdin: TextIO | None) -> bytes | str:
    """The content behind a ``-f``/``--set-file`` path: standard input for ``-``, else a local file.

    Raises ValuesError: "open <path>: no such file or directory" and the like, for URLs (not
    supported yet) and for content larger than MAX_YAML_BYTES.
    """
    if path.strip() == STDIN_PATH:
        data: bytes | str = (stdin or sys.stdin).read(MAX_YAML_BYTES + 1)
    elif path.lower().startswith(_URL_SCHEMES):
        raise ValuesError(
            f"{path}: reading values from a URL is not supported yet; download the file and pass its path"
        )
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_YAML_BYTES + 1)
        except OSError as exc:
            raise ValuesError(f"open {path}: {(exc.strerror or str(exc)).lower()}") from None
    if len(data) > MAX_YAML_BYTES:
        raise ValuesError(f"{path}: larger than the {MAX_YAML_BYTES} bytes allowed")
    return data


# The flags whose text Helm's strvals reads as Go runes, so that each byte of an argument that
# is not UTF-8 becomes U+FFFD (--set-json's strings get the same from Go's JSON decoder;
# --set-file keeps the file's bytes as they are).
_RUNE_FLAGS = ("--set", "--set-string", "--set-literal")


def _apply(flag: str, parse: Callable[..., Any], expr: str, values: dict[str, Any], **kwargs: Any) -> None:
    if flag in _RUNE_FLAGS:
        # Python hands over such bytes of argv as surrogate escapes, one per byte.
        expr = well_formed(expr)
    try:
        parse(expr, values, **kwargs)
    except ValuesError as exc:
        # --set-json names the expression, as Helm does, because JSON errors rarely say which one.
        data = f"data {expr}" if flag == "--set-json" else "data"
        raise SetParseError(f"failed parsing {flag} {data}: {exc}") from None


@dataclass(frozen=True)
class ValueOptions:
    """The values flags as given (paths and expressions, in command-line order per flag)."""

    value_files: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    string_values: tuple[str, ...] = ()
    file_values: tuple[str, ...] = ()
    json_values: tuple[str, ...] = ()
    literal_values: tuple[str, ...] = ()

    def merge(self, stdin: TextIO | None = None) -> dict[str, Any]:
        """The user values: ``-f`` files merged in order (``merge_maps``), then ``--set-json``,
        ``--set``, ``--set-string``, ``--set-file``, ``--set-literal`` applied in that order.

        ``-`` as a path reads ``stdin`` (default ``sys.stdin``). Returns a new dict. Raises
        ValuesError for a file that cannot be read ("open <path>: no such file or
        directory"), an http(s) URL, or invalid YAML; SetParseError ("failed parsing --set
        data: …") for a bad expression.
        """
        values: dict[str, Any] = {}
        for path in self.value_files:
            values = merge_maps(values, load_values(_read_source(path, stdin), path))
        if not (self.json_values or self.set_values or self.string_values or self.file_values or self.literal_values):
            return values
        # The --set grammar is imported only by commands that were given a --set* flag.
        from helmlite.values.strvals import (
            parse_set,
            parse_set_file,
            parse_set_json,
            parse_set_literal,
            parse_set_string,
        )

        for expr in self.json_values:
            _apply("--set-json", parse_set_json, expr, values)
        for expr in self.set_values:
            _apply("--set", parse_set, expr, values)
        for expr in self.string_values:
            _apply("--set-string", parse_set_string, expr, values)

        def read_file(path: str) -> str:
            data = _read_source(path, stdin)
            return data.decode("utf-8", "replace") if isinstance(data, bytes) else data

        for expr in self.file_values:
            _apply("--set-file", parse_set_file, expr, values, read_file=read_file)
        for expr in self.literal_values:
            _apply("--set-literal", parse_set_literal, expr, values)
        return values
