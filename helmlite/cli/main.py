"""The ``helmlite`` root command.

Subcommands live one per module in ``helmlite/cli/`` and are imported only when invoked, so
``helmlite --help`` never pays for Jinja2, requests or any server/cluster library.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from helmlite import __version__
from helmlite.cli.lazy import LazyGroup
from helmlite.cli.options import GlobalSettings, global_options
from helmlite.errors import HelmliteError

# name → (module, attribute, one-line help shown by `helmlite --help` without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "cluster": ("helmlite.cli.cluster", "cluster", "inspect and operate the built-in cluster simulator"),
    "command-server": ("helmlite.cli.command_server", "command_server",
                       "show or stop the warm process behind template and lint"),
    "create": ("helmlite.cli.create", "create", "create a new chart with the given name"),
    "dependency": ("helmlite.cli.dependency", "dependency", "manage a chart's dependencies"),
    "diff": ("helmlite.cli.diff", "diff", "preview an upgrade or compare two revisions"),
    "get": ("helmlite.cli.get", "get", "download extended information of a named release"),
    "history": ("helmlite.cli.history", "history", "fetch release history"),
    "install": ("helmlite.cli.install", "install", "install a chart"),
    "lint": ("helmlite.cli.lint", "lint", "examine a chart for possible issues"),
    "list": ("helmlite.cli.list", "list_releases", "list releases"),
    "package": ("helmlite.cli.package", "package", "package a chart directory into a chart archive"),
    "pull": ("helmlite.cli.pull", "pull", "download a chart from a repository and (optionally) unpack it"),
    "repo": ("helmlite.cli.repo", "repo", "add, list, remove, update, and index chart repositories"),
    "rollback": ("helmlite.cli.rollback", "rollback", "roll back a release to a previous revision"),
    "search": ("helmlite.cli.search", "search", "search for a keyword in charts"),
    "serve": ("helmlite.cli.serve", "serve", "serve a local chart repository over HTTP"),
    "show": ("helmlite.cli.show", "show", "show information of a chart"),
    "status": ("helmlite.cli.status", "status", "display the status of the named release"),
    "template": ("helmlite.cli.template", "template", "locally render templates"),
    "test": ("helmlite.cli.test", "test", "run tests for a release"),
    "uninstall": ("helmlite.cli.uninstall", "uninstall", "uninstall a release"),
    "upgrade": ("helmlite.cli.upgrade", "upgrade", "upgrade a release"),
    "version": ("helmlite.cli.version", "version", "print the helmlite version information"),
}
ALIASES = {
    "dep": "dependency",
    "dependencies": "dependency",
    "inspect": "show",
    "fetch": "pull",
    "ls": "list",
    "hist": "history",
    "un": "uninstall",
    "del": "uninstall",
    "delete": "uninstall",
}


class RootGroup(LazyGroup):
    """The root command's subcommands."""

    table = COMMANDS
    aliases = ALIASES


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, "--version", prog_name="helmlite", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """The Kubernetes package manager, with a built-in cluster simulator.

    Common actions:

    \b
    - helmlite create mychart:            create a chart (native Jinja2 templates)
    - helmlite template NAME CHART:       render a chart locally
    - helmlite lint CHART:                check a chart for problems
    - helmlite package CHART:             package a chart into NAME-VERSION.tgz
    - helmlite install NAME CHART --wait: install a chart into the built-in simulator
    - helmlite upgrade NAME CHART:        upgrade a release (rollback, history, list, status…)

    Global flags (-n, --backend, --cluster, --kubeconfig, --kube-context and the other
    --kube-* connection flags, --debug) work before or after the subcommand, as Helm's do.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn errors into one ``Error: …`` line and exit code 1."""
    args = sys.argv[1:] if argv is None else argv
    try:
        # Without standalone mode click returns ctx.exit(n)'s code instead of exiting.
        code = cli.main(args=args, prog_name="helmlite", standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.stderr.write("Aborted!\n")
        sys.exit(1)
    except click.ClickException as exc:
        sys.stderr.write(f"Error: {exc.format_message()}\n")
        sys.exit(1)
    except HelmliteError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        if _debug_requested(args):
            raise
        sys.exit(1)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except Exception as exc:  # last resort: one line, not a traceback
        if _debug_requested(args):
            raise
        sys.stderr.write(f"Error: {type(exc).__name__}: {exc} (use --debug for a traceback)\n")
        sys.exit(1)


def execute(argv: list[str] | None = None) -> int:
    """``main`` as a process runs it: the exit status, once stdout and stderr are flushed."""
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            sys.stderr.write(f"{exc.code}\n")
            code = 1
        else:
            code = exc.code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    return code


def run() -> NoReturn:
    """Run ``helmlite`` in this process, then exit without tearing the interpreter down.

    Freeing every object a big render made costs about a quarter of its CPU time at exit
    (measured on kube-prometheus-stack), for nothing: the process is ending. So output is
    flushed and the process leaves with ``os._exit``; by then every file is closed, every
    SQLite transaction has committed or rolled back and every lock is released by the OS. Only
    the executable does this — ``main`` called from Python returns or raises as usual.
    """
    import os

    os._exit(execute())


def _debug_requested(args: list[str]) -> bool:
    return "--debug" in args or GlobalSettings.from_environment().debug


