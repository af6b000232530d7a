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
@click.option("--logs", "show_logs", is_flag=True, help="dump the logs from test pods (this runs after all tests "
              "are complete, but before any cleanup)")
@driver_option
def test(name: str, timeout: float, filters: tuple[str, ...], hide_notes: bool, show_logs: bool,
         driver: str | None) -> None:
    """Run the release's tests (hooks annotated helm.sh/hook: test) and report each one's phase.

    \b
    Examples:
      helmlite test demo                          # run every test of release demo
      helmlite test demo --filter name=demo-test-connection --logs
    """
    from helmlite.actions.get import Get
    from helmlite.actions.release_test import ReleaseTest, TestFailed, collect_test_logs

    config = release_config(driver)
    failure: TestFailed | None = None
    try:
        rel = ReleaseTest(config, timeout=timeout, filters=list(filters)).run(name)
    except TestFailed as exc:
        # Show every test's phase (the failed one included), and the logs, before the error, as Helm does.
        failure, rel = exc, Get(config).run(name)
    print_status(config.output, rel, hide_notes=hide_notes or failure is not None)
    if show_logs:
        config.output.echo("")
        config.output.write(collect_test_logs(config, rel, list(filters)))
    if failure is not None:
        raise HelmliteError(str(failure)) from failure
