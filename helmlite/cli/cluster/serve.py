"""``helmlite cluster serve``: the simulated cluster as a Kubernetes API for kubectl and Helm."""

from __future__ import annotations

from pathlib import Path

import click

from helmlite.cli.options import global_options

# Mirrors helmlite.apiserver.server.DEFAULT_ADDRESS without importing the server for --help.
DEFAULT_ADDRESS = "127.0.0.1:6443"


@click.command(short_help="serve the simulated cluster as a Kubernetes API")
@global_options
@click.option("--address", default=DEFAULT_ADDRESS, show_default=True, metavar="HOST:PORT",
              help="address to listen on (port 0 picks a free one)")
@click.option("--tls", is_flag=True, help="serve HTTPS with a self-signed certificate (its CA goes into kubeconfigs)")
@click.option("--token", default="", envvar="HELMLITE_APISERVER_TOKEN", show_envvar=True, metavar="TOKEN",
              help="require `Authorization: Bearer TOKEN` (prefer the environment variable: flags show in `ps`)")
@click.option("--kubeconfig-out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="write a kubeconfig for this server to FILE (context `helmlite`)")
@click.option("--access-log", is_flag=True, help="log every request (off by default: it costs throughput)")
@click.option("--time-scale", type=click.FloatRange(min=0, min_open=True, max=1e6), default=1.0, show_default=True,
              envvar="HELMLITE_APISERVER_TIME_SCALE", show_envvar=True, metavar="N", help="virtual seconds per real second while serving (e.g. 60: a 10s hook takes ~0.2s)")
def serve(address: str, tls: bool, token: str, kubeconfig_out: Path | None, access_log: bool,
          time_scale: float) -> None:
    """Serve the simulated cluster as a Kubernetes API until interrupted (Ctrl-C).

    kubectl and helm work against it unchanged. It serves the same cluster file the other
    commands use, with time running live: commands run while it serves see its changes, and it
    sees theirs. --time-scale makes virtual time run faster than the wall clock while
    serving (ages in tables stay virtual); commands run afterwards catch up at normal speed.

    \b
    helmlite cluster serve --kubeconfig-out kubeconfig
    KUBECONFIG=kubeconfig kubectl get pods -A
    KUBECONFIG=kubeconfig helm install web ./mychart --wait
    """
    from helmlite.apiserver.server import ServeOptions
    from helmlite.apiserver.server import serve as run
    from helmlite.cli.cluster.common import cluster_path

    run(ServeOptions(cluster_path=cluster_path(), address=address, tls=tls, token=token,
                     kubeconfig_out=kubeconfig_out, access_log=access_log,
                     time_scale=time_scale),
        echo=lambda line: click.echo(line))
