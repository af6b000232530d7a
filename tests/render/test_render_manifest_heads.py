"""The head of a rendered document read from its beginning (``manifests._quick_head``) must be
what reading every event of it gives: the same fields, the same errors.

The quick reader stops at the first root key after the head and leaves the rest to libyaml's
validation; each case here puts something after that point that could change the head or the
outcome (a later ``kind``, a quoted or explicit key, a scalar or flow collection running over
a line at column 0, an alias, a ``...``, a line break other than ``\\n``, deep nesting, invalid
YAML). The expectations are what the event walk over the whole document (the previous
implementation) gives for each.
"""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.errors import ManifestError
from helmlite.render.manifests import split_documents

HEAD = "apiVersion: v1\nkind: A\nmetadata:\n  name: n\n"

# name: (document, its head or the error after "YAML parse error on c/templates/x.yaml: ")
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "kind-after-spec": (
        HEAD + "spec:\n  x: 1\nkind: B\n",
        {"head": {"apiVersion": "v1", "kind": "B", "metadata": {"name": "n"}}},
    ),
    "quoted-scalar-over-a-column-0-line": (
        HEAD + 'spec: "text\nkind: Fake"\nstatus: {}\n',
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
    "flow-sequence-over-a-column-0-line": (
        HEAD + "spec: [1,\nkind, 2]\nz: 1\n",
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
    "alias-after-the-head": (
        HEAD
        + "  annotations:\n    helm.sh/hook-weight: 0x10\nspec: &s {a: 1}\nstatus: *s\n",
        {
            "head": {
                "apiVersion": "v1",
                "kind": "A",
                "metadata": {
                    "name": False,
                    "annotations": {"helm.sh/hook-weight": "16"},
                },
            }
        },
    ),
    "undefined-alias-after-the-head": (
        HEAD + "spec:\n  a: *nope\nz: 1\n",
        {"error": "error converting YAML to JSON: yaml: unknown anchor 'nope' referenced"},
    ),
    "stars-in-prose": (
        HEAD
        + "spec:\n  description: This is\n    *important* and **bold**, see * and *x\n  x: 1\nz: 2\n",
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
    "star-after-an-anchor-name": (
        HEAD + "spec: &a* x\nz: 1\n",
        {
            "error": "error converting YAML to JSON: yaml: line 5: did not find expected alphabetic or numeric character"
        },
    ),
    "document-end-then-a-document": (  # Helm reads the first document only
        HEAD + "spec: 1\n...\nkind: B\n",
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
    "carriage-return-line": (
        HEAD + "spec: 1\rkind: B\n",
        {"head": {"apiVersion": "v1", "kind": "B", "metadata": {"name": "n"}}},
    ),
    "long-json-line-in-a-block-scalar": (
        HEAD + "data:\n  d.json: |-\n    " + "[" * 3000 + "]" * 3000 + "\nz: 1\n",
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
    "flow-deeper-than-the-limit": (
        HEAD + "spec: " + "[" * 10001 + "]" * 10001 + "\nz: 1\n",
        {"error": "exceeded max depth of 10000"},
    ),
    "comment-before-the-root": (
        "# c\n" + HEAD + "spec: 1\n",
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
    "tab-indented-key": (
        HEAD + "spec:\n\tkind: B\nz: 1\n",
        {
            "error": "error converting YAML to JSON: yaml: line 6: found character that cannot start any token"
        },
    ),
    "explicit-key-after-the-head": (
        HEAD + "spec: 1\n? kind\n: B\n",
        {"head": {"apiVersion": "v1", "kind": "B", "metadata": {"name": "n"}}},
    ),
    "quoted-key-after-the-head": (
        HEAD + 'spec: 1\n"kind": B\n',
        {"head": {"apiVersion": "v1", "kind": "B", "metadata": {"name": "n"}}},
    ),
    "alias-at-column-0": (
        HEAD + "spec:\n- a\n*YAML 1.1\n",
        {
            "error": "error converting YAML to JSON: yaml: line 8: could not find expected ':'"
        },
    ),
    "second-metadata": (
        HEAD + "spec: 1\nmetadata:\n  namespace: m\n",
        {
            "head": {
                "apiVersion": "v1",
                "kind": "A",
                "metadata": {"name": "n", "namespace": "m"},
            }
        },
    ),
    "metadata-last": (
        "apiVersion: v1\nkind: A\nspec: 1\nmetadata:\n  name: n\n  annotations:\n    helm.sh/hook: test\n",
        {
            "head": {
                "apiVersion": "v1",
                "kind": "A",
                "metadata": {"name": "n", "annotations": {"helm.sh/hook": "test"}},
            }
        },
    ),
    "scalar-root-over-lines": (
        "foo\nbar: 1\n",
        {
            "error": "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
        },
    ),
    "list-root": (
        "- a\n- b\nc: 1\n",
        {
            "error": "error converting YAML to JSON: yaml: line 2: did not find expected '-' indicator"
        },
    ),
    "invalid-after-the-head": (
        HEAD + "spec:\n  a: [\nz: 1\n",
        {
            "error": "error converting YAML to JSON: yaml: line 7: did not find expected ',' or ']'"
        },
    ),
    "kind-after-spec-then-status": (
        HEAD + "spec: 1\nkind: B\nstatus: {}\n",
        {"head": {"apiVersion": "v1", "kind": "B", "metadata": {"name": "n"}}},
    ),
    "quoted-kind-in-a-later-scalar": (
        HEAD + 'spec: 1\nz: "a\nkind: Fake"\nw: 1\n',
        {"head": {"apiVersion": "v1", "kind": "A", "metadata": {"name": "n"}}},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_head_is_the_one_of_the_whole_document(name: str) -> None:
    text, expected = CASES[name]
    try:
        (manifest,) = split_documents("c/templates/x.yaml", text)
        outcome: dict[str, Any] = {"head": manifest.head}
    except ManifestError as exc:
        outcome = {
            "error": str(exc).removeprefix("YAML parse error on c/templates/x.yaml: ")
        }
    assert outcome == expected
