"""The one Output object: every line helmlite prints goes through it.

Tables are plain, tab-separated and padded like Helm's (``uitable``) so scripts and golden
files see the same bytes on every terminal; ``-o json|yaml`` give stable machine output;
colour is used only when the stream is a TTY and ``NO_COLOR`` is unset.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["Output", "OUTPUT_FORMATS"]

OUTPUT_FORMATS = ("table", "json", "yaml")


class Output:
    """Writes results to ``stdout`` and diagnostics to ``stderr``."""

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None, *, debug: bool = False) -> None:
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.debug_enabled = debug

    def is_interactive(self) -> bool:
        """True when stdout is a terminal (progress and colour are allowed)."""
        isatty = getattr(self.stdout, "isatty", None)
        return bool(isatty and isatty())

    def use_colour(self) -> bool:
        return self.is_interactive() and "NO_COLOR" not in os.environ

    def echo(self, text: str = "", *, nl: bool = True) -> None:
        self.stdout.write(text + ("\n" if nl else ""))

    def write(self, text: str) -> None:
        """Raw text, exactly as given (manifests, rendered templates)."""
        self.stdout.write(text)

    def warn(self, message: str) -> None:
        self.stderr.write(f"WARNING: {message}\n")

    def info(self, message: str) -> None:
        self.stderr.write(message + "\n")

    def debug(self, message: str) -> None:
        if self.debug_enabled:
            self.stderr.write(f"DEBUG: {message}\n")

    def error(self, message: str) -> None:
        self.stderr.write(f"Error: {message}\n")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, no_headers: bool = False) -> None:
        """Helm's table layout (``uitable``): every cell, the last column's too, padded to its
        column's widest cell; columns joined by a tab."""
        body = [[str(c) for c in row] for row in rows]
        lines = body if no_headers else [list(headers), *body]
        if not lines:
            return
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        for line in lines:
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(line)]
            self.stdout.write("\t".join(cells) + "\n")

    def data(self, obj: Any, fmt: str) -> None:
        """Print ``obj`` as ``json`` (one line, like Helm) or ``yaml`` (block style, keys sorted)."""
        if fmt == "json":
            self.stdout.write(json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n")
        elif fmt == "yaml":
            import yaml

            self.stdout.write(yaml.dump(obj, Dumper=yaml.CSafeDumper, default_flow_style=False, sort_keys=True))
        else:
            raise ValueError(f"unknown output format {fmt!r}")
