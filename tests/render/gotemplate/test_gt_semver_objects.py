"""What templates can do with ``semver`` results, against the real Helm v4.3.1 (``helm template``).

``semver`` returns a Masterminds ``*semver.Version``; ``IncMajor``/``IncMinor``/``IncPatch`` and
``SetPrerelease``/``SetMetadata`` return a ``semver.Version`` value, on which text/template can
call only the methods with a value receiver: ``Original`` and the comparisons take a pointer,
so Helm fails with ``can't evaluate field Original in type semver.Version``.

Each row is a template ``# {{ EXPR }}`` and what helm printed after ``# `` or, for an error,
its message between ``Error: `` and its ``--debug`` hint (helmlite prints the hint only for
invalid YAML, so the hint is left out of the comparison).
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HINT = "\n\nUse --debug flag to render out invalid YAML\n"

# (expression, what helm printed)
ACCEPTED: list[tuple[str, str]] = [
    ('(semver "v1.2.3").Original', "v1.2.3"),
    ('(semver "v1.2.3").IncMajor', "2.0.0"),
    ('(semver "v1.2.3-rc.1+b").IncMinor.String', "1.3.0"),
    ('(semver "v1.2.3-rc.1+b").IncPatch.Major', "1"),
    ('(semver "v1.2.3").IncMajor.IncMinor.IncPatch', "2.1.1"),
    (
        'printf "%T %T" (semver "1.2.3") (semver "1.2.3").IncPatch',
        "*semver.Version semver.Version",
    ),
    ('(semver "v1.2.3+m").SetPrerelease "rc.1"', "1.2.3-rc.1+m"),
    ('(semver "v1.2.3-rc1+m").SetPrerelease ""', "1.2.3+m"),
    ('(semver "v1.2.3").IncMajor.SetMetadata "0a.01"', "2.0.0+0a.01"),
    ('printf "%T" ((semver "v1.2.3").SetMetadata "x")', "semver.Version"),
    ('(semver "v1.2.3").MarshalJSON', "[34 49 46 50 46 51 34]"),
    ('(semver "v1.2.3").IncMinor.MarshalText', "[49 46 51 46 48]"),
    ('(semver "v1.2.3").IncMinor.Value', "1.3.0"),
    ('(semver "1.2.3").IncMajor | toJson', '"2.0.0"'),
    ('(semver "1.2.3").GreaterThan (semver "1.0.0")', "true"),
]

# (expression, helm's error message)
FAILING: list[tuple[str, str]] = [
    (
        '$v := (semver "v1.2.3").IncMajor }}{{ $v.Original',
        'c/templates/t.yaml:1:45\n  executing "c/templates/t.yaml" at <$v.Original>:\n    can\'t evaluate field Original in type semver.Version',
    ),
    (
        '((semver "v1.2.3").SetPrerelease "rc.1").Original',
        'c/templates/t.yaml:1:38\n  executing "c/templates/t.yaml" at <"rc.1">:\n    can\'t evaluate field Original in type semver.Version',
    ),
    (
        '$v := (semver "v1.2.3").IncPatch }}{{ $v.Compare (semver "1.0.0")',
        'c/templates/t.yaml:1:45\n  executing "c/templates/t.yaml" at <$v.Compare>:\n    can\'t evaluate field Compare in type semver.Version',
    ),
    (
        '$v := (semver "v1.2.3").IncMinor }}{{ $v.LessThan (semver "1.0.0")',
        'c/templates/t.yaml:1:45\n  executing "c/templates/t.yaml" at <$v.LessThan>:\n    can\'t evaluate field LessThan in type semver.Version',
    ),
    (
        '(semver "1.2.3").Compare ((semver "1.0.0").IncMajor)',
        'c/templates/t.yaml:1:39\n  executing "c/templates/t.yaml" at <"1.0.0">:\n    wrong type for value; expected *semver.Version; got semver.Version',
    ),
    (
        '(semver "v1.2.3").SetPrerelease "01"',
        'template: c/templates/t.yaml:1:22: executing "c/templates/t.yaml" at <(semver "v1.2.3").SetPrerelease>: error calling SetPrerelease: version segment starts with 0',
    ),
    (
        '(semver "v1.2.3").SetPrerelease "a..b"',
        'template: c/templates/t.yaml:1:22: executing "c/templates/t.yaml" at <(semver "v1.2.3").SetPrerelease>: error calling SetPrerelease: invalid prerelease string',
    ),
    (
        '(semver "v1.2.3").SetPrerelease "r_c"',
        'template: c/templates/t.yaml:1:22: executing "c/templates/t.yaml" at <(semver "v1.2.3").SetPrerelease>: error calling SetPrerelease: invalid prerelease string',
    ),
    (
        '(semver "v1.2.3").SetMetadata "a_b"',
        'template: c/templates/t.yaml:1:22: executing "c/templates/t.yaml" at <(semver "v1.2.3").SetMetadata>: error calling SetMetadata: invalid metadata string',
    ),
    (
        '(semver "v1.2.3").Foo',
        'c/templates/t.yaml:1:13\n  executing "c/templates/t.yaml" at <"v1.2.3">:\n    can\'t evaluate field Foo in type *semver.Version',
    ),
]

# A method of a method's result called in the same chain: the message names the result's own
# type (only a map lookup's result is an ``interface {}``).
CHAINED: list[tuple[str, str]] = [
    (
        '(semver "v1.2.3").IncMajor.Original',
        'c/templates/t.yaml:1:13\n  executing "c/templates/t.yaml" at <"v1.2.3">:\n    can\'t evaluate field Original in type semver.Version',
    ),
    (
        '(semver "v1.2.3").IncMajor.Equal (semver "1.0.0")',
        'c/templates/t.yaml:1:13\n  executing "c/templates/t.yaml" at <"v1.2.3">:\n    can\'t evaluate field Equal in type semver.Version',
    ),
    (
        '(semver "v1.2.3").IncMajor.Foo',
        'c/templates/t.yaml:1:13\n  executing "c/templates/t.yaml" at <"v1.2.3">:\n    can\'t evaluate field Foo in type semver.Version',
    ),
]


def _template(cli, root: Path, expression: str):
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "t.yaml").write_text("# {{ " + expression + " }}\n")
    return cli("template", "x", str(chart))


@pytest.mark.parametrize(("expression", "printed"), ACCEPTED)
def test_semver_results_print_as_in_helm(
    cli, tmp_path: Path, expression: str, printed: str
) -> None:
    result = _template(cli, tmp_path, expression)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"---\n# Source: c/templates/t.yaml\n# {printed}\n"


@pytest.mark.parametrize(("expression", "message"), FAILING)
def test_semver_misuse_fails_as_in_helm(
    cli, tmp_path: Path, expression: str, message: str
) -> None:
    result = _template(cli, tmp_path, expression)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.removesuffix(_HINT).removesuffix("\n") == f"Error: {message}"


@pytest.mark.parametrize(("expression", "message"), CHAINED)
def test_pointer_methods_of_a_chained_result_fail_as_in_helm(
    cli, tmp_path: Path, expression: str, message: str
) -> None:
    result = _template(cli, tmp_path, expression)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.removesuffix(_HINT).removesuffix("\n") == f"Error: {message}"
