"""``helmlite create NAME``."""

from __future__ import annotations

from pathlib import Path

import click

from helmlite.cli.options import global_options
from helmlite.output import Output


@click.command(short_help="create a new chart with the given name")
@global_options
@click.argument("name")
def create(name: str) -> None:
    """Create a chart directory NAME with the common files, like `helm create`.

    The chart uses helmlite's native Jinja2 templates (the Chart.yaml annotation
    helmlite.io/template-engine: jinja2) and renders the same objects as Helm's scaffold:
    a Deployment, Service, ServiceAccount, optional Ingress, HTTPRoute and
    HorizontalPodAutoscaler, NOTES.txt, named helpers and a connection test.
    If NAME is a path, the chart is created at that path.
    """
    from helmlite.chart.scaffold import create_chart

    out = Output()
    target = Path(name)
    out.echo(f"Creating {name}")
    # Path(".").name is empty: pass the argument itself so the name check explains the refusal.
    create_chart(target.name or name, target.parent,
                 on_overwrite=lambda path: out.echo(f'WARNING: File "{path}" already exists. Overwriting.'))
