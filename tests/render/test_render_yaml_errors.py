"""Rendered output with YAML aliases: ``helm template`` prints what Helm v4.3.1 prints, byte for byte.

Helm reads each document of a rendered file with sigs.k8s.io/yaml (go-yaml v2): an alias to an
anchor that is not defined (yet) fails at once with ``unknown anchor 'x' referenced`` and no line
number; an alias inside the anchor it names fails only when the parsed document is decoded
(``anchor 'x' value contains itself``), so a syntax error later in the document wins; an anchor
may be defined again; what follows a ``...`` document end is never read.

The expected outputs were printed by the real helm binary (``helm template x c``) for a chart
whose only template is the text shown; no helm is needed to run these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.conftest import write_one_template_chart

# helm's stderr is _ERROR_PREFIX + problem + _ERROR_SUFFIX, exit code 1
_ERROR_PREFIX = "Error: YAML parse error on c/templates/t.yaml: error converting YAML to JSON: yaml: "
_ERROR_SUFFIX = "\n\nUse --debug flag to render out invalid YAML\n"

# (name, template text, go-yaml's problem as helm prints it)
FAILING: list[tuple[str, str, str]] = [
    ("top-level-value", "a: *x\n", "unknown anchor 'x' referenced"),
    ("nested-value", "kind: A\nb:\n  c: *x\n", "unknown anchor 'x' referenced"),
    ("list-item", "kind: A\nb:\n  - 1\n  - *x\n", "unknown anchor 'x' referenced"),
    ("flow-sequence", "kind: A\nb: [1, *x]\n", "unknown anchor 'x' referenced"),
    ("flow-mapping", "kind: A\nb: {c: *x}\n", "unknown anchor 'x' referenced"),
    ("key", "kind: A\n*x : 1\n", "unknown anchor 'x' referenced"),
    ("whole-document", "*x\n", "unknown anchor 'x' referenced"),
    ("before-its-anchor", "kind: A\nb: *x\nc: &x 1\n", "unknown anchor 'x' referenced"),
    (
        "anchor-in-the-previous-document",
        "kind: A\nb: &x 1\n---\nkind: B\nc: *x\n",
        "unknown anchor 'x' referenced",
    ),
    ("then-invalid-yaml", "kind: A\nb: *x\nc: [1\n", "unknown anchor 'x' referenced"),
    (
        "after-invalid-yaml",
        "kind: A\nc: [1\nb: *x\n",
        "line 2: did not find expected ',' or ']'",
    ),
    ("inside-its-anchor", "kind: A\na: &x [*x]\n", "anchor 'x' value contains itself"),
    (
        "inside-its-anchor-block",
        "kind: A\na: &x\n  b: *x\n",
        "anchor 'x' value contains itself",
    ),
    (
        "merged-inside-its-anchor",
        "kind: A\na: &x {b: 1, <<: *x}\n",
        "anchor 'x' value contains itself",
    ),
    (
        "inside-its-anchor-then-invalid-yaml",
        "kind: A\na: &x [*x]\nb: [1\n",
        "line 3: did not find expected ',' or ']'",
    ),
    (
        "inside-its-anchor-via-another",
        "kind: A\na: &x [1, &y [*x]]\nb: *y\n",
        "anchor 'x' value contains itself",
    ),
    (
        "defined-then-invalid-yaml",
        "kind: A\nb: &x 1\nc: *x\nd: [1\n",
        "line 4: did not find expected ',' or ']'",
    ),
]

# (name, template text): helm prints the text unchanged after its "# Source" line
ACCEPTED: list[tuple[str, str]] = [
    ("anchor-defined-twice", "kind: A\nb: &x 1\nb2: &x 2\nc: *x\n"),
    ("redefined-inside-a-list", "kind: A\na: &x [1, &x 2, *x]\n"),
    ("after-a-document-end", "kind: A\nb: &x 1\n...\nkind: B\nc: *y\n"),
]


@pytest.mark.parametrize(
    ("name", "template", "problem"), FAILING, ids=[case[0] for case in FAILING]
)
def test_alias_errors_are_helms(
    cli, tmp_path: Path, name: str, template: str, problem: str
) -> None:
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        _ERROR_PREFIX + problem + _ERROR_SUFFIX,
    )


@pytest.mark.parametrize(
    ("name", "template"), ACCEPTED, ids=[case[0] for case in ACCEPTED]
)
def test_aliases_helm_accepts(cli, tmp_path: Path, name: str, template: str) -> None:
    result = cli("template", "x", str(write_one_template_chart(tmp_path, template)))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "---\n# Source: c/templates/t.yaml\n" + template
