"""The apply model: ownership and adoption, resource-policy keep, the immutable-field pre-check,
--wait failures with an injected fault, --rollback-on-failure, --cleanup-on-fail, CRDs."""

from __future__ import annotations

import pytest
from release_fixtures import (
    BROKEN_IMAGES,
    CONFIGMAP,
    DEPLOYMENT,
    ChartFactory,
    FaultInjector,
    WaitSeconds,
    history,
    live,
    stderr_of,
)

from helmlite.actions.action import Config
from helmlite.actions.history import History
from helmlite.actions.install import Install
from helmlite.actions.uninstall import Uninstall
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.base import Backend
from helmlite.errors import HelmliteError
from helmlite.release.storage import ReleaseNotFound
from helmlite.values.options import ValueOptions

KEPT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-kept
  annotations:
    helm.sh/resource-policy: keep
data: {}
"""
EXTRA = """\
{% if Values.extra %}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-extra
data: {}
{% endif %}
"""
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
"""
WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: {{ Release.Name }}-widget
spec:
  size: 3
"""


def sets(*exprs: str) -> ValueOptions:
    return ValueOptions(set_values=exprs)


def test_adoption_is_refused_with_helms_text_unless_take_ownership(config: Config, chart: ChartFactory,
                                                                   backend: Backend) -> None:
    with backend.session() as session:
        session.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config", "namespace": "default"}})
    with pytest.raises(HelmliteError) as info:
        Install(config, release_name="web").run(str(chart()))
    assert str(info.value) == (
        'unable to continue with install: ConfigMap "web-config" in namespace "default" exists and cannot be '
        'imported into the current release: invalid ownership metadata; label validation error: missing key '
        '"app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key '
        '"meta.helm.sh/release-name": must be set to "web"; annotation validation error: missing key '
        '"meta.helm.sh/release-namespace": must be set to "default"'
    )
    with pytest.raises(ReleaseNotFound):
        History(config).run("web")  # nothing recorded
    Install(config, release_name="web", take_ownership=True).run(str(chart()))
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["metadata"]["annotations"]["meta.helm.sh/release-name"] == "web"


def test_an_object_of_another_release_is_not_adopted(config: Config, chart: ChartFactory) -> None:
    template = CONFIGMAP.replace("{{ Release.Name }}-config", "shared")
    Install(config, release_name="one").run(str(chart(templates={"cm.yaml": template})))
    with pytest.raises(HelmliteError, match='key "meta.helm.sh/release-name" must equal "two": current value is "one"'):
        Install(config, release_name="two").run(str(chart(templates={"cm.yaml": template})))


def test_upgrade_deletes_dropped_objects_but_keeps_the_keep_policy(config: Config, chart: ChartFactory,
                                                                   backend: Backend) -> None:
    path = str(chart(templates={"cm.yaml": CONFIGMAP, "extra.yaml": EXTRA, "kept.yaml": KEPT}, values={"extra": True}))
    Install(config, release_name="web").run(path)
    assert live(backend, "v1", "ConfigMap", "web-extra") is not None
    Upgrade(config, values=sets("extra=false")).run("web", path)
    assert live(backend, "v1", "ConfigMap", "web-extra") is None
    Upgrade(config, values=sets("extra=true")).run("web", str(chart(templates={"cm.yaml": CONFIGMAP, "extra.yaml": EXTRA},
                                                                     values={"extra": True}, version="0.2.0")))
    assert live(backend, "v1", "ConfigMap", "web-kept") is not None  # dropped from the chart, kept by policy
    result = Uninstall(config).run("web")
    assert [r.ref.name for r in result.kept] == []
    assert live(backend, "v1", "ConfigMap", "web-config") is None
    assert live(backend, "v1", "ConfigMap", "web-kept") is not None


def test_uninstall_reports_kept_resources(config: Config, chart: ChartFactory, backend: Backend) -> None:
    Install(config, release_name="web").run(str(chart(templates={"cm.yaml": CONFIGMAP, "kept.yaml": KEPT})))
    result = Uninstall(config).run("web")
    assert [(r.ref.kind, r.ref.name) for r in result.kept] == [("ConfigMap", "web-kept")]
    assert live(backend, "v1", "ConfigMap", "web-kept") is not None


def test_an_immutable_field_change_is_reported_before_anything_is_applied(config: Config, chart: ChartFactory,
                                                                           backend: Backend) -> None:
    path = str(chart(templates={"d.yaml": DEPLOYMENT, "cm.yaml": CONFIGMAP}))
    Install(config, release_name="web").run(path)
    with pytest.raises(HelmliteError) as info:
        Upgrade(config, values=sets("selector=other", "greeting=changed")).run("web", path)
    message = str(info.value)
    assert message.startswith('cannot patch "web-web" with kind Deployment: ')
    assert "spec.selector" in message and "field is immutable" in message
    assert message.endswith("(found by a dry run before applying: nothing was changed)")
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"]["greeting"] == "hello"  # the ConfigMap (applied first) untouched
    assert [row[:2] for row in history(config, "web")] == [(1, "deployed")]


def test_wait_timeout_names_each_blocker(memory_config: Config, chart: ChartFactory, backend: Backend,
                                         inject_fault: FaultInjector, wait_seconds: WaitSeconds) -> None:
    inject_fault(BROKEN_IMAGES)
    path = str(chart(templates={"d.yaml": DEPLOYMENT, "cm.yaml": CONFIGMAP}))
    with pytest.raises(HelmliteError) as info:
        Install(memory_config, release_name="web", wait=True, timeout=wait_seconds(120),
                values=sets("image=nginx:broken")).run(path)
    message = str(info.value)
    assert message.startswith("timed out waiting for the condition: Deployment/default/web-web: 0/1 ready, pod web-web-")
    assert message.endswith(": ImagePullBackOff")
    rows = history(memory_config, "web")
    assert rows[0][:2] == (1, "failed")
    assert rows[0][2] == f'Release "web" failed: {message}'
    # Progress went to stderr, plainly (not a terminal).
    assert "waiting: 1/2 resources ready; Deployment/default/web-web: 0/1 ready" in stderr_of(memory_config)


def test_rollback_on_failure_uninstalls_a_failed_install(memory_config: Config, chart: ChartFactory,
                                                         backend: Backend, inject_fault: FaultInjector,
                                                         wait_seconds: WaitSeconds) -> None:
    inject_fault(BROKEN_IMAGES)
    path = str(chart(templates={"d.yaml": DEPLOYMENT}))
    with pytest.raises(HelmliteError, match=r"^release web failed, and has been uninstalled due to rollback-on-failure "
                                            r"being set: timed out waiting for the condition"):
        Install(memory_config, release_name="web", rollback_on_failure=True, timeout=wait_seconds(60),
                values=sets("image=nginx:broken")).run(path)
    with pytest.raises(ReleaseNotFound):
        History(memory_config).run("web")
    assert live(backend, "apps/v1", "Deployment", "web-web") is None


def test_rollback_on_failure_returns_to_the_last_successful_revision(memory_config: Config, chart: ChartFactory,
                                                                     backend: Backend, inject_fault: FaultInjector,
                                                                     wait_seconds: WaitSeconds) -> None:
    inject_fault(BROKEN_IMAGES)
    path = str(chart(templates={"d.yaml": DEPLOYMENT}))
    Install(memory_config, release_name="web", wait=True).run(path)
    with pytest.raises(HelmliteError, match="has been rolled back due to rollback-on-failure being set"):
        Upgrade(memory_config, rollback_on_failure=True, timeout=wait_seconds(60),
                values=sets("image=nginx:broken")).run("web", path)
    rows = history(memory_config, "web")
    assert [row[:2] for row in rows] == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert rows[2][2] == "Rollback to 1"
    deployment = live(backend, "apps/v1", "Deployment", "web-web")
    assert deployment is not None
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"


def test_rollback_on_failure_keeps_no_hooks(memory_config: Config, chart: ChartFactory,
                                           backend: Backend, inject_fault: FaultInjector,
                                           wait_seconds: WaitSeconds) -> None:
    # Helm hands --no-hooks to the uninstall and the rollback that --rollback-on-failure runs:
    # a hook that would fail them must not run.
    inject_fault(BROKEN_IMAGES)
    failing = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: cleanup-{{ Release.Name }}
  annotations:
    "helm.sh/hook": pre-delete,pre-rollback
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: busybox:1.36
          command: ["false"]
"""
    path = str(chart(templates={"d.yaml": DEPLOYMENT, "hook.yaml": failing}))
    with pytest.raises(HelmliteError, match="^release first failed, and has been uninstalled due to rollback-on-failure"):
        Install(memory_config, release_name="first", rollback_on_failure=True, no_hooks=True, timeout=wait_seconds(60),
                values=sets("image=nginx:broken")).run(path)
    Install(memory_config, release_name="second", wait=True, no_hooks=True).run(path)
    with pytest.raises(HelmliteError, match="^release second failed, and has been rolled back due to rollback-on-failure"):
        Upgrade(memory_config, rollback_on_failure=True, no_hooks=True, timeout=wait_seconds(60),
                values=sets("image=nginx:broken")).run("second", path)
    assert [row[:2] for row in history(memory_config, "second")] == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert live(backend, "batch/v1", "Job", "cleanup-second") is None


def test_cleanup_on_fail_deletes_what_the_upgrade_created(memory_config: Config, chart: ChartFactory,
                                                          backend: Backend, inject_fault: FaultInjector,
                                                          wait_seconds: WaitSeconds) -> None:
    inject_fault(BROKEN_IMAGES)
    first = str(chart(templates={"cm.yaml": CONFIGMAP}))
    Install(memory_config, release_name="web").run(first)
    second = str(chart(templates={"cm.yaml": CONFIGMAP, "d.yaml": DEPLOYMENT}, version="0.2.0"))
    with pytest.raises(HelmliteError):
        Upgrade(memory_config, wait=True, timeout=wait_seconds(30), cleanup_on_fail=True,
                values=sets("image=nginx:broken")).run("web", second)
    assert live(backend, "apps/v1", "Deployment", "web-web") is None
    assert live(backend, "v1", "ConfigMap", "web-config") is not None


def test_crds_are_installed_first(config: Config, chart: ChartFactory, backend: Backend) -> None:
    path = str(chart(templates={"widget.yaml": WIDGET}, crds={"widgets.yaml": CRD}))
    Install(config, release_name="web", wait=True).run(path)
    assert live(backend, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", "") is not None
    assert live(backend, "example.com/v1", "Widget", "web-widget") is not None
    Uninstall(config).run("web")
    # CRDs from crds/ are never deleted.
    assert live(backend, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", "") is not None


def test_skip_crds_leaves_the_custom_resource_unmappable(config: Config, chart: ChartFactory) -> None:
    path = str(chart(templates={"widget.yaml": WIDGET}, crds={"widgets.yaml": CRD}))
    with pytest.raises(HelmliteError, match='no matches for kind "Widget" in version "example.com/v1"; ensure CRDs'):
        Install(config, release_name="web", skip_crds=True).run(path)
