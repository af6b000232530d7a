"""Every route of the repository server: statuses, bodies and headers (in-process, Starlette's TestClient)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from helmlite.chart.archive import build_archive
from helmlite.chart.model import ChartFile
from helmlite.repo.index import IndexFile
from helmlite.repo.server.app import ServerConfig, create_app
from helmlite.repo.server.storage import RepositorySet


def make_chart(name: str, version: str, *, description: str = "A test chart", readme: str | None = None,
               extra: str = "") -> bytes:
    chart_yaml = f"apiVersion: v2\nname: {name}\nversion: {version}\ndescription: {json.dumps(description)}\n{extra}"
    files = [ChartFile("Chart.yaml", chart_yaml.encode()), ChartFile("values.yaml", b"replicas: 1\n")]
    if readme is not None:
        files.append(ChartFile("README.md", readme.encode()))
    return build_archive(name, files)


def make_prov(name: str, version: str, data: bytes) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    return (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
        f"apiVersion: v2\nname: {name}\nversion: {version}\n...\nfiles:\n  {name}-{version}.tgz: sha256:{digest}\n"
        "-----BEGIN PGP SIGNATURE-----\n\nwsBc\n=abcd\n-----END PGP SIGNATURE-----\n"
    ).encode()


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[ClientFactory]:
    clients: list[TestClient] = []

    def factory(*, multitenant: bool = False, max_upload_size: int = 20 * 1024 * 1024, allow_overwrite: bool = False,
                url: str = "") -> TestClient:
        repos = RepositorySet(tmp_path / f"repo{len(clients)}", multitenant=multitenant, url=url,
                              allow_overwrite=allow_overwrite)
        repos.open()
        client = TestClient(create_app(ServerConfig(repos, max_upload_size=max_upload_size, public_url=url)))
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


def upload(client: TestClient, data: bytes, path: str = "/api/charts", *, headers: dict[str, str] | None = None,
           params: dict[str, str] | None = None) -> Any:
    return client.post(path, content=data, headers={"Content-Type": "application/gzip", **(headers or {})},
                       params=params)


# --- what Helm fetches ----------------------------------------------------------------------------


def test_empty_index_is_valid(client: TestClient) -> None:
    response = client.get("/index.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml"
    index = IndexFile.load(response.content, "served")
    assert index.entries == {}


def test_uploaded_chart_is_in_the_index_at_once_and_downloadable(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    response = upload(client, data)
    assert (response.status_code, response.json()) == (201, {"saved": True})
    entry = yaml.safe_load(client.get("/index.yaml").content)["entries"]["web"][0]
    assert entry["urls"] == ["charts/web-1.0.0.tgz"]
    download = client.get("/charts/web-1.0.0.tgz", headers={"Accept": "application/gzip,application/octet-stream"})
    assert download.status_code == 200
    assert download.content == data
    assert hashlib.sha256(download.content).hexdigest() == entry["digest"]
    assert download.headers["content-type"] == "application/gzip"
    assert int(download.headers["content-length"]) == len(data)


def test_index_etag_and_if_none_match(client: TestClient) -> None:
    first = client.get("/index.yaml")
    etag = first.headers["etag"]
    cached = client.get("/index.yaml", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert client.get("/index.yaml", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    upload(client, make_chart("web", "1.0.0"))
    changed = client.get("/index.yaml", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_gzip_only_when_asked(client: TestClient) -> None:
    upload(client, make_chart("web", "1.0.0"))
    raw = client.get("/index.yaml", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.headers["vary"] == "Accept-Encoding"
    # Helm never sends Accept-Encoding: it must get plain YAML.
    helm_like = client.get("/index.yaml", headers={"Accept-Encoding": ""})
    assert "content-encoding" not in helm_like.headers
    refused = client.get("/index.yaml", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    zipped = client.get("/index.yaml", headers={"Accept-Encoding": "br, gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == raw.content  # httpx decodes; the bytes on the wire were gzip
    assert zipped.headers["etag"] != raw.headers["etag"]
    with client.stream("GET", "/index.yaml", headers={"Accept-Encoding": "gzip"}) as stream:
        wire = b"".join(stream.iter_raw())
    assert gzip.decompress(wire) == raw.content
    assert client.get("/index.yaml", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
                      ).status_code == 304


def test_head_requests_have_headers_but_no_body(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    upload(client, data)
    plain = {"Accept-Encoding": "identity"}
    get = client.get("/index.yaml", headers=plain)
    head = client.head("/index.yaml", headers=plain)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))
    chart_head = client.head("/charts/web-1.0.0.tgz")
    assert chart_head.status_code == 200 and chart_head.headers["content-length"] == str(len(data))
    assert client.head("/api/charts/web").status_code == 200
    assert client.head("/api/charts/web/1.0.0").status_code == 200
    assert client.head("/api/charts/nope").status_code == 404
    assert client.head("/api/charts/web/9.9.9").status_code == 404


def test_index_json(client: TestClient) -> None:
    upload(client, make_chart("web", "1.0.0"))
    response = client.get("/index.json")
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["apiVersion"] == "v1" and document["entries"]["web"][0]["version"] == "1.0.0"
    assert client.get("/index.json", headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    assert client.get("/index.json", headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"


def test_chart_file_etag_and_missing_files(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    upload(client, data)
    first = client.get("/charts/web-1.0.0.tgz")
    assert first.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert client.get("/charts/web-1.0.0.tgz", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    for path in ("/charts/web-9.9.9.tgz", "/charts/web-1.0.0.tgz.prov", "/charts/..%2Findex.yaml",
                 "/charts/.helmlite-index-cache.json", "/charts/web-1.0.0.txt"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (404, {"error": "object not found"}), path


def test_provenance_is_served_beside_its_chart(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    prov = make_prov("web", "1.0.0", data)
    response = client.post("/api/charts", files={"chart": ("web-1.0.0.tgz", data), "prov": ("web-1.0.0.tgz.prov", prov)})
    assert response.status_code == 201
    served = client.get("/charts/web-1.0.0.tgz.prov")
    assert served.content == prov and served.headers["content-type"] == "application/pgp-signature"


# --- ChartMuseum's API ----------------------------------------------------------------------------


def test_api_listing_and_lookup(client: TestClient) -> None:
    for name, version in (("web", "1.0.0"), ("web", "1.1.0"), ("web", "2.0.0-beta.1"), ("api", "0.1.0")):
        assert upload(client, make_chart(name, version)).status_code == 201
    listing = client.get("/api/charts", headers={"Accept-Encoding": "identity"}).json()
    assert sorted(listing) == ["api", "web"]
    zipped = client.get("/api/charts", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.json() == listing
    assert [v["version"] for v in listing["web"]] == ["2.0.0-beta.1", "1.1.0", "1.0.0"]
    assert [v["version"] for v in client.get("/api/charts/web").json()] == ["2.0.0-beta.1", "1.1.0", "1.0.0"]
    assert client.get("/api/charts/web/1.0.0").json()["version"] == "1.0.0"
    assert client.get("/api/charts/web/latest").json()["version"] == "1.1.0"  # newest stable, as ChartMuseum
    missing = client.get("/api/charts/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "chart not found"})
    missing_version = client.get("/api/charts/web/3.0.0")
    assert (missing_version.status_code, missing_version.json()) == (404, {"error": "no chart version found for web-3.0.0"})


def test_api_pagination(client: TestClient) -> None:
    for name in ("c", "a", "d", "b"):
        upload(client, make_chart(name, "1.0.0"))
    assert list(client.get("/api/charts?offset=1&limit=2").json()) == ["b", "c"]
    assert list(client.get("/api/charts?offset=3").json()) == ["d"]
    assert client.get("/api/charts?offset=10").json() == {}
    for query, message in (("offset=-1", "offset is not a valid non-negative integer"),
                           ("offset=x", "offset is not a valid non-negative integer"),
                           ("limit=0", "limit is not a valid positive integer"),
                           ("limit=y", "limit is not a valid positive integer")):
        response = client.get(f"/api/charts?{query}")
        assert (response.status_code, response.json()) == (400, {"error": message}), query


def test_upload_conflict_force_and_allow_overwrite(make_client: ClientFactory) -> None:
    client = make_client()
    assert upload(client, make_chart("web", "1.0.0", description="one")).status_code == 201
    conflict = upload(client, make_chart("web", "1.0.0", description="two"))
    assert (conflict.status_code, conflict.json()) == (409, {"error": "file already exists"})
    multipart_conflict = client.post("/api/charts", files={"chart": ("web-1.0.0.tgz", make_chart("web", "1.0.0"))})
    assert multipart_conflict.status_code == 409
    assert upload(client, make_chart("web", "1.0.0", description="two"), params={"force": ""}).status_code == 201
    assert upload(client, make_chart("web", "1.0.0"), params={"force": "false"}).status_code == 409
    assert client.get("/api/charts/web/1.0.0").json()["description"] == "two"

    permissive = make_client(allow_overwrite=True)
    assert upload(permissive, make_chart("web", "1.0.0")).status_code == 201
    assert upload(permissive, make_chart("web", "1.0.0", description="again")).status_code == 201


@pytest.mark.parametrize("build, status, fragment", [
    (lambda: b"", 400, "empty chart package"),
    (lambda: b"<html>not a chart</html>", 400, "not a gzip-compressed chart archive"),
    (lambda: build_archive("x", [ChartFile("Chart.yaml", b"name: [unclosed\n")]), 400, "Chart.yaml"),
])
def test_bad_raw_uploads(client: TestClient, build: Callable[[], bytes], status: int, fragment: str) -> None:
    response = upload(client, build())
    assert response.status_code == status
    assert fragment in response.json()["error"]


@pytest.mark.parametrize("filename, fragment", [
    ("evil-1.0.0.tgz", "does not match the chart"),
    ("../../../../tmp/web-1.0.0.tgz", "improperly formatted"),
    ("..\\web-1.0.0.tgz", "improperly formatted"),
])
def test_multipart_file_names_are_checked(client: TestClient, filename: str, fragment: str) -> None:
    response = client.post("/api/charts", files={"chart": (filename, make_chart("web", "1.0.0"))})
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert client.get("/api/charts").json() == {}


def test_raw_upload_file_name_from_content_disposition(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    wrong = upload(client, data, headers={"Content-Disposition": 'attachment; filename="other-1.0.0.tgz"'})
    assert wrong.status_code == 400
    right = upload(client, data, headers={"Content-Disposition": 'attachment; filename="web-1.0.0.tgz"'})
    assert right.status_code == 201


def test_multipart_without_chart_or_prov_fields(client: TestClient) -> None:
    response = client.post("/api/charts", files={"package": ("web-1.0.0.tgz", make_chart("web", "1.0.0"))})
    assert (response.status_code, response.json()) == (
        400, {"error": "no package or provenance file found in form fields chart and prov"})
    too_many = client.post("/api/charts", files=[("chart", ("a.tgz", b"1")), ("prov", ("b", b"2")), ("x", ("c", b"3"))])
    assert too_many.status_code == 400


def test_upload_size_limit(make_client: ClientFactory) -> None:
    data = make_chart("web", "1.0.0")
    client = make_client(max_upload_size=len(data) - 1)
    response = upload(client, data)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        yield data[:100]
        yield data[100:]

    assert client.post("/api/charts", content=chunked()).status_code == 413
    multipart = client.post("/api/charts", files={"chart": ("web-1.0.0.tgz", data)})
    assert multipart.status_code == 413
    assert client.get("/api/charts").json() == {}
    assert make_client(max_upload_size=len(data)).post("/api/charts", content=data).status_code == 201


def test_prov_endpoint(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    prov = make_prov("web", "1.0.0", data)
    missing_chart = client.post("/api/prov", content=prov)
    assert missing_chart.status_code == 400 and "upload the chart first" in missing_chart.json()["error"]
    upload(client, data)
    assert (client.post("/api/prov", content=prov).status_code, client.get("/charts/web-1.0.0.tgz.prov").content) == (
        201, prov)
    assert client.post("/api/prov", content=prov).json() == {"error": "file already exists"}
    assert client.post("/api/prov?force", content=prov).status_code == 201
    assert client.post("/api/prov", content=b"not pgp").status_code == 400
    mismatched = make_prov("web", "1.0.0", b"other bytes")
    assert client.post("/api/prov?force", content=mismatched).status_code == 400


def test_delete(client: TestClient) -> None:
    data = make_chart("web", "1.0.0")
    client.post("/api/charts", files={"chart": ("web-1.0.0.tgz", data), "prov": ("web-1.0.0.tgz.prov",
                                                                                  make_prov("web", "1.0.0", data))})
    response = client.delete("/api/charts/web/1.0.0")
    assert (response.status_code, response.json()) == (200, {"deleted": True})
    assert client.get("/charts/web-1.0.0.tgz").status_code == 404
    assert client.get("/charts/web-1.0.0.tgz.prov").status_code == 404
    assert "web" not in yaml.safe_load(client.get("/index.yaml").content)["entries"]
    again = client.delete("/api/charts/web/1.0.0")
    assert (again.status_code, again.json()) == (404, {"error": "chart not found"})


def test_service_routes_and_unknown_routes(client: TestClient) -> None:
    assert client.get("/health").json() == {"healthy": True}
    assert "version" in client.get("/info").json()
    unknown = client.get("/nope/nothing")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not found"})
    wrong_method = client.put("/api/charts")
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"error": "method not allowed"})


# --- several repositories ------------------------------------------------------------------------------


def test_multitenant_layout(make_client: ClientFactory) -> None:
    client = make_client(multitenant=True)
    data = make_chart("web", "1.0.0")
    assert upload(client, data, "/api/team-a/charts").status_code == 201
    index = yaml.safe_load(client.get("/team-a/index.yaml").content)
    assert index["entries"]["web"][0]["urls"] == ["charts/web-1.0.0.tgz"]  # relative to /team-a/
    assert client.get("/team-a/charts/web-1.0.0.tgz").content == data
    assert client.get("/api/team-a/charts/web/1.0.0").json()["version"] == "1.0.0"
    # Another repository is separate, and an unknown one is empty rather than an error.
    assert yaml.safe_load(client.get("/team-b/index.yaml").content)["entries"] == {}
    assert client.get("/api/team-b/charts").json() == {}
    assert client.get("/team-b/charts/web-1.0.0.tgz").status_code == 404
    assert client.get("/index.yaml").status_code in (404, 308)
    assert upload(client, data, "/api/..%2F..%2Fetc/charts").status_code == 404
    assert upload(client, data, "/api/api/charts").status_code == 404
    assert client.delete("/api/team-a/charts/web/1.0.0").json() == {"deleted": True}
    page = client.get("/")
    assert page.status_code == 200 and 'href="team-a/"' in page.text
    assert client.get("/team-a", follow_redirects=False).headers["location"] == "/team-a/"


# --- the HTML page ----------------------------------------------------------------------------------------


def test_page_lists_charts_with_readme(client: TestClient) -> None:
    upload(client, make_chart("web", "1.0.0", description="Web server", readme="# Web\n\nServes **pages**.\n"))
    upload(client, make_chart("web", "1.1.0", description="Web server", readme="# Web 1.1\n\n- fast\n",
                              extra="appVersion: '2.4'\n"))
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none' forbids scripts
    html = page.text
    assert "<h2>web" in html and "Web server" in html and "2.4" in html
    assert html.index(">1.1.0<") < html.index(">1.0.0<")
    assert "<h1>Web 1.1</h1>" in html and "<li>fast</li>" in html
    assert 'href="charts/web-1.1.0.tgz"' in html
    assert "helm repo add local http://testserver" in html


def test_page_escapes_untrusted_chart_content(client: TestClient) -> None:
    evil = '<script>alert("d")</script><img src=x onerror=alert(1)>'
    readme = ('# Hi <script>alert(1)</script>\n\n<iframe src="https://evil"></iframe>\n\n'
              '[x](javascript:alert(1)) [ok](https://example.com)\n\n<a href="javascript:alert(2)">y</a>\n')
    upload(client, make_chart("evil", "1.0.0", description=evil, readme=readme,
                              extra='home: "javascript:alert(3)"\nkeywords: ["<b>k</b>"]\n'))
    html = client.get("/").text
    # Markup from the chart arrives as text; no unsafe URL becomes a link.
    for needle in ("<script", "<iframe", "<img src=x", 'href="javascript:', "<b>k</b>"):
        assert needle not in html, needle
    assert "&lt;script&gt;alert(&quot;d&quot;)&lt;/script&gt;" in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">ok</a>' in html


def test_page_search_and_pagination(client: TestClient) -> None:
    for i in range(30):
        upload(client, make_chart(f"chart{i:02d}", "1.0.0", description="database" if i == 7 else "web",
                                  readme=f"# chart {i}\n"))
    first = client.get("/").text
    assert "chart00" in first and "chart29" not in first and "?page=2" in first
    assert "chart29" in client.get("/?page=2").text
    found = client.get("/?q=DATABASE").text
    assert "chart07" in found and "chart08" not in found
    assert "<details open>" in found and "<details open>" not in first  # a single hit shows its README
    assert "No charts found" in client.get("/?q=nothing-matches").text
    assert client.get("/?page=banana").status_code == 200
