"""``helmlite cluster kubeconfig``: a kubeconfig for the served cluster."""

from __future__ import annotations

from pathlib import Path

import click

from helmlite.cli.options import global_options


@click.command(short_help="write a kubeconfig for the served cluster")
@global_options
@click.option("--address", default="", metavar="URL|HOST:PORT",
              help="the server's address (default: where `helmlite cluster serve` for this cluster listens)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="write to FILE instead of standard output")
def kubeconfig(address: str, output: Path | None) -> None:
    """Print (or write) a kubeconfig whose context `helmlite` reaches the served cluster.

    The server's URL, token and TLS certificate authority come from the running
    `helmlite cluster serve` of this cluster file; --address points elsewhere.

    \b
    helmlite cluster kubeconfig -o ~/.kube/helmlite && export KUBECONFIG=~/.kube/helmlite
    """
    from helmlite.apiserver.kubeconfig import Endpoint, endpoint_dir, render_kubeconfig
    from helmlite.cli.cluster.common import cluster_path, namespace
    from helmlite.errors import HelmliteError

    path = cluster_path()
    recorded = Endpoint.read(endpoint_dir(path))
    if address:
        url = address if "://" in address else f"{'https' if recorded and recorded.ca_pem else 'http'}://{address}"
        endpoint = Endpoint(url, recorded.token if recorded else "", recorded.ca_pem if recorded else "")
    elif recorded is not None:
        endpoint = recorded
    else:
        raise HelmliteError(f"no API server is serving {path}: start `helmlite cluster serve` "
                            "or give the server's address with --address")
    text = render_kubeconfig(endpoint, namespace())
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    click.echo(f"kubeconfig written to {output}")
