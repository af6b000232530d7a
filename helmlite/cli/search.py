"""``helmlite search repo [KEYWORD...]``."""

from __future__ import annotations

import json

import click

from helmlite.cli.options import global_options
from helmlite.output import OUTPUT_FORMATS, Output

DEFAULT_MAX_COL_WIDTH = 50
"""Helm's ``--max-col-width`` default for search tables."""
_ELLIPSIS = "..."


def truncate(cell: str, width: int) -> str:
    """Shorten ``cell`` to ``width`` characters ending in ``...``, as Helm's tables do (0: no limit)."""
    if width <= 0 or len(cell) <= width:
        return cell
    if width <= len(_ELLIPSIS):
        return cell[:width]
    return cell[: width - len(_ELLIPSIS)] + _ELLIPSIS


def go_json(obj: object) -> str:
    """Compact JSON as Go's encoder writes it (field order kept, HTML characters escaped)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@click.group(short_help="search for a keyword in charts")
@global_options
def search() -> None:
    """Search the chart repositories added with 'helmlite repo add'."""


@search.command("repo", short_help="search repositories for a keyword in charts")
@global_options
@click.argument("keywords", nargs=-1)
@click.option("-r", "--regexp", is_flag=True, help="use regular expressions for searching (case-sensitive)")
@click.option("-l", "--versions", is_flag=True, help="show every version that matches, not only the newest")
@click.option("--version", default="", metavar="CONSTRAINT",
              help="search using semantic version constraints (default: newest stable version)")
@click.option("--devel", is_flag=True, help="include development versions (same as --version '>0.0.0-0')")
@click.option("--max-col-width", default=DEFAULT_MAX_COL_WIDTH, show_default=True, type=click.IntRange(min=0),
              help="maximum column width for the table")
@click.option("--fail-on-no-result", is_flag=True, help="fail when there is no result")
@click.option("-o", "--output", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True,
              help="output format")
def repo(keywords: tuple[str, ...], regexp: bool, versions: bool, version: str, devel: bool, max_col_width: int,
         fail_on_no_result: bool, fmt: str) -> None:
    """Search the cached indexes of the added repositories for charts (no network access).

    Matches chart names, repo/name, descriptions and keywords; case-insensitive unless
    --regexp. Without --versions only the newest stable version of each chart is shown.
    """
    from helmlite.actions.search import SearchRepo
    from helmlite.repo.index import RepoError

    out = Output()
    results = SearchRepo(out, regexp=regexp, version=version, devel=devel, versions=versions).run(keywords)
    if not results and fail_on_no_result:
        raise RepoError("no results found")
    rows = [{"name": r.name, "version": r.version, "app_version": r.app_version, "description": r.description}
            for r in results]
    if fmt == "json":
        out.echo(go_json(rows))
    elif fmt == "yaml":
        from helmlite.values.yamlio import HELM_LINE_WIDTH, dump_yaml

        out.write(dump_yaml(rows, width=HELM_LINE_WIDTH))
    elif not rows:
        out.echo("No results found")
    else:
        headers = ("NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION")
        out.table([truncate(h, max_col_width) for h in headers],
                  [[truncate(v, max_col_width) for v in row.values()] for row in rows])
