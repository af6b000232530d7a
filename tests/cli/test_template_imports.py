"""``helmlite template`` of a local chart directory imports only what rendering needs.

Every process start pays for its imports, so the release machinery (storage drivers, SQLite,
leases, cluster backends), the repository client and index (YAML index, tarfile, hashlib,
requests), the archive code and the --set grammar stay out of a plain render. Each case runs
in a fresh interpreter: ``sys.modules`` of the test process says nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Modules a render of a local chart directory must not import, each with the reason it was once
# imported eagerly (a re-added module-level import makes this test fail).
NOT_NEEDED = {
    "helmlite.release": "release records: action.Config's defaults",
    "helmlite.release.storage": "release drivers: action.Config's defaults",
    "helmlite.release.lock": "operation leases: action.Config's defaults",
    "helmlite.backends": "cluster backends: action.Config's field manager",
    "helmlite.repo.client": "repository client: ChartPathOptions' timeout",
    "helmlite.repo.index": "repository index: helmlite.repo's re-exports",
    "helmlite.values.strvals": "the --set grammar, without any --set flag",
    "sqlite3": "the sql release driver",
    "socket": "operation leases (host name)",
    "tarfile": "chart archives, for a chart directory",
    "gzip": "chart archives, for a chart directory",
    "logging": "coalescing's default warning sink",
    "requests": "repository downloads",
    "jinja2": "the jinja2 engine, for a gotemplate chart",
    "helmlite.semver": "Masterminds constraints: the semver template functions, Chart.yaml's version check",
    "semver": "the semver library: the semver template functions' types, Chart.yaml's version check",
    "hashlib": "secrets (and OpenSSL): yamlio's marker for strings libyaml writes otherwise than go-yaml",
}

# Records what the interpreter loaded before helmlite (site hooks differ between machines),
# renders through the CLI entry with stdout captured, and reports as JSON.
RENDER = """\
import contextlib, io, json, sys
at_start = set(sys.modules)
from helmlite.cli.main import main
out = io.StringIO()
code = 0
with contextlib.redirect_stdout(out):
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code or 0
print(json.dumps({"code": code, "stdout": out.getvalue(), "loaded": sorted(set(sys.modules) - at_start)}))
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "demo.fullname" . }}
  labels: {{- toYaml .Values.labels | nindent 4 }}
data:
  greeting: {{ .Values.greeting | quote }}
  sub: {{ .Values.sub.port | quote }}
"""


def make_chart(root: Path) -> Path:
    """A gotemplate chart with a helper, a subchart directory and a CRD, as real charts have."""
    files = {
        "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
        "values.yaml": "greeting: hello\nlabels:\n  app: demo\n",
        "templates/_helpers.tpl": '{{- define "demo.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end }}\n',
        "templates/configmap.yaml": CONFIGMAP,
        "crds/widget.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n",
        "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        "charts/sub/values.yaml": "port: 8080\n",
        "charts/sub/templates/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: sub\n",
    }
    chart = root / "demo"
    for name, text in files.items():
        path = chart / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return chart


def render_in_fresh_interpreter(*args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", RENDER, *args], capture_output=True, text=True,
                            timeout=120, check=True)
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("flags", [[], ["-f", "{extra}"]], ids=["plain", "values-file"])
def test_template_of_a_chart_directory_imports_only_rendering(tmp_path: Path, flags: list[str]) -> None:
    chart = make_chart(tmp_path)
    extra = tmp_path / "extra.yaml"
    extra.write_text("greeting: hi\n")
    report = render_in_fresh_interpreter("template", "web", str(chart), *(f.format(extra=extra) for f in flags))

    assert report["code"] == 0
    assert "name: web-demo" in report["stdout"]
    assert "sub: \"8080\"" in report["stdout"]
    loaded = set(report["loaded"])
    assert {name: why for name, why in NOT_NEEDED.items() if name in loaded} == {}
