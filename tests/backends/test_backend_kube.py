"""The kube backend: connection resolution (kubeconfig, Helm's kube flags, TLS, tokens,
impersonation), error mapping, and the release verbs through ``helmlite --backend kube``
against the simulator served as a Kubernetes API (``helmlite cluster serve``). The Session
contract it shares with the simulator is tested in ``test_backend_contract.py``.

The served cluster runs in wall-clock time, so waits here take real (short) seconds.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

pytest.importorskip("kubernetes", reason="the kube backend needs the kubernetes client (pip install 'helmlite[kube]')")

from backend_objects import WIDGET_CRD
from kube_served import (  # noqa: F401 - served_api_fixture registers the served_api fixture
    CONFIGMAP_TEMPLATE,
    DEPLOYMENT_TEMPLATE,
    ServedCluster,
    add_fault,
    served_api_fixture,
    served_in,
    write_chart,
)

from helmlite.backends import (
    BackendUnavailable,
    ResourceConflict,
    ResourceExists,
    ResourceForbidden,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    get_backend,
)
from helmlite.backends.kube import (
    KubeBackend,
    KubeConnection,
    api_error,
    label_selector_string,
)
from helmlite.cli.options import global_options, settings

# --- connection --------------------------------------------------------------------------------


def write_kubeconfig(path: Path, *, current: str | None, contexts: dict[str, tuple[str, str]]) -> Path:
    """A kubeconfig with one cluster+user per context: ``{context: (server, token)}``."""
    config: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}
    if current:
        config["current-context"] = current
    for name, (server, token) in contexts.items():
        config["clusters"].append({"name": name, "cluster": {"server": server}})
        config["users"].append({"name": name, "user": {"token": token}})
        config["contexts"].append({"name": name, "context": {"cluster": name, "user": name, "namespace": "team"}})
    path.write_text(json.dumps(config))
    return path


@pytest.fixture
def no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ambient kubeconfig or in-cluster environment leaks into a test."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    return tmp_path


def test_kubeconfig_context_and_kubeconfig_list(no_kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_kubeconfig(no_kubeconfig / "a.yaml", current="dev",
                             contexts={"dev": ("http://dev.example:8080/", "t-dev")})
    second = write_kubeconfig(no_kubeconfig / "b.yaml", current=None,
                              contexts={"prod": ("http://prod.example:8080", "t-prod")})
    config = KubeConnection(kubeconfig=str(first)).configuration()
    assert config.host == "http://dev.example:8080"
    assert config.api_key["BearerToken"] == "Bearer t-dev"
    # $KUBECONFIG is a colon-separated list, merged; --kube-context picks from any file
    monkeypatch.setenv("KUBECONFIG", f"{first}:{no_kubeconfig / 'missing.yaml'}:{second}")
    assert KubeConnection(context="prod").configuration().host == "http://prod.example:8080"
    assert KubeConnection().configuration().host == "http://dev.example:8080"


def test_flags_override_the_kubeconfig(no_kubeconfig: Path) -> None:
    kubeconfig = write_kubeconfig(no_kubeconfig / "a.yaml", current="dev", contexts={"dev": ("http://dev:1", "old")})
    ca = no_kubeconfig / "ca.crt"
    ca.write_text("not checked until a TLS handshake\n")
    config = KubeConnection(kubeconfig=str(kubeconfig), apiserver="https://127.0.0.1:6443/", token="new",
                            ca_file=str(ca), insecure_skip_tls_verify=True).configuration()
    assert (config.host, config.api_key["BearerToken"], config.ssl_ca_cert, config.verify_ssl) == (
        "https://127.0.0.1:6443", "Bearer new", str(ca), False)
    # --kube-apiserver alone needs no kubeconfig at all
    assert KubeConnection(apiserver="http://127.0.0.1:9").configuration().host == "http://127.0.0.1:9"


def test_unusable_connections_say_what_to_pass(no_kubeconfig: Path) -> None:
    with pytest.raises(BackendUnavailable, match=r"^Kubernetes cluster unreachable: no kubeconfig found .*"
                                                 r"pass --kubeconfig, or --kube-apiserver URL$"):
        KubeConnection().configuration()
    with pytest.raises(BackendUnavailable, match=r"kubeconfig '/nope.yaml' does not exist"):
        KubeConnection(kubeconfig="/nope.yaml").configuration()
    kubeconfig = write_kubeconfig(no_kubeconfig / "a.yaml", current="dev", contexts={"dev": ("http://dev:1", "t")})
    with pytest.raises(BackendUnavailable, match="invalid kubeconfig: .*staging"):
        KubeConnection(kubeconfig=str(kubeconfig), context="staging").configuration()
    with pytest.raises(BackendUnavailable, match="--kube-ca-file '/nope.crt' does not exist"):
        KubeConnection(apiserver="https://x:1", ca_file="/nope.crt").configuration()


def test_a_server_that_does_not_answer_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = get_backend("kube", kube=KubeConnection(apiserver=f"http://127.0.0.1:{port}"))
    assert isinstance(backend, KubeBackend) and backend.name == "kube"
    unreachable = rf"^Kubernetes cluster unreachable: GET http://127.0.0.1:{port}/version: .*(refused|Max retries)"
    with pytest.raises(BackendUnavailable, match=unreachable), backend.session():
        pass


def test_kube_flags_and_their_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    @global_options
    def show() -> None:
        click.echo(repr(settings().kube_connection()))

    for var in ("KUBECONFIG", "HELMLITE_KUBECONTEXT", "HELMLITE_KUBEAPISERVER", "HELMLITE_KUBETOKEN",
                "HELMLITE_KUBECAFILE", "HELMLITE_KUBEINSECURE_SKIP_TLS_VERIFY", "HELMLITE_KUBEASUSER",
                "HELMLITE_KUBEASGROUPS", "HELMLITE_KUBETLS_SERVER_NAME"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    flags = ["--kube-apiserver", "https://k:6443", "--kube-token", "tok", "--kube-ca-file", "/ca.crt",
             "--kube-insecure-skip-tls-verify", "--kube-context", "dev", "--kubeconfig", "/k.yaml",
             "--kube-as-user", "jane", "--kube-as-group", "dev", "--kube-as-group", "ops",
             "--kube-tls-server-name", "k.internal"]
    assert runner.invoke(show, flags).output == repr(KubeConnection(
        kubeconfig="/k.yaml", context="dev", apiserver="https://k:6443", token="tok", ca_file="/ca.crt",
        insecure_skip_tls_verify=True, as_user="jane", as_groups=("dev", "ops"),
        tls_server_name="k.internal")) + "\n"
    monkeypatch.setenv("KUBECONFIG", "/a:/b")
    monkeypatch.setenv("HELMLITE_KUBEAPISERVER", "http://env:1")
    monkeypatch.setenv("HELMLITE_KUBETOKEN", "envtok")
    monkeypatch.setenv("HELMLITE_KUBECAFILE", "/env.crt")
    monkeypatch.setenv("HELMLITE_KUBEINSECURE_SKIP_TLS_VERIFY", "true")
    monkeypatch.setenv("HELMLITE_KUBEASUSER", "bot")
    monkeypatch.setenv("HELMLITE_KUBEASGROUPS", "a,b")  # comma-separated, as HELM_KUBEASGROUPS
    monkeypatch.setenv("HELMLITE_KUBETLS_SERVER_NAME", "env.internal")
    assert runner.invoke(show, []).output == repr(KubeConnection(
        kubeconfig="/a:/b", apiserver="http://env:1", token="envtok", ca_file="/env.crt",
        insecure_skip_tls_verify=True, as_user="bot", as_groups=("a", "b"), tls_server_name="env.internal")) + "\n"
    # the flag replaces the environment's groups
    assert "as_groups=('x',)" in runner.invoke(show, ["--kube-as-group", "x"]).output


# --- errors and selectors ----------------------------------------------------------------------


def status_exception(code: int, reason: str, message: str) -> Any:
    from kubernetes.client.exceptions import ApiException

    body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                       "reason": reason, "code": code})
    return ApiException(status=code, reason="HTTP reason", body=body)


@pytest.mark.parametrize(("code", "reason", "error"), [
    (404, "NotFound", ResourceNotFound),
    (409, "AlreadyExists", ResourceExists),
    (409, "Conflict", ResourceConflict),
    (422, "Invalid", ResourceInvalid),
    (400, "BadRequest", ResourceInvalid),
    (403, "Forbidden", ResourceForbidden),
    (405, "MethodNotAllowed", ResourceForbidden),
])
def test_api_exceptions_map_onto_the_error_subtree(code: int, reason: str, error: type) -> None:
    mapped = api_error(status_exception(code, reason, f"the {reason} message"))
    assert type(mapped) is error
    assert (str(mapped), mapped.reason, mapped.code) == (f"the {reason} message", reason, code)


def test_an_error_without_a_status_body_names_the_http_status() -> None:
    from kubernetes.client.exceptions import ApiException

    mapped = api_error(ApiException(status=503, reason="Service Unavailable", body="upstream connect error"))
    assert (str(mapped), mapped.code) == ("the server responded 503 Service Unavailable", 503)


def test_label_selectors_as_query_strings() -> None:
    assert label_selector_string({}) == ""
    assert label_selector_string({
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                             {"key": "zone", "operator": "NotIn", "values": ["a"]},
                             {"key": "canary", "operator": "Exists"},
                             {"key": "legacy", "operator": "DoesNotExist"}],
    }) == "app=shop,tier=web,env in (dev,prod),zone notin (a),canary,!legacy"


# --- TLS, tokens, impersonation, the kubeconfig's namespace ------------------------------------------


@pytest.fixture
def kube_env(no_kubeconfig: Path, isolated_home: Path, cli: Any) -> Any:
    """``helmlite … --backend kube`` in process, with no ambient kubeconfig."""

    def run(*args: str) -> Any:
        return cli("--backend", "kube", *args)

    return run


def test_tls_and_a_bearer_token_from_the_served_clusters_kubeconfig(kube_env: Any, tmp_path: Path) -> None:
    """``helmlite cluster serve --tls --token T`` and ``helmlite cluster kubeconfig -n team``: the
    kubeconfig carries the server's CA and the token, and its context's namespace is where a
    release goes without ``-n``."""
    with served_in(tmp_path / "served", tls=True, token="s3cret") as served:
        kubeconfig = tmp_path / "team.kubeconfig"
        written = kube_env("cluster", "kubeconfig", "--cluster", str(served.cluster_path), "-n", "team",
                           "-o", str(kubeconfig))
        assert written.exit_code == 0, written.stderr
        assert served.url.startswith("https://127.0.0.1:")
        chart = str(write_chart(tmp_path / "chart", "tlsapp"))
        installed = kube_env("install", "web", chart, "--kubeconfig", str(kubeconfig), "--create-namespace", "--wait")
        assert installed.exit_code == 0, installed.stderr
        assert "NAMESPACE: team" in installed.stdout
        listed = kube_env("list", "-o", "json", "--kubeconfig", str(kubeconfig))
        assert [(r["name"], r["namespace"]) for r in json.loads(listed.stdout)] == [("web", "team")]
        # -n still wins over the context's namespace
        assert json.loads(kube_env("list", "-n", "default", "-o", "json", "--kubeconfig", str(kubeconfig)).stdout) == []
        with KubeBackend(KubeConnection(kubeconfig=str(kubeconfig))).session() as session:
            assert session.get(ResourceRef("v1", "ConfigMap", "team", "web-config")) is not None
        wrong = kube_env("list", "--kubeconfig", str(kubeconfig), "--kube-token", "guess")
        assert (wrong.exit_code, wrong.stderr) == (1, "Error: Kubernetes cluster unreachable: Unauthorized\n")


def test_the_certificate_is_checked_against_the_tls_server_name(tmp_path: Path) -> None:
    from helmlite.apiserver.kubeconfig import endpoint_dir

    with served_in(tmp_path / "served", tls=True, token="s3cret") as served:
        ca_file = str(endpoint_dir(served.cluster_path) / "ca.crt")

        def connect(**flags: str) -> None:
            with KubeBackend(KubeConnection(apiserver=served.url, token="s3cret", ca_file=ca_file, **flags)).session():
                pass

        connect()
        connect(tls_server_name="localhost")  # also a name the certificate carries
        with pytest.raises(BackendUnavailable, match="certificate is not valid for 'wrong.example'"):
            connect(tls_server_name="wrong.example")


def test_impersonation_sends_one_header_a_group(tmp_path: Path) -> None:
    """--kube-as-user/--kube-as-group as client-go sends them (the served simulator does not
    authorize, so a plain HTTP server records what arrives)."""
    import http.server
    import threading

    received: list[tuple[list[str], list[str]]] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append((self.headers.get_all("Impersonate-User") or [],
                             self.headers.get_all("Impersonate-Group") or []))
            body = b'{"gitVersion": "v1.37.0"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with KubeBackend(KubeConnection(apiserver=url, as_user="jane", as_groups=("dev", "ops"))).session():
            pass
        with KubeBackend(KubeConnection(apiserver=url)).session():
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert received == [(["jane"], ["dev", "ops"]), ([], [])]


def test_the_namespace_of_the_kubeconfig_context(no_kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kubeconfig = no_kubeconfig / "config.yaml"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "dev",
        "clusters": [{"name": "c", "cluster": {"server": "http://c:1"}}], "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "dev", "context": {"cluster": "c", "user": "u", "namespace": "team"}},
                     {"name": "bare", "context": {"cluster": "c", "user": "u"}}]}))
    assert KubeConnection(kubeconfig=str(kubeconfig)).namespace() == "team"
    assert KubeConnection(kubeconfig=str(kubeconfig), context="bare").namespace() == ""
    assert KubeConnection(apiserver="http://c:1").namespace() == ""

    @click.command()
    @global_options
    def show() -> None:
        click.echo(settings().release_namespace())

    monkeypatch.delenv("HELMLITE_NAMESPACE", raising=False)
    monkeypatch.delenv("HELMLITE_BACKEND", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    runner = CliRunner()
    assert runner.invoke(show, ["--backend", "kube"]).output == "team\n"
    assert runner.invoke(show, ["--backend", "kube", "--kube-context", "bare"]).output == "default\n"
    assert runner.invoke(show, ["--backend", "kube", "-n", "other"]).output == "other\n"
    # The simulator is in no kubeconfig.
    assert runner.invoke(show, []).output == "default\n"
    monkeypatch.setenv("HELMLITE_NAMESPACE", "from-env")
    assert runner.invoke(show, ["--backend", "kube"]).output == "from-env\n"


# --- the release verbs through `helmlite --backend kube` ---------------------------------------------

HOOK_TEMPLATE = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: hook-succeeded
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
          command: ["echo", "migrated"]
"""
WIDGET_TEMPLATE = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: {{ .Release.Name }}-widget
spec:
  size: 1
"""


def helm_chart(root: Path) -> Path:
    """A Helm (Go template) chart with a ConfigMap, a Deployment, a pre-install hook Job and a
    custom resource whose CRD is in ``crds/``."""
    return write_chart(root, "kubeapp", templates={
        "configmap.yaml": CONFIGMAP_TEMPLATE, "deployment.yaml": DEPLOYMENT_TEMPLATE, "hook.yaml": HOOK_TEMPLATE,
        "widget.yaml": WIDGET_TEMPLATE}, crds={"widgets.yaml": json.dumps(WIDGET_CRD)})


@pytest.fixture
def kube(served_api: ServedCluster, no_kubeconfig: Path, isolated_home: Path, cli: Any) -> Any:
    """``helmlite … --backend kube --kube-apiserver URL``, in process (no ambient kubeconfig)."""

    def run(*args: str) -> Any:
        return cli(*args, "--backend", "kube", "--kube-apiserver", served_api.url)

    return run


def history_of(kube: Any, name: str) -> list[tuple[int, str, str]]:
    result = kube("history", name, "-o", "json")
    assert result.exit_code == 0, result.stderr
    return [(r["revision"], r["status"], r["description"]) for r in json.loads(result.stdout)]


def test_install_upgrade_rollback_uninstall(kube: Any, tmp_path: Path, served_api: ServedCluster) -> None:
    chart = str(helm_chart(tmp_path / "kubeapp"))
    installed = kube("install", "web", chart, "--wait", "--timeout", "2m")
    assert installed.exit_code == 0, installed.stderr
    assert "STATUS: deployed" in installed.stdout
    with KubeBackend(KubeConnection(apiserver=served_api.url)).session() as session:
        # crds/ first, then the custom resource; the hook ran and was deleted on success
        assert session.get(ResourceRef("example.com/v1", "Widget", "default", "web-widget")) is not None
        assert session.get(ResourceRef("batch/v1", "Job", "default", "web-migrate")) is None
        record = session.get(ResourceRef("v1", "Secret", "default", "sh.helm.release.v1.web.v1"))
        assert record is not None and record["type"] == "helm.sh/release.v1"
        assert record["metadata"]["labels"]["owner"] == "helm"
        applied = session.get(ResourceRef("v1", "ConfigMap", "default", "web-config"))
        assert applied is not None and applied["metadata"]["managedFields"][0]["manager"] == "helmlite"
    upgraded = kube("upgrade", "web", chart, "--set", "greeting=hi", "--wait")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert kube("get", "values", "web", "-o", "json").stdout.strip() == '{"greeting":"hi"}'
    rolled = kube("rollback", "web", "1")
    assert rolled.exit_code == 0, rolled.stderr
    assert history_of(kube, "web") == [(1, "superseded", "Install complete"), (2, "superseded", "Upgrade complete"),
                                       (3, "deployed", "Rollback to 1")]
    listed = json.loads(kube("list", "-o", "json").stdout)
    assert [(r["name"], r["revision"], r["status"]) for r in listed] == [("web", "3", "deployed")]
    removed = kube("uninstall", "web", "--wait")
    assert removed.exit_code == 0 and 'release "web" uninstalled' in removed.stdout
    with KubeBackend(KubeConnection(apiserver=served_api.url)).session() as session:
        assert session.get(ResourceRef("v1", "ConfigMap", "default", "web-config")) is None
        assert session.list("v1", "Secret", namespace="default", label_selector="owner=helm") == []


def test_wait_fails_naming_the_blocking_pod(kube: Any, tmp_path: Path, served_api: ServedCluster) -> None:
    add_fault(served_api, {"kind": "image-pull", "image": "nginx:9.99"})
    chart = str(helm_chart(tmp_path / "kubeapp"))
    failed = kube("install", "web", chart, "--set", "image=nginx:9.99", "--wait", "--timeout", "6s")
    assert failed.exit_code == 1
    assert re.search(r"^Error: .*timed out waiting for the condition: Deployment/default/web-web: 0/1 ready, "
                     r"pod web-web-\S+: (ImagePullBackOff|ErrImagePull)$", failed.stderr, re.MULTILINE), failed.stderr
    assert history_of(kube, "web")[0][:2] == (1, "failed")


def test_server_dry_run_changes_nothing_and_finds_immutable_changes(kube: Any, tmp_path: Path,
                                                                    served_api: ServedCluster) -> None:
    root = helm_chart(tmp_path / "kubeapp")
    # A dry run installs no CRDs, so the custom resource could not be mapped (as in Helm).
    (root / "templates" / "widget.yaml").unlink()
    chart = str(root)
    dry = kube("install", "web", chart, "--dry-run=server")
    assert dry.exit_code == 0, dry.stderr
    with KubeBackend(KubeConnection(apiserver=served_api.url)).session() as session:
        assert session.list("v1", "ConfigMap", namespace="default", label_selector="app.kubernetes.io/managed-by=Helm") == []
    assert kube("install", "web", chart).exit_code == 0
    moved = kube("upgrade", "web", chart, "--set", "app=other")
    assert moved.exit_code == 1
    assert re.search(r'Deployment.apps "web-web" is invalid: spec.selector: .*field is immutable.*'
                     r"nothing was changed", moved.stderr), moved.stderr
    assert [r[:2] for r in history_of(kube, "web")] == [(1, "deployed")]


def test_field_manager_conflicts_need_force_conflicts(kube: Any, tmp_path: Path, served_api: ServedCluster) -> None:
    chart = str(helm_chart(tmp_path / "kubeapp"))
    assert kube("install", "web", chart).exit_code == 0
    with KubeBackend(KubeConnection(apiserver=served_api.url)).session() as session:
        session.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config", "namespace": "default"},
                       "data": {"greeting": "edited by hand"}}, field_manager="kubectl", force=True)
    refused = kube("upgrade", "web", chart, "--set", "greeting=new")
    assert refused.exit_code == 1
    assert 'Apply failed with 1 conflict: conflict with "kubectl"' in refused.stderr
    forced = kube("upgrade", "web", chart, "--set", "greeting=new", "--force-conflicts")
    assert forced.exit_code == 0, forced.stderr
    with KubeBackend(KubeConnection(apiserver=served_api.url)).session() as session:
        cm = session.get(ResourceRef("v1", "ConfigMap", "default", "web-config"))
        assert cm is not None and cm["data"] == {"greeting": "new"}
