"""Field chains on the Go values helmlite models, failing as in the real Helm v4.3.1 (``helm template``).

text/template names the receiver's type in its errors: ``interface {}`` for what a map lookup
returned, the result's own type after a method or a struct field; a lower-case name that is a
struct's unexported field (``(semver "1.2.3").original``) fails with ``X is an unexported
field of struct type T``. ``.Release``, ``.Chart`` and ``.Template`` are maps: a lower-case
name there prints nothing.

Each row is a template ``# {{ EXPR }}`` and what helm printed (its message between ``Error: ``
and the ``--debug`` hint, or the line it printed); no helm is needed to run them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HINT = "\n\nUse --debug flag to render out invalid YAML\n"


def _error(column: int, at: str, problem: str) -> str:
    return f'c/templates/t.yaml:1:{column}\n  executing "c/templates/t.yaml" at <{at}>:\n    {problem}'


# (expression, helm's error message)
FAILING: list[tuple[str, str]] = [
    ('(semver "1.2.3").original', _error(13, '"1.2.3"', "original is an unexported field of struct type *semver.Version")),
    ('(semver "1.2.3").major', _error(13, '"1.2.3"', "major is an unexported field of struct type *semver.Version")),
    (
        '(semver "1.2.3").IncMajor.original',
        _error(13, '"1.2.3"', "original is an unexported field of struct type semver.Version"),
    ),
    ('(semver "1.2.3").IncMajor.pre', _error(13, '"1.2.3"', "pre is an unexported field of struct type semver.Version")),
    ('(semver "1.2.3").foo', _error(13, '"1.2.3"', "can't evaluate field foo in type *semver.Version")),
    (
        '(semver "1.2.3").IncMajor.IncMinor.Foo',
        _error(13, '"1.2.3"', "can't evaluate field Foo in type semver.Version"),
    ),
    (
        '(dict "v" (semver "1.2.3")).v.original',
        _error(23, '"1.2.3"', "original is an unexported field of struct type interface {}"),
    ),
    (
        '$x := dict "v" (semver "1.2.3") }}{{ $x.v.original',
        _error(44, "$x.v.original", "original is an unexported field of struct type interface {}"),
    ),
    (
        ".Capabilities.kubeVersion",
        _error(18, ".Capabilities.kubeVersion", "can't evaluate field kubeVersion in type interface {}"),
    ),
    (
        ".Capabilities.KubeVersion.major",
        _error(18, ".Capabilities.KubeVersion.major", "can't evaluate field major in type common.KubeVersion"),
    ),
    (
        ".Capabilities.HelmVersion.version",
        _error(18, ".Capabilities.HelmVersion.version", "can't evaluate field version in type version.BuildInfo"),
    ),
    (
        ".Capabilities.APIVersions.foo",
        _error(18, ".Capabilities.APIVersions.foo", "can't evaluate field foo in type common.VersionSet"),
    ),
    (
        ".Capabilities.KubeVersion.Major.x",
        _error(18, ".Capabilities.KubeVersion.Major.x", "can't evaluate field x in type string"),
    ),
    (".Values.a.b.c", _error(12, ".Values.a.b.c", "can't evaluate field c in type interface {}")),
    (".Values.a.c.d", _error(12, ".Values.a.c.d", "nil pointer evaluating interface {}.d")),
]

# (expression, the line helm printed: "# " and nothing, its final blank trimmed)
ACCEPTED: list[tuple[str, str]] = [
    (".Release.name", "#"),
    (".Chart.name", "#"),
    (".Template.name", "#"),
]


def _template(cli, root: Path, expression: str):
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("a: {b: 1}\n")
    (chart / "templates" / "t.yaml").write_text("# {{ " + expression + " }}\n")
    return cli("template", "x", str(chart))


@pytest.mark.parametrize(("expression", "message"), FAILING)
def test_field_errors_name_the_type_as_helm_does(cli, tmp_path: Path, expression: str, message: str) -> None:
    result = _template(cli, tmp_path, expression)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.removesuffix(_HINT).removesuffix("\n") == f"Error: {message}"


@pytest.mark.parametrize(("expression", "printed"), ACCEPTED)
def test_lower_case_names_in_helms_maps_print_nothing(cli, tmp_path: Path, expression: str, printed: str) -> None:
    result = _template(cli, tmp_path, expression)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"---\n# Source: c/templates/t.yaml\n{printed}\n"
