"""Who may read and write: the auth matrix, credential files, and logs that never show secrets."""

from __future__ import annotations

import base64
import logging
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from helmlite.actions.serve import RedactQuery, Serve, parse_address
from helmlite.chart.archive import build_archive
from helmlite.chart.model import ChartFile
from helmlite.repo.index import RepoError
from helmlite.repo.server.app import ServerConfig, create_app
from helmlite.repo.server.auth import (
    AuthConfigError,
    AuthPolicy,
    PasswordHash,
    apr1_hash,
    load_auth_file,
)
from helmlite.repo.server.storage import RepositorySet

TOKEN = "s3cr3t-token-value"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def chart(version: str) -> bytes:
    return build_archive("web", [ChartFile("Chart.yaml", f"apiVersion: v2\nname: web\nversion: {version}\n".encode())])


def make_client(tmp_path: Path, policy: AuthPolicy) -> TestClient:
    repos = RepositorySet(tmp_path / "repo")
    repos.open()
    return TestClient(create_app(ServerConfig(repos, auth=policy)))


POLICY_USERS = {"alice": PasswordHash("plain", "wonderland")}
GOOD = [basic("alice", "wonderland"), {"Authorization": f"Bearer {TOKEN}"}, {"Authorization": f"bearer {TOKEN}"}]
BAD = [{}, basic("alice", "wrong"), basic("bob", "wonderland"), {"Authorization": "Bearer nope"},
       {"Authorization": "Basic !!!notbase64"}, {"Authorization": "Digest abc"}, {"Authorization": f"Basic {TOKEN}"}]


@pytest.mark.parametrize("anonymous_get", [False, True])
def test_auth_matrix(tmp_path: Path, anonymous_get: bool) -> None:
    client = make_client(tmp_path, AuthPolicy(users=POLICY_USERS, tokens=(TOKEN,), anonymous_get=anonymous_get))
    reads = ["/", "/index.yaml", "/index.json", "/api/charts", "/api/charts/web", "/charts/web-1.0.0.tgz"]
    for headers in BAD:
        response = client.post("/api/charts", content=chart("1.0.0"), headers=headers)
        assert response.status_code == 401, headers
        assert response.json() == {"error": "unauthorized"}
        assert response.headers.get_list("www-authenticate") == ['Basic realm="helmlite"', 'Bearer realm="helmlite"']
        assert client.delete("/api/charts/web/1.0.0", headers=headers).status_code == 401
        assert client.post("/api/prov", content=b"x", headers=headers).status_code == 401
    for i, headers in enumerate(GOOD):
        assert client.post("/api/charts", content=chart(f"1.0.{i}"), headers=headers).status_code == 201, headers
    client.post("/api/charts", content=chart("1.0.0"), headers=GOOD[0])
    for path in reads:
        anonymous = client.get(path)
        assert (anonymous.status_code != 401) is anonymous_get, path
        assert client.get(path, headers=GOOD[0]).status_code == 200, path
        assert client.get(path, headers=GOOD[1]).status_code == 200, path
    # Health checks never need credentials (load balancers, kubelet probes).
    assert client.get("/health").status_code == 200
    assert client.get("/info").status_code == 200
    assert client.delete("/api/charts/web/1.0.0", headers=GOOD[1]).status_code == 200


def test_no_credentials_means_an_open_server(tmp_path: Path) -> None:
    client = make_client(tmp_path, AuthPolicy())
    assert client.post("/api/charts", content=chart("1.0.0")).status_code == 201
    assert client.get("/index.yaml").status_code == 200


def test_only_the_configured_schemes_are_challenged(tmp_path: Path) -> None:
    client = make_client(tmp_path / "a", AuthPolicy(tokens=(TOKEN,)))
    assert client.get("/index.yaml").headers.get_list("www-authenticate") == ['Bearer realm="helmlite"']
    assert client.get("/index.yaml", headers=basic("alice", TOKEN)).status_code == 401


def test_htpasswd_file_formats(tmp_path: Path) -> None:
    sha = "{SHA}" + base64.b64encode(__import__("hashlib").sha1(b"pw-sha").digest()).decode()
    path = tmp_path / "htpasswd"
    path.write_text(f"# comment\n\nplainuser:pw-plain\nmd5user:{apr1_hash('pw-md5', 'Xy12ab9Z')}\nshauser:{sha}\n")
    policy = AuthPolicy(users=load_auth_file(path))
    assert policy.authenticate(basic("plainuser", "pw-plain")["Authorization"])
    assert policy.authenticate(basic("md5user", "pw-md5")["Authorization"])
    assert policy.authenticate(basic("shauser", "pw-sha")["Authorization"])
    assert not policy.authenticate(basic("md5user", "pw-plain")["Authorization"])
    assert not policy.authenticate(basic("shauser", "")["Authorization"])


def test_apr1_matches_openssl(tmp_path: Path) -> None:
    try:
        expected = subprocess.run(["openssl", "passwd", "-apr1", "-salt", "saltsalt", "correct horse"],
                                  capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl is not installed")
    assert apr1_hash("correct horse", "saltsalt") == expected


@pytest.mark.parametrize("content, message", [
    ("nocolon\n", "expected user:password-hash"),
    (":pw\n", "expected user:password-hash"),
    ("a:x\na:y\n", "listed twice"),
    ("a:$6$salt$hash\n", "unsupported password hash"),
    ("a:$apr1$broken\n", "malformed"),
])
def test_bad_auth_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "htpasswd"
    path.write_text(content)
    with pytest.raises(AuthConfigError, match=message):
        load_auth_file(path)
    with pytest.raises(AuthConfigError, match="cannot be read"):
        load_auth_file(tmp_path / "missing")


def test_policy_from_serve_options(tmp_path: Path) -> None:
    policy = Serve(basic_auth_user="u", basic_auth_pass="hunter2", bearer_tokens=("tok-one", "", "tok-two")).auth_policy()
    assert policy.authenticate(basic("u", "hunter2")["Authorization"])
    assert policy.authenticate("Bearer tok-two") and not policy.authenticate("Bearer ")
    with pytest.raises(AuthConfigError, match="together"):
        Serve(basic_auth_user="u").auth_policy()
    with pytest.raises(AuthConfigError, match="must not contain"):
        Serve(basic_auth_user="a:b", basic_auth_pass="p").auth_policy()
    for text in (repr(policy), policy.summary()):
        assert "hunter2" not in text and "tok-" not in text
    assert policy.summary() == ("authentication: Basic (1 user), Bearer (2 tokens); reads: authenticated clients; "
                                "writes: authenticated clients")
    assert "anyone who can connect" in Serve().auth_policy().summary()


def test_access_log_redacts_secret_query_values() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/index.yaml?token=abc&x=1&access_key=zz", "1.1", 200), None)
    assert RedactQuery().filter(record)
    assert record.args[2] == "/index.yaml?token=REDACTED&x=1&access_key=REDACTED"  # type: ignore[index]
    assert "abc" not in record.getMessage()


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1:8879", ("127.0.0.1", 8879)),
    (":0", ("", 0)),
    ("[::1]:9000", ("::1", 9000)),
    ("localhost:80", ("localhost", 80)),
])
def test_parse_address(address: str, expected: tuple[str, int]) -> None:
    assert parse_address(address) == expected


@pytest.mark.parametrize("address", ["8879", "host", "1.2.3.4:99999", "::1:80", "a:b"])
def test_bad_addresses(address: str) -> None:
    with pytest.raises(RepoError, match="address"):
        parse_address(address)


def test_bcrypt_entries_need_the_bcrypt_package(tmp_path: Path) -> None:
    path = tmp_path / "htpasswd"
    try:
        import bcrypt
    except ImportError:
        path.write_text("ci:$2y$05$abcdefghijklmnopqrstuuJ0aW8ZbY5.8Wc1tnQZVv0uNhbtiCuQm\n")
        with pytest.raises(AuthConfigError, match="pip install bcrypt"):
            load_auth_file(path)
        return
    path.write_text("ci:" + bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode() + "\n")
    policy = AuthPolicy(users=load_auth_file(path))
    assert policy.authenticate(basic("ci", "pw")["Authorization"])
    assert policy.authenticate(basic("ci", "pw")["Authorization"])  # second time from the verified cache
    assert not policy.authenticate(basic("ci", "nope")["Authorization"])
