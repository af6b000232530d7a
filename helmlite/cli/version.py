"""``helmlite version``."""

from __future__ import annotations

import platform

import click

from helmlite import __version__
from helmlite.cli.options import global_options
from helmlite.output import Output
from helmlite.render.capabilities import DEFAULT_KUBE_VERSION


@click.command(short_help="print the helmlite version information")
@global_options
@click.option("--short", is_flag=True, help="print the version number only")
def version(short: bool) -> None:
    """Show the version of helmlite, the Python it runs on and the default Kubernetes version."""
    out = Output()
    if short:
        out.echo(f"v{__version__}")
        return
    out.echo(
        f'version.BuildInfo{{Version:"v{__version__}", PythonVersion:"{platform.python_version()}", '
        f'KubeVersion:"{DEFAULT_KUBE_VERSION}"}}'
    )
