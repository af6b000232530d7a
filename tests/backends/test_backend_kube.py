"""The kube backend: connection resolution, error mapping, and the Backend contract against the
simulator served as a Kubernetes API (``helmlite cluster serve``), directly and through
``helmlite --backend kube --kube-apiserver URL``.

The served cluster runs in wall-clock time, so waits here take real (short) seconds.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

pytest.importorskip("kubernetes", reason="the kube backend needs the kubernetes client (pip install 'helmlite[kube]')")

from kube_served import ServedApi, served_api_in

from helmlite.backends import (
    Backend,
    BackendUnavailable,
    ReadyStatus,
    ResourceConflict,
    ResourceExists,
    ResourceForbidden,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    ResourceStatus,
    Session,
    UnknownKind,
    WaitTarget,
    get_backend,
)
from helmlite.backends.kube import (
    KubeBackend,
    KubeConnection,
    KubeSession,
    api_error,
    label_selector_string,
)
from helmlite.cli.options import global_options, settings


def deployment(name: str = "web", image: str = "nginx:1.25", replicas: int = 2, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": name, "image": image}]}},
            **spec,
        },
    }


def service(name: str = "web") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}


def job(name: str, command: list[str]) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
            "spec": {"backoffLimit": 0, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "main", "image": "busybox:1.36", "command": command}]}}}}


WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object",
                                                          "x-kubernetes-preserve-unknown-fields": True}}}]},
}


def ref(obj: dict[str, Any]) -> ResourceRef:
    return ResourceRef.of(obj)


@pytest.fixture
def served_api(tmp_path: Path) -> Iterator[ServedApi]:
    """The simulator served as a Kubernetes API, of its own for this test."""
    with served_api_in(tmp_path) as served:
        yield served


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
                "HELMLITE_KUBECAFILE", "HELMLITE_KUBEINSECURE_SKIP_TLS_VERIFY"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    flags = ["--kube-apiserver", "https://k:6443", "--kube-token", "tok", "--kube-ca-file", "/ca.crt",
             "--kube-insecure-skip-tls-verify", "--kube-context", "dev", "--kubeconfig", "/k.yaml"]
    assert runner.invoke(show, flags).output == repr(KubeConnection(
        kubeconfig="/k.yaml", context="dev", apiserver="https://k:6443", token="tok", ca_file="/ca.crt",
        insecure_skip_tls_verify=True)) + "\n"
    monkeypatch.setenv("KUBECONFIG", "/a:/b")
    monkeypatch.setenv("HELMLITE_KUBEAPISERVER", "http://env:1")
    monkeypatch.setenv("HELMLITE_KUBETOKEN", "envtok")
    monkeypatch.setenv("HELMLITE_KUBECAFILE", "/env.crt")
    monkeypatch.setenv("HELMLITE_KUBEINSECURE_SKIP_TLS_VERIFY", "true")
    assert runner.invoke(show, []).output == repr(KubeConnection(
        kubeconfig="/a:/b", apiserver="http://env:1", token="envtok", ca_file="/env.crt",
        insecure_skip_tls_verify=True)) + "\n"


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


# --- the contract against the served simulator ---------------------------------------------------


@pytest.fixture
def session(served_api: ServedApi) -> Iterator[KubeSession]:
    with KubeBackend(KubeConnection(apiserver=served_api.url)).session() as s:
        yield s


def test_backend_and_session_satisfy_the_protocols(served_api: ServedApi) -> None:
    backend = KubeBackend(KubeConnection(apiserver=served_api.url))
    assert isinstance(backend, Backend)
    with backend.session() as s:
        assert isinstance(s, Session)


def test_deployment_and_service_become_ready_watching_the_cluster(session: KubeSession) -> None:
    seen: list[Sequence[ResourceStatus]] = []
    session.apply(deployment())
    session.apply(service())
    result = session.wait_ready([ref(deployment()), ref(service())], timeout=120, progress=seen.append)
    assert result.ready and not result.timed_out and result.message() == ""
    assert [s.describe() for s in result.statuses] == ["Deployment/default/web: 2/2 ready", "Service/default/web: ready"]
    assert seen[0][0].status is ReadyStatus.IN_PROGRESS and seen[-1] == list(result.statuses)
    assert all(a != b for a, b in itertools.pairwise(seen))
    assert [p["metadata"]["name"][:4] for p in session.list("v1", "Pod", namespace="default",
                                                           label_selector="app=web")] == ["web-", "web-"]
    assert session.events(ref(deployment()))[0]["reason"] == "ScalingReplicaSet"


def test_an_image_that_cannot_be_pulled_times_out_naming_the_pod(session: KubeSession, served_api: ServedApi) -> None:
    served_api.add_fault({"kind": "image-pull", "image": "nginx:9.99"})
    session.apply(deployment(image="nginx:9.99", replicas=1))
    result = session.wait_ready([ref(deployment())], timeout=8)
    assert not result.ready and result.timed_out and result.elapsed >= 8
    assert re.fullmatch(r"timed out waiting for the condition: Deployment/default/web: 0/1 ready, "
                        r"pod web-[a-z0-9]+-[a-z0-9]{5}: (ImagePullBackOff|ErrImagePull)", result.message())


def test_hook_jobs_must_complete_even_when_deleted_at_once(session: KubeSession) -> None:
    ok, bad = job("migrate", ["echo", "done"]), job("broken", ["sh", "-c", "exit 3"])
    ok["spec"]["ttlSecondsAfterFinished"] = 0
    session.apply(ok)
    session.apply(bad)
    done = session.wait_ready([ref(ok)], timeout=60, target=WaitTarget.HOOKS)
    assert done.ready and [s.describe() for s in done.statuses] == ["Job/default/migrate: complete (1/1 succeeded)"]
    failed = session.wait_ready([ref(bad)], timeout=60, target=WaitTarget.HOOKS)
    assert not failed.ready and not failed.timed_out
    assert failed.statuses[0].status is ReadyStatus.FAILED
    assert failed.statuses[0].message.startswith("failed: BackoffLimitExceeded")


def test_paused_deployments_and_missing_objects(session: KubeSession) -> None:
    paused = deployment(paused=True)
    session.apply(paused)
    assert session.wait_ready([ref(paused)], timeout=30).statuses == ()
    result = session.wait_ready([ResourceRef("v1", "ConfigMap", "default", "nope")], timeout=1)
    assert result.timed_out and result.message() == "timed out waiting for the condition: ConfigMap/default/nope: not found"


def test_a_crd_is_established_and_its_kind_served_at_once(session: KubeSession) -> None:
    with pytest.raises(UnknownKind, match='^no matches for kind "Widget" in version "example.com/v1"$'):
        session.namespaced("example.com/v1", "Widget")
    session.apply(WIDGET_CRD)
    assert session.wait_ready([ref(WIDGET_CRD)], timeout=60).ready
    assert session.namespaced("example.com/v1", "Widget") and not session.namespaced("v1", "Namespace")
    caps = session.capabilities()
    assert caps.kube_version.version.startswith("v1.")
    assert {"v1", "apps/v1", "apps/v1/Deployment", "example.com/v1", "example.com/v1/Widget"} <= set(caps.api_versions)
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"},
              "spec": {"size": 3}}
    session.apply(widget)
    assert [w["spec"] for w in session.list("example.com/v1", "Widget")] == [{"size": 3}]


def test_dry_run_reports_an_immutable_change_and_changes_nothing(session: KubeSession) -> None:
    session.apply(deployment())
    before = session.get(ref(deployment()))
    moved = deployment()
    moved["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    moved["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(ResourceInvalid, match=r'^Deployment.apps "web" is invalid: spec.selector: .*field is immutable'):
        session.apply(moved, dry_run=True)
    assert session.apply(deployment(replicas=5), dry_run=True)["spec"]["replicas"] == 5
    assert session.apply(deployment(name="fresh"), dry_run=True)["metadata"]["name"] == "fresh"
    assert session.get(ref(deployment())) == before
    assert session.get(ref(deployment(name="fresh"))) is None


def test_api_errors_keep_the_api_servers_message(session: KubeSession) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
          "data": {"a": "1"}}
    session.create(cm)
    with pytest.raises(ResourceExists, match='^configmaps "cfg" already exists$'):
        session.create(cm)
    with pytest.raises(ResourceNotFound, match='^namespaces "nowhere" not found$'):
        session.apply({**cm, "metadata": {"name": "cfg", "namespace": "nowhere"}})
    with pytest.raises(UnknownKind, match="no matches for kind"):
        session.get(ResourceRef("example.com/v1", "Gadget", "default", "x"))
    session.apply({**cm, "data": {"a": "2"}}, field_manager="kubectl", force=True)
    with pytest.raises(ResourceConflict, match='^Apply failed with 1 conflict: conflict with "kubectl"'):
        session.apply({**cm, "data": {"a": "3"}})
    assert session.apply({**cm, "data": {"a": "3"}}, force=True)["data"] == {"a": "3"}
    with pytest.raises(ResourceInvalid, match="unknown field"):
        session.apply({**cm, "spec": {"typo": True}})
    with pytest.raises(ResourceInvalid, match='unsupported propagation policy "Sideways"'):
        session.delete(ref(cm), propagation="Sideways")


def test_delete_and_wait_for_deletion(session: KubeSession) -> None:
    session.apply(deployment())
    assert session.wait_ready([ref(deployment())], timeout=120).ready
    pods = session.list("v1", "Pod", namespace="default", label_selector="app=web")
    assert session.delete(ref(deployment()))
    assert not session.delete(ref(deployment()))
    result = session.wait_deleted([ResourceRef.of(p) for p in pods], timeout=120)
    assert result.ready and all(s.status is ReadyStatus.NOT_FOUND for s in result.statuses)
    assert session.list("v1", "Pod", namespace="default", label_selector="app=web") == []


def test_orphan_propagation_keeps_the_dependents(session: KubeSession) -> None:
    session.apply(deployment(replicas=1))
    assert session.wait_ready([ref(deployment())], timeout=120).ready
    [replica_set] = session.list("apps/v1", "ReplicaSet", namespace="default", label_selector="app=web")
    assert session.delete(ref(deployment()), propagation="Orphan")
    assert session.wait_deleted([ref(deployment())], timeout=60).ready
    kept = session.get(ResourceRef.of(replica_set))
    assert kept is not None and not kept["metadata"].get("ownerReferences")


def test_logs_of_a_pod(session: KubeSession) -> None:
    hello = job("hello", ["echo", "hello from the job"])
    session.apply(hello)
    assert session.wait_ready([ref(hello)], timeout=60, target=WaitTarget.HOOKS).ready
    [pod] = session.list("v1", "Pod", namespace="default", label_selector="job-name=hello")
    assert "hello from the job" in session.logs("default", pod["metadata"]["name"])
    assert session.logs("default", pod["metadata"]["name"], "main") == session.logs("default", pod["metadata"]["name"])
    with pytest.raises(ResourceNotFound):
        session.logs("default", "nope")


# --- the release verbs through `helmlite --backend kube` ---------------------------------------------

CHART_TEMPLATES = {
    "configmap.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: {{ .Values.greeting | quote }}
""",
    "deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: 1
  selector:
    matchLabels: {app: {{ .Values.app }}}
  template:
    metadata:
      labels: {app: {{ .Values.app }}}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
""",
    "hook.yaml": """\
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
""",
    "widget.yaml": """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: {{ .Release.Name }}-widget
spec:
  size: 1
""",
}


def helm_chart(root: Path, *, version: str = "0.1.0") -> Path:
    """A Helm (Go template) chart with a ConfigMap, a Deployment, a pre-install hook Job and a
    custom resource whose CRD is in ``crds/``."""
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "crds").mkdir(exist_ok=True)
    (root / "Chart.yaml").write_text(f"apiVersion: v2\nname: kubeapp\nversion: {version}\nappVersion: \"1.0\"\n")
    (root / "values.yaml").write_text("greeting: hello\napp: web\nimage: nginx:1.25\n")
    for name, text in CHART_TEMPLATES.items():
        (root / "templates" / name).write_text(text)
    (root / "crds" / "widgets.yaml").write_text(json.dumps(WIDGET_CRD))
    return root


@pytest.fixture
def kube(served_api: ServedApi, isolated_home: Path, cli: Any) -> Any:
    """``helmlite … --backend kube --kube-apiserver URL``, in process."""

    def run(*args: str) -> Any:
        return cli(*args, "--backend", "kube", "--kube-apiserver", served_api.url)

    return run


def history_of(kube: Any, name: str) -> list[tuple[int, str, str]]:
    result = kube("history", name, "-o", "json")
    assert result.exit_code == 0, result.stderr
    return [(r["revision"], r["status"], r["description"]) for r in json.loads(result.stdout)]


def test_install_upgrade_rollback_uninstall(kube: Any, tmp_path: Path, served_api: ServedApi) -> None:
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


def test_wait_fails_naming_the_blocking_pod(kube: Any, tmp_path: Path, served_api: ServedApi) -> None:
    served_api.add_fault({"kind": "image-pull", "image": "nginx:9.99"})
    chart = str(helm_chart(tmp_path / "kubeapp"))
    failed = kube("install", "web", chart, "--set", "image=nginx:9.99", "--wait", "--timeout", "6s")
    assert failed.exit_code == 1
    assert re.search(r"^Error: .*timed out waiting for the condition: Deployment/default/web-web: 0/1 ready, "
                     r"pod web-web-\S+: (ImagePullBackOff|ErrImagePull)$", failed.stderr, re.MULTILINE), failed.stderr
    assert history_of(kube, "web")[0][:2] == (1, "failed")


def test_server_dry_run_changes_nothing_and_finds_immutable_changes(kube: Any, tmp_path: Path,
                                                                    served_api: ServedApi) -> None:
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


def test_field_manager_conflicts_need_force_conflicts(kube: Any, tmp_path: Path, served_api: ServedApi) -> None:
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
