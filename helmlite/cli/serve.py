"""``helmlite serve``: run a chart repository server (flags only; see ``helmlite.actions.serve``)."""

from __future__ import annotations

from pathlib import Path

import click

from helmlite.actions.serve import DEFAULT_ADDRESS, MAX_UPLOAD_BYTES, Serve
from helmlite.cli.options import global_options

_PATH = click.Path(dir_okay=False, exists=True, path_type=Path)


@click.command(short_help="serve a local chart repository over HTTP")
@global_options
@click.option("--address", default=DEFAULT_ADDRESS, show_default=True,
              help="address to listen on (HOST:PORT, [IPv6]:PORT or :PORT for every interface; port 0 picks a free one)")
@click.option("--repo-path", type=click.Path(file_okay=False, path_type=Path),
              help="local directory path from which to serve charts  [default: $HELMLITE_DATA/repository/local]")
@click.option("--url", default="", metavar="URL",
              help="external URL of the repository (what users pass to `helm repo add`); index URLs become "
                   "URL/charts/NAME-VERSION.tgz instead of relative charts/NAME-VERSION.tgz")
@click.option("--multitenant", is_flag=True,
              help="serve one repository per subdirectory: /REPO/index.yaml, /REPO/charts/…, /api/REPO/charts")
@click.option("--basic-auth-user", default="", envvar="HELMLITE_SERVE_BASIC_AUTH_USER", show_envvar=True,
              help="user name for HTTP Basic auth")
@click.option("--basic-auth-pass", default="", envvar="HELMLITE_SERVE_BASIC_AUTH_PASS", show_envvar=True,
              help="password for HTTP Basic auth (prefer the environment variable: flags show in `ps`)")
@click.option("--auth-file", type=_PATH, envvar="HELMLITE_SERVE_AUTH_FILE", show_envvar=True,
              help="htpasswd-style file of user:hash lines (bcrypt, $apr1$, {SHA} or plain text)")
@click.option("--bearer-token", "bearer_tokens", multiple=True, envvar="HELMLITE_SERVE_TOKEN", show_envvar=True,
              help="accept `Authorization: Bearer TOKEN`; can be given several times "
                   "(the environment variable takes space-separated tokens)")
@click.option("--anonymous-get/--no-anonymous-get", default=False, show_default=True,
              help="with credentials configured, let anyone read (index, charts, page) and require auth only to write")
@click.option("--max-upload-size", type=click.IntRange(min=1), default=MAX_UPLOAD_BYTES, show_default=True,
              metavar="BYTES", help="largest upload request body; bigger ones get 413")
@click.option("--allow-overwrite", is_flag=True,
              help="let uploads replace an existing chart version without ?force")
@click.option("--tls-cert", type=_PATH, help="serve HTTPS with this certificate (PEM)")
@click.option("--tls-key", type=_PATH, help="private key of --tls-cert (PEM)")
@click.option("--tls-ca-cert", type=_PATH, help="require client certificates signed by this CA (mutual TLS)")
def serve(address: str, repo_path: Path | None, url: str, multitenant: bool, basic_auth_user: str,
          basic_auth_pass: str, auth_file: Path | None, bearer_tokens: tuple[str, ...], anonymous_get: bool,
          max_upload_size: int, allow_overwrite: bool, tls_cert: Path | None, tls_key: Path | None,
          tls_ca_cert: Path | None) -> None:
    """Start a chart repository server for the charts in a local directory.

    Helm fetches /index.yaml and /charts/NAME-VERSION.tgz; tools use ChartMuseum's API to
    publish (POST /api/charts with the package, ?force to overwrite), list and delete charts.
    A browser gets a page listing every chart with its README.

    \b
    helmlite serve                                  # 127.0.0.1:8879, the local repository
    helm repo add local http://127.0.0.1:8879
    curl --data-binary @mychart-0.1.0.tgz http://127.0.0.1:8879/api/charts

    With no credentials configured anyone who can connect may upload and delete, so the
    default address is loopback only.
    """
    Serve(address=address, repo_path=repo_path, url=url, multitenant=multitenant, basic_auth_user=basic_auth_user,
          basic_auth_pass=basic_auth_pass, auth_file=auth_file, bearer_tokens=bearer_tokens,
          anonymous_get=anonymous_get, max_upload_size=max_upload_size, allow_overwrite=allow_overwrite,
          tls_cert=tls_cert, tls_key=tls_key, tls_ca_cert=tls_ca_cert).run()
