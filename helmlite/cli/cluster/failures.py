"""How the mutating ``helmlite cluster`` verbs print a failure, matched to kubectl's line.

kubectl prints a refusal of the API server as ``Error from server (Reason): message`` and a
failure of its own as ``error: message``. helmlite keeps the house style of one line starting
with ``Error`` (``helmlite.cli.main``): the server's line is printed as kubectl prints it (it
already starts with ``Error``), and kubectl's own ``error:`` becomes ``Error:``.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

__all__ = ["error_line", "exit_with_errors"]


def error_line(exc: Exception, context: str = "") -> str:
    """The line for ``exc``: ``Error from server (NotFound): …`` for an API error (as kubectl's
    ``CheckErr`` prints a ``StatusError``), ``Error: …`` for anything kubectl decides itself.
    ``context`` goes before the message, as kubectl's ``AddSourceToErr`` puts
    ``error when creating "web.yaml": `` there."""
    from helmlite.cluster.errors import ApiError

    if isinstance(exc, ApiError):
        reason = f" ({exc.reason})" if exc.reason else ""
        return f"Error from server{reason}: {context}{exc}"
    return f"Error: {context}{exc}"


def exit_with_errors(lines: Sequence[str]) -> None:
    """kubectl carries on past a failed object and fails at the end: print every line made by
    ``error_line`` (or an ``Error: …`` line), then exit 1; nothing happens when there were none."""
    for line in lines:
        click.echo(line, err=True)
    if lines:
        raise click.exceptions.Exit(1)
