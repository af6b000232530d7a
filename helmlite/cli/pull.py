"""``helmlite pull CHART...`` and Helm's chart-location flags, shared with ``template``.

``chart_location_options`` adds ``--version --devel --repo`` plus the credentials and TLS
flags for ``--repo`` URLs and plain chart URLs; ``chart_path_options_from`` turns them into
the action layer's ``ChartPathOptions``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from helmlite.cli.options import global_options
from helmlite.output import Output

__all__ = ["DURATION", "chart_location_options", "chart_path_options_from", "pull"]

F = TypeVar("F", bound=Callable[..., Any])

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class _GoDuration(click.ParamType):
    """Go's ``time.ParseDuration`` syntax (``120s``, ``2m``, ``1h30m``), converted to seconds."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip()
        pos, total = 0, 0.0
        for match in _DURATION_PART.finditer(text):
            if match.start() != pos:
                break
            total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
            pos = match.end()
        if not text or pos != len(text):
            self.fail(f'time: invalid duration "{text}"', param, ctx)
        return total


DURATION = _GoDuration()


def chart_location_options(f: F) -> F:
    """Helm's chart-path flags (``pkg/cmd/flags.go: addChartPathOptionsFlags``)."""
    decorators = [
        click.option("--version", "chart_version", default="", metavar="CONSTRAINT",
                     help="version constraint for the chart (exact version, or e.g. ^1.2); default: latest stable"),
        click.option("--devel", is_flag=True, help="use development versions too (same as --version '>0.0.0-0')"),
        click.option("--repo", "repo_url", default="", metavar="URL",
                     help="chart repository URL where to locate the requested chart"),
        click.option("--username", default="", help="chart repository username"),
        click.option("--password", default="", help="chart repository password"),
        click.option("--pass-credentials", is_flag=True, help="pass credentials to all domains"),
        click.option("--ca-file", default="", metavar="FILE", help="verify HTTPS servers with this CA bundle"),
        click.option("--cert-file", default="", metavar="FILE", help="identify the client with this certificate"),
        click.option("--key-file", default="", metavar="FILE", help="identify the client with this key"),
        click.option("--insecure-skip-tls-verify", is_flag=True, help="skip TLS certificate checks for the download"),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def chart_path_options_from(kwargs: dict[str, Any]) -> Any:
    """Pop the chart-location flags out of a command's kwargs into a ``ChartPathOptions``."""
    from helmlite.repo.resolve import ChartPathOptions

    return ChartPathOptions(
        version=kwargs.pop("chart_version", ""),
        devel=kwargs.pop("devel", False),
        repo_url=kwargs.pop("repo_url", ""),
        username=kwargs.pop("username", ""),
        password=kwargs.pop("password", ""),
        pass_credentials=kwargs.pop("pass_credentials", False),
        ca_file=kwargs.pop("ca_file", ""),
        cert_file=kwargs.pop("cert_file", ""),
        key_file=kwargs.pop("key_file", ""),
        insecure_skip_tls_verify=kwargs.pop("insecure_skip_tls_verify", False),
    )


@click.command(short_help="download a chart from a repository and (optionally) unpack it")
@global_options
@click.argument("charts", nargs=-1, required=True, metavar="CHART...")
@chart_location_options
@click.option("-d", "--destination", default=".", type=click.Path(file_okay=False),
              help="directory to write the chart into")
@click.option("--untar", is_flag=True, help="unpack the chart after downloading it")
@click.option("--untardir", default=".", help="with --untar, the directory (relative to -d) to unpack into")
def pull(charts: tuple[str, ...], destination: str, untar: bool, untardir: str, **kwargs: Any) -> None:
    """Download charts from a repository: REPO/CHART, a chart URL, or CHART with --repo URL.

    Unlike Helm, helmlite checks each package's sha256 against the digest in the repository
    index and refuses a package that does not match.

    \b
    Examples:
      helmlite pull local/mychart --version '^1.2'
      helmlite pull local/mychart --untar -d ./vendor
      helmlite pull mychart --repo https://charts.example.com
    """
    from helmlite.actions.pull import Pull

    out = Output()
    action = Pull(out, chart_path_options_from(kwargs), Path(destination), untar, untardir)
    for chart in charts:
        action.run(chart)
