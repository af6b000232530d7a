"""``helmlite command-server status|stop``: the warm process that serves ``template`` and ``lint``."""

from __future__ import annotations

import time

import click

from helmlite.cli.options import global_options
from helmlite.output import Output

_NOT_RUNNING = "no command server is running for this installation"


@click.group(short_help="show or stop the warm process behind template and lint")
def command_server() -> None:
    """The command server keeps one helmlite process warm, modules imported and templates
    parsed, and forks it for each `helmlite template` and `helmlite lint`: later runs skip
    Python's start-up, imports and parsing. The first such command starts it; it stops by
    itself after 10 minutes without a request, and a new one replaces it when helmlite or a
    package it uses changes.

    Set HELMLITE_COMMAND_SERVER=off to run every command in its own process.
    """


@command_server.command(short_help="show whether a command server runs, and what it has served")
@global_options
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json", "yaml"]), default="table",
              show_default=True, help="prints the output in the specified format")
def status(fmt: str) -> None:
    """Show this installation's command server: pid, socket, commands served, templates kept
    parsed, CPU time used (its own and its children's)."""
    from helmlite.commandserver.client import query

    out = Output()
    reply = query("status")
    if reply is None:
        if fmt == "table":
            out.echo(_NOT_RUNNING)
        else:
            out.data({"running": False}, fmt)
        return
    uptime = int(time.time() - reply["started"])
    if fmt != "table":
        out.data({"running": True, "pid": reply["server"], "socket": reply["socket"], "uptimeSeconds": uptime,
                  "served": reply["served"], "serving": reply["running"], "templates": reply["templates"],
                  "cpuSeconds": round(reply["cpu_seconds"], 3)}, fmt)
        return
    out.table(["PID", "SOCKET", "UPTIME", "SERVED", "SERVING", "TEMPLATES", "CPU"],
              [[reply["server"], reply["socket"], f"{uptime}s", reply["served"], reply["running"],
                reply["templates"], f"{reply['cpu_seconds']:.2f}s"]])


@command_server.command(short_help="stop the command server")
@global_options
def stop() -> None:
    """Stop this installation's command server once the commands it is running finish."""
    from helmlite.commandserver.client import query

    out = Output()
    reply = query("stop")
    out.echo(_NOT_RUNNING if reply is None else f"stopped the command server (pid {reply['stopping']})")
