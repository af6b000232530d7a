"""Byte-exact differential tests of ``template`` output assembly against the real Helm.

Templates without template syntax render identically in both dialects, so one static chart
(differing only by the jinja2 annotation) must produce the same bytes from ``helm template``
and ``helmlite template``: document splitting, blank lines, kind order, unknown kinds, hooks,
NOTES, subcharts, CRDs, ``--show-only``, ``--output-dir``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.helm

FILES = {
    "templates/a-svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: z-svc\n\n\n\n",
    "templates/b-multi.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n---\napiVersion: apps/v1\nkind: Deployment\n"
        "metadata:\n  name: dep\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm2  \n  \n"
    ),
    "templates/c-foo.yaml": "apiVersion: x/v1\nkind: Foo\nmetadata:\n  name: foo\n",
    "templates/d-bar.yaml": "apiVersion: x/v1\nkind: Bar\nmetadata:\n  name: bar\n",
    "templates/sub/e-ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n",
    "templates/f-hook.yaml": (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: f\n  annotations:\n    helm.sh/hook: post-install\n"
        '    helm.sh/hook-weight: "-5"\n'
    ),
    "templates/g-hook.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g\n  annotations:\n    helm.sh/hook: pre-install\n"
        '    helm.sh/hook-weight: "10"\n'
    ),
    "templates/h-hook.yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n"
    ),
    "templates/i-unknown-hook.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: i\n  annotations:\n    helm.sh/hook: bogus\n"
    ),
    "templates/j-annot.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: j\n  annotations:\n    a: b\n",
    "templates/k-other.txt": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n",
    "templates/l-empty.yaml": "\n\n",
    "templates/tests/t-test.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n"
    ),
    "templates/NOTES.txt": "Thank you for installing.\n",
    # Helm prints a CRD file as it is: comments, both documents, the trailing blank line.
    "crds/widget.yaml": (
        "# widgets and sprockets\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata:\n  name: widgets.x.io\n---\napiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\nmetadata:\n  name: sprockets.x.io\n\n"
    ),
    "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    "charts/sub/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub-cm\n",
    "charts/sub/templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: sub-svc\n",
    "charts/sub/crds/gadget.yaml": (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.x.io\n"
    ),
}
JINJA_ANNOTATION = "annotations:\n  helmlite.io/template-engine: jinja2\n"


def _write_chart(root: Path, native: bool) -> Path:
    chart = root / ("native" if native else "go") / "c"
    for name, text in FILES.items():
        path = chart / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if native and name.endswith("Chart.yaml"):
            text += JINJA_ANNOTATION
        path.write_text(text)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n" + (JINJA_ANNOTATION if native else ""))
    return chart


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("static")
    return _write_chart(root, native=False), _write_chart(root, native=True)


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--include-crds"],
        ["--skip-tests"],
        ["--no-hooks"],
        ["--show-only", "templates/b-multi.yaml"],
        ["--show-only", "templates/*-hook.yaml", "-s", "templates/a-svc.yaml"],
        ["--show-only", "charts/sub/templates/cm.yaml"],
    ],
    ids=["default", "include-crds", "skip-tests", "no-hooks", "show-only", "show-only-globs", "show-only-subchart"],
)
def test_output_is_byte_identical(helm_bin: str, charts: tuple[Path, Path], cli, flags: list[str]) -> None:
    go_chart, native_chart = charts
    expected = subprocess.run([helm_bin, "template", "x", str(go_chart), *flags], capture_output=True, text=True)
    assert expected.returncode == 0, expected.stderr
    result = cli("template", "x", str(native_chart), *flags)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected.stdout


def test_show_only_missing_template_fails_like_helm(helm_bin: str, charts: tuple[Path, Path], cli) -> None:
    go_chart, native_chart = charts
    expected = subprocess.run([helm_bin, "template", "x", str(go_chart), "-s", "templates/nope.yaml"],
                              capture_output=True, text=True)
    result = cli("template", "x", str(native_chart), "-s", "templates/nope.yaml")
    assert expected.returncode == result.exit_code == 1
    assert result.stderr.strip() == expected.stderr.strip().splitlines()[-1]


def test_output_dir_writes_the_same_files(helm_bin: str, charts: tuple[Path, Path], cli, tmp_path: Path) -> None:
    go_chart, native_chart = charts
    helm_out, lite_out = tmp_path / "helm", tmp_path / "lite"
    expected = subprocess.run(
        [helm_bin, "template", "x", str(go_chart), "--output-dir", str(helm_out), "--release-name"],
        capture_output=True, text=True, check=True,
    )
    result = cli("template", "x", str(native_chart), "--output-dir", str(lite_out), "--release-name")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected.stdout.replace(str(helm_out), str(lite_out))
    helm_files = {p.relative_to(helm_out): p.read_bytes() for p in helm_out.rglob("*") if p.is_file()}
    lite_files = {p.relative_to(lite_out): p.read_bytes() for p in lite_out.rglob("*") if p.is_file()}
    assert lite_files == helm_files


# go-yaml's wording: no line when its (0-based for parser errors) line number is 0.
INVALID_DOCUMENTS = {
    "scanner-error": "metadata:\n  name: x\n  bad: : :\n",
    "scanner-error-first-line": "a: b: c\n",
    "parser-error-first-line": 'a: "hi"b: hi\n',
    "flow-sequence": "a: [1, 2\n",
    "block-mapping": "a:\n  - b\n c: d\n",
    "unterminated-quote": "key: 'unterminated\n",
    "list": "- a\n- b\n",
}


@pytest.mark.parametrize("document", list(INVALID_DOCUMENTS.values()), ids=list(INVALID_DOCUMENTS))
def test_invalid_yaml_output_fails_like_helm(helm_bin: str, cli, tmp_path: Path, document: str) -> None:
    chart = tmp_path / "b"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: b\nversion: 0.1.0\n")
    (chart / "templates" / "bad.yaml").write_text(document)
    expected = subprocess.run([helm_bin, "template", "r", str(chart)], capture_output=True, text=True)
    result = cli("template", "r", str(chart))
    assert expected.returncode == result.exit_code == 1
    assert (result.stdout, result.stderr) == (expected.stdout, expected.stderr)


@pytest.mark.parametrize("flags", [[], ["--include-crds"]], ids=["default", "include-crds"])
def test_an_invalid_crd_file_is_printed_not_parsed(helm_bin: str, cli, tmp_path: Path, flags: list[str]) -> None:
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "crds").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "crds" / "bad.yaml").write_text("a: b: c\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    expected = subprocess.run([helm_bin, "template", "r", str(chart), *flags], capture_output=True, text=True)
    result = cli("template", "r", str(chart), *flags)
    assert expected.returncode == result.exit_code == 0
    assert result.stdout == expected.stdout
