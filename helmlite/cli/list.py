"""``helmlite list`` (alias ``ls``)."""

from __future__ import annotations

import click

from helmlite.cli.options import global_options
from helmlite.cli.release_printer import (
    driver_option,
    output_option,
    print_list,
    release_config,
)

__all__ = ["list_releases"]


@click.command("list", short_help="list releases")
@global_options
@click.option("-A", "--all-namespaces", is_flag=True, help="list releases across all namespaces")
@click.option("-d", "--date", "by_date", is_flag=True, help="sort by release date")
@click.option("-r", "--reverse", is_flag=True, help="reverse the sort order")
@click.option("-m", "--max", "limit", type=int, default=256, show_default=True,
              help="maximum number of releases to fetch (0: no limit)")
@click.option("--offset", type=int, default=0, help="next release index in the list, used to offset from start value")
@click.option("-f", "--filter", "pattern", default="", metavar="REGEX",
              help="a regular expression: only releases whose name matches are listed")
@click.option("-l", "--selector", default="", metavar="SELECTOR",
              help="label query on the release records' labels (key=value, key!=value, comma-separated)")
@click.option("-q", "--short", is_flag=True, help="output short (quiet) listing format")
@click.option("--no-headers", is_flag=True, help="don't print headers when using the default output format")
@click.option("--time-format", default="", metavar="LAYOUT",
              help='format time with a Go layout, e.g. --time-format "2006-01-02 15:04:05Z0700"')
@click.option("--deployed", is_flag=True, help="show deployed releases")
@click.option("--failed", is_flag=True, help="show failed releases")
@click.option("--pending", is_flag=True, help="show pending releases")
@click.option("--superseded", is_flag=True, help="show superseded releases")
@click.option("--uninstalled", is_flag=True, help="show uninstalled releases (uninstall --keep-history)")
@click.option("--uninstalling", is_flag=True, help="show releases that are being uninstalled")
@output_option
@driver_option
def list_releases(all_namespaces: bool, by_date: bool, reverse: bool, limit: int, offset: int, pattern: str,
                  selector: str, short: bool, no_headers: bool, time_format: str, deployed: bool, failed: bool,
                  pending: bool, superseded: bool, uninstalled: bool, uninstalling: bool, output_format: str,
                  driver: str | None) -> None:
    """List releases: the newest revision of each, every status unless status flags narrow it."""
    from helmlite.actions.list import ReleaseList
    from helmlite.release.model import Status

    states: set[Status] = set()
    if deployed:
        states.add(Status.DEPLOYED)
    if failed:
        states.add(Status.FAILED)
    if pending:
        states |= {Status.PENDING_INSTALL, Status.PENDING_UPGRADE, Status.PENDING_ROLLBACK}
    if superseded:
        states.add(Status.SUPERSEDED)
    if uninstalled:
        states.add(Status.UNINSTALLED)
    if uninstalling:
        states.add(Status.UNINSTALLING)
    config = release_config(driver)
    releases = ReleaseList(config, all_namespaces=all_namespaces, states=states, filter=pattern, selector=selector,
                           by_date=by_date, reverse=reverse, limit=limit, offset=offset).run()
    print_list(config.output, releases, output_format, short=short, no_headers=no_headers, time_format=time_format)
