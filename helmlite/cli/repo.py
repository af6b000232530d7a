"""``helmlite repo add|list|remove|update|index``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from helmlite.cli.options import global_options
from helmlite.cli.pull import DURATION
from helmlite.output import OUTPUT_FORMATS, Output

DEFAULT_TIMEOUT = "120s"
"""Helm's ``--timeout`` default for index downloads (``getter.DefaultHTTPTimeout``)."""


@click.group(short_help="add, list, remove, update, and index chart repositories")
@global_options
def repo() -> None:
    """Add, list, remove, update and index chart repositories.

    Repositories are remembered in repositories.yaml under helmlite's config directory
    ($HELMLITE_CONFIG_HOME); their indexes are cached under $HELMLITE_CACHE_HOME.
    """


@repo.command("add", short_help="add a chart repository")
@global_options
@click.argument("name")
@click.argument("url")
@click.option("--username", default="", help="chart repository username")
@click.option("--password", default="", help="chart repository password")
@click.option("--password-stdin", is_flag=True, help="read the chart repository password from stdin")
@click.option("--pass-credentials", is_flag=True, help="pass credentials to all domains")
@click.option("--ca-file", default="", metavar="FILE", help="verify HTTPS servers with this CA bundle")
@click.option("--cert-file", default="", metavar="FILE", help="identify the client with this certificate")
@click.option("--key-file", default="", metavar="FILE", help="identify the client with this key")
@click.option("--insecure-skip-tls-verify", is_flag=True, help="skip TLS certificate checks for the repository")
@click.option("--force-update", is_flag=True, help="replace (overwrite) the repo if it already exists")
@click.option("--timeout", type=DURATION, default=DEFAULT_TIMEOUT, show_default=True,
              help="time to wait for the index file download to complete")
def add(name: str, url: str, username: str, password: str, password_stdin: bool, pass_credentials: bool,
        ca_file: str, cert_file: str, key_file: str, insecure_skip_tls_verify: bool, force_update: bool,
        timeout: float) -> None:
    """Add a chart repository NAME at URL (its index.yaml is downloaded and validated first)."""
    from helmlite.actions.repo import RepoAdd
    from helmlite.repo.client import RepoEntry

    if password_stdin:
        password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    elif username and not password:
        password = click.prompt("Password", hide_input=True, default="", show_default=False)
    entry = RepoEntry(name=name, url=url, username=username, password=password, cert_file=cert_file,
                      key_file=key_file, ca_file=ca_file, insecure_skip_tls_verify=insecure_skip_tls_verify,
                      pass_credentials_all=pass_credentials)
    RepoAdd(Output(), entry, force_update=force_update, timeout=timeout).run()


@repo.command("list", short_help="list chart repositories")
@global_options
@click.option("-o", "--output", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True,
              help="output format")
@click.option("--no-headers", is_flag=True, help="leave the header row out of the table")
def list_(fmt: str, no_headers: bool) -> None:
    """List the added chart repositories."""
    from helmlite.actions.repo import RepoList
    from helmlite.cli.search import go_json

    out = Output()
    repos = RepoList().run()
    rows = [{"name": r.name, "url": r.url} for r in repos]
    if fmt == "json":
        out.echo(go_json(rows))
    elif fmt == "yaml":
        from helmlite.values.yamlio import HELM_LINE_WIDTH, dump_yaml

        out.write(dump_yaml(rows, width=HELM_LINE_WIDTH))
    elif not rows:
        # Helm v4 says so on stderr and succeeds.
        out.info("no repositories to show")
    else:
        out.table(("NAME", "URL"), [(r["name"], r["url"]) for r in rows], no_headers=no_headers)


@repo.command("remove", short_help="remove one or more chart repositories")
@global_options
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
def remove(names: tuple[str, ...]) -> None:
    """Remove chart repositories and their cached indexes."""
    from helmlite.actions.repo import RepoRemove

    RepoRemove(Output(), names).run()


@repo.command("update", short_help="update information of available charts locally from chart repositories")
@global_options
@click.argument("names", nargs=-1, metavar="[NAME...]")
@click.option("--timeout", type=DURATION, default=DEFAULT_TIMEOUT, show_default=True,
              help="time to wait for each index file download to complete")
def update(names: tuple[str, ...], timeout: float) -> None:
    """Download the latest index of every added repository (or of the named ones)."""
    from helmlite.actions.repo import RepoUpdate

    RepoUpdate(Output(), names, timeout=timeout).run()


@repo.command("index", short_help="generate an index file given a directory containing packaged charts")
@global_options
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--url", default="", help="URL of the chart repository (chart URLs become URL/<file>)")
@click.option("--merge", type=click.Path(dir_okay=False), default=None,
              help="merge the generated index into the given index (versions present locally win)")
@click.option("--json", "as_json", is_flag=True, help="write the index as JSON (still to index.yaml)")
def index(directory: str, url: str, merge: str | None, as_json: bool) -> None:
    """Write DIRECTORY/index.yaml for the chart packages in DIRECTORY and its subdirectories.

    Incremental: a cache file in DIRECTORY (.helmlite-index-cache.json) remembers every
    package, so only new or changed packages are read, and unchanged ones keep their
    'created' time.
    """
    from helmlite.actions.repo import RepoIndex

    RepoIndex(Output(), Path(directory), url=url, merge=Path(merge) if merge else None, json=as_json).run()


repo.add_command(list_, "ls")
repo.add_command(remove, "rm")
