"""The served API at the HTTP level: discovery, CRUD, patches, subresources, watch, errors,
and the cluster file shared with CLI commands — against a real ``helmlite cluster serve``."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from served import REPO_ROOT, ServedCluster, start_served_cluster

CM = "/api/v1/namespaces/default/configmaps"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"


def configmap(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels},
            "data": {"k": "v"}}


def deployment(name: str, replicas: int = 1, image: str = "nginx:1.25") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


def test_version_and_health(served_cluster: ServedCluster) -> None:
    status, body = served_cluster.json("GET", "/version")
    assert status == 200 and body["gitVersion"].startswith("v1.") and body["major"] == "1"
    for path in ("/healthz", "/readyz", "/livez"):
        assert served_cluster.request("GET", path)[0] == 200


def test_legacy_and_aggregated_discovery(served_cluster: ServedCluster) -> None:
    _, apis = served_cluster.json("GET", "/apis")
    assert apis["kind"] == "APIGroupList"
    assert {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}} in apis["groups"]
    _, apps = served_cluster.json("GET", "/apis/apps/v1")
    names = {r["name"]: r for r in apps["resources"]}
    assert names["deployments"]["shortNames"] == ["deploy"] and names["deployments"]["categories"] == ["all"]
    assert names["deployments/scale"]["kind"] == "Scale" and names["deployments/scale"]["group"] == "autoscaling"
    assert "watch" in names["deployments"]["verbs"]

    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    _, headers, data = served_cluster.request("GET", "/api", headers={"Accept": aggregated})
    assert headers["content-type"].startswith("application/json;g=apidiscovery.k8s.io;v=v2")
    core = json.loads(data)
    assert core["kind"] == "APIGroupDiscoveryList" and core["items"][0]["metadata"]["name"] == ""
    pods = next(r for r in core["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    assert pods["scope"] == "Namespaced"
    assert {s["subresource"] for s in pods["subresources"]} >= {"status", "log", "binding"}


def test_openapi_index_hash_changes_when_a_crd_is_established(served_cluster: ServedCluster) -> None:
    _, index = served_cluster.json("GET", "/openapi/v3")
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    _, document = served_cluster.json("GET", url)
    patch = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert any(p["name"] == "fieldValidation" for p in patch["parameters"])
    assert "apis/example.com/v1" not in index["paths"]
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    status, _ = served_cluster.json("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    assert status == 201
    _, index = served_cluster.json("GET", "/openapi/v3")
    assert "apis/example.com/v1" in index["paths"]
    _, widgets = served_cluster.json("GET", "/apis/example.com/v1")
    assert widgets["resources"][0]["name"] == "widgets"
    status, created = served_cluster.json("POST", "/apis/example.com/v1/namespaces/default/widgets",
                                          {"apiVersion": "example.com/v1", "kind": "Widget",
                                           "metadata": {"name": "w1"}, "spec": {"size": 3}})
    assert status == 201 and created["spec"] == {"size": 3}


def test_crud_selectors_and_not_found(served_cluster: ServedCluster) -> None:
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        status, created = served_cluster.json("POST", CM, configmap(f"crud-{name}", tier=tier, suite="crud"))
        assert status == 201 and created["metadata"]["uid"]
    _, listed = served_cluster.json("GET", f"{CM}?labelSelector=suite%3Dcrud,tier%20in%20(web)")
    assert listed["kind"] == "ConfigMapList" and int(listed["metadata"]["resourceVersion"]) > 0
    assert [i["metadata"]["name"] for i in listed["items"]] == ["crud-a", "crud-c"]
    _, by_name = served_cluster.json("GET", f"{CM}?fieldSelector=metadata.name%3Dcrud-b")
    assert [i["metadata"]["name"] for i in by_name["items"]] == ["crud-b"]
    _, everywhere = served_cluster.json("GET", "/api/v1/configmaps?labelSelector=suite%3Dcrud")
    assert len(everywhere["items"]) == 3

    status, body = served_cluster.json("GET", f"{CM}/missing")
    assert status == 404 and body["reason"] == "NotFound" and body["message"] == 'configmaps "missing" not found'
    status, body = served_cluster.json("POST", CM, configmap("crud-a"))
    assert status == 409 and body["reason"] == "AlreadyExists"
    status, body = served_cluster.json("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
    assert body["message"] == 'deployments.apps "nope" not found' and body["details"]["group"] == "apps"
    status, body = served_cluster.json("DELETE", f"{CM}/crud-b")
    assert status == 200 and body["status"] == "Success"
    assert served_cluster.request("GET", f"{CM}/crud-b")[0] == 404


def test_limit_and_continue_page_through_a_list(served_cluster: ServedCluster) -> None:
    for i in range(5):
        served_cluster.json("POST", CM, configmap(f"page-{i}", suite="page"))
    seen, token = [], ""
    while True:
        _, page = served_cluster.json("GET", f"{CM}?labelSelector=suite%3Dpage&limit=2&continue={token}")
        seen += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue", "")
        if not token:
            break
        assert page["metadata"]["remainingItemCount"] > 0
    assert seen == [f"page-{i}" for i in range(5)]


def test_update_with_a_stale_resource_version_conflicts(served_cluster: ServedCluster) -> None:
    _, created = served_cluster.json("POST", CM, configmap("stale"))
    fresh = {**created, "data": {"k": "v2"}}
    status, updated = served_cluster.json("PUT", f"{CM}/stale", fresh)
    assert status == 200 and updated["data"] == {"k": "v2"}
    status, body = served_cluster.json("PUT", f"{CM}/stale", {**created, "data": {"k": "v3"}})
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "stale": the object has been modified; '
                               "please apply your changes to the latest version and try again")


def test_dry_run_generate_name_and_strict_field_validation(served_cluster: ServedCluster) -> None:
    status, body = served_cluster.json("POST", f"{CM}?dryRun=All", configmap("dry"))
    assert status == 201 and body["metadata"]["uid"]
    assert served_cluster.request("GET", f"{CM}/dry")[0] == 404
    status, body = served_cluster.json("POST", CM, {"apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": {"generateName": "gen-"}})
    assert status == 201 and body["metadata"]["name"].startswith("gen-") and len(body["metadata"]["name"]) == 9
    bad = {**configmap("strict"), "colour": "red"}
    status, body = served_cluster.json("POST", f"{CM}?fieldValidation=Strict", bad)
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
                               'unknown field "colour"')
    status, headers, _ = served_cluster.request("POST", f"{CM}?fieldValidation=Warn", bad)
    assert status == 201 and headers["warning"] == '299 - "unknown field \\"colour\\""'


def test_patch_types(served_cluster: ServedCluster) -> None:
    served_cluster.json("POST", CM, configmap("patched"))
    status, body = served_cluster.json("PATCH", f"{CM}/patched", {"data": {"m": "1"}},
                                       content_type="application/merge-patch+json")
    assert status == 200 and body["data"] == {"k": "v", "m": "1"}
    status, body = served_cluster.json("PATCH", f"{CM}/patched", [{"op": "remove", "path": "/data/k"}],
                                       content_type="application/json-patch+json")
    assert status == 200 and body["data"] == {"m": "1"}
    status, body = served_cluster.json("PATCH", f"{CM}/patched", [{"op": "test", "path": "/data/m", "value": "2"}],
                                       content_type="application/json-patch+json")
    assert status == 422 and body["reason"] == "Invalid"
    status, body = served_cluster.json("PATCH", f"{CM}/patched", {"data": {}}, content_type="text/plain")
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    # Server-side apply: creates (201), then conflicts with another manager unless forced.
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"owner": "a"}}
    status, _ = served_cluster.json("PATCH", f"{CM}/ssa?fieldManager=alice", applied,
                                    content_type="application/apply-patch+yaml")
    assert status == 201
    other = {**applied, "data": {"owner": "b"}}
    status, body = served_cluster.json("PATCH", f"{CM}/ssa?fieldManager=bob", other,
                                       content_type="application/apply-patch+yaml")
    assert status == 409 and body["message"].startswith('Apply failed with 1 conflict: conflict with "alice"')
    status, body = served_cluster.json("PATCH", f"{CM}/ssa?fieldManager=bob&force=true", other,
                                       content_type="application/apply-patch+yaml")
    assert status == 200 and body["data"] == {"owner": "b"}
    yaml_body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  owner: b\n  extra: x\n"
    status, _, data = served_cluster.request("PATCH", f"{CM}/ssa?fieldManager=bob", yaml_body,
                                                   content_type="application/apply-patch+yaml")
    assert status == 200 and json.loads(data)["data"]["extra"] == "x"


def test_scale_and_status_subresources(served_cluster: ServedCluster) -> None:
    status, _ = served_cluster.json("POST", DEPLOYMENTS, deployment("scaled", replicas=1))
    assert status == 201
    _, scale = served_cluster.json("GET", f"{DEPLOYMENTS}/scaled/scale")
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1" and scale["spec"] == {"replicas": 1}
    status, scale = served_cluster.json("PATCH", f"{DEPLOYMENTS}/scaled/scale", {"spec": {"replicas": 3}},
                                        content_type="application/merge-patch+json")
    assert status == 200 and scale["spec"]["replicas"] == 3 and scale["status"]["selector"] == "app=scaled"
    stale = {**scale, "spec": {"replicas": 4}, "metadata": {**scale["metadata"], "resourceVersion": "1"}}
    assert served_cluster.json("PUT", f"{DEPLOYMENTS}/scaled/scale", stale)[0] == 409
    status, obj = served_cluster.json("GET", f"{DEPLOYMENTS}/scaled/status")
    assert status == 200 and obj["kind"] == "Deployment"
    status, body = served_cluster.json("PATCH", f"{DEPLOYMENTS}/scaled/status",
                                       {"status": {"observedGeneration": 42}},
                                       content_type="application/merge-patch+json")
    assert status == 200 and body["status"]["observedGeneration"] == 42


def test_pod_logs_and_binding(served_cluster: ServedCluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "logger"},
           "spec": {"schedulerName": "manual", "containers": [{"name": "app", "image": "busybox:1.36",
                                                               "command": ["echo", "hello"]}]}}
    assert served_cluster.json("POST", "/api/v1/namespaces/default/pods", pod)[0] == 201
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "logger"},
               "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}}
    status, _ = served_cluster.json("POST", "/api/v1/namespaces/default/pods/logger/binding", binding)
    assert status == 201
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, _headers, data = served_cluster.request("GET", "/api/v1/namespaces/default/pods/logger/log")
        if status == 200 and b"hello" in data:
            break
        time.sleep(0.3)
    assert status == 200 and b"hello\n" in data
    _, _, tail = served_cluster.request("GET", "/api/v1/namespaces/default/pods/logger/log?tailLines=1")
    assert tail.count(b"\n") == 1


def _watch(served: ServedCluster, path: str, *, events: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    parts = urlsplit(served.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    assert response.status == 200
    out = []
    while len(out) < events:
        line = response.readline()
        if not line:
            break
        out.append(json.loads(line))
    conn.close()
    return out


def test_watch_resume_and_watch_list_bookmark(served_cluster: ServedCluster) -> None:
    _, first = served_cluster.json("POST", CM, configmap("watched-1", suite="watch"))
    rv = first["metadata"]["resourceVersion"]
    served_cluster.json("POST", CM, configmap("watched-2", suite="watch"))
    served_cluster.json("DELETE", f"{CM}/watched-1")
    events = _watch(served_cluster, f"{CM}?watch=true&resourceVersion={rv}&labelSelector=suite%3Dwatch"
                    "&timeoutSeconds=5", events=2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "watched-2"),
                                                                             ("DELETED", "watched-1")]
    deleted_rv = int(events[1]["object"]["metadata"]["resourceVersion"])
    assert deleted_rv > int(events[0]["object"]["metadata"]["resourceVersion"])

    events = _watch(served_cluster, f"{CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                    "&allowWatchBookmarks=true&labelSelector=suite%3Dwatch&timeoutSeconds=5", events=2)
    assert events[0]["type"] == "ADDED" and events[0]["object"]["metadata"]["name"] == "watched-2"
    assert events[1]["type"] == "BOOKMARK"
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}

    events = _watch(served_cluster, f"{CM}?watch=true&resourceVersion=1&timeoutSeconds=5", events=1)
    assert events[0]["type"] == "ERROR" and events[0]["object"]["code"] == 410
    assert events[0]["object"]["reason"] == "Expired"


def test_watch_sees_a_change_made_while_it_is_open(served_cluster: ServedCluster) -> None:
    _, listed = served_cluster.json("GET", f"{CM}?labelSelector=suite%3Dlive")
    parts = urlsplit(served_cluster.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=20)
    conn.request("GET", f"{CM}?watch=true&labelSelector=suite%3Dlive&timeoutSeconds=10"
                 f"&resourceVersion={listed['metadata']['resourceVersion']}")
    response = conn.getresponse()
    served_cluster.json("POST", CM, configmap("live-1", suite="live"))
    event = json.loads(response.readline())
    conn.close()
    assert event["type"] == "ADDED" and event["object"]["metadata"]["name"] == "live-1"


def test_cli_commands_and_the_server_share_the_cluster_file(served_cluster: ServedCluster) -> None:
    served_cluster.json("POST", CM, configmap("from-server"))
    cli = [sys.executable, "-m", "helmlite", "cluster"]
    shown = served_cluster.run(*cli, "get", "configmaps")
    assert "from-server" in shown.stdout
    manifest = served_cluster.home / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-cli\ndata:\n  a: b\n")
    served_cluster.run(*cli, "apply", "-f", str(manifest))
    status, body = served_cluster.json("GET", f"{CM}/from-cli")
    assert status == 200 and body["data"] == {"a": "b"}
    served_cluster.json("POST", CM, configmap("after-cli"))
    assert "after-cli" in served_cluster.run(*cli, "get", "configmaps").stdout


def test_accepted_sockets_disable_nagle(served_cluster: ServedCluster) -> None:
    # Observable from the client side only indirectly; check the server's accept path instead:
    # asyncio enables TCP_NODELAY only on sockets created with IPPROTO_TCP, as _bind does.
    from helmlite.apiserver.server import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_bearer_token_is_required_when_configured(tmp_path: Any) -> None:
    served = start_served_cluster(tmp_path / "auth", token="s3cret")
    try:
        status, body = served.json("GET", "/version", headers={"Authorization": "Bearer wrong"})
        assert status == 401 and body["reason"] == "Unauthorized"
        assert served.json("GET", "/version")[0] == 200
    finally:
        served.stop()
    assert served.process.returncode is not None


def test_serve_rejects_a_bad_address(tmp_path: Any) -> None:
    result = subprocess.run([sys.executable, "-m", "helmlite", "cluster", "serve", "--cluster",
                             str(tmp_path / "c.db"), "--address", "nonsense"], check=False, capture_output=True,
                            text=True, cwd=REPO_ROOT)
    assert result.returncode == 1
    assert 'invalid address "nonsense": expected HOST:PORT' in result.stderr


def test_watchers_see_changes_another_process_commits(served_cluster: ServedCluster) -> None:
    _, listed = served_cluster.json("GET", f"{CM}?fieldSelector=metadata.name%3Dwritten-by-cli")
    parts = urlsplit(served_cluster.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    conn.request("GET", f"{CM}?watch=true&fieldSelector=metadata.name%3Dwritten-by-cli&timeoutSeconds=20"
                 f"&resourceVersion={listed['metadata']['resourceVersion']}")
    response = conn.getresponse()
    manifest = served_cluster.home / "cli-cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: written-by-cli\ndata:\n  a: b\n")
    served_cluster.run(sys.executable, "-m", "helmlite", "cluster", "apply", "-f", str(manifest))
    event = json.loads(response.readline())  # the server notices the file changed within a second
    conn.close()
    assert event["type"] == "ADDED" and event["object"]["data"] == {"a": "b"}
