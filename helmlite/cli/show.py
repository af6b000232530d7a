"""``helmlite show chart|values|readme|crds|all CHART``."""

from __future__ import annotations

import click

from helmlite.cli.options import global_options
from helmlite.output import Output


def _show_command(kind: str, summary: str) -> click.Command:
    @click.command(name=kind, short_help=summary, help=f"{summary[0].upper()}{summary[1:]}.")
    @global_options
    @click.argument("chart")
    def command(chart: str) -> None:
        from helmlite.actions.show import Show

        Output().write(Show(kind).run(chart))

    return command


@click.group(short_help="show information of a chart")
@global_options
def show() -> None:
    """Show information about a chart: its Chart.yaml, default values, README and CRDs."""


for _kind, _summary in (
    ("all", "show all information of the chart"),
    ("chart", "show the chart's definition"),
    ("values", "show the chart's values"),
    ("readme", "show the chart's README"),
    ("crds", "show the chart's CRDs"),
):
    show.add_command(_show_command(_kind, _summary))
