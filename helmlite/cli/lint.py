"""``helmlite lint [flags] PATH...``."""

from __future__ import annotations

import sys
from typing import Any

import click

from helmlite.cli.options import (
    global_options,
    settings,
    value_options_from,
    values_options,
)
from helmlite.errors import HelmliteError
from helmlite.output import Output


@click.command(short_help="examine a chart for possible issues")
@global_options
@values_options
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--strict", is_flag=True, help="fail on lint warnings")
@click.option("--quiet", is_flag=True, help="print only warnings and errors")
@click.option("--with-subcharts", is_flag=True, help="lint dependent charts")
@click.option("--kube-version", metavar="VERSION",
              help="Kubernetes version used for capabilities and deprecation checks")
@click.option("--skip-schema-validation", is_flag=True, help="if set, disables JSON schema validation")
def lint(paths: tuple[str, ...], quiet: bool, kube_version: str | None, **kwargs: Any) -> None:
    """Run a series of tests to verify that a chart (a directory or a .tgz) is well-formed.

    Problems that will make the chart fail to install are [ERROR] messages; things that break
    with convention or recommendation are [WARNING]s. The command fails when any chart has an
    error (or, with --strict, a warning).

    \b
    Examples:
      helmlite lint charts/mychart
      helmlite lint --strict --with-subcharts charts/mychart -f prod-values.yaml
    """
    from helmlite.actions.lint import Lint, format_report
    from helmlite.render.capabilities import KubeVersion

    values = value_options_from(kwargs)
    action = Lint(
        values=values,
        namespace=settings().release_namespace(),
        kube_version=KubeVersion.parse(kube_version) if kube_version else None,
        **kwargs,
    )
    report = format_report(action.run(paths, stdin=sys.stdin), quiet=quiet)
    out = Output()
    out.write(report.text)
    if report.failed:
        # The summary becomes the one "Error: …" line, exit code 1.
        raise HelmliteError(report.summary)
    if report.show_summary:
        out.echo(report.summary)
