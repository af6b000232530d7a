"""``helmlite cluster reset``: throw the simulated cluster away and start a fresh one."""

from __future__ import annotations

import click

from helmlite.cli.cluster.common import cluster_path
from helmlite.cli.options import global_options

__all__ = ["reset"]

# Same as a cluster created on first use (helmlite.cluster.bootstrap.DEFAULT_NODE_COUNT),
# repeated here so that --help does not import the simulator.
DEFAULT_NODES = 3


@click.command(short_help="delete the simulated cluster and start a fresh one")
@global_options
@click.option("--nodes", type=click.IntRange(min=0), default=DEFAULT_NODES, show_default=True,
              help="how many nodes the fresh cluster has")
@click.option("--seed", type=int, default=0, show_default=True,
              help="the seed of the fresh cluster's randomness (generated names, uids)")
@click.option("-y", "--yes", is_flag=True, help="do not ask for confirmation")
def reset(nodes: int, seed: int, yes: bool) -> None:
    """Delete everything in the simulated cluster (workloads, releases, faults, nodes) and
    bootstrap a fresh one in the same file, with the clock at 2026-01-01T00:00:00Z.

    The swap is one transaction on the cluster file: it waits for a command that is using
    the file to finish, and a command that starts meanwhile sees the old or the new
    cluster, never a mix.

    \b
    Examples:
      helmlite cluster reset --yes
      helmlite cluster reset --nodes 5 --seed 42 --yes
      helmlite cluster --cluster /tmp/test.db reset -y
    """
    import sys
    import time

    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.persistence import ClusterFile

    path = cluster_path()
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(f"refusing to reset the cluster {path} without --yes")
        click.confirm(f"Delete every object of the cluster {path} and start a fresh one?", abort=True)
    cluster_file = ClusterFile(path)
    cluster_file.begin()
    try:
        stale_objects = {(group, kind, ns, name): None for group, kind, ns, name, *_ in cluster_file.objects()}
        stale_timers = {key for key, _at, _seq in cluster_file.timers()}
        cluster_file.write(objects=stale_objects, timers=({}, stale_timers), meta={})
        Cluster.in_memory(seed, nodes=nodes).save(cluster_file, time.time())
        cluster_file.commit()
    except BaseException:
        cluster_file.rollback()
        raise
    finally:
        cluster_file.close()
    click.echo(f"cluster {path} reset: {nodes} node{'' if nodes == 1 else 's'}, seed {seed}")
