"""The kubelet model: pod lifecycle timelines on the virtual clock, image pulls and their
back-off, restarts and CrashLoopBackOff, probes, init containers, termination, logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmlite.cluster import BadRequestError, Cluster
from helmlite.cluster.controllers.kubelet import container_logs, go_duration
from helmlite.cluster.faults import add_fault, remove_fault
from helmlite.cluster.images import image_info, pi_digits, pull_seconds

from .kubelet_support import EventLog, get_pod, kubectl_columns, pod_manifest, status_of

NGINX_PULL = pull_seconds(image_info("nginx:1.25"))  # 4.15 s
BUSYBOX_PULL = pull_seconds(image_info("busybox:1.36"))  # 0.608 s
ON_NODE_1 = {"nodeSelector": {"kubernetes.io/hostname": "node-1"}}


@pytest.fixture
def log(cluster: Cluster) -> EventLog:
    return EventLog(cluster)


def create(cluster: Cluster, manifest: dict) -> dict:
    created = cluster.store.create(manifest)
    cluster.reconcile()
    return created


def columns(cluster: Cluster, name: str) -> tuple[str, str, int]:
    pod = get_pod(cluster, name)
    assert pod is not None
    return kubectl_columns(pod)


# --- the happy path ------------------------------------------------------------------------------

def test_pod_timeline_from_scheduling_to_running(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("web-0"))
    pod = get_pod(cluster, "web-0")
    assert pod is not None
    node = pod["spec"]["nodeName"]
    assert columns(cluster, "web-0") == ("0/1", "ContainerCreating", 0)
    assert pod["status"]["phase"] == "Pending"
    assert pod["status"]["podIP"].startswith("10.244.")
    assert pod["status"]["hostIP"].startswith("172.18.0.")
    cluster.advance(10)
    assert columns(cluster, "web-0") == ("1/1", "Running", 0)
    assert [(e.at, e.reason, e.message) for e in log.of("web-0")] == [
        (0.0, "Scheduled", f"Successfully assigned default/web-0 to {node}"),
        (1.0, "Pulling", 'Pulling image "nginx:1.25"'),
        (1.0 + NGINX_PULL, "Pulled", 'Successfully pulled image "nginx:1.25" in 4.15s (4.15s including waiting). '
                                     "Image size: 72994873 bytes."),
        (1.0 + NGINX_PULL, "Created", "Created container: app"),
        (1.0 + NGINX_PULL, "Started", "Started container app"),
    ]
    assert {e.source for e in log.of("web-0")} == {"default-scheduler", "kubelet"}
    assert log.of("web-0", "Started")[0].field_path == "spec.containers{app}"
    status = get_pod(cluster, "web-0")["status"]  # type: ignore[index]
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    assert all(c["status"] == "True" for c in status["conditions"])
    by_type = {c["type"]: c for c in status["conditions"]}
    assert by_type["PodReadyToStartContainers"]["lastTransitionTime"] == "2026-01-01T00:00:01Z"
    assert by_type["Ready"]["lastTransitionTime"] == "2026-01-01T00:00:05Z"
    cs = status["containerStatuses"][0]
    assert cs["image"] == "docker.io/library/nginx:1.25"
    assert cs["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert cs["containerID"].startswith("containerd://") and len(cs["containerID"]) == 13 + 64
    assert (cs["ready"], cs["started"], cs["restartCount"], cs["lastState"]) == (True, True, 0, {})
    assert status["qosClass"] == "BestEffort"
    node_images = cluster.store.peek("", "Node", "", node)["status"]["images"]  # type: ignore[index]
    assert any("docker.io/library/nginx:1.25" in image["names"] for image in node_images)


def test_a_cached_image_is_not_pulled_again(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("first", **ON_NODE_1))
    cluster.advance(10)
    create(cluster, pod_manifest("second", **ON_NODE_1))
    cluster.advance(2)
    assert log.reasons("second") == ["Scheduled", "Pulled", "Created", "Started"]
    pulled = log.of("second", "Pulled")[0]
    assert pulled.message == 'Container image "nginx:1.25" already present on machine and can be accessed by the pod'
    assert pulled.at == 11.0
    assert columns(cluster, "second") == ("1/1", "Running", 0)


def test_pull_policy_always_pulls_a_cached_image(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("first", **ON_NODE_1))
    cluster.advance(10)
    create(cluster, pod_manifest("again", containers=[{"name": "app", "image": "nginx:1.25",
                                                        "imagePullPolicy": "Always"}], **ON_NODE_1))
    cluster.advance(5)
    assert log.reasons("again") == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    assert "in 500ms (500ms including waiting)" in log.of("again", "Pulled")[0].message


def test_pod_ips_come_from_the_node_cidr(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        create(cluster, pod_manifest(name, **ON_NODE_1))
    ips = [get_pod(cluster, n)["status"]["podIP"] for n in ("a", "b", "c")]  # type: ignore[index]
    assert ips == ["10.244.1.2", "10.244.1.3", "10.244.1.4"]
    net = create(cluster, pod_manifest("host", hostNetwork=True, **ON_NODE_1))
    assert get_pod(cluster, "host")["status"]["podIP"] == "172.18.0.2"  # type: ignore[index]
    del net


# --- images --------------------------------------------------------------------------------------

def test_err_image_pull_then_image_pull_back_off_doubling_to_five_minutes(cluster: Cluster, log: EventLog) -> None:
    add_fault(cluster, {"kind": "image-pull", "image": "nginx:1.99"})
    create(cluster, pod_manifest("bad", image="nginx:1.99"))
    cluster.advance(2)
    assert columns(cluster, "bad") == ("0/1", "ErrImagePull", 0)
    cs = get_pod(cluster, "bad")["status"]["containerStatuses"][0]  # type: ignore[index]
    ref = "docker.io/library/nginx:1.99"
    assert cs["state"]["waiting"]["message"] == (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": failed to resolve reference '
        f'"{ref}": {ref}: not found')
    cluster.advance(25)
    assert columns(cluster, "bad") == ("0/1", "ImagePullBackOff", 0)
    cs = get_pod(cluster, "bad")["status"]["containerStatuses"][0]  # type: ignore[index]
    assert cs["state"]["waiting"]["message"].startswith('Back-off pulling image "nginx:1.99": ErrImagePull: rpc error')
    cluster.advance(1200)
    pulls = log.times("bad", "Pulling")
    failures = log.times("bad", "Failed", message="Failed to pull image")
    assert len(failures) == len(pulls) >= 8
    gaps = [round(nxt - failed, 3) for failed, nxt in zip(failures, pulls[1:])]
    assert gaps[:7] == [10, 20, 40, 80, 160, 300, 300]
    assert log.of("bad", "Failed")[0].message.startswith('Failed to pull image "nginx:1.99": rpc error: code = NotFound')
    assert "Error: ErrImagePull" in [e.message for e in log.of("bad", "Failed")]
    assert "Error: ImagePullBackOff" in [e.message for e in log.of("bad", "Failed")]
    backoffs = log.of("bad", "BackOff")
    assert backoffs and backoffs[0].message == 'Back-off pulling image "nginx:1.99"'
    assert backoffs[0].type == "Normal"
    # each back-off resync (every 10 s) records the BackOff event again
    assert len(backoffs) > 20


def test_removing_the_fault_lets_the_next_attempt_succeed(cluster: Cluster, log: EventLog) -> None:
    fid = add_fault(cluster, {"kind": "image-pull", "image": "registry.example.com/*", "error": "Unauthorized"})
    create(cluster, pod_manifest("private", image="registry.example.com/team/app:v1"))
    cluster.advance(30)
    assert status_of(cluster, "private") == "ImagePullBackOff"
    assert "pull access denied" in log.of("private", "Failed")[0].message
    remove_fault(cluster, fid)
    cluster.advance(60)
    assert columns(cluster, "private") == ("1/1", "Running", 0)


def test_image_pull_policy_never_and_invalid_names(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("never", containers=[{"name": "app", "image": "nginx:1.25",
                                                        "imagePullPolicy": "Never"}]))
    create(cluster, pod_manifest("invalid", image="NGINX:latest"))
    cluster.advance(35)
    assert status_of(cluster, "never") == "ErrImageNeverPull"
    assert log.of("never", "ErrImageNeverPull")[0].message == (
        'Container image "nginx:1.25" is not present with pull policy of Never')
    assert len(log.of("never", "ErrImageNeverPull")) == 4  # at 1 s, then every 10 s
    assert status_of(cluster, "invalid") == "InvalidImageName"
    assert log.of("invalid", "InspectFailed")[0].message == (
        'Failed to apply default image tag "NGINX:latest": couldn\'t parse image name "NGINX:latest": '
        "invalid reference format")


# --- restarts --------------------------------------------------------------------------------------

CRASHER = [{"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 2; exit 1"]}]


def test_crash_loop_back_off_doubles_from_10s_to_5min(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("crash", containers=CRASHER))
    cluster.advance(8)  # first run 1–3 s, restarted at 4, crashed again at 6
    ready, status, restarts = columns(cluster, "crash")
    assert (status, restarts) == ("CrashLoopBackOff", 1)
    cluster.advance(2000)
    starts = log.times("crash", "Started")
    pod = get_pod(cluster, "crash")
    assert pod is not None
    # each run lasts 2 s (from its whole-second startedAt); the next start follows the back-off
    exits = [int(t) + 2 for t in starts]
    gaps = [round(nxt - ended, 3) for ended, nxt in zip(exits, starts[1:])]
    assert gaps[:8] == [1, 10, 20, 40, 80, 160, 300, 300]
    cs = pod["status"]["containerStatuses"][0]
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert cs["lastState"]["terminated"]["reason"] == "Error"
    assert pod["status"]["phase"] == "Running"
    back = log.of("crash", "BackOff")[0]
    assert back.type == "Warning"
    assert back.message == f"Back-off restarting failed container app in pod crash_default({pod['metadata']['uid']})"


def test_crash_loop_message_and_columns(cluster: Cluster) -> None:
    create(cluster, pod_manifest("crash", containers=CRASHER))
    cluster.advance(1 + BUSYBOX_PULL + 2 - 0.6)  # the first run just ended
    assert columns(cluster, "crash") == ("0/1", "Error", 0)
    cluster.advance(1)
    assert columns(cluster, "crash") == ("1/1", "Running", 1)
    cluster.advance(3)
    pod = get_pod(cluster, "crash")
    assert pod is not None
    waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {"reason": "CrashLoopBackOff", "message": (
        f"back-off 10s restarting failed container=app pod=crash_default({pod['metadata']['uid']})")}


def test_back_off_resets_after_ten_minutes_of_running(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("flaky", containers=CRASHER))
    cluster.advance(60)  # crashed a few times: back-off now 20 s+
    cluster.store.patch("v1", "Pod", "flaky", namespace="default",
                        patch={"metadata": {"annotations": {"helmlite.io/run-seconds": "700",
                                                            "helmlite.io/exit-code": "1"}}})
    cluster.advance(2000)
    starts = log.times("flaky", "Started")
    long_run = next(i for i, t in enumerate(starts[1:], 1) if t - starts[i - 1] > 600)
    # the crash after a 700 s run is more than 10 minutes after the previous one: restart at once
    assert round(starts[long_run] - (int(starts[long_run - 1]) + 700), 3) == 1


def test_restart_policy_never_and_on_failure(cluster: Cluster) -> None:
    create(cluster, pod_manifest("never", restartPolicy="Never",
                                 containers=[{"name": "app", "image": "busybox", "command": ["false"]}]))
    create(cluster, pod_manifest("onfailure", restartPolicy="OnFailure",
                                 containers=[{"name": "app", "image": "busybox", "command": ["false"]}]))
    create(cluster, pod_manifest("ok", restartPolicy="OnFailure",
                                 containers=[{"name": "app", "image": "busybox", "command": ["echo", "done"]}]))
    cluster.advance(30)
    assert columns(cluster, "never") == ("0/1", "Error", 0)
    assert get_pod(cluster, "never")["status"]["phase"] == "Failed"  # type: ignore[index]
    assert columns(cluster, "onfailure")[1:] == ("CrashLoopBackOff", 2)
    assert get_pod(cluster, "onfailure")["status"]["phase"] == "Running"  # type: ignore[index]
    assert columns(cluster, "ok") == ("0/1", "Completed", 0)
    ok = get_pod(cluster, "ok")
    assert ok is not None and ok["status"]["phase"] == "Succeeded"
    conditions = {c["type"]: c for c in ok["status"]["conditions"]}
    assert conditions["Ready"]["status"] == "False" and conditions["Ready"]["reason"] == "PodCompleted"
    assert conditions["PodReadyToStartContainers"]["status"] == "False"


def test_job_pods_complete_after_their_simulated_run(cluster: Cluster) -> None:
    create(cluster, pod_manifest("pi", restartPolicy="Never", containers=[
        {"name": "pi", "image": "perl:5.34.0", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]}]))
    pull = pull_seconds(image_info("perl:5.34.0"))
    cluster.advance(1 + pull + 5)
    assert status_of(cluster, "pi") == "Running"
    cluster.advance(10)
    assert columns(cluster, "pi") == ("0/1", "Completed", 0)
    logs = container_logs(cluster, "default", "pi")
    assert pi_digits(2000) in logs
    assert logs.rstrip().endswith("container pi exited with code 0 (Completed)")


def test_container_exit_fault(cluster: Cluster, log: EventLog) -> None:
    add_fault(cluster, {"kind": "container-exit", "pod": "oom", "exitCode": 137, "reason": "OOMKilled", "after": 20,
                        "times": 1, "message": "memory limit exceeded"})
    create(cluster, pod_manifest("oom"))
    cluster.advance(1 + NGINX_PULL + 25)
    pod = get_pod(cluster, "oom")
    assert pod is not None
    assert columns(cluster, "oom") == ("1/1", "Running", 1)
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled")
    previous = container_logs(cluster, "default", "oom", previous=True)
    assert "memory limit exceeded" in previous
    assert "exited with code 137 (OOMKilled)" in previous
    cluster.advance(600)
    assert columns(cluster, "oom")[2] == 1  # "times": 1 — only the first run


def test_changing_the_image_of_a_pod_restarts_its_container(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("web"))
    cluster.advance(10)
    pod = cluster.store.get("v1", "Pod", "web", namespace="default")
    pod["spec"]["containers"][0]["image"] = "nginx:1.26"
    cluster.store.replace(pod)
    cluster.advance(10)
    assert log.of("web", "Killing")[0].message == "Container app definition changed, will be restarted"
    pod = get_pod(cluster, "web")
    assert pod is not None
    cs = pod["status"]["containerStatuses"][0]
    assert cs["image"] == "docker.io/library/nginx:1.26"
    assert (cs["restartCount"], cs["ready"]) == (1, True)


# --- probes ----------------------------------------------------------------------------------------

def probe(kind: str = "httpGet", **timing: int) -> dict:
    handler = {"httpGet": {"path": "/healthz", "port": 80}} if kind == "httpGet" else {
        "tcpSocket": {"port": "http"}} if kind == "tcpSocket" else {"exec": {"command": ["cat", "/tmp/healthy"]}}
    return {**handler, **timing}


def test_readiness_probe_thresholds(cluster: Cluster) -> None:
    create(cluster, pod_manifest("slow", containers=[{
        "name": "app", "image": "nginx:1.25",
        "readinessProbe": probe(initialDelaySeconds=5, periodSeconds=5, successThreshold=2)}]))
    cluster.advance(1 + NGINX_PULL)  # started at 00:00:05
    started = 5.0
    assert columns(cluster, "slow") == ("0/1", "Running", 0)
    cluster.advance(started + 5 + 5 - cluster.clock.now % 60 - 0.5)  # just before the second success
    assert columns(cluster, "slow")[0] == "0/1"
    cluster.advance(1)
    assert columns(cluster, "slow") == ("1/1", "Running", 0)
    ready = next(c for c in get_pod(cluster, "slow")["status"]["conditions"] if c["type"] == "Ready")  # type: ignore[index]
    assert ready["lastTransitionTime"] == "2026-01-01T00:00:15Z"


def test_readiness_that_never_passes(cluster: Cluster, log: EventLog) -> None:
    add_fault(cluster, {"kind": "readiness", "pod": "stuck"})
    create(cluster, pod_manifest("stuck", containers=[{
        "name": "app", "image": "nginx:1.25", "ports": [{"name": "http", "containerPort": 8080}],
        "readinessProbe": probe("tcpSocket")}]))
    cluster.advance(66)
    pod = get_pod(cluster, "stuck")
    assert pod is not None
    assert columns(cluster, "stuck") == ("0/1", "Running", 0)
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ContainersNotReady", "containers with unready status: [app]")
    unhealthy = log.of("stuck", "Unhealthy")
    ip = pod["status"]["podIP"]
    assert unhealthy[0].message == f"Readiness probe failed: dial tcp {ip}:8080: connect: connection refused"
    # at the start, then every periodSeconds from the (whole-second) start time
    assert [e.at for e in unhealthy] == [1 + NGINX_PULL, 15.0, 25.0, 35.0, 45.0, 55.0, 65.0]


def test_readiness_failing_after_a_while_and_recovering(cluster: Cluster) -> None:
    create(cluster, pod_manifest("web", containers=[{"name": "app", "image": "nginx:1.25",
                                                      "readinessProbe": probe(periodSeconds=10)}]))
    cluster.advance(10)
    assert columns(cluster, "web")[0] == "1/1"
    fid = add_fault(cluster, {"kind": "readiness", "pod": "web"})
    cluster.advance(15)
    assert columns(cluster, "web")[0] == "1/1"  # one failure is not enough (failureThreshold 3)
    cluster.advance(20)
    assert columns(cluster, "web") == ("0/1", "Running", 0)
    remove_fault(cluster, fid)
    cluster.advance(1)
    assert columns(cluster, "web")[0] == "1/1"


def test_liveness_failure_restarts_the_container(cluster: Cluster, log: EventLog) -> None:
    add_fault(cluster, {"kind": "liveness", "pod": "live", "after": 30})
    create(cluster, pod_manifest("live", containers=[{
        "name": "app", "image": "nginx:1.25",
        "livenessProbe": probe(initialDelaySeconds=5, periodSeconds=10, failureThreshold=3)}]))
    cluster.advance(80)
    started = 5.0
    unhealthy = log.of("live", "Unhealthy")
    # probes every 10 s from started + 10 (initialDelaySeconds 5); failing from started + 30
    assert [e.at for e in unhealthy[:3]] == [started + 30, started + 40, started + 50]
    assert unhealthy[0].message.startswith('Liveness probe failed: Get "http://10.244.')
    killing = log.of("live", "Killing")[0]
    assert (killing.at, killing.message) == (started + 50, "Container app failed liveness probe, will be restarted")
    pod = get_pod(cluster, "live")
    assert pod is not None
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 1
    assert pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 143


def test_liveness_failure_with_restart_policy_never_fails_the_pod(cluster: Cluster) -> None:
    add_fault(cluster, {"kind": "liveness", "pod": "once"})
    create(cluster, pod_manifest("once", restartPolicy="Never", containers=[{
        "name": "app", "image": "nginx:1.25", "livenessProbe": probe("exec", periodSeconds=5, failureThreshold=2)}]))
    cluster.advance(30)
    pod = get_pod(cluster, "once")
    assert pod is not None
    assert pod["status"]["phase"] == "Failed"
    assert columns(cluster, "once") == ("0/1", "Error", 0)


def test_startup_probe_gates_readiness_and_kills_on_failure(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("boot", containers=[{
        "name": "app", "image": "nginx:1.25", "startupProbe": probe("tcpSocket", periodSeconds=10, failureThreshold=60),
        "readinessProbe": probe("tcpSocket", initialDelaySeconds=5, periodSeconds=10)}]))
    cluster.advance(1 + NGINX_PULL)
    pod = get_pod(cluster, "boot")
    assert pod is not None
    cs = pod["status"]["containerStatuses"][0]
    assert (cs["started"], cs["ready"]) == (True, False)  # startup passes at once; readiness waits 5 s
    cluster.advance(10)
    assert get_pod(cluster, "boot")["status"]["containerStatuses"][0]["ready"] is True  # type: ignore[index]
    add_fault(cluster, {"kind": "startup", "pod": "stuck-boot"})
    create(cluster, pod_manifest("stuck-boot", containers=[{
        "name": "app", "image": "nginx:1.25", "startupProbe": probe("tcpSocket", periodSeconds=10, failureThreshold=3)}]))
    cluster.advance(40)
    assert log.of("stuck-boot", "Killing")[0].message == "Container app failed startup probe, will be restarted"
    assert [e.message.split(":")[0] for e in log.of("stuck-boot", "Unhealthy")][:3] == ["Startup probe failed"] * 3


# --- init containers -------------------------------------------------------------------------------

def test_init_containers_run_in_order(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("init-demo", initContainers=[
        {"name": "init-1", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 40"]},
        {"name": "init-2", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 40"]},
    ]))
    assert columns(cluster, "init-demo") == ("0/1", "Init:0/2", 0)
    cluster.advance(20)
    assert columns(cluster, "init-demo") == ("0/1", "Init:0/2", 0)
    pod = get_pod(cluster, "init-demo")
    assert pod is not None and "running" in pod["status"]["initContainerStatuses"][0]["state"]
    cluster.advance(30)  # init-1 ran 1–41 s, init-2 runs 41–81 s
    assert columns(cluster, "init-demo") == ("0/1", "Init:1/2", 0)
    cluster.advance(33)  # pulling nginx for the app container
    assert columns(cluster, "init-demo") == ("0/1", "PodInitializing", 0)
    cluster.advance(7)
    assert columns(cluster, "init-demo") == ("1/1", "Running", 0)
    pod = get_pod(cluster, "init-demo")
    assert pod is not None
    first, second = pod["status"]["initContainerStatuses"]
    assert first["state"]["terminated"]["reason"] == "Completed" and first["ready"] is True
    assert second["state"]["terminated"]["exitCode"] == 0
    starts = [(e.at, e.field_path) for e in log.of("init-demo", "Started")]
    assert [f for _, f in starts] == ["spec.initContainers{init-1}", "spec.initContainers{init-2}", "spec.containers{app}"]
    assert starts[1][0] - starts[0][0] == pytest.approx(40, abs=1)
    initialized = next(c for c in pod["status"]["conditions"] if c["type"] == "Initialized")
    assert initialized["status"] == "True"


def test_failing_init_container(cluster: Cluster) -> None:
    bad_init = [{"name": "setup", "image": "busybox:1.36", "command": ["sh", "-c", "exit 2"]}]
    create(cluster, pod_manifest("retry", initContainers=bad_init))
    create(cluster, pod_manifest("never", initContainers=bad_init, restartPolicy="Never"))
    cluster.advance(30)
    assert columns(cluster, "retry")[1] == "Init:CrashLoopBackOff"
    never = get_pod(cluster, "never")
    assert never is not None and never["status"]["phase"] == "Failed"
    assert columns(cluster, "never")[1] == "Init:Error"
    initialized = next(c for c in never["status"]["conditions"] if c["type"] == "Initialized")
    assert initialized["message"] == "containers with incomplete status: [setup]"


# --- termination -------------------------------------------------------------------------------------

def test_graceful_deletion(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("web"))
    create(cluster, pod_manifest("sleeper", containers=[{"name": "app", "image": "busybox:1.36",
                                                         "command": ["sleep", "3600"]}]))
    create(cluster, pod_manifest("hooked", containers=[{"name": "app", "image": "nginx:1.25", "lifecycle": {
        "preStop": {"exec": {"command": ["sh", "-c", "sleep 5"]}}}}]))
    cluster.advance(10)
    for name in ("web", "sleeper", "hooked"):
        cluster.store.delete("v1", "Pod", name, namespace="default")
    cluster.reconcile()
    assert get_pod(cluster, "web") is None  # nginx stops on SIGTERM at once
    assert status_of(cluster, "sleeper") == "Terminating"
    assert status_of(cluster, "hooked") == "Terminating"
    assert log.of("sleeper", "Killing")[0].message == "Stopping container app"
    cluster.advance(5)
    assert get_pod(cluster, "hooked") is None  # after its preStop hook
    cluster.advance(24)
    assert status_of(cluster, "sleeper") == "Terminating"
    cluster.advance(1)
    assert get_pod(cluster, "sleeper") is None  # SIGKILL at the end of the 30 s grace period


def test_a_deletion_by_the_next_command_at_a_fractional_second_is_announced(tmp_path: Path) -> None:
    """Regression: ``deletionTimestamp`` is truncated to the second, so a pod deleted by a command
    at t = n + 0.5 looked as if deleted before that command began and got no ``Killing`` event."""
    path, clock = tmp_path / "cluster.db", [1_000_000.0]
    with Cluster.open(path, wall_clock=lambda: clock[0]) as cluster:
        create(cluster, pod_manifest("web"))
        cluster.advance(10)
    clock[0] += 0.5
    with Cluster.open(path, wall_clock=lambda: clock[0]) as cluster:
        log = EventLog(cluster)
        cluster.store.delete("v1", "Pod", "web", namespace="default")
        cluster.reconcile()
        assert [e.message for e in log.of("web", "Killing")] == ["Stopping container app"]


def test_deletion_with_a_shorter_grace_period(cluster: Cluster) -> None:
    create(cluster, pod_manifest("sleeper", containers=[{"name": "app", "image": "busybox:1.36",
                                                         "command": ["sleep", "infinity"]}]))
    cluster.advance(5)
    cluster.store.delete("v1", "Pod", "sleeper", namespace="default", grace_period_seconds=3)
    cluster.advance(2.9)
    assert status_of(cluster, "sleeper") == "Terminating"
    cluster.advance(0.2)
    assert get_pod(cluster, "sleeper") is None


def test_active_deadline_seconds(cluster: Cluster) -> None:
    create(cluster, pod_manifest("bounded", activeDeadlineSeconds=30, restartPolicy="Never"))
    cluster.advance(31)
    pod = get_pod(cluster, "bounded")
    assert pod is not None
    assert (pod["status"]["phase"], pod["status"]["reason"]) == ("Failed", "DeadlineExceeded")
    assert pod["status"]["message"] == "Pod was active on the node longer than the specified deadline"


# --- admission ------------------------------------------------------------------------------------------

def test_a_pod_bound_by_name_that_does_not_fit_is_rejected(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("huge", nodeName="node-1", containers=[
        {"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "100"}}}]))
    pod = get_pod(cluster, "huge")
    assert pod is not None
    assert (pod["status"]["phase"], pod["status"]["reason"]) == ("Failed", "OutOfcpu")
    assert pod["status"]["message"] == ("Pod was rejected: Node didn't have enough resource: cpu, requested: 100000, "
                                        "used: 0, capacity: 4000")
    assert columns(cluster, "huge")[1] == "OutOfcpu"
    assert log.of("huge", "OutOfcpu")[0].type == "Warning"


def test_a_pod_bound_by_name_runs_without_the_scheduler(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("direct", nodeName="node-2"))
    cluster.advance(10)
    assert columns(cluster, "direct") == ("1/1", "Running", 0)
    assert "Scheduled" not in log.reasons("direct")
    scheduled = next(c for c in get_pod(cluster, "direct")["status"]["conditions"]  # type: ignore[index]
                     if c["type"] == "PodScheduled")
    assert scheduled["status"] == "True"


# --- logs --------------------------------------------------------------------------------------------

def test_container_logs(cluster: Cluster) -> None:
    create(cluster, pod_manifest("hello", restartPolicy="OnFailure", containers=[
        {"name": "app", "image": "busybox", "command": ["sh", "-c", "echo hello world; sleep 3; exit 3"]},
        {"name": "side", "image": "nginx:1.25"}]))
    with pytest.raises(BadRequestError, match='container "app" in pod "hello" is waiting to start: ContainerCreating'):
        container_logs(cluster, "default", "hello")
    with pytest.raises(BadRequestError, match="container nope is not valid for pod hello"):
        container_logs(cluster, "default", "hello", "nope")
    cluster.advance(3)  # the first run: 1–4 s
    text = container_logs(cluster, "default", "hello", "app")
    assert "hello world" in text
    assert "started container app" in text
    with pytest.raises(BadRequestError, match='previous terminated container "app" in pod "hello" not found'):
        container_logs(cluster, "default", "hello", "app", previous=True)
    cluster.advance(5)
    previous = container_logs(cluster, "default", "hello", "app", previous=True)
    assert "exited with code 3 (Error)" in previous


# --- persistence ------------------------------------------------------------------------------------

def test_a_pull_in_flight_survives_reopening_the_cluster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cluster.db"
    wall = [1000.0]

    def clock() -> float:
        return wall[0]

    with Cluster.open(path, wall_clock=clock) as cluster:
        cluster.store.create(pod_manifest("web"))
        cluster.reconcile()
        cluster.advance(2)  # pulling
    wall[0] += 1.0
    with Cluster.open(path, wall_clock=clock) as cluster:
        assert status_of(cluster, "web") == "ContainerCreating"
    wall[0] += 10.0
    with Cluster.open(path, wall_clock=clock) as cluster:
        assert columns(cluster, "web") == ("1/1", "Running", 0)
        events = [e for e in cluster.store.list("v1", "Event", namespace="default")
                  if e["involvedObject"]["name"] == "web"]
        reasons = sorted(e["reason"] for e in events)
        assert reasons == ["Created", "Pulled", "Pulling", "Scheduled", "Started"]
        assert all(e.get("count", 1) == 1 for e in events)


def test_crash_loop_back_off_survives_reopening_the_cluster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cluster.db"
    wall = [0.0]
    with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
        cluster.store.create(pod_manifest("crash", containers=CRASHER))
        cluster.reconcile()
        cluster.advance(40)
        restarts_before = columns(cluster, "crash")[2]
    in_process = Cluster.in_memory()
    in_process.store.create(pod_manifest("crash", containers=CRASHER))
    in_process.reconcile()
    in_process.advance(400)
    for _ in range(36):
        wall[0] += 10.0
        with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
            pass
    with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
        assert columns(cluster, "crash")[2] == columns(in_process, "crash")[2] > restarts_before


def test_go_duration() -> None:
    assert [go_duration(s) for s in (0, 0.5, 4.15, 10, 80, 160, 300, 3600 + 61.5, 0.0005)] == [
        "0s", "500ms", "4.15s", "10s", "1m20s", "2m40s", "5m0s", "1h1m1.5s", "500µs"]


def test_lifecycle_hooks(cluster: Cluster, log: EventLog) -> None:
    # F-28: a preStop command with a leading space cannot run; F-53: postStart writes a file
    create(cluster, pod_manifest("hooks", containers=[{"name": "app", "image": "nginx:1.25", "lifecycle": {
        "postStart": {"exec": {"command": ["/bin/sh", "-c", "echo Hello > /usr/share/message"]}},
        "preStop": {"exec": {"command": [" /usr/sbin/nginx", "-s", "quit"]}}}}]))
    create(cluster, pod_manifest("bad-start", containers=[{"name": "app", "image": "nginx:1.25", "lifecycle": {
        "postStart": {"exec": {"command": ["sh", "-c", "exit 1"]}}}}]))
    cluster.advance(10)
    assert columns(cluster, "hooks") == ("1/1", "Running", 0)
    assert log.of("bad-start", "FailedPostStartHook")[0].message == "PostStartHook failed"
    assert log.of("bad-start", "Killing")[0].message == "FailedPostStartHook"
    assert columns(cluster, "bad-start")[1:] in (("CrashLoopBackOff", 1), ("Error", 1), ("Running", 1))
    cluster.store.delete("v1", "Pod", "hooks", namespace="default")
    cluster.reconcile()
    assert log.of("hooks", "FailedPreStopHook")[0].message == "PreStopHook failed"
    assert get_pod(cluster, "hooks") is None  # the hook failed at once; nginx then stops on SIGTERM
