""".helmignore rules: the facts of Helm's pkg/ignore TestIgnore / TestParse / TestParseFail, plus globbing edges."""

from __future__ import annotations

import pytest

from helmlite.chart.helmignore import DEFAULT_HELMIGNORE, IgnoreRules, compile_glob
from helmlite.errors import ChartLoadError

# (pattern, path, path is a directory, expected "ignored"); the paths mirror Helm's testdata
# tree: directories cargo/ and mast/, files helm.txt, rudder.txt, tiller.txt, cargo/a.txt,
# mast/a.txt, .joonix, templates/.dotfile, a.txt.
IGNORE_TABLE = [
    # Globs
    ("helm.txt", "helm.txt", False, True),
    ("helm.*", "helm.txt", False, True),
    ("helm.*", "rudder.txt", False, False),
    ("*.txt", "tiller.txt", False, True),
    ("*.txt", "cargo/a.txt", False, True),
    ("cargo/*.txt", "cargo/a.txt", False, True),
    ("cargo/*.*", "cargo/a.txt", False, True),
    ("cargo/*.txt", "mast/a.txt", False, False),
    ("ru[c-e]?er.txt", "rudder.txt", False, True),
    ("templates/.?*", "templates/.dotfile", False, True),
    # The chart root itself is never ignored (helm/helm#1776).
    (".*", ".", True, False),
    (".*", "./", True, False),
    (".*", ".joonix", False, True),
    (".*", "helm.txt", False, False),
    (".*", "", True, False),
    # Directories
    ("cargo/", "cargo", True, True),
    ("cargo/", "cargo/", True, True),
    ("cargo/", "mast/", True, False),
    ("helm.txt/", "helm.txt", False, False),
    # Negation (Helm's semantics: a negated rule that does not match ignores the path)
    ("!helm.txt", "helm.txt", False, False),
    ("!helm.txt", "tiller.txt", False, True),
    ("!*.txt", "cargo", True, True),
    ("!cargo/", "mast/", True, True),
    # Anchored to the chart root
    ("/a.txt", "a.txt", False, True),
    ("/a.txt", "cargo/a.txt", False, False),
    ("/cargo/a.txt", "cargo/a.txt", False, True),
]


def test_table_has_all_of_helms_rows() -> None:
    assert len(IGNORE_TABLE) == 26


@pytest.mark.parametrize(("pattern", "path", "is_dir", "expected"), IGNORE_TABLE)
def test_ignore(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    assert IgnoreRules.parse(pattern).ignored(path, is_dir) is expected


def test_parse_skips_comments_and_blank_lines() -> None:
    rules = IgnoreRules.parse("#ignore\n\n\t#ignore\nfoo\nbar/*\nbaz/bar/foo.txt\n\none/more\n")
    assert len(rules) == 4


@pytest.mark.parametrize("bad", ["foo/**/bar", "**", "[z-", "[]", "a\\"])
def test_parse_rejects_double_star_and_bad_globs(bad: str) -> None:
    with pytest.raises(ChartLoadError, match=r"^\.helmignore: line 2: "):
        IgnoreRules.parse(f"ok\n{bad}\n")


def test_first_matching_rule_wins() -> None:
    rules = IgnoreRules.parse("*.txt\n!keep.txt\n")
    assert rules.ignored("x.txt", False)
    assert rules.ignored("keep.txt", False)  # the first rule already decided


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("*", "a/b", False),  # '*' never crosses '/'
        ("?", "/", False),
        ("a?c", "abc", True),
        ("[^a]bc", "xbc", True),
        ("[^a]bc", "abc", False),
        ("[a-c][!]", "b!", True),
        ("\\*", "*", True),
        ("\\*", "a", False),
        ("[\\]]", "]", True),
        ("[z-a]", "m", False),  # an inverted range never matches (Go), but is not an error
        ("a.b", "aXb", False),  # regex metacharacters are literal
        ("(x)+", "(x)+", True),
    ],
)
def test_go_filepath_match_semantics(pattern: str, name: str, expected: bool) -> None:
    assert (compile_glob(pattern).fullmatch(name) is not None) is expected


def test_trailing_spaces_are_trimmed() -> None:
    assert IgnoreRules.parse("  secret.txt   \n").ignored("secret.txt", False)


def test_default_helmignore_covers_vcs_and_backup_files() -> None:
    rules = IgnoreRules.parse(DEFAULT_HELMIGNORE)
    assert rules.ignored(".git", True)
    assert not rules.ignored(".git", False)  # ".git/" only matches directories
    assert rules.ignored("values.yaml.swp", False)
    assert rules.ignored("templates/deploy.yaml~", False)
    assert rules.ignored(".vscode", True)
    assert not rules.ignored("values.yaml", False)
    assert not rules.ignored("templates", True)
