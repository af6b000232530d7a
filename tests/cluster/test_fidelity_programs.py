"""What a container whose program the simulator cannot interpret does (``images.simulated_run``):
it follows its role — it finishes in a Job, a hook or an init container, and keeps running in
a long-running pod — so real charts' hook Jobs and init containers complete."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.kubelet import container_logs
from helmlite.cluster.images import UNKNOWN_PROGRAM_RUN_SECONDS, Run, image_info, pull_seconds, simulated_run

from .controllers.kubelet_support import get_pod, kubectl_columns, pod_manifest

KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.36.2"
BITNAMI_IMAGE = "docker.io/bitnami/apache:2.4.65-debian-12-r2"
# bitnami/apache's init container, verbatim: a shebang, a sourced library, a comment, an if block.
BITNAMI_INIT_SCRIPT = """#!/bin/bash

. /opt/bitnami/scripts/libfs.sh
# We copy the logs folder because it has symlinks to stdout and stderr
if ! is_dir_empty /opt/bitnami/apache/logs; then
  cp -r /opt/bitnami/apache/logs /emptydir/app-logs-dir
fi
"""


def run(container: dict[str, Any], *, runs_to_completion: bool) -> Run:
    return simulated_run(container, image_info(container["image"]), runs_to_completion=runs_to_completion)


# --- the rule, program by program ----------------------------------------------------------------

@pytest.mark.parametrize("container", [
    {"name": "apply", "image": KUBECTL_IMAGE, "command": ["kubectl", "apply", "--server-side", "-f", "crds.yaml"]},
    {"name": "certgen", "image": "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.3", "args": ["create"]},
    {"name": "entrypoint", "image": "quay.io/argoproj/argocli:v4.0.6"},
    {"name": "make-bucket", "image": "quay.io/minio/mc:latest", "command": ["/bin/sh", "/config/initialize"]},
    {"name": "migrate", "image": "python:3.12", "command": ["python", "manage.py", "migrate"]},
    {"name": "wrapped", "image": "quay.io/minio/minio:latest",
     "command": ["/bin/sh", "-ce", "/usr/bin/docker-entrypoint.sh minio server /export"]},
], ids=lambda c: c["name"])
def test_an_unknown_program_finishes_in_a_run_to_completion_role_and_serves_otherwise(container: dict) -> None:
    finished = run(container, runs_to_completion=True)
    assert (finished.seconds, finished.exit_code) == (UNKNOWN_PROGRAM_RUN_SECONDS, 0)
    assert run(container, runs_to_completion=False).seconds is None


@pytest.mark.parametrize("container", [
    {"name": "server", "image": "nginx:1.25"},
    {"name": "flags", "image": "memcached:1.6", "args": ["-m 64", "--extended=modern"]},
    {"name": "loop", "image": "busybox:1.36", "command": ["sh", "-c", "while true; do date; sleep 5; done"]},
    {"name": "follow", "image": "busybox:1.36", "command": ["tail", "-f", "/dev/null"]},
], ids=lambda c: c["name"])
def test_known_servers_keep_running_whatever_the_role(container: dict) -> None:
    assert run(container, runs_to_completion=True).seconds is None
    assert run(container, runs_to_completion=False).seconds is None


@pytest.mark.parametrize("runs_to_completion", [True, False])
def test_a_script_of_known_one_shot_commands_exits_at_once_in_either_role(runs_to_completion: bool) -> None:
    # "-ec" carries -c inside an option cluster; the last statement (cp) is a known one-shot.
    container = {"name": "preserve-logs-symlinks", "image": BITNAMI_IMAGE,
                 "command": ["/bin/bash"], "args": ["-ec", BITNAMI_INIT_SCRIPT]}
    assert run(container, runs_to_completion=runs_to_completion) == Run(0.0, 0, ignores_sigterm=True)


@pytest.mark.parametrize(("argv", "expected"), [
    (["sh", "-o", "pipefail", "-c", "exit 3"], Run(0.0, 3, ignores_sigterm=True)),
    (["bash", "-xeuc", "sleep 2; echo done"], Run(2.0, 0, ignores_sigterm=True, output=("done",))),
    (["sh", "-c", "# while true: not a loop, a comment\necho hi"], Run(0.0, 0, ignores_sigterm=True, output=("hi",))),
    (["sh", "-c", "MODE=fast mkdir -p /data && chmod 0755 /data"], Run(0.0, 0, ignores_sigterm=True)),
    (["sh", "-e"], Run(0.0, 0)),
], ids=["pipefail", "option-cluster", "comment", "assignment", "no-script"])
def test_shell_invocations(argv: list[str], expected: Run) -> None:
    assert run({"name": "c", "image": "busybox:1.36", "command": argv}, runs_to_completion=False) == expected


def test_setup_steps_before_a_known_last_command_take_no_time() -> None:
    container = {"name": "c", "image": "busybox:1.36",
                 "command": ["sh", "-c", "install-plugins --all; render-config /etc/app; echo ready"]}
    assert run(container, runs_to_completion=True) == Run(0.0, 0, ignores_sigterm=True, output=("ready",))


# --- the kubelet applies it by role --------------------------------------------------------------

def create(cluster: Cluster, manifest: dict[str, Any]) -> None:
    cluster.store.create(manifest)
    cluster.reconcile()


def test_a_job_running_kubectl_completes(cluster: Cluster) -> None:
    container = {"name": "apply", "image": KUBECTL_IMAGE,
                 "command": ["kubectl", "apply", "--server-side", "-f", "crds.yaml"]}
    create(cluster, {"apiVersion": "batch/v1", "kind": "Job",
                     "metadata": {"name": "crd-install", "namespace": "default"},
                     "spec": {"backoffLimit": 0,
                              "template": {"spec": {"restartPolicy": "OnFailure", "containers": [container]}}}})
    pull = pull_seconds(image_info(KUBECTL_IMAGE))
    cluster.advance(2 + pull + UNKNOWN_PROGRAM_RUN_SECONDS + 2)
    job = cluster.store.get("batch/v1", "Job", "crd-install", namespace="default")
    conditions = {c["type"]: c["status"] for c in job["status"].get("conditions") or []}
    assert conditions.get("Complete") == "True"
    assert job["status"]["succeeded"] == 1


def test_init_containers_of_unknown_programs_finish_and_the_pod_starts(cluster: Cluster) -> None:
    create(cluster, pod_manifest("web", initContainers=[
        {"name": "preserve-logs-symlinks", "image": BITNAMI_IMAGE, "command": ["/bin/bash"],
         "args": ["-ec", BITNAMI_INIT_SCRIPT]},
        {"name": "wait-for-schema", "image": "example.com/tools/schema-check:2"},
    ], containers=[{"name": "apache", "image": BITNAMI_IMAGE}]))
    cluster.advance(60)
    pod = get_pod(cluster, "web")
    assert pod is not None
    assert kubectl_columns(pod) == ("1/1", "Running", 0)
    exits = {s["name"]: s["state"]["terminated"]["exitCode"] for s in pod["status"]["initContainerStatuses"]}
    assert exits == {"preserve-logs-symlinks": 0, "wait-for-schema": 0}


def test_a_sidecar_of_an_unknown_image_keeps_running(cluster: Cluster) -> None:
    create(cluster, pod_manifest("meshed", initContainers=[
        {"name": "proxy", "image": "example.com/mesh/proxy:1.0", "restartPolicy": "Always"}]))
    cluster.advance(600)
    pod = get_pod(cluster, "meshed")
    assert pod is not None
    assert kubectl_columns(pod) == ("2/2", "Running", 0)


def test_an_unknown_image_in_a_long_running_pod_serves_without_restarts(cluster: Cluster) -> None:
    create(cluster, pod_manifest("controller", containers=[
        {"name": "controller", "image": "quay.io/argoproj/workflow-controller:v4.0.6",
         "command": ["workflow-controller"], "args": ["--loglevel", "info"]}]))
    cluster.advance(3600)
    pod = get_pod(cluster, "controller")
    assert pod is not None
    assert kubectl_columns(pod) == ("1/1", "Running", 0)


def test_a_hook_pod_running_an_unknown_program_completes_and_logs_its_exit(cluster: Cluster) -> None:
    create(cluster, pod_manifest("post-job", restartPolicy="Never", containers=[
        {"name": "make-bucket", "image": "quay.io/minio/mc:latest", "command": ["/bin/sh", "/config/initialize"]}]))
    cluster.advance(60)
    pod = get_pod(cluster, "post-job")
    assert pod is not None
    assert kubectl_columns(pod) == ("0/1", "Completed", 0)
    assert container_logs(cluster, "default", "post-job").rstrip().endswith(
        "container make-bucket exited with code 0 (Completed)")


def test_a_pre_stop_hook_of_an_unknown_program_finishes_before_the_grace_period(cluster: Cluster) -> None:
    create(cluster, pod_manifest("drained", containers=[
        {"name": "app", "image": "nginx:1.25",
         "lifecycle": {"preStop": {"exec": {"command": ["/usr/local/bin/drain", "--wait"]}}}}]))
    cluster.advance(30)
    cluster.store.delete("v1", "Pod", "drained", namespace="default")
    cluster.advance(UNKNOWN_PROGRAM_RUN_SECONDS + 1)
    assert get_pod(cluster, "drained") is None
