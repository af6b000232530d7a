"""``helmlite lint``: Helm's output format, exit codes and flags, on the lint fixture charts.

Golden files hold stdout followed by stderr, as Helm's own goldens do. The fixture charts'
templates are plain YAML, so the real Helm reads them too: where no message quotes a library
(the loader's or a YAML parser's words), the output must equal Helm's byte for byte.
Set HELMLITE_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from helmlite.actions.lint import Lint, LintResult, find_subcharts, format_report
from helmlite.chart.lint import LintMessage, Severity
from helmlite.values.options import ValueOptions

FIXTURES = Path(__file__).resolve().parent.parent / "chart" / "lint_fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden" / "lint"
# The dependency rules name a chart by its absolute directory; goldens use a placeholder.
PLACEHOLDER = "<FIXTURES>"

# name → (arguments, exit code, byte-identical to Helm v4.3.1)
CASES: dict[str, tuple[list[str], int, bool]] = {
    "goodone": (["goodone"], 0, True),
    "helm-rule-charts": (["badcrdfile", "invalidcrdsdir", "invalidchartfile", "multi-template-fail", "withsubchart"], 1, True),
    "chart-with-bad-subcharts": (["chart-with-bad-subcharts"], 1, False),
    "chart-with-bad-subcharts-with-subcharts": (["--with-subcharts", "chart-with-bad-subcharts"], 1, False),
    "quiet": (["--quiet", "alpine"], 0, True),
    "quiet-with-error": (["--quiet", "alpine", "chart-bad-requirements"], 1, False),
    "quiet-with-warning": (["--quiet", "chart-with-only-crds"], 0, True),
    "chart-with-deprecated-api": (["--kube-version", "1.22.0", "chart-with-deprecated-api"], 0, True),
    "chart-with-deprecated-api-strict": (["--kube-version", "1.22.0", "--strict", "chart-with-deprecated-api"], 1, True),
    "chart-with-deprecated-api-old-k8s": (["--kube-version", "1.20.0", "--strict", "chart-with-deprecated-api"], 0, True),
    "template-rules": (["template-rules"], 1, True),
    "not-a-chart": (["does-not-exist", "goodone"], 1, True),
    "missing-deps": (["missing-deps", "undeclared-subchart"], 1, True),
}


def normalise(text: str) -> str:
    return text.replace(str(FIXTURES), PLACEHOLDER)


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(cli, in_fixtures: Path, name: str) -> None:
    args, code, _ = CASES[name]
    result = cli("lint", *args)
    got = normalise(result.stdout + result.stderr)
    golden = GOLDEN / f"lint-{name}.txt"
    if os.environ.get("HELMLITE_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got)
    assert got == golden.read_text()
    assert result.exit_code == code


@pytest.mark.helm
@pytest.mark.parametrize("name", sorted(n for n, (_, _, same) in CASES.items() if same))
def test_same_output_as_helm(cli, helm_bin: str, in_fixtures: Path, name: str) -> None:
    args, _code, _ = CASES[name]
    helm = subprocess.run([helm_bin, "lint", *args], capture_output=True, text=True, cwd=in_fixtures, check=False)
    ours = cli("lint", *args)
    assert (ours.stdout, ours.stderr, ours.exit_code) == (helm.stdout, helm.stderr, helm.returncode)


def test_summary_goes_to_stdout_unless_a_chart_failed(cli, in_fixtures: Path) -> None:
    ok = cli("lint", "alpine")
    assert ok.stdout.endswith("\n1 chart(s) linted, 0 chart(s) failed\n") and ok.stderr == ""
    failed = cli("lint", "template-rules")
    assert failed.stderr == "Error: 1 chart(s) linted, 1 chart(s) failed\n"
    assert "chart(s) linted" not in failed.stdout


def test_values_flags_reach_the_rules(cli, in_fixtures: Path, tmp_path: Path) -> None:
    assert cli("lint", "schema-violation").exit_code == 1
    fixed = cli("lint", "schema-violation", "--set", "name=x", "--set-json", "replicas=2")
    assert (fixed.exit_code, fixed.stdout) == (0, "==> Linting schema-violation\n\n1 chart(s) linted, 0 chart(s) failed\n")
    values = tmp_path / "v.yaml"
    values.write_text("name: from-file\nreplicas: 3\n")
    assert cli("lint", "-f", str(values), "schema-violation").exit_code == 0
    assert cli("lint", "--skip-schema-validation", "schema-violation").exit_code == 0


def test_namespace_flag_is_the_release_namespace(cli, tmp_path: Path) -> None:
    chart = tmp_path / "ns"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: ns\nversion: 0.1.0\nicon: https://example.com/i.png\n"
        "annotations:\n  helmlite.io/template-engine: jinja2\n"
    )
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{{ Release.Namespace }}\n")
    result = cli("lint", str(chart), "-n", "Prod")
    assert '"cm-Prod"' in result.stdout and result.exit_code == 0


def test_usage_errors(cli) -> None:
    missing = cli("lint")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: ")
    bad_kube = cli("lint", "--kube-version", "one", str(FIXTURES / "goodone"))
    assert bad_kube.exit_code == 1 and bad_kube.stderr.startswith("Error: invalid kube version")


def test_archives_are_linted_like_directories(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "chart-with-deprecated-api-1.0.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(FIXTURES / "chart-with-deprecated-api", arcname="chart-with-deprecated-api")
    monkeypatch.chdir(tmp_path)
    result = cli("lint", "--kube-version", "1.22", archive.name)
    assert result.stdout.startswith(
        "==> Linting chart-with-deprecated-api-1.0.0.tgz\n[INFO] Chart.yaml: icon is recommended\n"
        "[WARNING] templates/poddisruptionbudget.yaml: policy/v1beta1 PodDisruptionBudget is deprecated"
    )
    assert result.exit_code == 0
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"not gzip")
    result = cli("lint", broken.name, "nothing.tgz")
    assert result.stdout.startswith("==> Linting broken.tgz\nError unable to extract tarball: ")
    assert "==> Linting nothing.tgz\nError unable to open tarball: open nothing.tgz: no such file or directory\n" in result.stdout
    assert result.stderr == "Error: 2 chart(s) linted, 2 chart(s) failed\n"


# --- The action -------------------------------------------------------------------------------


def test_find_subcharts_walks_like_helm(tmp_path: Path) -> None:
    root = tmp_path / "top"
    for rel in ("charts/b/Chart.yaml", "charts/a/Chart.yaml", "charts/a/charts/deep/Chart.yaml",
                "charts/a/templates/Chart.yaml", "charts/c-1.0.0.tgz", "charts/z.tar.gz", "charts/notes.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    assert find_subcharts(str(root) + "/") == [
        f"{root}/charts/a", f"{root}/charts/a/charts/deep", f"{root}/charts/a/templates",
        f"{root}/charts/b", f"{root}/charts/c-1.0.0.tgz", f"{root}/charts/z.tar.gz",
    ]  # fmt: skip
    assert find_subcharts(str(tmp_path / "no-such-chart")) == []


def test_strict_turns_warnings_into_failures() -> None:
    chart = str(FIXTURES / "chart-with-only-crds")
    [lenient] = Lint().run([chart])
    [strict] = Lint(strict=True).run([chart])
    assert not lenient.failed and strict.failed
    assert lenient.messages == strict.messages


def test_with_subcharts_lints_given_paths_first() -> None:
    results = Lint(with_subcharts=True).run([str(FIXTURES / "withsubchart"), str(FIXTURES / "goodone")])
    assert [Path(r.path).name for r in results] == ["withsubchart", "goodone", "subchart"]


def test_values_are_merged_once_for_every_chart() -> None:
    lint = Lint(values=ValueOptions(set_values=("name=x,replicas=2",)))
    [result] = lint.run([str(FIXTURES / "schema-violation")])
    assert result.messages == ()


def test_format_report_quiet_rules() -> None:
    info = LintMessage(Severity.INFO, "Chart.yaml", "icon is recommended")
    warning = LintMessage(Severity.WARNING, "templates/", "directory does not exist")
    results = [
        LintResult("clean", (info,)),
        LintResult("warned", (info, warning)),
        LintResult("broken", error="unable to check Chart.yaml file in chart: stat broken/Chart.yaml: no such file or directory", failed=True),
    ]  # fmt: skip
    loud = format_report(results)
    assert loud.text == (
        "==> Linting clean\n[INFO] Chart.yaml: icon is recommended\n\n"
        "==> Linting warned\n[INFO] Chart.yaml: icon is recommended\n[WARNING] templates/: directory does not exist\n\n"
        "==> Linting broken\nError unable to check Chart.yaml file in chart: stat broken/Chart.yaml: no such file or directory\n\n"
    )
    assert (loud.summary, loud.failed) == ("3 chart(s) linted, 1 chart(s) failed", 1)
    quiet = format_report(results[:2], quiet=True)
    assert quiet.text == "==> Linting warned\n[WARNING] templates/: directory does not exist\n\n"
    assert quiet.show_summary
    silent = format_report(results[:1], quiet=True)
    assert (silent.text, silent.show_summary) == ("", False)
