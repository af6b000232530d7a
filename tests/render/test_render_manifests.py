"""Manifest splitting, kind order, hooks, NOTES and ``helm template`` output (helm-behaviour.md §3.5, go-templates.md §5)."""

from __future__ import annotations

import random

import pytest

from helmlite.errors import ManifestError
from helmlite.render.manifests import (
    INSTALL_ORDER,
    UNINSTALL_ORDER,
    Hook,
    Manifest,
    format_manifests,
    release_manifest,
    sort_by_kind,
    sort_manifests,
    split_documents,
)


def doc(kind: str, name: str, annotations: dict[str, str] | None = None) -> str:
    text = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
    if annotations:
        text += "  annotations:\n" + "".join(f'    "{k}": "{v}"\n' for k, v in annotations.items())
    return text


# ----- kind order ------------------------------------------------------------------------------


def test_orders_are_helms() -> None:
    assert len(INSTALL_ORDER) == len(set(INSTALL_ORDER)) == 38
    assert INSTALL_ORDER[:3] == ("PriorityClass", "Namespace", "NetworkPolicy")
    assert INSTALL_ORDER.index("CustomResourceDefinition") < INSTALL_ORDER.index("Service") < INSTALL_ORDER.index("Deployment")
    assert UNINSTALL_ORDER[:3] == ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService")
    assert set(UNINSTALL_ORDER) == set(INSTALL_ORDER)


def test_sort_by_kind_install_and_uninstall_order() -> None:
    # Every known kind, shuffled, plus unknown kinds: known ones in order, unknown last, alphabetically.
    kinds = list(INSTALL_ORDER) + ["Foo", "Bar", "", "Widget"]
    items = [{"kind": k} for k in kinds]
    random.Random(7).shuffle(items)
    assert [i["kind"] for i in sort_by_kind(items)] == list(INSTALL_ORDER) + ["", "Bar", "Foo", "Widget"]
    assert [i["kind"] for i in sort_by_kind(items, UNINSTALL_ORDER)] == list(UNINSTALL_ORDER) + ["", "Bar", "Foo", "Widget"]


def test_sort_by_kind_is_stable_within_a_kind() -> None:
    items = [
        Manifest("p", "", {"kind": "Deployment", "n": 1}),
        Manifest("p", "", {"kind": "Unknown", "n": 2}),
        Manifest("p", "", {"kind": "Service", "n": 3}),
        Manifest("p", "", {"kind": "Deployment", "n": 4}),
        Manifest("p", "", {"kind": "Unknown", "n": 5}),
        Manifest("p", "", {"kind": "Service", "n": 6}),
    ]
    assert [m.head["n"] for m in sort_by_kind(items)] == [3, 6, 1, 4, 2, 5]


# ----- splitting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "contents"),
    [
        ("a: 1\n", ["a: 1\n"]),
        ("---\na: 1\n---\nb: 2\n", ["a: 1\n", "b: 2\n"]),
        ("a: 1\n---   \nb: 2", ["a: 1\n", "b: 2"]),
        ("\n\n  a: 1  \n\n---\n\n---\n   \n", ["a: 1  \n\n"]),
        ("---apiVersion: v1\n", ["apiVersion: v1\n"]),
        ("---# x\nd: 4\n", ["# x\nd: 4\n"]),
        ("a: |\n  ---\n  text\n", ["a: |\n  ---\n  text\n"]),
        ("", []),
        ("   \n\t\n", []),
    ],
)
def test_split_documents(text: str, contents: list[str]) -> None:
    assert [m.content for m in split_documents("c/templates/t.yaml", text)] == contents


def test_split_reads_the_head() -> None:
    text = doc("ConfigMap", "cm", {"a": "b"}).replace("  name: cm\n", "  name: cm\n  namespace: ns\n") + "data:\n  k: v\n"
    (m,) = split_documents("c/templates/cm.yaml", text)
    assert m.name == "c/templates/cm.yaml"
    assert m.head == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns", "annotations": {"a": "b"}}}
    (comment,) = split_documents("p", "# only a comment\n")
    assert comment.head == {} and comment.kind == ""


def test_yaml_errors_name_the_file() -> None:
    with pytest.raises(ManifestError) as info:
        split_documents("c/templates/bad.yaml", "kind: ConfigMap\nmetadata:\n  name: x\n  bad: [\n")
    assert str(info.value).startswith("YAML parse error on c/templates/bad.yaml: error converting YAML to JSON: yaml: line ")
    with pytest.raises(ManifestError, match=r"^YAML parse error on c/templates/list.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type util.SimpleHead$"):
        split_documents("c/templates/list.yaml", "- a\n- b\n")


# ----- sort_manifests --------------------------------------------------------------------------


def test_sort_manifests_orders_files_and_kinds_and_extracts_notes() -> None:
    rendered = {
        "c/templates/b.yaml": doc("Deployment", "dep") + "---\n" + doc("ConfigMap", "cm1"),
        "c/templates/a.yaml": doc("Service", "svc"),
        "c/charts/sub/templates/cm.yaml": doc("ConfigMap", "subcm"),
        "c/templates/ns/ns.yaml": doc("Namespace", "ns"),
        "c/templates/empty.yaml": "\n  \n",
        "c/templates/foo.yaml": doc("Foo", "foo"),
        "c/templates/NOTES.txt": "top notes {{ x }}",
        "c/charts/sub/templates/NOTES.txt": "sub notes",
    }
    hooks, manifests, notes = sort_manifests(rendered, chart_name="c")
    assert hooks == []
    assert notes == "top notes {{ x }}"
    assert [(m.name, m.kind, m.head["metadata"]["name"]) for m in manifests] == [
        ("c/templates/ns/ns.yaml", "Namespace", "ns"),
        ("c/charts/sub/templates/cm.yaml", "ConfigMap", "subcm"),
        ("c/templates/b.yaml", "ConfigMap", "cm1"),
        ("c/templates/a.yaml", "Service", "svc"),
        ("c/templates/b.yaml", "Deployment", "dep"),
        ("c/templates/foo.yaml", "Foo", "foo"),
    ]


def test_no_notes_gives_empty_string() -> None:
    assert sort_manifests({"sub/templates/NOTES.txt": "x"}, chart_name="c") == ([], [], "")


def test_hooks_are_parsed() -> None:
    rendered = {
        "c/templates/hooks.yaml": "\n---\n".join(
            [
                doc("Job", "job", {"helm.sh/hook": "post-install, PRE-UPGRADE", "helm.sh/hook-weight": "-5",
                                   "helm.sh/hook-delete-policy": "hook-succeeded,hook-failed",
                                   "helm.sh/hook-output-log-policy": "hook-failed"}),
                doc("ConfigMap", "cm", {"helm.sh/hook": "pre-install", "helm.sh/hook-weight": "ten"}),
                doc("Pod", "test", {"helm.sh/hook": "test-success"}),
                doc("Secret", "bogus", {"helm.sh/hook": "pre-install,bogus"}),
                doc("Secret", "plain", {"other": "x"}),
            ]
        )
    }  # fmt: skip
    hooks, manifests, _ = sort_manifests(rendered, chart_name="c")
    assert [m.head["metadata"]["name"] for m in manifests] == ["plain"]
    assert hooks == [
        Hook("cm", "ConfigMap", "c/templates/hooks.yaml", doc("ConfigMap", "cm", {"helm.sh/hook": "pre-install", "helm.sh/hook-weight": "ten"}) + "\n",
             ("pre-install",), 0, ("before-hook-creation",), ()),
        Hook("test", "Pod", "c/templates/hooks.yaml", doc("Pod", "test", {"helm.sh/hook": "test-success"}) + "\n", ("test",)),
        Hook("job", "Job", "c/templates/hooks.yaml", hooks[2].manifest, ("post-install", "pre-upgrade"), -5,
             ("hook-succeeded", "hook-failed"), ("hook-failed",)),
    ]  # fmt: skip


def test_hook_weight_parsing() -> None:
    for text, weight in (("5", 5), ("+3", 3), ("-2", -2), (" 4 ", 0), ("1.5", 0), ("", 0), ("x", 0)):
        rendered = {"c/templates/h.yaml": doc("Job", "j", {"helm.sh/hook": "pre-install", "helm.sh/hook-weight": text})}
        (hook,), _, _ = sort_manifests(rendered, chart_name="c")
        assert hook.weight == weight, text


def test_empty_hook_annotation_drops_the_document() -> None:
    rendered = {"c/templates/h.yaml": doc("Job", "j", {"helm.sh/hook": ""})}
    assert sort_manifests(rendered, chart_name="c") == ([], [], "")


# ----- output ----------------------------------------------------------------------------------


def test_format_manifests_exact_bytes() -> None:
    manifests = [
        Manifest("c/templates/a-svc.yaml", "kind: Service\nmetadata: {name: z-svc}\n\n\n\n", {"kind": "Service"}),
        Manifest("c/templates/b-multi.yaml", "kind: ConfigMap\nmetadata: {name: cm2}  \n  \n", {"kind": "ConfigMap"}),
        Manifest("c/templates/c-foo.yaml", "kind: Foo\nmetadata: {name: foo}\n", {"kind": "Foo"}),
    ]
    hooks = [
        Hook("s", "Secret", "c/templates/h-hook.yaml", "kind: Secret\nmetadata: {name: s}\n", ("pre-install",)),
        Hook("t", "Pod", "c/templates/t-hook.yaml", "kind: Pod\nmetadata: {name: t}\n", ("test",)),
    ]
    expected = (
        "---\n# Source: c/templates/a-svc.yaml\nkind: Service\nmetadata: {name: z-svc}\n\n\n\n\n"
        "---\n# Source: c/templates/b-multi.yaml\nkind: ConfigMap\nmetadata: {name: cm2}  \n  \n\n"
        "---\n# Source: c/templates/c-foo.yaml\nkind: Foo\nmetadata: {name: foo}\n"
        "---\n# Source: c/templates/h-hook.yaml\nkind: Secret\nmetadata: {name: s}\n\n"
        "---\n# Source: c/templates/t-hook.yaml\nkind: Pod\nmetadata: {name: t}\n\n"
    )
    assert format_manifests(manifests, hooks) == expected
    assert format_manifests(manifests, hooks, skip_tests=True) == expected[: expected.index("---\n# Source: c/templates/t-hook")]


def test_format_manifests_edge_cases() -> None:
    assert format_manifests([]) == "\n"
    hook = Hook("h", "Job", "c/templates/h.yaml", "kind: Job", ("post-install",))
    assert format_manifests([], [hook]) == "\n---\n# Source: c/templates/h.yaml\nkind: Job\n"
    m = Manifest("c/templates/x.yaml", "a: 1", {})
    assert format_manifests([m]) == "---\n# Source: c/templates/x.yaml\na: 1\n"
    assert release_manifest([m, m]) == "---\n# Source: c/templates/x.yaml\na: 1\n---\n# Source: c/templates/x.yaml\na: 1\n"


def test_rendered_chart_to_template_output(make_chart, render) -> None:  # type: ignore[no-untyped-def]
    chart = make_chart(
        "c",
        {
            "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ Release.Name }}\n",
            "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ Release.Name }}\n",
            "test.yaml": 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    "helm.sh/hook": test\n',
            "NOTES.txt": "Installed {{ Release.Name }}.",
        },
    )
    hooks, manifests, notes = sort_manifests(render(chart), chart_name="c")
    assert notes == "Installed r."
    assert format_manifests(manifests, hooks) == (
        "---\n# Source: c/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: r\n\n"
        "---\n# Source: c/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: r\n"
        '---\n# Source: c/templates/test.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    "helm.sh/hook": test\n\n'
    )


def test_deeply_nested_output_is_bounded_not_a_crash() -> None:
    # libyaml's C composer recurses on the C stack (a segfault at ~100,000 levels) and its
    # scanner is quadratic in the depth; the head is read from the lazy event stream and the
    # walk stops at go-yaml's depth limit, so absurd nesting is a quick, clean error.
    from helmlite.render.manifests import MAX_DOCUMENT_DEPTH, split_documents

    (doc,) = split_documents("c/templates/x.yaml", "kind: X\na: " + "[" * 1000 + "]" * 1000 + "\n")
    assert doc.head == {"kind": "X"}
    for text in ("a: " + "[" * 200_000 + "]" * 200_000 + "\n", "a: " + "[" * 200_000 + "\n"):
        with pytest.raises(ManifestError, match=f"^YAML parse error on c/templates/x.yaml: exceeded max depth of "
                                                f"{MAX_DOCUMENT_DEPTH}$"):
            split_documents("c/templates/x.yaml", text)
