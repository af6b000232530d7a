"""``helmlite template [NAME] CHART``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from helmlite.cli.options import (
    global_options,
    settings,
    value_options_from,
    values_options,
)
from helmlite.cli.pull import chart_location_options, chart_path_options_from
from helmlite.errors import ManifestError, RenderError
from helmlite.output import Output


@click.command(short_help="locally render templates")
@global_options
@values_options
@click.argument("args", nargs=-1, required=True, metavar="[NAME] CHART")
@click.option("-g", "--generate-name", is_flag=True, help="generate the name (and omit the NAME parameter)")
@click.option("-s", "--show-only", multiple=True, metavar="PATH",
              help="only show manifests rendered from the given templates (globs allowed, e.g. 'templates/svc*')")
@click.option("--output-dir", type=click.Path(file_okay=False), help="write the rendered files into DIR instead of stdout")
@click.option("--release-name", "use_release_name", is_flag=True, help="use the release name in the --output-dir path")
@click.option("--include-crds", is_flag=True, help="include the chart's crds/ files in the output")
@click.option("--skip-tests", is_flag=True, help="skip tests (hooks annotated 'test') from the output")
@click.option("--no-hooks", is_flag=True, help="leave hooks out of the output")
@click.option("--is-upgrade", is_flag=True, help="set .Release.IsUpgrade instead of .Release.IsInstall")
@click.option("--kube-version", metavar="VERSION", help="Kubernetes version used for Capabilities.KubeVersion")
@click.option("-a", "--api-versions", multiple=True, metavar="GROUP/VERSION",
              help="extra API versions for Capabilities.APIVersions (repeatable or comma-separated)")
@click.option("--skip-schema-validation", is_flag=True, help="do not validate values against values.schema.json")
@chart_location_options
def template(args: tuple[str, ...], generate_name: bool, kube_version: str | None,
             api_versions: tuple[str, ...], **kwargs: Any) -> None:
    """Render chart templates locally and print the manifests.

    Values are applied as Helm applies them: -f files in order, then --set-json, --set,
    --set-string, --set-file and --set-literal (by flag type, not by position). Nothing is
    installed and no cluster is contacted; lookup() returns empty results.

    \b
    Examples:
      helmlite template demo charts/mychart --set replicaCount=3
      helmlite template charts/mychart -s templates/service.yaml
      helmlite template demo local/mychart --version '^1.2'
    """
    from helmlite.actions.action import RenderConfig
    from helmlite.actions.template import DEFAULT_RELEASE_NAME, Template
    from helmlite.render.capabilities import Capabilities, KubeVersion

    values = value_options_from(kwargs)
    chart_options = chart_path_options_from(kwargs)
    if len(args) > 2:
        raise click.UsageError(f"expected at most 2 arguments, received {len(args)}")
    if generate_name and len(args) == 2:
        raise click.UsageError("cannot set --generate-name and also specify a name")
    chart_ref = args[-1]
    if len(args) == 2:
        name = args[0]
    elif generate_name:
        name = f"{Path(chart_ref.rstrip('/')).name.split('.')[0]}-{int(time.time())}"
    else:
        name = DEFAULT_RELEASE_NAME

    capabilities = Capabilities()
    if kube_version:
        capabilities = Capabilities(KubeVersion.parse(kube_version), capabilities.api_versions)
    extra = tuple(v.strip() for item in api_versions for v in item.split(",") if v.strip())
    if extra:
        capabilities = capabilities.with_extra_api_versions(extra)

    out = Output()
    action = Template(
        RenderConfig(output=out, capabilities=capabilities),
        release_name=name,
        namespace=settings().release_namespace(),
        values=values,
        chart_options=chart_options,
        **kwargs,
    )
    try:
        out.write(action.run(chart_ref, stdin=sys.stdin))
    except (RenderError, ManifestError) as exc:
        if settings().debug:
            raise
        # Helm's hint after any failure once rendering began: a template that did not parse or
        # execute, or output that is not valid YAML (not after chart, values or name errors).
        raise type(exc)(f"{exc}\n\nUse --debug flag to render out invalid YAML") from exc
