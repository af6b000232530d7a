"""install / upgrade / rollback / uninstall on each backend: Helm's revision rules, statuses
and descriptions, with the memory and the secret driver."""

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
from helmlite.actions.get import Get, computed_values, metadata
from helmlite.actions.history import History
from helmlite.actions.install import Install
from helmlite.actions.list import ReleaseList
from helmlite.actions.rollback import Rollback
from helmlite.actions.status import ReleaseStatus
from helmlite.actions.uninstall import Uninstall
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.base import Backend
from helmlite.errors import HelmliteError
from helmlite.release.model import Status
from helmlite.release.storage import NoDeployedReleases, ReleaseNotFound
from helmlite.values.options import ValueOptions


def sets(*exprs: str) -> ValueOptions:
    return ValueOptions(set_values=exprs)


def test_install_records_revision_one_and_applies_with_ownership(config: Config, chart: ChartFactory,
                                                                 backend: Backend) -> None:
    rel = Install(config, release_name="web", labels={"team": "blue"}).run(str(chart()))
    assert (rel.version, rel.status, rel.info.description) == (1, Status.DEPLOYED, "Install complete")
    assert rel.info.first_deployed == rel.info.last_deployed
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"] == {"greeting": "hello"}
    assert cm["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-name"] == "web"
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-namespace"] == "default"
    assert history(config, "web") == [(1, "deployed", "Install complete")]
    assert Get(config).run("web").labels["team"] == "blue"


def test_secret_driver_keeps_helms_records_in_the_cluster(chart: ChartFactory, backend: Backend) -> None:
    import io

    from helmlite.output import Output
    from helmlite.release.codec import decode

    config = Config(backend=backend, output=Output(io.StringIO(), io.StringIO()))
    assert config.driver == "secret"
    Install(config, release_name="web").run(str(chart()))
    secret = live(backend, "v1", "Secret", "sh.helm.release.v1.web.v1")
    assert secret is not None and secret["type"] == "helm.sh/release.v1"
    assert {k: secret["metadata"]["labels"][k] for k in ("name", "owner", "status", "version")} == {
        "name": "web", "owner": "helm", "status": "deployed", "version": "1"}
    import base64

    record = decode(base64.b64decode(secret["data"]["release"]).decode("ascii"))
    assert record.name == "web" and record.status is Status.DEPLOYED


def test_install_refuses_a_name_in_use(config: Config, chart: ChartFactory) -> None:
    Install(config, release_name="web").run(str(chart()))
    with pytest.raises(HelmliteError, match="cannot reuse a name that is still in use"):
        Install(config, release_name="web").run(str(chart()))


def test_install_rejects_invalid_names_and_system_labels(config: Config, chart: ChartFactory) -> None:
    with pytest.raises(HelmliteError, match="invalid release name"):
        Install(config, release_name="Bad_Name").run(str(chart()))
    with pytest.raises(HelmliteError, match="system reserved label name"):
        Install(config, release_name="web", labels={"owner": "me"}).run(str(chart()))


def test_upgrade_numbering_and_superseding(config: Config, chart: ChartFactory, backend: Backend) -> None:
    path = str(chart())
    Install(config, release_name="web").run(path)
    rel = Upgrade(config, values=sets("greeting=hi")).run("web", path)
    assert (rel.version, rel.status, rel.info.description) == (2, Status.DEPLOYED, "Upgrade complete")
    assert history(config, "web") == [(1, "superseded", "Install complete"), (2, "deployed", "Upgrade complete")]
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"]["greeting"] == "hi"
    first = Get(config, revision=1).run("web")
    assert rel.info.first_deployed == first.info.first_deployed


def test_an_object_the_api_refuses_is_reported_before_anything_is_recorded(config: Config, chart: ChartFactory) -> None:
    path = str(chart(templates={"d.yaml": DEPLOYMENT}))
    Install(config, release_name="web").run(path)
    with pytest.raises(HelmliteError, match=r'cannot patch "web-web" with kind Deployment: .*nothing was changed'):
        Upgrade(config, values=sets("replicas=-1")).run("web", path)
    assert [row[:2] for row in history(config, "web")] == [(1, "deployed")]


def test_every_attempt_after_the_precheck_is_a_revision(memory_config: Config, chart: ChartFactory,
                                                        inject_fault: FaultInjector, wait_seconds: WaitSeconds) -> None:
    path = str(chart(templates={"d.yaml": DEPLOYMENT}))
    inject_fault(BROKEN_IMAGES)
    Install(memory_config, release_name="web", wait=True).run(path)
    with pytest.raises(HelmliteError, match="timed out waiting for the condition"):
        Upgrade(memory_config, values=sets("image=nginx:broken"), wait=True,
                timeout=wait_seconds(30)).run("web", path)
    rows = history(memory_config, "web")
    assert [row[:2] for row in rows] == [(1, "deployed"), (2, "failed")]
    assert rows[1][2].startswith('Upgrade "web" failed: timed out waiting for the condition')
    # The next upgrade supersedes the deployed revision, not the failed one.
    Upgrade(memory_config, values=sets("image=nginx:1.26"), wait=True).run("web", path)
    assert [row[:2] for row in history(memory_config, "web")] == [(1, "superseded"), (2, "failed"), (3, "deployed")]


def test_upgrade_without_history(config: Config, chart: ChartFactory) -> None:
    with pytest.raises(NoDeployedReleases, match='"web" has no deployed releases'):
        Upgrade(config).run("web", str(chart()))
    upgrade = Upgrade(config, install=True)
    rel = upgrade.run("web", str(chart()))
    assert upgrade.installed and (rel.version, rel.info.description) == (1, "Install complete")


def test_upgrade_install_over_uninstalled_history_continues_numbering(config: Config, chart: ChartFactory) -> None:
    path = str(chart())
    Install(config, release_name="web").run(path)
    Upgrade(config, values=sets("greeting=two")).run("web", path)
    Uninstall(config, keep_history=True).run("web")
    with pytest.raises(NoDeployedReleases):
        Upgrade(config).run("web", path)
    with pytest.raises(HelmliteError, match="cannot reuse a name"):
        Install(config, release_name="web").run(path)
    upgrade = Upgrade(config, install=True)
    rel = upgrade.run("web", path)
    assert upgrade.installed and rel.version == 3
    assert history(config, "web") == [
        (1, "superseded", "Install complete"),
        (2, "superseded", "superseded by new release"),
        (3, "deployed", "Install complete"),
    ]


def test_install_replace_reuses_a_failed_name(memory_config: Config, chart: ChartFactory, inject_fault: FaultInjector,
                                              wait_seconds: WaitSeconds) -> None:
    path = str(chart(templates={"d.yaml": DEPLOYMENT}))
    inject_fault(BROKEN_IMAGES)
    with pytest.raises(HelmliteError, match="timed out"):
        Install(memory_config, release_name="web", wait=True, timeout=wait_seconds(5),
                values=sets("image=nginx:broken")).run(path)
    assert history(memory_config, "web")[0][:2] == (1, "failed")
    rel = Install(memory_config, release_name="web", replace=True).run(path)
    assert rel.version == 2
    # A failed revision stays failed (Helm supersedes only a successful one).
    assert [row[:2] for row in history(memory_config, "web")] == [(1, "failed"), (2, "deployed")]


def test_rollback_revision_rules(config: Config, chart: ChartFactory, backend: Backend) -> None:
    path = str(chart())
    Install(config, release_name="web").run(path)
    Upgrade(config, values=sets("greeting=two")).run("web", path)
    rel = Rollback(config).run("web", 1)
    assert (rel.version, rel.status, rel.info.description, rel.info.rollback_revision) == (
        3, Status.DEPLOYED, "Rollback to 1", 1)
    assert rel.config == {}
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"]["greeting"] == "hello"
    assert history(config, "web") == [
        (1, "superseded", "Install complete"),
        (2, "superseded", "Upgrade complete"),
        (3, "deployed", "Rollback to 1"),
    ]
    with pytest.raises(HelmliteError, match="release has no 9 version"):
        Rollback(config).run("web", 9)


def test_rollback_without_revision_skips_failed_revisions(memory_config: Config, chart: ChartFactory,
                                                         inject_fault: FaultInjector, wait_seconds: WaitSeconds) -> None:
    path = str(chart(templates={"d.yaml": DEPLOYMENT}))
    inject_fault(BROKEN_IMAGES)
    Install(memory_config, release_name="web", wait=True).run(path)                              # 1 deployed
    Upgrade(memory_config, values=sets("replicas=2"), wait=True).run("web", path)                # 2 deployed
    with pytest.raises(HelmliteError):
        Upgrade(memory_config, values=sets("image=nginx:broken"), wait=True,
            timeout=wait_seconds(20)).run("web", path)                                                 # 3 failed
    rel = Rollback(memory_config, wait=True).run("web")
    # Helm would go to 3 - 1 = 2 only by luck; with 3 failed and current = 3 the target is 2.
    assert rel.info.description == "Rollback to 2"
    with pytest.raises(HelmliteError):
        Upgrade(memory_config, values=sets("image=nginx:broken"), wait=True,
            timeout=wait_seconds(20)).run("web", path)                                                 # 5 failed
    rel = Rollback(memory_config, wait=True).run("web")
    # current = 5 (failed), 4 is the newest successful before it: never the failed one.
    assert rel.info.description == "Rollback to 4"
    statuses = [row[1] for row in history(memory_config, "web")]
    assert statuses.count("deployed") == 1 and statuses[-1] == "deployed"


def test_uninstall_purges_or_keeps_history(config: Config, chart: ChartFactory, backend: Backend) -> None:
    path = str(chart())
    Install(config, release_name="a").run(path)
    Install(config, release_name="b").run(path)
    result = Uninstall(config).run("a")
    assert result.release is not None and result.release.status is Status.UNINSTALLED
    with pytest.raises(ReleaseNotFound, match="release: not found"):
        History(config).run("a")
    assert live(backend, "v1", "ConfigMap", "a-config") is None
    Upgrade(config, values=sets("greeting=x")).run("b", path)
    Uninstall(config, keep_history=True, description="gone").run("b")
    assert history(config, "b") == [(1, "superseded", "Install complete"), (2, "uninstalled", "gone")]
    with pytest.raises(HelmliteError, match='the release named "b" is already deleted'):
        Uninstall(config, keep_history=True).run("b")
    Uninstall(config).run("b")  # purges the kept history
    with pytest.raises(ReleaseNotFound):
        History(config).run("b")
    with pytest.raises(ReleaseNotFound):
        Uninstall(config).run("nope")
    assert Uninstall(config, ignore_not_found=True).run("nope").release is None


def test_history_max_prunes_but_keeps_the_deployed_revision(memory_config: Config, chart: ChartFactory) -> None:
    path = str(chart())
    Install(memory_config, release_name="web").run(path)
    for i in range(5):
        Upgrade(memory_config, values=sets(f"greeting=v{i}"), history_max=3).run("web", path)
    assert [row[0] for row in history(memory_config, "web")] == [4, 5, 6]
    assert History(memory_config, max=2).run("web")[0].version == 5


def test_upgrade_values_modes(memory_config: Config, chart: ChartFactory) -> None:
    config = memory_config
    old = str(chart(values={"greeting": "hello"}, version="0.1.0"))
    new = str(chart(values={"greeting": "hello", "extra": "new-default"}, version="0.2.0"))
    Install(config, release_name="web", values=sets("greeting=mine")).run(old)

    rel = Upgrade(config).run("web", new)  # no values: the previous user values are reused
    assert rel.config == {"greeting": "mine"}
    assert "reusing the user-supplied values of revision 1 (greeting)" in stderr_of(config)

    rel = Upgrade(config, reset_values=True).run("web", new)
    assert rel.config == {}

    Upgrade(config, values=sets("greeting=mine")).run("web", old)
    rel = Upgrade(config, reuse_values=True, values=sets("replicas=2")).run("web", new)
    assert rel.config == {"greeting": "mine", "replicas": 2}
    assert "extra" not in computed_values(rel)  # --reuse-values ignores the new chart's defaults

    rel = Upgrade(config, reset_then_reuse_values=True, values=sets("replicas=3")).run("web", new)
    assert rel.config == {"greeting": "mine", "replicas": 3}
    assert computed_values(rel)["extra"] == "new-default"


def test_upgrade_labels_merge_and_null_removes(memory_config: Config, chart: ChartFactory) -> None:
    path = str(chart())
    Install(memory_config, release_name="web", labels={"team": "blue", "tier": "front"}).run(path)
    Upgrade(memory_config, labels={"tier": None, "env": "prod"}).run("web", path)
    labels = Get(memory_config, revision=2).run("web").labels  # a revision's own labels: the user's only
    assert labels == {"team": "blue", "env": "prod"}


def test_list_rules(memory_config: Config, chart: ChartFactory) -> None:
    config = memory_config
    path = str(chart())
    for name in ("b", "a", "c"):
        Install(config, release_name=name).run(path)
    Upgrade(config, values=sets("greeting=2")).run("a", path)
    Uninstall(config, keep_history=True).run("c")
    Install(config, release_name="d", namespace="other", create_namespace=True).run(path)

    names = [(r.name, r.version, r.status.value) for r in ReleaseList(config).run()]
    assert names == [("a", 2, "deployed"), ("b", 1, "deployed"), ("c", 1, "uninstalled")]
    assert [r.name for r in ReleaseList(config, states={Status.UNINSTALLED}).run()] == ["c"]
    # Only --superseded lists every superseded revision, not only the latest ones.
    assert [(r.name, r.version) for r in ReleaseList(config, states={Status.SUPERSEDED}).run()] == [("a", 1)]
    assert [r.name for r in ReleaseList(config, all_namespaces=True).run()] == ["a", "b", "c", "d"]
    assert [r.name for r in ReleaseList(config, filter="^[ab]$", reverse=True).run()] == ["b", "a"]
    assert [r.name for r in ReleaseList(config, by_date=True).run()] == ["b", "c", "a"]
    assert [r.name for r in ReleaseList(config, limit=1, offset=1).run()] == ["b"]
    assert [r.name for r in ReleaseList(config, selector="status=deployed,name!=b").run()] == ["a"]
    # Set-based and existence requirements, as Helm's labels.Parse (observed with v4.3.1).
    assert [r.name for r in ReleaseList(config, selector="name in (a,c)").run()] == ["a", "c"]
    assert [r.name for r in ReleaseList(config, selector="name notin (a),!team").run()] == ["b", "c"]
    assert [r.name for r in ReleaseList(config, selector="owner").run()] == ["a", "b", "c"]
    with pytest.raises(HelmliteError, match="unable to parse requirement"):
        ReleaseList(config, selector="name in (a").run()


def test_status_and_get(memory_config: Config, chart: ChartFactory) -> None:
    path = str(chart(templates={"d.yaml": DEPLOYMENT, "cm.yaml": CONFIGMAP, "NOTES.txt": "hi {{ Release.Name }}"}))
    Install(memory_config, release_name="web", wait=True, values=sets("greeting=x")).run(path)
    result = ReleaseStatus(memory_config, show_resources=True).run("web")
    assert result.release.info.notes == "hi web"
    keys = [key for key, _ in result.resources]
    assert keys == ["v1/ConfigMap", "v1/Deployment", "v1/Pod(related)"]
    assert computed_values(Get(memory_config).run("web"))["greeting"] == "x"
    meta = metadata(Get(memory_config, revision=1).run("web"))
    assert list(meta) == ["name", "chart", "version", "appVersion", "annotations", "namespace", "revision", "status",
                          "deployedAt", "applyMethod"]
    assert (meta["chart"], meta["revision"], meta["status"], meta["applyMethod"]) == ("app", 1, "deployed", "ssa")


def test_dry_runs_write_nothing(config: Config, chart: ChartFactory, backend: Backend) -> None:
    path = str(chart())
    rel = Install(config, release_name="web", dry_run="client").run(path)
    assert (rel.status, rel.info.description) == (Status.PENDING_INSTALL, "Dry run complete")
    rel = Install(config, release_name="web", dry_run="server").run(path)
    assert rel.info.description == "Dry run complete"
    with pytest.raises(ReleaseNotFound):
        History(config).run("web")
    assert live(backend, "v1", "ConfigMap", "web-config") is None
    Install(config, release_name="web").run(path)
    upgrade = Upgrade(config, dry_run="server", values=sets("greeting=new"))
    rel = upgrade.run("web", path)
    assert rel.version == 2 and upgrade.previous is not None and upgrade.previous.version == 1
    assert [row[0] for row in history(config, "web")] == [1]
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"]["greeting"] == "hello"


def test_a_server_dry_run_install_needs_no_namespace(config: Config, chart: ChartFactory,
                                                    backend: Backend) -> None:
    # Helm returns from a dry run before it would create or need the namespace (observed with v4.3.1).
    for create_namespace in (False, True):
        rel = Install(config, release_name="web", namespace="team", create_namespace=create_namespace,
                      dry_run="server").run(str(chart()))
        assert (rel.status, rel.info.description) == (Status.PENDING_INSTALL, "Dry run complete")
    assert live(backend, "v1", "Namespace", "team", namespace="") is None
    assert ReleaseList(config, namespace="team").run() == []


def test_create_namespace(config: Config, chart: ChartFactory, backend: Backend) -> None:
    with pytest.raises(HelmliteError, match='namespaces "team" not found'):
        Install(config, release_name="web", namespace="team").run(str(chart()))
    Install(config, release_name="web", namespace="team", create_namespace=True).run(str(chart()))
    ns = live(backend, "v1", "Namespace", "team", namespace="")
    assert ns is not None and ns["metadata"]["labels"]["name"] == "team"
    assert live(backend, "v1", "ConfigMap", "web-config", namespace="team") is not None
    assert [r.namespace for r in ReleaseList(config, namespace="team").run()] == ["team"]
