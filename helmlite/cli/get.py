"""``helmlite get all|values|manifest|notes|hooks|metadata RELEASE``."""

from __future__ import annotations

from typing import Any

import click

from helmlite.cli.options import global_options
from helmlite.cli.release_printer import (
    driver_option,
    output_option,
    print_status,
    release_config,
    write_data,
)

__all__ = ["get"]


def _revision(f: Any) -> Any:
    return click.option("--revision", type=int, default=0, help="get the named release with revision")(f)


def _record(name: str, revision: int, driver: str | None) -> tuple[Any, Any]:
    from helmlite.actions.get import Get

    config = release_config(driver)
    return config, Get(config, revision=revision).run(name)


@click.group(short_help="download extended information of a named release")
@global_options
def get() -> None:
    """Show what a release revision recorded: its values, manifest, notes, hooks or metadata."""


@get.command("all")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@_revision
@driver_option
def get_all(name: str, revision: int, driver: str | None) -> None:
    """All of a revision: status, values, hooks, manifest and notes."""
    from helmlite.actions.get import computed_values

    config, rel = _record(name, revision, driver)
    print_status(config.output, rel, show_metadata=True, debug=True, computed=computed_values(rel))


@get.command("values")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@_revision
@click.option("-a", "--all", "computed", is_flag=True, help="dump all (computed) values")
@output_option
@driver_option
def get_values(name: str, revision: int, computed: bool, output_format: str, driver: str | None) -> None:
    """The values of a revision: user-supplied, or with --all the chart's defaults merged in."""
    from helmlite.actions.get import computed_values

    config, rel = _record(name, revision, driver)
    values = computed_values(rel) if computed else rel.config
    if output_format == "table":
        config.output.write("COMPUTED VALUES:\n" if computed else "USER-SUPPLIED VALUES:\n")
        if not values:
            config.output.write("null\n")
            return
        output_format = "yaml"
    write_data(config.output, values or None, output_format)


@get.command("manifest")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@_revision
@driver_option
def get_manifest(name: str, revision: int, driver: str | None) -> None:
    """The rendered manifest of a revision (hooks excluded)."""
    config, rel = _record(name, revision, driver)
    config.output.write(rel.manifest + "\n")


@get.command("notes")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@_revision
@driver_option
def get_notes(name: str, revision: int, driver: str | None) -> None:
    """The rendered NOTES.txt of a revision."""
    config, rel = _record(name, revision, driver)
    if rel.info.notes:
        config.output.write(f"NOTES:\n{rel.info.notes}\n")


@get.command("hooks")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@_revision
@driver_option
def get_hooks(name: str, revision: int, driver: str | None) -> None:
    """The hook manifests of a revision."""
    config, rel = _record(name, revision, driver)
    for hook in rel.hooks:
        config.output.write(f"---\n# Source: {hook.path}\n{hook.manifest}\n")


@get.command("metadata")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@_revision
@output_option
@driver_option
def get_metadata(name: str, revision: int, output_format: str, driver: str | None) -> None:
    """Name, chart, versions, labels, namespace, revision, status and deploy time of a revision."""
    from helmlite.actions.get import metadata

    config, rel = _record(name, revision, driver)
    meta = metadata(rel)
    if output_format != "table":
        write_data(config.output, meta, output_format)
        return
    deps = ",".join(sorted(str(d.get("name", "")) for d in meta.get("dependencies", [])))
    pairs = [
        ("NAME", meta["name"]), ("CHART", meta["chart"]), ("VERSION", meta["version"]),
        ("APP_VERSION", meta["appVersion"]),
        ("ANNOTATIONS", ",".join(f"{k}={v}" for k, v in sorted(meta.get("annotations", {}).items()))),
        ("LABELS", ",".join(f"{k}={v}" for k, v in sorted(meta.get("labels", {}).items()))),
        ("DEPENDENCIES", deps), ("NAMESPACE", meta["namespace"]), ("REVISION", meta["revision"]),
        ("STATUS", meta["status"]), ("DEPLOYED_AT", meta["deployedAt"]),
    ]
    config.output.write("".join(f"{key}: {value}\n" for key, value in pairs))
