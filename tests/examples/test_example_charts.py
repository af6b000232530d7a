"""The example charts in ``charts/``: each declares the jinja2 engine, renders, and lints clean.

Each chart is rendered with its defaults and with the values that switch its interesting
parts on and off; the assertions check the objects that matter for what the chart shows
(the subchart condition and tags of wordpress, the StatefulSet identity of web-statefulset, …).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

CHARTS_DIR = Path(__file__).resolve().parents[2] / "charts"
EXAMPLES = sorted(p.name for p in CHARTS_DIR.iterdir() if (p / "Chart.yaml").is_file())


class Render:
    """One ``helmlite template`` result: the documents, each with its ``# Source:`` path."""

    def __init__(self, text: str) -> None:
        self.docs: list[tuple[str, dict[str, Any]]] = []
        for chunk in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
            obj = yaml.safe_load(chunk)
            if obj is None:
                continue
            source = re.search(r"^# Source: (.+?)\s*$", chunk, flags=re.MULTILINE)
            self.docs.append((source.group(1) if source else "", obj))

    @property
    def objects(self) -> list[dict[str, Any]]:
        return [obj for _, obj in self.docs]

    @property
    def sources(self) -> set[str]:
        return {source for source, _ in self.docs}

    def kinds(self) -> list[str]:
        return [obj["kind"] for obj in self.objects]

    def one(self, kind: str, name: str | None = None) -> dict[str, Any]:
        found = [o for o in self.objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
        assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}: {self.kinds()}"
        return found[0]


def render(cli: Any, chart: str, *flags: str, release: str = "demo") -> Render:
    result = cli("template", release, str(CHARTS_DIR / chart), *flags)
    assert result.exit_code == 0, result.stderr
    return Render(result.stdout)


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("chart", EXAMPLES)
def test_declares_jinja2_and_documents_itself(chart: str) -> None:
    meta = yaml.safe_load((CHARTS_DIR / chart / "Chart.yaml").read_text())

    assert meta["name"] == chart
    assert meta["annotations"]["helmlite.io/template-engine"] == "jinja2"
    assert (CHARTS_DIR / chart / "README.md").is_file()


@pytest.mark.parametrize("chart", EXAMPLES)
def test_renders_with_defaults(cli: Any, chart: str) -> None:
    out = render(cli, chart)

    assert out.objects
    for source, obj in out.docs:
        assert source.startswith(f"{chart}/"), source
        assert obj["apiVersion"] and obj["kind"] and obj["metadata"]["name"], source


@pytest.mark.parametrize("chart", EXAMPLES)
def test_lints_clean(cli: Any, chart: str) -> None:
    result = cli("lint", "--strict", str(CHARTS_DIR / chart))

    assert result.exit_code == 0, result.stdout + result.stderr


# --- mychart: the seed tutorial's chart ---------------------------------------------------------


def test_mychart_matches_the_tutorial(cli: Any) -> None:
    out = render(cli, "mychart", release="mike-test")

    assert out.kinds() == ["Service", "Deployment"]
    service, deployment = out.one("Service", "mike-test-mychart"), out.one("Deployment", "mike-test-mychart")
    labels = {"app": "mychart", "chart": "mychart-0.1.0", "release": "mike-test", "heritage": "Helm"}
    assert service["metadata"]["labels"] == deployment["metadata"]["labels"] == labels
    selector = {"app": "mychart", "release": "mike-test"}
    assert service["spec"] == {
        "type": "ClusterIP",
        "ports": [{"port": 80, "targetPort": "http", "protocol": "TCP", "name": "http"}],
        "selector": selector,
    }
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["selector"]["matchLabels"] == selector
    # chart/heritage stay out of the pod template, so a chart-only upgrade does not roll pods.
    assert deployment["spec"]["template"]["metadata"]["labels"] == selector
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["name"] == "mychart"
    assert container["image"] == "nginx:stable"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["ports"] == [{"name": "http", "containerPort": 80, "protocol": "TCP"}]
    assert container["livenessProbe"] == container["readinessProbe"] == {"httpGet": {"path": "/", "port": "http"}}
    assert container["resources"] == {}


def test_mychart_optional_ingress(cli: Any) -> None:
    out = render(cli, "mychart", "--set", "ingress.enabled=true", "--set", "ingress.tls[0].secretName=chart-example-tls",
                 "--set", "ingress.tls[0].hosts[0]=chart-example.local")

    ingress = out.one("Ingress", "demo-mychart")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    assert ingress["spec"]["tls"] == [{"hosts": ["chart-example.local"], "secretName": "chart-example-tls"}]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "chart-example.local"
    assert rule["http"]["paths"][0]["backend"] == {"service": {"name": "demo-mychart", "port": {"name": "http"}}}


# --- wordpress + mariadb subchart ---------------------------------------------------------------

MARIADB_SOURCES = {
    "wordpress/charts/mariadb/templates/secret.yaml",
    "wordpress/charts/mariadb/templates/service.yaml",
    "wordpress/charts/mariadb/templates/statefulset.yaml",
}
EXTERNAL_DB = ("--set", "externalDatabase.host=db.example.com")


def _wordpress_container(out: Render) -> dict[str, Any]:
    container: dict[str, Any] = out.one("Deployment", "demo-wordpress")["spec"]["template"]["spec"]["containers"][0]
    return container


def test_wordpress_uses_the_mariadb_subchart_by_default(cli: Any) -> None:
    out = render(cli, "wordpress")

    assert MARIADB_SOURCES <= out.sources
    statefulset = out.one("StatefulSet", "demo-mariadb")
    db_env = env_of(statefulset["spec"]["template"]["spec"]["containers"][0])
    # The parent's values under `mariadb:` reached the subchart.
    assert db_env["MARIADB_DATABASE"] == "wordpress"
    assert db_env["MARIADB_USER"] == "wordpress"
    wp_env = env_of(_wordpress_container(out))
    assert wp_env["WORDPRESS_DB_HOST"] == "demo-mariadb:3306"
    assert wp_env["WORDPRESS_DB_PASSWORD"] == {"secretKeyRef": {"name": "demo-mariadb", "key": "mariadb-password"}}
    secret = out.one("Secret", "demo-mariadb")
    assert set(secret["data"]) == {"mariadb-root-password", "mariadb-password"}
    assert all(len(base64.b64decode(v)) == 16 for v in secret["data"].values())
    assert out.one("PersistentVolumeClaim", "demo-wordpress")["spec"]["resources"]["requests"]["storage"] == "10Gi"


@pytest.mark.parametrize(
    "flags",
    [
        pytest.param(("--set", "mariadb.enabled=false"), id="condition"),
        pytest.param(("--set", "tags.database=false"), id="tags"),
    ],
)
def test_wordpress_without_the_subchart_uses_the_external_database(cli: Any, flags: tuple[str, ...]) -> None:
    out = render(cli, "wordpress", *flags, *EXTERNAL_DB)

    assert not any(source.startswith("wordpress/charts/") for source in out.sources)
    assert "StatefulSet" not in out.kinds()
    wp_env = env_of(_wordpress_container(out))
    assert wp_env["WORDPRESS_DB_HOST"] == "db.example.com:3306"
    assert wp_env["WORDPRESS_DB_PASSWORD"]["secretKeyRef"]["name"] == "demo-wordpress-externaldb"
    assert out.one("Secret", "demo-wordpress-externaldb")["data"]["mariadb-password"] == ""


def test_wordpress_condition_wins_over_tags(cli: Any) -> None:
    out = render(cli, "wordpress", "--set", "tags.database=false", "--set", "mariadb.enabled=true")

    assert MARIADB_SOURCES <= out.sources


def test_wordpress_external_database_host_is_required(cli: Any) -> None:
    result = cli("template", "demo", str(CHARTS_DIR / "wordpress"), "--set", "mariadb.enabled=false")

    assert result.exit_code == 1
    assert "externalDatabase.host is required when the mariadb subchart is disabled" in result.stderr


def test_wordpress_globals_reach_the_subchart(cli: Any) -> None:
    out = render(cli, "wordpress", "--set", "global.imageRegistry=registry.local", "--set", "global.storageClass=fast")

    assert _wordpress_container(out)["image"] == "registry.local/library/wordpress:6.5"
    statefulset = out.one("StatefulSet", "demo-mariadb")
    assert statefulset["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.local/library/mariadb:11.4"
    assert out.one("PersistentVolumeClaim")["spec"]["storageClassName"] == "fast"
    assert statefulset["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast"


def test_wordpress_tutorial_flags(cli: Any) -> None:
    # The tutorial's install: --set "persistence.enabled=false,mariadb.persistence.enabled=false,serviceType=NodePort"
    out = render(cli, "wordpress", "--set", "persistence.enabled=false,mariadb.persistence.enabled=false",
                 "--set", "service.type=NodePort", "--set", "service.nodePort=30080",
                 "--set", "mariadb.auth.password=s3cret")

    assert "PersistentVolumeClaim" not in out.kinds()
    statefulset = out.one("StatefulSet", "demo-mariadb")
    assert "volumeClaimTemplates" not in statefulset["spec"]
    assert statefulset["spec"]["template"]["spec"]["volumes"] == [{"name": "data", "emptyDir": {}}]
    service = out.one("Service", "demo-wordpress")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"][0]["nodePort"] == 30080
    assert base64.b64decode(out.one("Secret", "demo-mariadb")["data"]["mariadb-password"]) == b"s3cret"


# --- web-statefulset ----------------------------------------------------------------------------


def test_web_statefulset_is_the_tutorials_web(cli: Any) -> None:
    out = render(cli, "web-statefulset")

    assert out.kinds() == ["Service", "StatefulSet"]
    service, statefulset = out.one("Service", "nginx"), out.one("StatefulSet", "web")
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"] == statefulset["spec"]["selector"]["matchLabels"]
    spec = statefulset["spec"]
    assert spec["serviceName"] == "nginx"
    assert spec["replicas"] == 3
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] == 10
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "www"
    assert claim["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    (container,) = spec["template"]["spec"]["containers"]
    assert container["volumeMounts"] == [{"name": "www", "mountPath": "/usr/share/nginx/html"}]
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "64Mi"}


def test_web_statefulset_scale_and_canary(cli: Any) -> None:
    out = render(cli, "web-statefulset", "--set", "replicas=5", "--set", "updateStrategy.rollingUpdate.partition=3",
                 "--set", "persistence.storageClass=-")

    spec = out.one("StatefulSet", "web")["spec"]
    assert spec["replicas"] == 5
    assert spec["updateStrategy"]["rollingUpdate"]["partition"] == 3
    assert spec["volumeClaimTemplates"][0]["spec"]["storageClassName"] == ""


# --- log-agent ----------------------------------------------------------------------------------


def test_log_agent_daemonset_placement(cli: Any) -> None:
    out = render(cli, "log-agent", "--set", "nodeSelector.disktype=ssd")

    assert out.kinds() == ["ConfigMap", "DaemonSet"]
    daemonset = out.one("DaemonSet", "demo-log-agent")
    pod = daemonset["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux", "disktype": "ssd"}
    assert pod["tolerations"] == [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert daemonset["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
    assert {v["name"]: v.get("hostPath") for v in pod["volumes"]} == {
        "config": None,
        "varlog": {"path": "/var/log"},
        "machine-id": {"path": "/etc/machine-id", "type": "File"},
    }
    assert all(m.get("readOnly") for m in pod["containers"][0]["volumeMounts"] if m["name"] != "config")
    assert "[INPUT]" in out.one("ConfigMap")["data"]["fluent-bit.conf"]


def test_log_agent_config_change_rolls_the_pods(cli: Any) -> None:
    def checksum(*flags: str) -> str:
        annotations = render(cli, "log-agent", *flags).one("DaemonSet")["spec"]["template"]["metadata"]["annotations"]
        return str(annotations["checksum/config"])

    assert checksum() == checksum()
    assert checksum() != checksum("--set", "config=Flush 5")


# --- batch --------------------------------------------------------------------------------------


def test_batch_job_and_cronjob(cli: Any) -> None:
    out = render(cli, "batch")

    job = out.one("Job", "demo-batch-pi-1")
    assert (job["spec"]["completions"], job["spec"]["parallelism"], job["spec"]["backoffLimit"]) == (5, 2, 4)
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    cronjob = out.one("CronJob", "demo-batch-hello")
    assert cronjob["apiVersion"] == "batch/v1"
    assert cronjob["spec"]["schedule"] == "*/1 * * * *"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["suspend"] is False
    assert (cronjob["spec"]["successfulJobsHistoryLimit"], cronjob["spec"]["failedJobsHistoryLimit"]) == (3, 1)
    job_spec = cronjob["spec"]["jobTemplate"]["spec"]
    assert job_spec["template"]["spec"]["restartPolicy"] == "OnFailure"


@pytest.mark.parametrize(
    ("flags", "kinds"),
    [
        pytest.param(("--set", "job.enabled=false"), ["CronJob"], id="cronjob-only"),
        pytest.param(("--set", "cronJob.enabled=false"), ["Job"], id="job-only"),
    ],
)
def test_batch_toggles(cli: Any, flags: tuple[str, ...], kinds: list[str]) -> None:
    assert render(cli, "batch", *flags).kinds() == kinds


def test_batch_optional_fields(cli: Any) -> None:
    out = render(cli, "batch", "--set", "job.ttlSecondsAfterFinished=0", "--set", "job.activeDeadlineSeconds=600",
                 "--set", "cronJob.startingDeadlineSeconds=30", "--set", "cronJob.timeZone=Europe/Paris",
                 "--set", "cronJob.suspend=true")

    job = out.one("Job")["spec"]
    assert (job["ttlSecondsAfterFinished"], job["activeDeadlineSeconds"]) == (0, 600)
    cron = out.one("CronJob")["spec"]
    assert (cron["startingDeadlineSeconds"], cron["timeZone"], cron["suspend"]) == (30, "Europe/Paris", True)


# --- autoscaled-web -----------------------------------------------------------------------------


def test_autoscaled_web_hpa_owns_the_replicas(cli: Any) -> None:
    out = render(cli, "autoscaled-web")

    deployment = out.one("Deployment", "demo-autoscaled-web")
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "100m"
    hpa = out.one("HorizontalPodAutoscaler", "demo-autoscaled-web")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "demo-autoscaled-web"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 10)
    assert hpa["spec"]["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
    ]
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300


def test_autoscaled_web_memory_metric(cli: Any) -> None:
    out = render(cli, "autoscaled-web", "--set", "autoscaling.targetMemoryUtilizationPercentage=80")

    metrics = out.one("HorizontalPodAutoscaler")["spec"]["metrics"]
    assert [(m["resource"]["name"], m["resource"]["target"]["averageUtilization"]) for m in metrics] == [
        ("cpu", 50),
        ("memory", 80),
    ]


def test_autoscaled_web_without_autoscaling(cli: Any) -> None:
    out = render(cli, "autoscaled-web", "--set", "autoscaling.enabled=false", "--set", "replicaCount=4")

    assert out.kinds() == ["Service", "Deployment"]
    assert out.one("Deployment")["spec"]["replicas"] == 4


def test_autoscaled_web_needs_a_target(cli: Any) -> None:
    result = cli("template", "demo", str(CHARTS_DIR / "autoscaled-web"),
                 "--set", "autoscaling.targetCPUUtilizationPercentage=0")

    assert result.exit_code == 1
    assert "autoscaling needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" in result.stderr
