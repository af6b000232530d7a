"""``helmlite uninstall RELEASE [RELEASE...]`` (aliases ``un``, ``del``, ``delete``)."""

from __future__ import annotations

from typing import Any

import click

from helmlite.cli.options import global_options
from helmlite.cli.release_printer import driver_option, release_config, timeout_option

__all__ = ["uninstall"]


@click.command(short_help="uninstall a release")
@global_options
@click.argument("names", nargs=-1, required=True, metavar="RELEASE_NAME [...]")
@click.option("--keep-history", is_flag=True,
              help="keep the release records (status 'uninstalled'); 'list --uninstalled' shows it")
@click.option("--cascade", type=click.Choice(["background", "orphan", "foreground"]), default="background",
              show_default=True, help="how dependents of the deleted objects are deleted")
@click.option("--wait", is_flag=True, help="wait until every resource is deleted")
@timeout_option
@click.option("--ignore-not-found", is_flag=True, help="treat a release that does not exist as uninstalled")
@click.option("--no-hooks", is_flag=True, help="do not run the delete hooks")
@click.option("--dry-run", is_flag=True, help="simulate an uninstall")
@click.option("--description", default="", help="add a custom description")
@driver_option
def uninstall(names: tuple[str, ...], driver: str | None, **kwargs: Any) -> None:
    """Uninstall releases: delete their resources (and, unless --keep-history, their records).

    Resources annotated helm.sh/resource-policy: keep stay in the cluster; objects left by the
    release's hooks are deleted too (Helm leaves them behind).
    """
    from helmlite.actions.uninstall import Uninstall

    config = release_config(driver)
    out = config.output
    action = Uninstall(config, **kwargs)
    for name in names:
        result = action.run(name)
        if result.release is None:
            continue
        if result.kept:
            out.write("These resources were kept due to the resource policy:\n")
            out.write("".join(f"[{r.ref.kind}] {r.ref.name}\n" for r in result.kept))
        if result.not_owned:
            out.warn(f"{len(result.not_owned)} resource(s) were not deleted because they are not owned by this release: "
                     + ", ".join(f"{r.ref.kind}/{r.ref.name}" for r in result.not_owned))
        out.write(f'release "{name}" uninstalled\n')
