"""``search repo``: Helm's matching, scoring and version rules, and its exact output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from repo_fixtures import helm_env, make_chart, package, run_helm  # noqa: F401 - fixtures

from helmlite.errors import ConstraintError
from helmlite.repo.index import IndexFile, RepoError
from helmlite.repo.search import search_charts


def _index(*charts: tuple[str, str, str, list[str]]) -> IndexFile:
    index = IndexFile.new()
    for name, version, description, keywords in charts:
        meta = {"name": name, "version": version, "description": description, "keywords": keywords,
                "appVersion": "1.0"}
        index.add({k: v for k, v in meta.items() if v}, f"{name}-{version}.tgz", "", "d")
    index.sort_entries()
    return index


STABLE = _index(
    ("nginx", "1.0.0", "A web server", ["web", "proxy"]),
    ("nginx", "1.1.0", "A web server", ["web", "proxy"]),
    ("nginx", "2.0.0-rc.1", "A web server", ["web", "proxy"]),
    ("mariadb", "11.0.0", "A database with a proxy-friendly protocol", ["sql"]),
    ("webapp", "0.1.0", "Demo", []),
    ("alpha", "0.1.0-beta.1", "Only prereleases", ["web"]),
)


def names(results) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.name, r.version) for r in results]


def test_no_terms_lists_the_newest_stable_version_of_every_chart() -> None:
    assert names(search_charts([("r", STABLE)])) == [
        ("r/mariadb", "11.0.0"), ("r/nginx", "1.1.0"), ("r/webapp", "0.1.0")]


def test_devel_and_versions() -> None:
    assert ("r/nginx", "2.0.0-rc.1") in names(search_charts([("r", STABLE)], devel=True))
    assert ("r/alpha", "0.1.0-beta.1") in names(search_charts([("r", STABLE)], devel=True))
    assert names(search_charts([("r", STABLE)], ["nginx"], versions=True)) == [
        ("r/nginx", "1.1.0"), ("r/nginx", "1.0.0")]
    assert names(search_charts([("r", STABLE)], ["nginx"], versions=True, devel=True))[0] == ("r/nginx", "2.0.0-rc.1")
    # An explicit constraint decides alone; a prerelease constraint admits prereleases.
    assert names(search_charts([("r", STABLE)], ["nginx"], version="^2.0.0-0")) == [("r/nginx", "2.0.0-rc.1")]
    assert names(search_charts([("r", STABLE)], ["nginx"], version="~1.0", devel=True)) == [("r/nginx", "1.0.0")]


def test_score_orders_name_before_description_before_keywords() -> None:
    # "web": name of webapp (0), keyword of nginx (3); "proxy": keyword of nginx, description of mariadb.
    assert names(search_charts([("r", STABLE)], ["web"])) == [("r/webapp", "0.1.0"), ("r/nginx", "1.1.0")]
    assert names(search_charts([("r", STABLE)], ["proxy"])) == [("r/mariadb", "11.0.0"), ("r/nginx", "1.1.0")]


def test_literal_search_is_case_insensitive_and_joins_terms() -> None:
    assert names(search_charts([("r", STABLE)], ["A", "WEB"])) == [("r/nginx", "1.1.0")]
    assert names(search_charts([("r", STABLE)], ["r/"])) == names(search_charts([("r", STABLE)]))


def test_regexp_is_case_sensitive_and_anchors_at_the_name() -> None:
    assert names(search_charts([("r", STABLE)], ["^ngi"], regexp=True)) == [("r/nginx", "1.1.0")]
    assert names(search_charts([("r", STABLE)], ["^r/ngi"], regexp=True)) == []
    assert names(search_charts([("r", STABLE)], ["WEB"], regexp=True)) == []
    assert names(search_charts([("r", STABLE)], ["(?i)WEB"], regexp=True))[0] == ("r/webapp", "0.1.0")
    with pytest.raises(RepoError, match="error parsing regexp"):
        search_charts([("r", STABLE)], ["["], regexp=True)


def test_annotations_are_not_searched() -> None:
    index = IndexFile.new()
    index.add({"name": "x", "version": "1.0.0", "annotations": {"secret": "needle"}}, "x.tgz", "", "d")
    assert search_charts([("r", index)], ["needle"]) == []


def test_several_repositories_sort_by_full_name() -> None:
    results = search_charts([("z", STABLE), ("a", STABLE)], ["nginx"])
    assert names(results) == [("a/nginx", "1.1.0"), ("z/nginx", "1.1.0")]


def test_invalid_constraint() -> None:
    with pytest.raises(ConstraintError):
        search_charts([("r", STABLE)], version="not a constraint")


# --- exact output against the real helm -----------------------------------------------------------

SEARCHES = [
    [],
    ["-l"],
    ["-l", "--devel"],
    ["--devel", "-o", "json"],
    ["-l", "--devel", "-o", "yaml"],
    ["zzz"],
    ["zzz", "-o", "json"],
    ["--max-col-width", "12", "--devel"],
    ["chart for"],
    ["-r", "^my"],
    ["-r", "(?i)RICH", "--devel"],
    ["--version", "~0.1", "-l"],
    ["--version", ">=9"],
    ["kubernetes", "-l", "-o", "json"],
    ["web", "--devel"],
]


@pytest.mark.helm
def test_search_output_equals_helms(helm_bin: str, helm_env: dict[str, str], tmp_path: Path, cli,  # noqa: F811
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    chart = make_chart(tmp_path / "src", "mychart", description="A Helm chart for Kubernetes")
    for version in ("0.1.0", "0.2.0", "0.3.0-rc.1"):
        package(chart, repo, version=version)
    rich = make_chart(tmp_path / "src", "richchart", "1.3.0-rc.1", app_version="2.0",
                      description="A rich chart whose description is much longer than fifty characters & <b>",
                      extra="keywords: [web, db]\n")
    package(rich, repo / "sub")
    package(make_chart(tmp_path / "src", "webapp", "1.0.0"), repo)
    assert run_helm(helm_bin, "repo", "index", str(repo), env=helm_env).returncode == 0
    index_bytes = (repo / "index.yaml").read_bytes()

    # The same cached index for both tools, under two repository names.
    for var in ("HELMLITE_CONFIG_HOME", "HELMLITE_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    helm_config, helm_cache = Path(helm_env["HELM_CONFIG_HOME"]), Path(helm_env["HELM_CACHE_HOME"]) / "repository"
    ours_config, ours_cache = tmp_path / "helmlite_config_home", tmp_path / "helmlite_cache_home" / "repository"
    for directory in (helm_config, helm_cache, ours_config, ours_cache):
        directory.mkdir(parents=True)
    repos_yaml = "apiVersion: \"\"\nrepositories:\n- name: local\n  url: http://127.0.0.1:9\n" \
                 "- name: other\n  url: http://127.0.0.1:9/other\n"
    for config, cache in ((helm_config, helm_cache), (ours_config, ours_cache)):
        (config / "repositories.yaml").write_text(repos_yaml)
        (cache / "local-index.yaml").write_bytes(index_bytes)
        shutil.copy(cache / "local-index.yaml", cache / "other-index.yaml")

    for args in SEARCHES:
        expected = run_helm(helm_bin, "search", "repo", *args, env=helm_env)
        result = cli("search", "repo", *args)
        assert (result.exit_code, result.stdout) == (expected.returncode, expected.stdout), args
