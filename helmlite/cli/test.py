"""``helmlite test RELEASE``."""

from __future__ import annotations

import click

from helmlite.cli.options import global_options
from helmlite.cli.release_printer import (
    driver_option,
    print_status,
    release_config,
    timeout_option,
)
from helmlite.errors import HelmliteError

__all__ = ["test"]


@click.command(short_help="run tests for a release")
@global_options
@click.argument("name", metavar="RELEASE")
@timeout_option
@click.option("--filter", "filters", multiple=True, metavar="name=NAME,!name=NAME",
              help="run only the named tests (name=…), or all but some (!name=…)")
@click.option("--hide-notes", is_flag=True, help="do not print the chart's NOTES")
@driver_option
def test(name: str, timeout: float, filters: tuple[str, ...], hide_notes: bool, driver: str | None) -> None:
    """Run the release's tests (hooks annotated helm.sh/hook: test) and report each one's phase."""
    from helmlite.actions.get import Get
    from helmlite.actions.release_test import ReleaseTest, TestFailed

    config = release_config(driver)
    try:
        rel = ReleaseTest(config, timeout=timeout, filters=list(filters)).run(name)
    except TestFailed as exc:
        # Show every test's phase (the failed one included) before the error, as Helm does.
        print_status(config.output, Get(config).run(name), hide_notes=True)
        raise HelmliteError(str(exc)) from exc
    print_status(config.output, rel, hide_notes=hide_notes)
