"""kubectl's rollout operations on the simulator: status messages, history, undo (to a
revision, renumbering), pause/resume/restart, set image, scale (seeds D-40..D-70, F-55)."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster, NotFoundError
from helmlite.cluster.controllers.deployment import REVISION_ANNOTATION
from helmlite.cluster.rollout import (
    RolloutError,
    format_rollout_history,
    pause,
    resolve_workload,
    restart,
    resume,
    rollout_history,
    rollout_status,
    rollout_undo,
    scale,
    set_image,
    watch_rollout_status,
)

from ..manifests import deployment
from .deployment_support import PodLifecycleStub, deployment_complete, rs_of, scaling_events, workload_cluster


def web(replicas: int = 3, image: str = "nginx:1.7.9", **spec: Any) -> dict[str, Any]:
    d = deployment("web", replicas=replicas, image=image)
    d["spec"].update(spec)
    return d


@pytest.fixture
def stub() -> PodLifecycleStub:
    return PodLifecycleStub()


@pytest.fixture
def cluster(stub: PodLifecycleStub) -> Cluster:
    return workload_cluster(stub=stub)


def settle(cluster: Cluster) -> None:
    assert cluster.run_until(lambda: deployment_complete(cluster, "web"), 600)


def images(cluster: Cluster) -> set[str]:
    return {p["spec"]["containers"][0]["image"] for p in cluster.store.list("v1", "Pod", namespace="default")
            if not p["metadata"].get("deletionTimestamp")}


def manager_of(obj: dict[str, Any], manager: str) -> dict[str, Any]:
    return next(e for e in obj["metadata"]["managedFields"] if e["manager"] == manager)


# --- kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["deployment", "deploy", "deployments", "Deployment", "deployments.apps",
                                      "deployment.v1.apps", "deployment.apps"])
def test_kind_spellings(spelling: str) -> None:
    assert resolve_workload(spelling).kind == "Deployment"


def test_unknown_kind() -> None:
    with pytest.raises(RolloutError, match='the server doesn\'t have a resource type "gadget"'):
        resolve_workload("gadget")


# --- status -----------------------------------------------------------------------------------


def test_status_messages_through_a_rollout(cluster: Cluster) -> None:
    cluster.store.create(web())
    assert rollout_status(cluster, "deployment", "default", "web") == (
        False, "Waiting for deployment spec update to be observed...")
    cluster.reconcile()
    assert rollout_status(cluster, "deployment", "default", "web") == (
        False, 'Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available...')
    settle(cluster)
    assert rollout_status(cluster, "deploy", "default", "web") == (True, 'deployment "web" successfully rolled out')
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    done, lines = watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)
    assert done
    assert lines == [  # D-70's transcript
        "Waiting for deployment spec update to be observed...",
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
        'deployment "web" successfully rolled out',
    ]


def test_status_with_revision(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    assert rollout_status(cluster, "deployment", "default", "web", revision_number=1)[0]
    with pytest.raises(RolloutError, match=r"desired revision \(2\) is different from the running revision \(1\)"):
        rollout_status(cluster, "deployment", "default", "web", revision_number=2)


def test_status_reports_an_exceeded_deadline(cluster: Cluster, stub: PodLifecycleStub) -> None:
    stub.never_ready.add("nginx:broken")
    cluster.store.create(web(progressDeadlineSeconds=30))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:broken"})
    started = cluster.clock.now
    with pytest.raises(RolloutError, match='^deployment "web" exceeded its progress deadline$'):
        watch_rollout_status(cluster, "deployment", "default", "web", timeout=600)
    assert cluster.clock.now - started < 35  # returned at the deadline, not at the timeout
    with pytest.raises(RolloutError):
        rollout_status(cluster, "deployment", "default", "web")


def test_status_times_out(cluster: Cluster, stub: PodLifecycleStub) -> None:
    stub.never_ready.add("nginx:broken")
    cluster.store.create(web(image="nginx:broken"))
    done, lines = watch_rollout_status(cluster, "deployment", "default", "web", timeout=60)
    assert not done
    assert lines[-1] == 'Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available...'


def test_status_of_other_kinds(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"},
                          "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                                   "template": {"metadata": {"labels": {"a": "b"}},
                                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    with pytest.raises(RolloutError, match="^no status viewer has been implemented for ReplicaSet.apps$"):
        rollout_status(cluster, "rs", "default", "rs")
    with pytest.raises(NotFoundError, match='deployments.apps "nope" not found'):
        rollout_status(cluster, "deployment", "default", "nope")


def put_status(cluster: Cluster, obj: dict[str, Any], status: dict[str, Any]) -> None:
    stored = cluster.store.get(obj["apiVersion"], obj["kind"], obj["metadata"]["name"], namespace="default")
    cluster.store.update_status({**stored, "status": status})


def test_status_viewers_for_statefulsets_and_daemonsets() -> None:
    cluster = Cluster.in_memory(controllers=[])  # statuses written by hand
    template = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "fluentd"},
          "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template}}
    cluster.store.create(ds)
    put_status(cluster, ds, {"observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 1,
                             "numberAvailable": 1, "currentNumberScheduled": 3, "numberMisscheduled": 0,
                             "numberReady": 1})
    assert rollout_status(cluster, "ds", "default", "fluentd") == (
        False, 'Waiting for daemon set "fluentd" rollout to finish: 1 out of 3 new pods have been updated...')
    put_status(cluster, ds, {"observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3,
                             "numberAvailable": 2, "currentNumberScheduled": 3, "numberMisscheduled": 0,
                             "numberReady": 3})
    assert rollout_status(cluster, "daemonset", "default", "fluentd") == (
        False, 'Waiting for daemon set "fluentd" rollout to finish: 2 of 3 updated pods are available...')
    put_status(cluster, ds, {"observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3,
                             "numberAvailable": 3, "currentNumberScheduled": 3, "numberMisscheduled": 0,
                             "numberReady": 3})
    assert rollout_status(cluster, "daemonsets.apps", "default", "fluentd") == (
        True, 'daemon set "fluentd" successfully rolled out')
    cluster.store.patch("apps/v1", "DaemonSet", "fluentd", namespace="default",
                        patch={"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": None}}})
    with pytest.raises(RolloutError, match="^rollout status is only available for RollingUpdate strategy type$"):
        rollout_status(cluster, "ds", "default", "fluentd")

    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
           "spec": {"replicas": 5, "serviceName": "nginx", "selector": {"matchLabels": {"a": "b"}},
                    "template": template,
                    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}}}}
    cluster.store.create(sts)
    assert rollout_status(cluster, "sts", "default", "web") == (
        False, "Waiting for statefulset spec update to be observed...")
    put_status(cluster, sts, {"observedGeneration": 1, "replicas": 5, "readyReplicas": 4, "updatedReplicas": 1})
    assert rollout_status(cluster, "sts", "default", "web") == (False, "Waiting for 1 pods to be ready...")
    put_status(cluster, sts, {"observedGeneration": 1, "replicas": 5, "readyReplicas": 5, "updatedReplicas": 1})
    assert rollout_status(cluster, "sts", "default", "web") == (
        False, "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...")
    put_status(cluster, sts, {"observedGeneration": 1, "replicas": 5, "readyReplicas": 5, "updatedReplicas": 2})
    assert rollout_status(cluster, "statefulset", "default", "web") == (
        True, "partitioned roll out complete: 2 new pods have been updated...")


# --- history and undo -------------------------------------------------------------------------


def test_history_with_change_causes(cluster: Cluster) -> None:
    """D-40: REVISION / CHANGE-CAUSE from kubernetes.io/change-cause (``--record``)."""
    cluster.store.create(web())
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"},
              record="kubectl set image deployment/web nginx=nginx:1.9.1 --record=true")
    settle(cluster)
    history = rollout_history(cluster, "deployment", "default", "web")
    assert [(h.revision, h.change_cause) for h in history] == [
        (1, None), (2, "kubectl set image deployment/web nginx=nginx:1.9.1 --record=true")]
    assert format_rollout_history("deployment", "web", history) == (
        "deployment.apps/web \n"
        "REVISION  CHANGE-CAUSE\n"
        "1         <none>\n"
        "2         kubectl set image deployment/web nginx=nginx:1.9.1 --record=true\n"
        "\n")
    detail = format_rollout_history("deployment", "web", history, revision_number=2)
    new_hash = rs_of(cluster, "web")[1]["metadata"]["labels"]["pod-template-hash"]
    assert detail == (
        "deployment.apps/web with revision #2\n"
        "Pod Template:\n"
        "  Labels:\tapp=web\n"
        f"\tpod-template-hash={new_hash}\n"
        "  Annotations:\tkubernetes.io/change-cause: kubectl set image deployment/web nginx=nginx:1.9.1 --record=true\n"
        "  Containers:\n"
        "   nginx:\n"
        "    Image:\tnginx:1.9.1\n"
        "    Port:\t<none>\n"
        "    Host Port:\t<none>\n"
        "    Environment:\t<none>\n"
        "    Mounts:\t<none>\n"
        "  Volumes:\t<none>\n"
        "  Node-Selectors:\t<none>\n"
        "  Tolerations:\t<none>\n"
        "\n")
    with pytest.raises(RolloutError, match="unable to find the specified revision"):
        format_rollout_history("deployment", "web", history, revision_number=9)


def test_undo_to_previous_revision_renumbers(cluster: Cluster) -> None:
    """D-42..D-44, F-55: the old ReplicaSet comes back as a new revision; revision 1 is gone."""
    cluster.store.create(web())
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    settle(cluster)
    assert rollout_undo(cluster, "deployment", "default", "web") == "deployment.apps/web rolled back"
    settle(cluster)
    assert images(cluster) == {"nginx:1.7.9"}
    assert [h.revision for h in rollout_history(cluster, "deployment", "default", "web")] == [2, 3]
    first = rs_of(cluster, "web")[0]
    assert first["metadata"]["annotations"][REVISION_ANNOTATION] == "3"
    assert first["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert first["spec"]["replicas"] == 3 and len(rs_of(cluster, "web")) == 2
    # EK-47: revision 1 no longer exists after the renumbering.
    with pytest.raises(RolloutError, match="^unable to find specified revision 1 in history$"):
        rollout_undo(cluster, "deployment", "default", "web", to_revision=1)
    # Undo again toggles back to revision 2's template, as revision 4.
    rollout_undo(cluster, "deployment", "default", "web")
    settle(cluster)
    assert images(cluster) == {"nginx:1.9.1"}
    assert [h.revision for h in rollout_history(cluster, "deployment", "default", "web")] == [3, 4]


def test_undo_to_a_revision(cluster: Cluster) -> None:
    """D-43 / F-40: --to-revision restores that revision's image."""
    cluster.store.create(web())
    settle(cluster)
    for image in ("nginx:1.17.8", "nginx:1.19", "nginx:1.21"):
        set_image(cluster, "deployment", "default", "web", {"nginx": image})
        settle(cluster)
    assert rollout_undo(cluster, "deployment", "default", "web", to_revision=2) == "deployment.apps/web rolled back"
    settle(cluster)
    assert images(cluster) == {"nginx:1.17.8"}
    assert [h.revision for h in rollout_history(cluster, "deployment", "default", "web")] == [1, 3, 4, 5]
    d = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    assert d["metadata"]["annotations"][REVISION_ANNOTATION] == "5"
    assert "pod-template-hash" not in d["spec"]["template"]["metadata"]["labels"]
    # kubectl sends no field manager for a Deployment undo: the API server records "kubectl".
    assert manager_of(d, "kubectl")["operation"] == "Update"


def test_undo_skips_when_the_template_already_matches(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    settle(cluster)
    assert rollout_undo(cluster, "deployment", "default", "web", to_revision=2) == (
        "deployment.apps/web skipped rollback (current template already matches revision 2)")


def test_undo_refusals(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    with pytest.raises(RolloutError, match='^no rollout history found for deployment "web"$'):
        rollout_undo(cluster, "deployment", "default", "web")
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    settle(cluster)
    pause(cluster, "deployment", "default", "web")
    with pytest.raises(RolloutError, match="you cannot rollback a paused deployment; resume it first"):
        rollout_undo(cluster, "deployment", "default", "web")
    with pytest.raises(RolloutError, match="unable to find specified revision -1 in history"):
        rollout_undo(cluster, "deployment", "default", "web", to_revision=-1)
    with pytest.raises(RolloutError, match='no rollbacker has been implemented for "ReplicaSet.apps"'):
        rollout_undo(cluster, "rs", "default", "x")


def test_undo_restores_the_revision_annotations(cluster: Cluster) -> None:
    """kubectl replaces the Deployment's annotations with the ReplicaSet's (minus the skip list)."""
    cluster.store.create(web())
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"}, record="set 1.9.1")
    settle(cluster)
    rollout_undo(cluster, "deployment", "default", "web")
    settle(cluster)
    annotations = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")["metadata"]["annotations"]
    assert "kubernetes.io/change-cause" not in annotations  # revision 1 had none
    assert annotations[REVISION_ANNOTATION] == "3"


# --- pause, resume, restart -------------------------------------------------------------------


def test_pause_and_resume_messages(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    assert pause(cluster, "deployment", "default", "web") == "deployment.apps/web paused"
    with pytest.raises(RolloutError, match='^deployments.apps "web" is already paused$'):
        pause(cluster, "deployment", "default", "web")
    d = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    assert d["spec"]["paused"] is True and manager_of(d, "kubectl-rollout")
    cluster.reconcile()
    paused = next(c for c in cluster.store.get("apps/v1", "Deployment", "web", namespace="default")["status"][
        "conditions"] if c["type"] == "Progressing")
    assert (paused["status"], paused["reason"], paused["message"]) == ("Unknown", "DeploymentPaused",
                                                                       "Deployment is paused")
    assert resume(cluster, "deployment", "default", "web") == "deployment.apps/web resumed"
    with pytest.raises(RolloutError, match='^deployments.apps "web" is not paused$'):
        resume(cluster, "deployment", "default", "web")
    cluster.advance(30)
    # DeploymentResumed (Unknown) is set first, then at once NewReplicaSetAvailable again: the
    # condition transitioned at the resume.
    progressing = next(c for c in cluster.store.get("apps/v1", "Deployment", "web", namespace="default")["status"][
        "conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"], progressing["lastTransitionTime"]) == (
        "True", "NewReplicaSetAvailable", "2026-01-01T00:00:01Z")
    cluster.store.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                          "spec": {"selector": {"matchLabels": {"a": "b"}},
                                   "template": {"metadata": {"labels": {"a": "b"}},
                                                "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    with pytest.raises(RolloutError, match='^daemonsets.apps "agent" pausing is not supported$'):
        pause(cluster, "ds", "default", "agent")
    with pytest.raises(RolloutError, match='^daemonsets.apps "agent" resuming is not supported$'):
        resume(cluster, "daemonset", "default", "agent")


def test_restart_rolls_every_pod(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    before = {p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default")}
    cluster.advance(60)
    assert restart(cluster, "deployment", "default", "web") == "deployment.apps/web restarted"
    settle(cluster)
    cluster.advance(5)
    after = {p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default")}
    assert not before & after and len(after) == 3
    template = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")["spec"]["template"]
    assert template["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:01:01Z"}
    pause(cluster, "deployment", "default", "web")
    with pytest.raises(RolloutError, match="can't restart paused deployment \\(run rollout resume first\\)"):
        restart(cluster, "deployment", "default", "web")


# --- set image, scale -------------------------------------------------------------------------


def test_set_image(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    assert set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.7.9"}) is None  # no change
    with pytest.raises(RolloutError, match='^unable to find container named "app"$'):
        set_image(cluster, "deployment", "default", "web", {"app": "nginx:2"})
    assert set_image(cluster, "deploy", "default", "web", {"*": "nginx:1.9.1"}) == "deployment.apps/web image updated"
    d = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.9.1"
    owned = manager_of(d, "kubectl-set")["fieldsV1"]
    assert "f:spec" in owned and "f:replicas" not in owned["f:spec"]
    settle(cluster)
    assert images(cluster) == {"nginx:1.9.1"}


def test_scale(cluster: Cluster) -> None:
    cluster.store.create(web())
    settle(cluster)
    assert scale(cluster, "deployment", "default", "web", 5) == "deployment.apps/web scaled"
    with pytest.raises(RolloutError, match="^Expected replicas to be 3, was 5$"):
        scale(cluster, "deployment", "default", "web", 2, current_replicas=3)
    settle(cluster)
    assert len(cluster.store.list("v1", "Pod", namespace="default")) == 5
    d = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    entry = manager_of(d, "kubectl")  # kubectl scale sends no field manager
    assert entry["subresource"] == "scale"
    assert scaling_events(cluster)[-1].endswith("from 3 to 5")
    with pytest.raises(RolloutError, match="must be greater than or equal to 0"):
        scale(cluster, "deployment", "default", "web", -1)
