"""The release record: Helm's JSON shape, times, unknown keys, chart_to_json.

``data/helm-install-dry-run.json`` is ``helm install --dry-run=client -o json --set
replicaCount=2 --labels team=blue rel1 ./mychart`` on a ``helm create mychart`` chart, and
``data/helm-escapes-floats.json`` the same for a chart whose values and notes hold floats,
``<&>``, non-ASCII and U+2028 (Helm v4.3.1; ``-o json`` is Go's json encoding of the same
struct Helm stores).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helmlite.chart.model import Chart, ChartFile, ChartMetadata, Dependency, Lock, Maintainer
from helmlite.release import (
    ApplyMethod,
    Hook,
    HookExecution,
    HookPhase,
    Info,
    Release,
    ReleaseDecodeError,
    Status,
    Timestamp,
    chart_to_json,
    release_json,
)

DATA = Path(__file__).parent / "data"


def helm_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8").rstrip("\n")


# -- Timestamp ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-22T02:13:29.085709198Z",
        "2026-11-22T02:13:29Z",
        "2026-11-22T02:13:29.5Z",
        "2026-11-22T02:13:29.000000001Z",
        "1977-09-02T22:04:05+02:00",
        "1977-09-02T22:04:05.12-07:30",
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999999Z",
    ],
)
def test_timestamp_round_trips_go_rfc3339nano(text: str) -> None:
    assert Timestamp.parse(text).format() == text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("2026-11-22T02:13:29.100000000Z", "2026-11-22T02:13:29.1Z"),  # Go drops trailing zeros
        ("2026-11-22T02:13:29.000Z", "2026-11-22T02:13:29Z"),
        ("2026-11-22t02:13:29z", "2026-11-22T02:13:29Z"),
        ("2026-11-22T02:13:29+00:00", "2026-11-22T02:13:29Z"),
    ],
)
def test_timestamp_normalises_like_go(text: str, written: str) -> None:
    assert Timestamp.parse(text).format() == written


@pytest.mark.parametrize(
    "text", ["", "2026-11-22", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T02:13:29.1234567891Z"]
)
def test_timestamp_rejects_non_rfc3339(text: str) -> None:
    with pytest.raises(ValueError):
        Timestamp.parse(text)


def test_timestamp_keeps_the_instant_across_zones() -> None:
    a = Timestamp.parse("2026-11-22T03:00:00+01:00")
    b = Timestamp.parse("2026-11-22T02:00:00Z")
    assert a.unix_nanos == b.unix_nanos
    assert a.to_datetime() == b.to_datetime()
    assert Timestamp.from_datetime(a.to_datetime()).format() == "2026-11-22T03:00:00+01:00"
    assert Timestamp.from_unix(0.25).format() == "1970-01-01T00:00:00.25Z"


# -- Release JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["helm-install-dry-run.json", "helm-escapes-floats.json"])
def test_helm_release_json_round_trips_byte_for_byte(name: str) -> None:
    text = helm_text(name)
    release = Release.from_json(json.loads(text))
    assert release.to_json() == json.loads(text)
    assert release_json(release) == text


def test_helm_release_fields_are_read() -> None:
    release = Release.from_json(json.loads(helm_text("helm-install-dry-run.json")))
    assert (release.name, release.namespace, release.version) == ("rel1", "default", 1)
    assert release.info.status is Status.PENDING_INSTALL
    assert release.info.description == "Dry run complete"
    assert release.info.first_deployed == Timestamp.parse("2026-11-22T03:01:17.028679753Z")
    assert release.info.notes.startswith("1. Get the application URL")
    assert release.config == {"replicaCount": 2}
    assert release.apply_method is ApplyMethod.SERVER_SIDE
    assert (release.chart_name, release.chart_version, release.app_version) == ("mychart", "0.1.0", "1.16.0")
    assert release.manifest.startswith("---\n# Source: mychart/templates/serviceaccount.yaml\n")
    [hook] = release.hooks
    assert hook.name == "rel1-mychart-test-connection"
    assert hook.kind == "Pod"
    assert hook.path == "mychart/templates/tests/test-connection.yaml"
    assert hook.events == ("test",)
    assert hook.last_run.phase is HookPhase.NOT_RUN
    # Labels are storage-object labels, never in the JSON.
    assert release.labels == {}


def test_release_json_shape_and_omissions() -> None:
    release = Release(
        name="web",
        namespace="prod",
        version=3,
        info=Info(
            status=Status.DEPLOYED,
            description="Rollback to 1",
            first_deployed=Timestamp.parse("2026-01-01T00:00:00Z"),
            last_deployed=Timestamp.parse("2026-01-02T00:00:00.5Z"),
            rollback_revision=1,
        ),
        chart={"metadata": {"name": "web", "version": "1.0.0"}},
        config={"b": {"y": 1, "x": 2}, "a": [3]},
        manifest="---\n# Source: web/templates/cm.yaml\nkind: ConfigMap\n",
        hooks=(
            Hook(
                name="web-migrate",
                kind="Job",
                path="web/templates/job.yaml",
                manifest="kind: Job\n",
                events=("pre-upgrade", "pre-install"),
                last_run=HookExecution(
                    started_at=Timestamp.parse("2026-01-02T00:00:00Z"),
                    completed_at=Timestamp.parse("2026-01-02T00:00:03Z"),
                    phase=HookPhase.SUCCEEDED,
                ),
                weight=-5,
                delete_policies=("before-hook-creation",),
            ),
        ),
        apply_method=ApplyMethod.SERVER_SIDE,
        labels={"team": "blue"},
    )
    assert release_json(release) == (
        '{"name":"web","info":{"first_deployed":"2026-01-01T00:00:00Z","last_deployed":"2026-01-02T00:00:00.5Z",'
        '"description":"Rollback to 1","status":"deployed","rollback_revision":1},'
        '"chart":{"metadata":{"name":"web","version":"1.0.0"}},"config":{"a":[3],"b":{"x":2,"y":1}},'
        '"manifest":"---\\n# Source: web/templates/cm.yaml\\nkind: ConfigMap\\n",'
        '"hooks":[{"name":"web-migrate","kind":"Job","path":"web/templates/job.yaml","manifest":"kind: Job\\n",'
        '"events":["pre-upgrade","pre-install"],"last_run":{"started_at":"2026-01-02T00:00:00Z",'
        '"completed_at":"2026-01-02T00:00:03Z","phase":"Succeeded"},"weight":-5,'
        '"delete_policies":["before-hook-creation"]}],"version":3,"namespace":"prod","apply_method":"ssa"}'
    )
    assert Release.from_json(release.to_json()) == Release(**{**release.__dict__, "labels": {}})


def test_minimal_release_json() -> None:
    assert Release(name="x", namespace="", version=0).to_json() == {"name": "x", "info": {"status": "unknown"}}


def test_unknown_keys_survive_a_round_trip() -> None:
    doc = {
        "name": "x",
        "info": {"status": "deployed", "future_info": {"a": 1}},
        "hooks": [{"name": "h", "last_run": {"phase": "Failed", "attempts": 3}, "future_hook": True}],
        "version": 2,
        "future_top": ["kept"],
    }
    release = Release.from_json(doc)
    assert release.extra == {"future_top": ["kept"]}
    assert release.info.extra == {"future_info": {"a": 1}}
    assert release.hooks[0].extra == {"future_hook": True}
    assert release.hooks[0].last_run.extra == {"attempts": 3}
    assert release.to_json() == doc


@pytest.mark.parametrize("value", ["", None, "0001-01-01T00:00:00Z"])
def test_unset_times_are_tolerated_on_read_and_omitted_on_write(value: str | None) -> None:
    doc = {"name": "x", "info": {"status": "deployed", "deleted": value, "first_deployed": value}, "version": 1}
    release = Release.from_json(doc)
    assert release.info.deleted is None and release.info.first_deployed is None
    assert release.to_json()["info"] == {"status": "deployed"}


def test_hook_times_tolerate_empty_strings() -> None:
    hook = Hook.from_json({"name": "h", "last_run": {"started_at": "", "completed_at": "", "phase": ""}})
    assert hook.last_run == HookExecution()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object"),
        ({"name": 3}, "release.name"),
        ({"version": "1"}, "release.version"),
        ({"version": True}, "release.version"),
        ({"info": {"status": "exploded"}}, "unknown release status 'exploded'"),
        ({"info": {"last_deployed": "yesterday"}}, "info.last_deployed"),
        ({"hooks": [{"last_run": {"phase": "Sleeping"}}]}, "unknown hook phase"),
        ({"hooks": ["x"]}, "hooks[0]"),
        ({"apply_method": "kubectl"}, "unknown apply method"),
    ],
)
def test_malformed_release_json_is_a_decode_error(doc: object, message: str) -> None:
    with pytest.raises(ReleaseDecodeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Release.from_json(doc)


def test_status_strings_and_pending() -> None:
    assert [s.value for s in Status] == [
        "unknown",
        "deployed",
        "uninstalled",
        "superseded",
        "failed",
        "uninstalling",
        "pending-install",
        "pending-upgrade",
        "pending-rollback",
    ]
    assert {s for s in Status if s.is_pending()} == {
        Status.PENDING_INSTALL,
        Status.PENDING_UPGRADE,
        Status.PENDING_ROLLBACK,
    }


def test_with_status_sets_status_and_description() -> None:
    release = Release(name="x", namespace="default", version=1, info=Info(status=Status.PENDING_INSTALL))
    done = release.with_status(Status.DEPLOYED, "Install complete")
    assert (done.info.status, done.info.description) == (Status.DEPLOYED, "Install complete")
    assert release.info.status is Status.PENDING_INSTALL


# -- chart_to_json ------------------------------------------------------------------------------


def test_chart_to_json_matches_helms_chart_json() -> None:
    """The escapes chart, rebuilt as a helmlite Chart, gives Helm's chart JSON (bar mtimes)."""
    helm = json.loads(helm_text("helm-escapes-floats.json"))
    helm_chart = helm["chart"]
    chart = Chart(
        metadata=ChartMetadata(name="c2", version="0.1.0", type="application", annotations={"z": "1", "a": "2"}),
        templates=[
            ChartFile("templates/NOTES.txt", "a <b> & c é\n".encode()),
            ChartFile(
                "templates/cm.yaml",
                b'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "<&>"\n',
            ),
        ],
        values={"f1": 1.0, "f2": 1000000, "f3": 0.0000001, "f4": 1.5e300, "s": "é<&>\u2028x"},
    )
    ours = json.loads(release_json(Release(name="r2", namespace="default", version=1, chart=chart_to_json(chart))))
    # helmlite keeps no file times; Helm writes modtime / schemamodtime.
    expected = {k: v for k, v in helm_chart.items() if k not in ("modtime", "schemamodtime")}
    expected["templates"] = [{"name": t["name"], "data": t["data"]} for t in helm_chart["templates"]]
    assert ours["chart"] == expected
    assert list(ours["chart"]["metadata"]) == list(helm_chart["metadata"])
    # And as text: the values are written exactly as Go writes them.
    assert '"values":{"f1":1,"f2":1000000,"f3":1e-7,"f4":1.5e+300,"s":"é\\u003c\\u0026\\u003e\\u2028x"}' in (
        release_json(Release(name="r2", namespace="default", version=1, chart=chart_to_json(chart)))
    )


def test_chart_to_json_full_metadata_lock_schema_files() -> None:
    chart = Chart(
        metadata=ChartMetadata(
            name="app",
            version="1.2.3",
            app_version="4.5",
            kube_version=">=1.25",
            description="An app",
            keywords=("web",),
            home="https://example.test",
            sources=("https://src.example.test",),
            maintainers=(Maintainer(name="Ann", email="ann@example.test"),),
            icon="https://example.test/icon.png",
            deprecated=True,
            type="application",
            annotations={"helmlite.io/template-engine": "jinja2"},
            dependencies=(
                Dependency(name="db", version="~1.0", condition="db.enabled", tags=("data",), alias="store"),
            ),
        ),
        values={},
        schema=b'{"type":"object"}',
        files=[ChartFile("README.md", b"hi\n")],
        lock=Lock(
            dependencies=(Dependency(name="db", version="1.0.4", repository="https://charts.example.test"),),
            digest="sha256:abc",
            generated="2026-01-02T03:04:05.600Z",
        ),
    )
    assert chart_to_json(chart) == {
        "metadata": {
            "name": "app",
            "home": "https://example.test",
            "sources": ["https://src.example.test"],
            "version": "1.2.3",
            "description": "An app",
            "keywords": ["web"],
            "maintainers": [{"name": "Ann", "email": "ann@example.test"}],
            "icon": "https://example.test/icon.png",
            "apiVersion": "v2",
            "appVersion": "4.5",
            "deprecated": True,
            "annotations": {"helmlite.io/template-engine": "jinja2"},
            "kubeVersion": ">=1.25",
            "dependencies": [
                {
                    "name": "db",
                    "version": "~1.0",
                    "repository": "",
                    "condition": "db.enabled",
                    "tags": ["data"],
                    "alias": "store",
                }
            ],
            "type": "application",
        },
        "lock": {
            "generated": "2026-01-02T03:04:05.6Z",
            "digest": "sha256:abc",
            "dependencies": [{"name": "db", "version": "1.0.4", "repository": "https://charts.example.test"}],
        },
        "templates": None,
        "values": {},
        "schema": "eyJ0eXBlIjoib2JqZWN0In0=",
        "files": [{"name": "README.md", "data": "aGkK"}],
    }


def test_chart_to_json_v1_chart_has_no_type() -> None:
    chart = Chart(metadata=ChartMetadata(name="old", version="0.1.0", api_version="v1"))
    assert chart_to_json(chart)["metadata"] == {"name": "old", "version": "0.1.0", "apiVersion": "v1"}


def test_release_json_rejects_non_json_values() -> None:
    with pytest.raises(ValueError):
        release_json(Release(name="x", namespace="", version=1, config={"a": float("nan")}))
    with pytest.raises(TypeError):
        release_json(Release(name="x", namespace="", version=1, config={"a": {1, 2}}))


@pytest.mark.helm
def test_chart_to_json_of_a_loaded_chart_is_helms(helm_bin: str, tmp_path: Path) -> None:
    """Differential: `helm create`'s chart, loaded by helmlite, gives the chart JSON Helm stores."""
    import subprocess

    from helmlite.chart.loader import load_chart

    subprocess.run([helm_bin, "create", str(tmp_path / "demo")], check=True, capture_output=True)
    out = subprocess.run(
        [helm_bin, "install", "--dry-run=client", "-o", "json", "demo", str(tmp_path / "demo")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    helm_chart = json.loads(out)["chart"]
    # helmlite keeps no file times; everything else must be identical.
    expected = {k: v for k, v in helm_chart.items() if k not in ("modtime", "schemamodtime")}
    for part in ("templates", "files"):
        expected[part] = [{"name": f["name"], "data": f["data"]} for f in helm_chart[part]]
    assert chart_to_json(load_chart(tmp_path / "demo")) == expected
