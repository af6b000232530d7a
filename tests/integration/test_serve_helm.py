"""The real Helm v4 client against ``helmlite serve`` on 127.0.0.1.

Helm runs with its own config, cache and data directories in the test's tmp dir; every
server is started here on a free loopback port and stopped by its pid.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import yaml
from serving import ServeProcess

from helmlite.chart.archive import build_archive
from helmlite.chart.model import ChartFile

pytestmark = pytest.mark.helm

REPO_ROOT = Path(__file__).resolve().parents[2]
MYCHART = REPO_ROOT / "charts" / "mychart"

Helm = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def helm(helm_bin: str, tmp_path: Path) -> Helm:
    env = {**os.environ,
           "HELM_CONFIG_HOME": str(tmp_path / "helm-config"),
           "HELM_CACHE_HOME": str(tmp_path / "helm-cache"),
           "HELM_DATA_HOME": str(tmp_path / "helm-data")}

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([helm_bin, *args], capture_output=True, text=True, env=env, timeout=120, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"helm {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    return run


def helmlite(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "helmlite", *args], capture_output=True, text=True, cwd=cwd,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def search_rows(output: str) -> list[list[str]]:
    """``helm search repo`` table rows as [name, chart version, app version, description]."""
    return [[cell.strip() for cell in line.split("\t")] for line in output.splitlines()[1:] if line.strip()]


def make_chart(name: str, version: str, description: str) -> bytes:
    chart_yaml = f"apiVersion: v2\nname: {name}\nversion: {version}\ndescription: {description}\nappVersion: '9.1'\n"
    return build_archive(name, [ChartFile("Chart.yaml", chart_yaml.encode()), ChartFile("values.yaml", b"a: 1\n")])


def test_helm_repo_add_update_search_pull_show(helm: Helm, serve: Callable[..., ServeProcess], tmp_path: Path) -> None:
    server = serve()
    packages = tmp_path / "packages"
    helmlite("package", str(MYCHART), "-d", str(packages))
    helmlite("package", str(MYCHART), "--version", "0.2.0", "--app-version", "1.17.0", "-d", str(packages))
    first = (packages / "mychart-0.1.0.tgz").read_bytes()
    assert requests.post(f"{server.url}/api/charts", data=first, timeout=30).status_code == 201

    added = helm("repo", "add", "local", server.url)
    assert '"local" has been added to your repositories' in added.stdout
    assert search_rows(helm("search", "repo", "local/").stdout) == [
        ["local/mychart", "0.1.0", "1.0", "A Helm chart for Kubernetes"]]

    # A second version through multipart, as the helm-push plugin sends it.
    with open(packages / "mychart-0.2.0.tgz", "rb") as fh:
        response = requests.post(f"{server.url}/api/charts", files={"chart": ("mychart-0.2.0.tgz", fh)}, timeout=30)
    assert response.status_code == 201
    assert requests.post(f"{server.url}/api/charts", data=make_chart("other", "3.0.0", "Another chart"),
                         timeout=30).status_code == 201
    update = helm("repo", "update")
    assert '...Successfully got an update from the "local" chart repository' in update.stdout
    assert search_rows(helm("search", "repo", "local/", "--versions").stdout) == [
        ["local/mychart", "0.2.0", "1.17.0", "A Helm chart for Kubernetes"],
        ["local/mychart", "0.1.0", "1.0", "A Helm chart for Kubernetes"],
        ["local/other", "3.0.0", "9.1", "Another chart"]]

    pulled = tmp_path / "pulled"
    pulled.mkdir()
    helm("pull", "local/mychart", "--version", "0.1.0", "-d", str(pulled))
    assert (pulled / "mychart-0.1.0.tgz").read_bytes() == first
    index = yaml.safe_load(requests.get(f"{server.url}/index.yaml", timeout=30).content)
    assert index["entries"]["mychart"][1]["digest"] == hashlib.sha256(first).hexdigest()
    helm("pull", "local/mychart", "-d", str(pulled))  # newest by default
    assert (pulled / "mychart-0.2.0.tgz").is_file()

    shown = yaml.safe_load(helm("show", "chart", "local/mychart", "--version", "0.2.0").stdout)
    assert (shown["name"], shown["version"], shown["appVersion"]) == ("mychart", "0.2.0", "1.17.0")

    assert requests.delete(f"{server.url}/api/charts/other/3.0.0", timeout=30).json() == {"deleted": True}
    helm("repo", "update")
    assert [row[0] for row in search_rows(helm("search", "repo", "local/").stdout)] == ["local/mychart"]
    missing = helm("pull", "local/other", "--version", "3.0.0", "-d", str(pulled), check=False)
    assert missing.returncode != 0


def test_seed_tutorial_flow(helm: Helm, serve: Callable[..., ServeProcess], tmp_path: Path) -> None:
    """package 0.1.0, serve, repo add local, search, package 0.2.0, search --versions: newest first."""
    repo = tmp_path / "repo"
    charts = repo / "charts"
    helmlite("package", str(MYCHART), "-d", str(charts))
    server = serve(repo=repo)
    helm("repo", "add", "local", server.url)
    assert search_rows(helm("search", "repo", "mychart").stdout) == [
        ["local/mychart", "0.1.0", "1.0", "A Helm chart for Kubernetes"]]

    # Packaged straight into the served directory, as `helm package` filled Helm v2's local repo.
    helmlite("package", str(MYCHART), "--version", "0.2.0", "-d", str(charts))
    time.sleep(1.1)  # the server looks at the directory at most once a second
    helm("repo", "update")
    assert search_rows(helm("search", "repo", "mychart").stdout) == [
        ["local/mychart", "0.2.0", "1.0", "A Helm chart for Kubernetes"]]
    assert search_rows(helm("search", "repo", "mychart", "--versions").stdout) == [
        ["local/mychart", "0.2.0", "1.0", "A Helm chart for Kubernetes"],
        ["local/mychart", "0.1.0", "1.0", "A Helm chart for Kubernetes"]]
    (tmp_path / "pulled").mkdir()
    helm("pull", "local/mychart", "--version", "0.2.0", "-d", str(tmp_path / "pulled"))


@pytest.fixture
def gnupg(tmp_path: Path) -> Iterator[Path]:
    """A GnuPG home of the test's own; the gpg-agent that gpg starts there is stopped after."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    try:
        yield home
    finally:
        # gpg daemonizes an agent per home; gpgconf stops exactly the one serving this home.
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, timeout=60,
                       check=False)


def test_signed_chart_verifies_through_the_server(helm: Helm, serve: Callable[..., ServeProcess],
                                                  tmp_path: Path, gnupg: Path) -> None:
    gpg_env = {**os.environ, "GNUPGHOME": str(gnupg)}

    def gpg(*args: str) -> bytes:
        return subprocess.run(["gpg", "--batch", "--yes", *args], env=gpg_env, capture_output=True, check=True,
                              timeout=120).stdout

    try:
        gpg("--passphrase", "", "--quick-gen-key", "helmlite test <test@example.invalid>", "rsa2048", "sign", "1d")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("gpg cannot generate a key here")
    (tmp_path / "secring.gpg").write_bytes(gpg("--export-secret-keys"))
    (tmp_path / "pubring.gpg").write_bytes(gpg("--export"))
    signed = tmp_path / "signed"
    helm("package", str(MYCHART), "--sign", "--key", "helmlite test", "--keyring", str(tmp_path / "secring.gpg"),
         "-d", str(signed))
    chart = (signed / "mychart-0.1.0.tgz").read_bytes()
    prov = (signed / "mychart-0.1.0.tgz.prov").read_bytes()

    server = serve()
    tampered = prov.replace(hashlib.sha256(chart).hexdigest().encode(), b"0" * 64)
    refused = requests.post(f"{server.url}/api/charts", files={"chart": ("mychart-0.1.0.tgz", chart),
                                                              "prov": ("mychart-0.1.0.tgz.prov", tampered)}, timeout=30)
    assert refused.status_code == 400
    response = requests.post(f"{server.url}/api/charts", files={"chart": ("mychart-0.1.0.tgz", chart),
                                                               "prov": ("mychart-0.1.0.tgz.prov", prov)}, timeout=30)
    assert response.status_code == 201, response.text
    helm("repo", "add", "local", server.url)
    (tmp_path / "pulled").mkdir()
    verified = helm("pull", "local/mychart", "--verify", "--keyring", str(tmp_path / "pubring.gpg"),
                    "-d", str(tmp_path / "pulled"))
    assert "Chart Hash Verified: sha256:" + hashlib.sha256(chart).hexdigest() in verified.stdout + verified.stderr


def test_helm_with_basic_auth_and_private_reads(helm: Helm, serve: Callable[..., ServeProcess],
                                                tmp_path: Path) -> None:
    server = serve(env={"HELMLITE_SERVE_BASIC_AUTH_USER": "ci", "HELMLITE_SERVE_BASIC_AUTH_PASS": "s3cret"})
    data = make_chart("private", "1.0.0", "Not for everyone")
    assert requests.post(f"{server.url}/api/charts", data=data, timeout=30).status_code == 401
    assert requests.post(f"{server.url}/api/charts", data=data, auth=("ci", "s3cret"), timeout=30).status_code == 201
    refused = helm("repo", "add", "private", server.url, check=False)
    assert refused.returncode != 0 and "401" in refused.stderr
    helm("repo", "add", "private", server.url, "--username", "ci", "--password", "s3cret")
    (tmp_path / "pulled").mkdir()
    helm("pull", "private/private", "-d", str(tmp_path / "pulled"))
    assert (tmp_path / "pulled" / "private-1.0.0.tgz").read_bytes() == data


def test_helm_against_a_multitenant_server(helm: Helm, serve: Callable[..., ServeProcess], tmp_path: Path) -> None:
    server = serve("--multitenant")
    for team, description in (("team-a", "Chart of team A"), ("team-b", "Chart of team B")):
        response = requests.post(f"{server.url}/api/{team}/charts", data=make_chart("app", "1.0.0", description),
                                 timeout=30)
        assert response.status_code == 201
        helm("repo", "add", team, f"{server.url}/{team}")
    rows = search_rows(helm("search", "repo", "app").stdout)
    assert [(r[0], r[3]) for r in rows] == [("team-a/app", "Chart of team A"), ("team-b/app", "Chart of team B")]
    (tmp_path / "pulled").mkdir()
    helm("pull", "team-b/app", "-d", str(tmp_path / "pulled"))
    assert (tmp_path / "pulled" / "app-1.0.0.tgz").is_file()


def test_helm_over_tls(helm: Helm, serve: Callable[..., ServeProcess], tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-addext", "basicConstraints=critical,CA:TRUE"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl cannot make a certificate here")
    server = serve("--tls-cert", str(cert), "--tls-key", str(key))
    url = f"https://127.0.0.1:{server.port}"
    assert requests.post(f"{url}/api/charts", data=make_chart("secure", "1.0.0", "Over TLS"), verify=str(cert),
                         timeout=30).status_code == 201
    untrusted = helm("repo", "add", "secure", url, check=False)
    assert untrusted.returncode != 0 and "certificate" in untrusted.stderr
    helm("repo", "add", "secure", url, "--ca-file", str(cert))
    (tmp_path / "pulled").mkdir()
    helm("pull", "secure/secure", "-d", str(tmp_path / "pulled"))
    assert (tmp_path / "pulled" / "secure-1.0.0.tgz").is_file()
