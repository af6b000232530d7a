"""Hooks: (weight, name) order, delete policies, last_run phases, failures and timeouts, tests,
and hook objects removed on uninstall."""

from __future__ import annotations

import io
from itertools import count

import pytest
from release_fixtures import CONFIGMAP, ChartFactory, WaitSeconds, history, live

from helmlite.actions.action import Config
from helmlite.actions.apply import format_duration
from helmlite.actions.get import Get
from helmlite.actions.install import Install
from helmlite.actions.release_test import ReleaseTest, TestFailed, collect_test_logs
from helmlite.actions.uninstall import Uninstall
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.base import Backend
from helmlite.errors import HelmliteError
from helmlite.output import Output
from helmlite.release.model import HookPhase, Timestamp


def hook(kind: str, name: str, events: str, *, weight: int = 0, policy: str = "", body: str = "data: {}") -> str:
    annotations = [f'"helm.sh/hook": {events}', f'"helm.sh/hook-weight": "{weight}"']
    if policy:
        annotations.append(f'"helm.sh/hook-delete-policy": {policy}')
    notes = "\n    ".join(annotations)
    api = "batch/v1" if kind == "Job" else "v1"
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n  annotations:\n    {notes}\n{body}\n"


def job_body(command: str) -> str:
    return (
        "spec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
        f"        - name: main\n          image: busybox:1.36\n          command: {command}\n"
    )


POD_TEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  annotations:
    "helm.sh/hook": test
spec:
  restartPolicy: Never
  containers:
    - name: check
      image: busybox:1.36
      command: {command}
"""


@pytest.fixture
def ticking(backend: Backend) -> Config:
    """A Config whose clock ticks one second per reading, so hook start times give their order."""
    ticks = count(1)
    return Config(backend=backend, driver="memory", output=Output(io.StringIO(), io.StringIO()),
                  clock=lambda: Timestamp.from_unix(1_700_000_000 + next(ticks)))


def hooked_chart(chart: ChartFactory) -> str:
    return str(chart(templates={
        "cm.yaml": CONFIGMAP,
        "hooks.yaml": "---\n".join([
            hook("ConfigMap", "hook-b", "pre-install,pre-upgrade", weight=5),
            hook("Secret", "hook-a", "pre-install", weight=-1, policy="hook-succeeded"),
            hook("Job", "hook-job", "pre-install,pre-upgrade", body=job_body('["sleep", "10"]')),
            hook("ConfigMap", "post", "post-install"),
            hook("ConfigMap", "zz-same-weight", "pre-install"),
        ]),
    }))


def test_hooks_run_by_weight_then_name_and_record_phases(ticking: Config, chart: ChartFactory,
                                                         backend: Backend) -> None:
    rel = Install(ticking, release_name="web").run(hooked_chart(chart))
    runs = {h.name: h.last_run for h in rel.hooks}
    assert all(run.phase is HookPhase.SUCCEEDED for run in runs.values())
    started = sorted(runs, key=lambda name: runs[name].started_at or Timestamp(0))
    assert started == ["hook-a", "hook-job", "zz-same-weight", "hook-b", "post"]
    # The stored record has them too.
    assert {h.name: h.last_run.phase for h in Get(ticking).run("web").hooks} == {n: HookPhase.SUCCEEDED for n in runs}
    # hook-succeeded deletes; the default before-hook-creation leaves the object until the next run.
    assert live(backend, "v1", "Secret", "hook-a") is None
    job = live(backend, "batch/v1", "Job", "hook-job")
    assert job is not None and job["status"].get("succeeded") == 1
    # Hooks are not part of the release manifest.
    assert "hook-b" not in rel.manifest


def test_before_hook_creation_recreates_the_hook(ticking: Config, chart: ChartFactory, backend: Backend) -> None:
    path = hooked_chart(chart)
    Install(ticking, release_name="web").run(path)
    first = live(backend, "batch/v1", "Job", "hook-job")
    Upgrade(ticking).run("web", path)
    second = live(backend, "batch/v1", "Job", "hook-job")
    assert first is not None and second is not None
    assert first["metadata"]["uid"] != second["metadata"]["uid"]


def test_uninstall_removes_hook_objects(ticking: Config, chart: ChartFactory, backend: Backend) -> None:
    Install(ticking, release_name="web").run(hooked_chart(chart))
    result = Uninstall(ticking).run("web")
    assert sorted(result.hooks_removed) == ["ConfigMap/hook-b", "ConfigMap/post", "ConfigMap/zz-same-weight",
                                            "Job/hook-job"]
    for kind, name in (("ConfigMap", "hook-b"), ("ConfigMap", "post")):
        assert live(backend, "v1", kind, name) is None
    assert live(backend, "batch/v1", "Job", "hook-job") is None


def test_a_failing_hook_fails_the_install(ticking: Config, chart: ChartFactory, backend: Backend) -> None:
    path = str(chart(templates={
        "cm.yaml": CONFIGMAP,
        "hooks.yaml": hook("Job", "migrate", "pre-install", policy="hook-failed", body=job_body('["false"]')),
    }))
    with pytest.raises(HelmliteError) as info:
        Install(ticking, release_name="web").run(path)
    assert str(info.value).startswith("failed pre-install: resource Job/default/migrate not ready. status: Failed")
    rows = history(ticking, "web")
    assert rows[0][:2] == (1, "failed")
    assert rows[0][2].startswith('Release "web" failed: failed pre-install: ')
    record = Get(ticking).run("web")
    assert record.hooks[0].last_run.phase is HookPhase.FAILED
    assert live(backend, "batch/v1", "Job", "migrate") is None  # hook-failed policy
    assert live(backend, "v1", "ConfigMap", "web-config") is None  # nothing applied after the pre hook


def test_a_failed_hook_deletes_the_hooks_that_succeeded_before_it(ticking: Config, chart: ChartFactory,
                                                                   backend: Backend) -> None:
    # Helm's execHook: on a failure, the hooks that already succeeded go by their hook-succeeded policy.
    path = str(chart(templates={"hooks.yaml": "---\n".join([
        hook("ConfigMap", "done", "pre-install", weight=-1, policy="hook-succeeded"),
        hook("ConfigMap", "stays", "pre-install", weight=-1),
        hook("Job", "migrate", "pre-install", body=job_body('["false"]')),
    ])}))
    with pytest.raises(HelmliteError, match="failed pre-install: resource Job/default/migrate not ready"):
        Install(ticking, release_name="web").run(path)
    assert live(backend, "v1", "ConfigMap", "done") is None
    assert live(backend, "v1", "ConfigMap", "stays") is not None
    assert live(backend, "batch/v1", "Job", "migrate") is not None  # no hook-failed policy


def test_a_slow_hook_times_out(ticking: Config, chart: ChartFactory, wait_seconds: WaitSeconds) -> None:
    path = str(chart(templates={"hooks.yaml": hook("Job", "slow", "pre-install", body=job_body('["sleep", "600"]'))}))
    timeout = wait_seconds(30)
    with pytest.raises(HelmliteError, match=rf"resource Job/default/slow not ready\. status: InProgress, .*"
                                            rf"timed out after {format_duration(timeout)}"):
        Install(ticking, release_name="web", timeout=timeout).run(path)


def test_no_hooks_skips_them(ticking: Config, chart: ChartFactory, backend: Backend) -> None:
    rel = Install(ticking, release_name="web", no_hooks=True).run(hooked_chart(chart))
    assert all(h.last_run.phase is HookPhase.NOT_RUN for h in rel.hooks)
    assert live(backend, "v1", "ConfigMap", "hook-b") is None


def test_release_tests_report_each_phase(ticking: Config, chart: ChartFactory) -> None:
    path = str(chart(templates={
        "cm.yaml": CONFIGMAP,
        "t1.yaml": POD_TEST.format(name="test-ok", command='["true"]'),
        "t2.yaml": POD_TEST.format(name="test-bad", command='["false"]'),
    }))
    Install(ticking, release_name="web").run(path)
    rel = ReleaseTest(ticking, filters=["name=test-ok"]).run("web")
    assert {h.name: h.last_run.phase for h in rel.hooks} == {"test-ok": HookPhase.SUCCEEDED, "test-bad": HookPhase.NOT_RUN}
    with pytest.raises(TestFailed, match="resource Pod/default/test-bad not ready. status: Failed"):
        ReleaseTest(ticking, filters=["!name=test-ok"]).run("web")
    phases = {h.name: h.last_run.phase for h in Get(ticking).run("web").hooks}
    assert phases == {"test-ok": HookPhase.SUCCEEDED, "test-bad": HookPhase.FAILED}


def test_test_logs_show_each_selected_test_pod_log(ticking: Config, chart: ChartFactory) -> None:
    path = str(chart(templates={
        "cm.yaml": CONFIGMAP,
        "t1.yaml": POD_TEST.format(name="test-ok", command='["true"]'),
        "t2.yaml": POD_TEST.format(name="test-bad", command='["false"]'),
        "t3.yaml": POD_TEST.format(name="test-gone", command='["true"]').replace(
            '"helm.sh/hook": test', '"helm.sh/hook": test\n    "helm.sh/hook-delete-policy": hook-succeeded'),
    }))
    Install(ticking, release_name="web").run(path)
    rel = ReleaseTest(ticking, filters=["name=test-ok"]).run("web")
    logs = collect_test_logs(ticking, rel, ["name=test-ok"])
    with ticking.session() as session:
        expected = session.logs("default", "test-ok")
    assert logs == f"POD LOGS: test-ok\n{expected}\n"
    # A test pod deleted by its hook-succeeded policy has no log to show, as in Helm.
    ReleaseTest(ticking, filters=["name=test-gone"]).run("web")
    with pytest.raises(HelmliteError, match=r'^unable to get pod logs for test-gone: pods "test-gone" not found$'):
        collect_test_logs(ticking, Get(ticking).run("web"), ["name=test-gone"])
