"""``helmlite cluster advance DURATION``: move the simulated cluster's virtual clock forward."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import click

from helmlite.cli.cluster.common import open_cluster
from helmlite.cli.options import global_options
from helmlite.cli.pull import DURATION

if TYPE_CHECKING:
    from helmlite.cluster.kinds import Kind
    from helmlite.cluster.store import WatchEvent

__all__ = ["advance", "go_duration"]


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()`` at second precision: ``45s``, ``10m0s``, ``1h30m0s``."""
    whole = int(seconds)
    fraction = seconds - whole
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    sec_text = f"{secs + fraction:g}s" if fraction else f"{secs}s"
    if hours:
        return f"{hours}h{minutes}m{sec_text}"
    if minutes:
        return f"{minutes}m{sec_text}"
    return sec_text


def _counted(counts: Counter[Kind]) -> str:
    return ", ".join(f"{n} {kind.singular if n == 1 else kind.plural}"
                     for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0].kind)))


@click.command(short_help="move the cluster's virtual clock forward")
@global_options
@click.argument("duration", type=DURATION)
def advance(duration: float) -> None:
    """Let DURATION of virtual time pass (Go syntax: 90s, 10m, 1h30m): controllers, the
    scheduler and the kubelets do everything that falls due, in order, at once. Prints the
    new virtual time and a summary of the objects created and deleted meanwhile.

    \b
    Examples:
      helmlite cluster advance 30s
      helmlite cluster advance 10m        # e.g. a CronJob's next ten runs
      helmlite cluster advance 1h30m
    """
    created: Counter[Kind] = Counter()
    deleted: Counter[Kind] = Counter()

    def count(event: WatchEvent) -> None:
        if event.type == "ADDED":
            created[event.kind] += 1
        elif event.type == "DELETED":
            deleted[event.kind] += 1

    with open_cluster() as cluster:
        cluster.store.add_listener(count)
        cluster.advance(duration)
        now = cluster.clock.now_rfc3339()
    parts = [f"created {_counted(created)}" if created else "", f"deleted {_counted(deleted)}" if deleted else ""]
    summary = "; ".join(p for p in parts if p) or "nothing changed"
    click.echo(f"advanced {go_duration(duration)}, now {now}: {summary}")
