"""Field-manager migration: helmlite upgrading and rolling back a release the real Helm applied
(manager ``helm``: Helm v4's server-side Apply entries or Helm 3's client-side Update entries),
and the reverse with ``HELMLITE_FIELD_MANAGER=helm``.

"Helm" here is helmlite itself applying as field manager ``helm`` (what Helm v4 sends: an
apply with ``fieldManager=helm``), with the release records in Secrets, as Helm keeps them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from release_fixtures import DEPLOYMENT, ChartFactory, history, live

from helmlite.actions.action import FIELD_MANAGER_ENV, Config
from helmlite.actions.install import Install
from helmlite.actions.managedfields import (
    managed_fields_patch,
    move_ownership,
    moved_managed_fields,
)
from helmlite.actions.rollback import Rollback
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.base import Backend, ResourceConflict, ResourceRef
from helmlite.errors import HelmliteError
from helmlite.output import Output

DATA_CM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-config
data: {{ Values.data | tojson }}
"""
FIRST = {"data": {"greeting": "hello", "extra": "yes"}, "replicas": 1}
SECOND = {"data": {"greeting": "changed"}, "replicas": 3}


def config_as(backend: Backend, field_manager: str) -> Config:
    # The secret driver keeps the records in the cluster, so both "tools" see one history.
    return Config(backend=backend, driver="secret", output=Output(io.StringIO(), io.StringIO()),
                  field_manager=field_manager)


@pytest.fixture
def helm(backend: Backend) -> Config:
    return config_as(backend, "helm")


@pytest.fixture
def helmlite(backend: Backend) -> Config:
    return config_as(backend, "helmlite")


def versions(chart: ChartFactory) -> tuple[str, str]:
    templates = {"cm.yaml": DATA_CM, "d.yaml": DEPLOYMENT}
    return str(chart(templates=templates, values=FIRST)), str(chart(templates=templates, values=SECOND, version="0.2.0"))


def managers(obj: dict[str, Any] | None) -> list[tuple[str, str]]:
    assert obj is not None
    return sorted((e["manager"], e["operation"]) for e in obj["metadata"].get("managedFields") or [])


def release_managers(obj: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The entries of helm and helmlite (controllers write status entries of their own)."""
    return [m for m in managers(obj) if m[0] in ("helm", "helmlite")]


def recreate_client_side(backend: Backend, refs: list[ResourceRef]) -> None:
    """Re-create objects with a plain create as ``helm``: Helm 3's client-side Update entries."""
    with backend.session() as session:
        for ref in refs:
            obj = session.get(ref)
            assert obj is not None
            meta = {k: v for k, v in obj["metadata"].items() if k in ("name", "namespace", "labels", "annotations")}
            session.delete(ref, propagation="Foreground")
            session.wait_deleted([ref], 60)
            session.create({**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}, field_manager="helm")


CM = ResourceRef("v1", "ConfigMap", "default", "web-config")
DEPLOY = ResourceRef("apps/v1", "Deployment", "default", "web-web")


@pytest.mark.parametrize("operation", ["Apply", "Update"])
def test_upgrade_takes_over_a_release_helm_applied(operation: str, helm: Config, helmlite: Config,
                                                   chart: ChartFactory, backend: Backend) -> None:
    first, second = versions(chart)
    Install(helm, release_name="web").run(first)
    if operation == "Update":
        recreate_client_side(backend, [CM, DEPLOY])
    assert release_managers(live(backend, "v1", "ConfigMap", "web-config")) == [("helm", operation)]
    # What the upgrade is up against: applying the new greeting as helmlite conflicts with helm.
    with backend.session() as session, pytest.raises(ResourceConflict, match='conflict with "helm"'):
        changed = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config", "namespace": "default"},
                   "data": {"greeting": "changed"}}
        session.apply(changed, field_manager="helmlite", dry_run=True)

    Upgrade(helmlite).run("web", second)

    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"] == {"greeting": "changed"}  # changed, and the dropped key removed
    assert managers(cm) == [("helmlite", "Apply")]
    deployment = live(backend, "apps/v1", "Deployment", "web-web")
    assert deployment is not None and deployment["spec"]["replicas"] == 3
    assert release_managers(deployment) == [("helmlite", "Apply")]
    assert [row[:2] for row in history(helmlite, "web")] == [(1, "superseded"), (2, "deployed")]


def test_rollback_takes_over_a_revision_helm_upgraded(helm: Config, helmlite: Config, chart: ChartFactory,
                                                      backend: Backend) -> None:
    first, second = versions(chart)
    Install(helm, release_name="web").run(first)
    Upgrade(helm).run("web", second)
    Rollback(helmlite).run("web", 1)
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"] == {"greeting": "hello", "extra": "yes"}
    assert managers(cm) == [("helmlite", "Apply")]
    # helmlite now owns what it applied: rolling forward removes the key again.
    Rollback(helmlite).run("web", 2)
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"] == {"greeting": "changed"}


def test_other_managers_still_conflict_and_a_dry_run_moves_nothing(helm: Config, helmlite: Config,
                                                                   chart: ChartFactory, backend: Backend) -> None:
    first, second = versions(chart)
    Install(helm, release_name="web").run(first)
    with backend.session() as session:  # someone edits the greeting: kubectl apply --server-side --force-conflicts
        session.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config", "namespace": "default"},
                       "data": {"greeting": "edited"}}, field_manager="kubectl", force=True)
    before = managers(live(backend, "v1", "ConfigMap", "web-config"))
    Upgrade(helmlite, dry_run="server").run("web", second)
    assert managers(live(backend, "v1", "ConfigMap", "web-config")) == before  # a dry run rewrites nothing

    with pytest.raises(HelmliteError, match=r'cannot patch "web-config" with kind ConfigMap: .*conflict with "kubectl"'):
        Upgrade(helmlite).run("web", second)
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"]["greeting"] == "edited"
    Upgrade(helmlite, force_conflicts=True).run("web", second)
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"] == {"greeting": "changed"}


def test_applying_as_helm_takes_over_what_helmlite_applied(helm: Config, helmlite: Config, chart: ChartFactory,
                                                           backend: Backend) -> None:
    first, second = versions(chart)
    Install(helmlite, release_name="web").run(first)
    Upgrade(helm).run("web", second)
    cm = live(backend, "v1", "ConfigMap", "web-config")
    assert cm is not None and cm["data"] == {"greeting": "changed"}
    assert managers(cm) == [("helm", "Apply")]


def test_the_field_manager_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(FIELD_MANAGER_ENV, "helm")
    assert Config().field_manager == "helm"
    monkeypatch.setenv(FIELD_MANAGER_ENV, " ")
    assert Config().field_manager == "helmlite"


# --- the managedFields rewrite itself ------------------------------------------------------


def entry(manager: str, operation: str, fields: dict[str, Any], *, api_version: str = "v1", time: str = "t1",
          subresource: str = "") -> dict[str, Any]:
    out = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time,
           "fieldsType": "FieldsV1", "fieldsV1": fields}
    if subresource:
        out["subresource"] = subresource
    return out


def test_release_managers_fold_into_the_appliers_entry() -> None:
    kubectl = entry("kubectl", "Apply", {"f:data": {"f:other": {}}})
    entries = [
        entry("helmlite", "Apply", {"f:data": {"f:b": {}}}, time="t2"),
        entry("helm", "Apply", {"f:data": {"f:a": {}}}),
        kubectl,
        entry("helm", "Update", {"f:metadata": {"f:labels": {"f:x": {}}}}),
        entry("helm", "Update", {"f:data": {"f:old": {}}}, api_version="v0"),  # another version: dropped
        entry("helm", "Update", {"f:status": {}}, subresource="status"),  # a subresource: not Helm's to move
    ]
    moved = moved_managed_fields(entries, "helmlite")
    assert moved == [
        entry("helmlite", "Apply", {"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:x": {}}}},
              time="t2"),
        kubectl,
        entries[-1],
    ]


def test_without_an_appliers_entry_helms_newest_apply_becomes_it() -> None:
    entries = [
        entry("helm", "Update", {"f:data": {}}, time="t3"),  # the whole map, owned as a leaf
        entry("helm", "Apply", {"f:data": {"f:a": {}}}, time="t1"),
    ]
    assert moved_managed_fields(entries, "helmlite") == [
        # Owned itself and through a child: the node says so with ".".
        entry("helmlite", "Apply", {"f:data": {".": {}, "f:a": {}}}, time="t1"),
    ]


def test_nothing_to_move() -> None:
    entries = [entry("helmlite", "Apply", {"f:data": {}}), entry("kubectl", "Update", {"f:data": {"f:a": {}}})]
    assert moved_managed_fields(entries, "helmlite") is None
    assert moved_managed_fields([], "helmlite") is None


def test_the_rewrite_is_csaupgrades_json_patch() -> None:
    # client-go csaupgrade.UpgradeManagedFieldsPatch: both operations "replace", the version
    # too (a stale one then fails as a 409 Conflict, not as a failed "test").
    moved = [entry("helmlite", "Apply", {"f:data": {}})]
    assert managed_fields_patch(moved, "42") == [
        {"op": "replace", "path": "/metadata/managedFields", "value": moved},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": "42"},
    ]


def test_moving_ownership_changes_only_the_managed_fields(backend: Backend) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
          "data": {"a": "1"}}
    cfg = ResourceRef.of(cm)
    with backend.session() as session:
        session.apply(cm, field_manager="helm")
        before = session.get(cfg)
        assert move_ownership(session, cfg, "helmlite")
        after = session.get(cfg)
        assert not move_ownership(session, cfg, "helmlite")  # nothing left to move
        assert not move_ownership(session, ResourceRef("v1", "ConfigMap", "default", "gone"), "helmlite")
    assert before is not None and after is not None
    assert managers(after) == [("helmlite", "Apply")]
    assert after["metadata"]["managedFields"][0]["fieldsV1"] == before["metadata"]["managedFields"][0]["fieldsV1"]
    assert after["data"] == before["data"]
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
