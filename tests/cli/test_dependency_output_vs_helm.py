"""``dependency update|build`` stdout and stderr with ``file://`` and ``charts/`` dependencies.

The expected outputs are Helm v4.3.1's, recorded from ``helm dependency update|build`` on the
same charts (paths replaced by the test's): progress goes to stdout as it happens, so a
dependency that cannot be saved still shows ``Saving N charts`` and Helm's
``Save error occurred:  <error>`` (two spaces: Go's ``Fprintln`` of two operands) before the
``Error:`` line on stderr, and ``charts/`` keeps what it had.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("isolated_home")

SUB_CHART = "apiVersion: v2\nname: sub\nversion: {version}\n"
PARENT_CHART = """\
apiVersion: v2
name: parent
version: 0.1.0
dependencies:
- name: local
  version: {local}
- name: sub
  version: 0.1.0
  repository: file://../sub
"""


def _charts(root: Path, *, local_constraint: str = "0.1.0") -> Path:
    """``parent`` depending on ``../sub`` (file://) and on ``charts/local`` (no repository)."""
    sub = root / "sub"
    (sub / "templates").mkdir(parents=True)
    (sub / "Chart.yaml").write_text(SUB_CHART.format(version="0.1.0"))
    parent = root / "parent"
    (parent / "charts" / "local").mkdir(parents=True)
    (parent / "charts" / "local" / "Chart.yaml").write_text("apiVersion: v2\nname: local\nversion: 0.1.0\n")
    (parent / "Chart.yaml").write_text(PARENT_CHART.format(local=local_constraint))
    return parent


def _archives(chart: Path) -> list[str]:
    return sorted(p.name for p in (chart / "charts").glob("*.tgz"))


@pytest.mark.parametrize("verb", ["update", "build"])
def test_success_prints_saving_and_the_charts_dir_assumption(cli, tmp_path: Path, verb: str) -> None:
    parent = _charts(tmp_path)
    if verb == "build":
        assert cli("dependency", "update", str(parent)).exit_code == 0
        (parent / "charts" / "sub-0.1.0.tgz").unlink()
    result = cli("dependency", verb, str(parent))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("Saving 2 charts\n"
                             "Dependency local did not declare a repository. Assuming it exists in the charts directory\n"
                             "Deleting outdated charts\n")
    assert _archives(parent) == ["sub-0.1.0.tgz"]


@pytest.mark.parametrize("verb", ["update", "build"])
def test_invalid_schema_is_a_save_error_and_charts_dir_is_kept(cli, tmp_path: Path, verb: str) -> None:
    parent = _charts(tmp_path)
    assert cli("dependency", "update", str(parent)).exit_code == 0
    # An archive update would delete as outdated: it must survive the failed run.
    stale = parent / "charts" / "stale-9.9.9.tgz"
    stale.write_bytes((parent / "charts" / "sub-0.1.0.tgz").read_bytes())
    (tmp_path / "sub" / "values.schema.json").write_text("{bad\n")

    result = cli("dependency", verb, str(parent))
    assert result.exit_code == 1
    assert result.stdout == ("Saving 2 charts\n"
                             "Dependency local did not declare a repository. Assuming it exists in the charts directory\n"
                             "Save error occurred:  invalid JSON in values.schema.json\n")
    assert result.stderr == "Error: invalid JSON in values.schema.json\n"
    assert _archives(parent) == ["stale-9.9.9.tgz", "sub-0.1.0.tgz"]


def test_build_reports_a_file_dependency_whose_locked_version_is_gone(cli, tmp_path: Path) -> None:
    parent = _charts(tmp_path)
    assert cli("dependency", "update", str(parent)).exit_code == 0
    (tmp_path / "sub" / "Chart.yaml").write_text(SUB_CHART.format(version="0.2.0"))

    result = cli("dependency", "build", str(parent))
    assert result.exit_code == 1
    assert result.stdout.endswith("Save error occurred:  can't get a valid version for dependency sub\n")
    assert result.stderr == "Error: can't get a valid version for dependency sub\n"


def test_charts_dir_dependency_outside_its_constraint_is_a_save_error(cli, tmp_path: Path) -> None:
    parent = _charts(tmp_path, local_constraint="0.2.0")

    result = cli("dependency", "update", str(parent))
    assert result.exit_code == 1
    assert result.stdout == (
        "Saving 2 charts\n"
        "Dependency local did not declare a repository. Assuming it exists in the charts directory\n"
        "Save error occurred:  dependency local at version 0.1.0 does not satisfy the constraint 0.2.0\n")
    assert result.stderr == "Error: dependency local at version 0.1.0 does not satisfy the constraint 0.2.0\n"
    assert _archives(parent) == []


def test_charts_dir_dependency_that_does_not_load_fails_without_a_save_error(cli, tmp_path: Path) -> None:
    parent = _charts(tmp_path)
    (parent / "charts" / "local" / "Chart.yaml").unlink()

    result = cli("dependency", "update", str(parent))
    assert result.exit_code == 1
    # Helm: "Error: unable to load chart '<dir>': Chart.yaml file is missing"; the loader's
    # own message names the full path.
    assert result.stdout == ("Saving 2 charts\n"
                             "Dependency local did not declare a repository. Assuming it exists in the charts directory\n")
    assert result.stderr.startswith(f"Error: unable to load chart '{parent / 'charts' / 'local'}': ")


@pytest.mark.parametrize("verb", ["update", "build"])
def test_missing_file_directory_fails_before_any_progress(cli, tmp_path: Path, verb: str) -> None:
    parent = _charts(tmp_path)
    assert cli("dependency", "update", str(parent)).exit_code == 0
    (tmp_path / "sub").rename(tmp_path / "moved")

    result = cli("dependency", verb, str(parent))
    assert (result.exit_code, result.stdout) == (1, "")
    # Helm: "Error: directory <dir> not found"; helmlite also names the dependency.
    assert result.stderr == f'Error: dependency "sub": directory "{tmp_path / "sub"}" not found\n'


def test_no_archive_is_written_when_a_later_dependency_fails(cli, tmp_path: Path) -> None:
    parent = _charts(tmp_path)
    other = tmp_path / "other"
    (other / "templates").mkdir(parents=True)
    (other / "Chart.yaml").write_text("apiVersion: v2\nname: other\nversion: 0.1.0\n")
    (other / "values.schema.json").write_text("{bad\n")
    (parent / "Chart.yaml").write_text(PARENT_CHART.format(local="0.1.0")
                                       + "- name: other\n  version: 0.1.0\n  repository: file://../other\n")

    result = cli("dependency", "update", str(parent))
    assert result.exit_code == 1
    assert result.stdout.startswith("Saving 3 charts\n")
    assert _archives(parent) == []
