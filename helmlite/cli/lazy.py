"""``LazyGroup``: a click group whose subcommands are imported only when invoked.

Listing commands (``--help``) reads the one-line help from the group's table, so it imports
none of the subcommand modules — and none of the libraries they need.
"""

from __future__ import annotations

import importlib
from typing import ClassVar

import click

__all__ = ["LazyGroup"]


class LazyGroup(click.Group):
    """Subclasses set ``table`` (name → (module, attribute, one-line help)) and ``aliases``."""

    table: ClassVar[dict[str, tuple[str, str, str]]] = {}
    aliases: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.table)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = self.aliases.get(cmd_name, cmd_name)
        if name not in self.table:
            return None
        module_name, attr, _ = self.table[name]
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.table[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Available Commands"):
            formatter.write_dl(rows)
