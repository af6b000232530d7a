"""Acceptance test of ``helmlite create``: our Jinja2 scaffold renders what Helm's Go scaffold renders.

For one release name and the same values, ``helmlite template`` of the chart ``create_chart``
writes must produce the same Kubernetes objects, in the same order and from the same
``# Source:`` paths, as the real ``helm template`` of the chart ``helm create`` writes. Objects
are compared as parsed YAML, so formatting (quoting, key order, blank lines) may differ; values
may not. The files Helm copies verbatim (.helmignore, values.yaml, Chart.yaml) are compared as text.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from helmlite.chart.scaffold import create_chart

pytestmark = pytest.mark.helm

CHART = "mychart"

# Exercises every optional block of the scaffold's templates at once.
KITCHEN_SINK_VALUES: dict[str, Any] = {
    "replicaCount": 3,
    "image": {"repository": "registry.local/web", "tag": "2.4.1", "pullPolicy": "Always"},
    "imagePullSecrets": [{"name": "regcred"}],
    "nameOverride": "web",
    "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/web"}, "automount": False},
    "podAnnotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9113"},
    "podLabels": {"tier": "frontend", "team": "shop"},
    "podSecurityContext": {"fsGroup": 2000},
    "securityContext": {"capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True, "runAsUser": 1000},
    "service": {"type": "NodePort", "port": 8080},
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "annotations": {"kubernetes.io/tls-acme": "true"},
        "hosts": [
            {"host": "shop.example.com", "paths": [{"path": "/", "pathType": "Prefix"}, {"path": "/api"}]},
            {"host": "www.example.com", "paths": [{"path": "/", "pathType": "Exact"}]},
        ],
        "tls": [{"secretName": "shop-tls", "hosts": ["shop.example.com", "www.example.com"]}],
    },
    "httpRoute": {
        "enabled": True,
        "annotations": {"team": "shop"},
        "parentRefs": [{"name": "gw", "sectionName": "https", "namespace": "infra"}],
        "hostnames": ["shop.example.com"],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/headers"}}],
                "filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"remove": ["User-Agent"]}}],
            },
            {"matches": [{"path": {"type": "PathPrefix", "value": "/echo"}, "headers": [{"name": "v", "value": "2"}]}]},
        ],
    },
    "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
    # null deletes a default key: the httpGet probe becomes a tcpSocket one, readiness goes away.
    "livenessProbe": {"httpGet": None, "tcpSocket": {"port": "http"}, "initialDelaySeconds": 10},
    "readinessProbe": None,
    "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 5, "targetMemoryUtilizationPercentage": 70},
    "volumes": [{"name": "foo", "secret": {"secretName": "mysecret", "optional": False}}],
    "volumeMounts": [{"name": "foo", "mountPath": "/etc/foo", "readOnly": True}],
    "nodeSelector": {"disktype": "ssd"},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}],
    "affinity": {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 80,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
                        "topologyKey": "topology.kubernetes.io/zone",
                    },
                }
            ]
        }
    },
}

# (test id, release name, flags given identically to helm and helmlite)
VARIANTS = [
    ("defaults", "demo", []),
    ("ingress", "demo", ["--set", "ingress.enabled=true"]),
    ("autoscaling", "demo", ["--set", "autoscaling.enabled=true"]),
    ("no-service-account", "demo", ["--set", "serviceAccount.create=false"]),
    ("named-service-account", "demo", ["--set", "serviceAccount.create=false", "--set", "serviceAccount.name=builder"]),
    ("httproute", "demo", ["--set", "httpRoute.enabled=true"]),
    ("fullname-override", "demo", ["--set", "fullnameOverride=shop"]),
    ("release-contains-chart-name", "mychart-prod", []),
    ("skip-tests", "demo", ["--skip-tests"]),
    ("kitchen-sink", "demo", ["-f", "{kitchen_sink}"]),
]


def _documents(text: str) -> list[tuple[str | None, Any]]:
    """The non-empty YAML documents of a render, each with its ``# Source:`` path."""
    docs = []
    for chunk in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
        obj = yaml.safe_load(chunk)
        if obj is None:
            continue
        source = re.search(r"^# Source: (.+?)\s*$", chunk, flags=re.MULTILINE)
        docs.append((source.group(1) if source else None, obj))
    return docs


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory, helm_bin: str) -> dict[str, Path]:
    """Helm's scaffold, ours, and the kitchen-sink values file, created once for the module."""
    root = tmp_path_factory.mktemp("scaffolds")
    (root / "helm").mkdir()
    subprocess.run([helm_bin, "create", CHART], cwd=root / "helm", env=_helm_env(root), check=True, capture_output=True)
    kitchen_sink = root / "kitchen-sink.yaml"
    kitchen_sink.write_text(yaml.safe_dump(KITCHEN_SINK_VALUES))
    (root / "ours").mkdir()
    return {
        "helm": root / "helm" / CHART,
        "ours": create_chart(CHART, root / "ours"),
        "kitchen_sink": kitchen_sink,
        "root": root,
    }


def _helm_env(root: Path) -> dict[str, str]:
    # Keep the real helm away from the user's own configuration, cache and plugins.
    env = dict(os.environ)
    for var in ("HELM_CONFIG_HOME", "HELM_CACHE_HOME", "HELM_DATA_HOME"):
        env[var] = str(root / var.lower())
    return env


@pytest.mark.parametrize("name", [".helmignore", "values.yaml"])
def test_verbatim_files_match_helm(charts: dict[str, Path], name: str) -> None:
    assert (charts["ours"] / name).read_text() == (charts["helm"] / name).read_text()


def test_chart_yaml_is_helms_plus_the_engine_annotation(charts: dict[str, Path]) -> None:
    ours = (charts["ours"] / "Chart.yaml").read_text()
    helms = (charts["helm"] / "Chart.yaml").read_text()

    assert ours.startswith(helms)
    ours_meta = yaml.safe_load(ours)
    assert ours_meta.pop("annotations") == {"helmlite.io/template-engine": "jinja2"}
    assert ours_meta == yaml.safe_load(helms)


def test_same_files_as_helm(charts: dict[str, Path]) -> None:
    def tree(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() + ("/" if p.is_dir() else "") for p in root.rglob("*")}

    assert tree(charts["ours"]) == tree(charts["helm"])


@pytest.mark.parametrize(("release", "flags"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_template_renders_the_same_objects_as_helm(
    charts: dict[str, Path], helm_bin: str, cli: Any, release: str, flags: list[str]
) -> None:
    flags = [f.format(kitchen_sink=charts["kitchen_sink"]) for f in flags]
    helm = subprocess.run(
        [helm_bin, "template", release, str(charts["helm"]), *flags],
        env=_helm_env(charts["root"]), capture_output=True, text=True,
    )
    assert helm.returncode == 0, helm.stderr
    ours = cli("template", release, str(charts["ours"]), *flags)
    assert ours.exit_code == 0, ours.stderr

    expected, actual = _documents(helm.stdout), _documents(ours.stdout)

    assert [source for source, _ in actual] == [source for source, _ in expected]
    for (source, want), (_, got) in zip(expected, actual):
        assert got == want, source


NOTES_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("cluster-ip", {}),
    ("node-port", {"service": {"type": "NodePort"}}),
    ("load-balancer", {"service": {"type": "LoadBalancer"}}),
    ("ingress", {"ingress": {"enabled": True, "tls": [{"secretName": "t", "hosts": ["chart-example.local"]}]}}),
    ("httproute", {"httpRoute": {"enabled": True}}),
    ("httproute-gateway-hostname", {"httpRoute": {"enabled": True, "hostnames": None}}),
]


@pytest.mark.parametrize("values", [v[1] for v in NOTES_VARIANTS], ids=[v[0] for v in NOTES_VARIANTS])
def test_notes_match_helm(charts: dict[str, Path], helm_bin: str, tmp_path: Path, values: dict[str, Any]) -> None:
    from helmlite.actions.action import render_release
    from helmlite.chart.loader import load_chart
    from helmlite.render.capabilities import Capabilities
    from helmlite.render.context import ReleaseInfo

    values_file = tmp_path / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    helm = subprocess.run(
        [helm_bin, "install", "demo", str(charts["helm"]), "--dry-run=client", "-f", str(values_file)],
        env=_helm_env(charts["root"]), capture_output=True, text=True,
    )
    assert helm.returncode == 0, helm.stderr
    # `helm install` prints the notes last, trimmed (pkg/cmd/status.go: "NOTES:\n%s\n").
    expected = helm.stdout.split("\nNOTES:\n", 1)[1]

    ours = render_release(
        load_chart(charts["ours"]), values, release=ReleaseInfo(name="demo"), capabilities=Capabilities()
    )

    assert ours.notes.strip() + "\n" == expected
