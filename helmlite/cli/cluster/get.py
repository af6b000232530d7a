"""``helmlite cluster get``: kubectl get against the simulated cluster.

Tables come from the same server-side printers the Kubernetes facade serves
(``helmlite.cluster.printers``) and are laid out as kubectl lays them out. ``-o jsonpath``
supports the subset documented in ``helmlite.cluster.printers.jsonpath`` (field paths,
indexes, ``[*]``, ``range``/``end``, quoted literals; no filters, slices or recursive descent).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from helmlite.cli.cluster.common import namespace, open_cluster, parse_targets
from helmlite.cli.options import global_options

if TYPE_CHECKING:
    from helmlite.cli.cluster.common import ResourceTarget
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.kinds import Kind

__all__ = ["format_json", "format_yaml", "get", "object_name"]

# -o values kubectl accepts that this command implements (jsonpath=… and name besides).
OUTPUT_FORMATS = ("wide", "yaml", "json", "name")


@click.command(short_help="display one or many resources")
@global_options
@click.argument("resources", nargs=-1, metavar="(TYPE[.VERSION][.GROUP] [NAME ...] | TYPE/NAME ...)")
@click.option("-A", "--all-namespaces", is_flag=True, help="list the requested objects across all namespaces")
@click.option("-l", "--selector", default="", help="label selector (-l key1=value1,key2=value2; =, ==, !=, in, notin)")
@click.option("--field-selector", default="", help="field selector (metadata.name, metadata.namespace, "
              "status.phase, spec.nodeName, … as the API server supports per kind)")
@click.option("-o", "--output", default="", metavar="FORMAT",
              help="wide, yaml, json, name or jsonpath=TEMPLATE")
@click.option("--show-labels", is_flag=True, help="show all labels as the last column")
@click.option("-L", "--label-columns", multiple=True, metavar="KEY",
              help="a column per label key (comma-separated or repeated)")
@click.option("--no-headers", is_flag=True, help="don't print headers")
@click.option("--sort-by", default="", metavar="JSONPATH",
              help="sort list types by a field given as a JSONPath expression (.metadata.name)")
@click.option("--ignore-not-found", is_flag=True, help="treat \"resource not found\" as a successful retrieval")
@click.option("--show-managed-fields", is_flag=True, help="keep metadata.managedFields in -o json/yaml/jsonpath output")
@click.pass_context
def get(ctx: click.Context, resources: tuple[str, ...], all_namespaces: bool, selector: str, field_selector: str,
        output: str, show_labels: bool, label_columns: tuple[str, ...], no_headers: bool, sort_by: str,
        ignore_not_found: bool, show_managed_fields: bool) -> None:
    """Display one or many resources, as kubectl get does.

    \b
    Examples:
      helmlite cluster get pods -o wide
      helmlite cluster get deploy,rs,pods --show-labels
      helmlite cluster get all -A
      helmlite cluster get deploy/web -o yaml
      helmlite cluster get pods -o jsonpath='{.items[*].metadata.name}'
    """
    from helmlite.cluster.errors import NotFoundError

    output_format, template = _output(output)
    with open_cluster() as cluster:
        targets = parse_targets(cluster.kinds, resources)
        if selector and any(t.name for t in targets):
            raise click.UsageError("name cannot be provided when a selector is specified")
        ns = "" if all_namespaces else namespace()
        found: list[tuple[Kind, list[dict[str, Any]]]] = []
        errors: list[str] = []
        for kind, names in _by_kind(targets):
            objects: list[dict[str, Any]] = []
            if names:
                for name in names:
                    try:
                        objects.append(cluster.store.get(kind.storage_api_version, kind.kind, name,
                                                         namespace=ns or namespace()))
                    except NotFoundError as err:
                        if not ignore_not_found:
                            errors.append(f"Error from server (NotFound): {err}")
            else:
                objects = cluster.store.list(kind.storage_api_version, kind.kind, namespace=ns,
                                             label_selector=selector or None, field_selector=field_selector or None)
            if sort_by:
                objects = _sorted(objects, sort_by)
            if output_format in ("json", "yaml", "jsonpath") and not show_managed_fields:
                objects = [_without_managed_fields(obj) for obj in objects]
            found.append((kind, objects))
        text = _render(cluster, found, output_format, template, all_namespaces=all_namespaces,
                       single=_single_object(targets), show_labels=show_labels, no_headers=no_headers,
                       label_columns=tuple(k for value in label_columns for k in value.split(",") if k))
    sys.stdout.write(text)
    if not text and output_format in ("", "wide") and not errors and not ignore_not_found:
        namespaced = not all_namespaces and all(kind.namespaced for kind, _ in found)
        sys.stderr.write(f"No resources found in {ns} namespace.\n" if namespaced else "No resources found\n")
    for line in errors:
        sys.stderr.write(line + "\n")
    if errors:
        ctx.exit(1)


def _output(output: str) -> tuple[str, str]:
    """``-o`` → (format, jsonpath template)."""
    if output.startswith(("jsonpath=", "jsonpath-as-json=")):
        name, _, template = output.partition("=")
        if name == "jsonpath-as-json":
            raise click.UsageError("unsupported output format \"jsonpath-as-json\": use jsonpath or json")
        return "jsonpath", template
    if output and output not in OUTPUT_FORMATS:
        raise click.UsageError(f'unable to match a printer suitable for the output format "{output}", allowed '
                               f"formats are: {','.join(sorted((*OUTPUT_FORMATS, 'jsonpath')))}")
    return output, ""


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """kubectl hides ``metadata.managedFields`` from printed objects unless asked to show them."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def _by_kind(targets: Sequence[ResourceTarget]) -> list[tuple[Kind, list[str]]]:
    """Targets grouped per kind, in first-seen order (kubectl prints one table per type)."""
    groups: dict[Kind, list[str]] = {}
    for target in targets:
        names = groups.setdefault(target.kind, [])
        if target.name is not None:
            names.append(target.name)
    return list(groups.items())


def _single_object(targets: Sequence[ResourceTarget]) -> bool:
    """kubectl prints the object itself (not a List) for exactly one ``TYPE NAME``."""
    return len(targets) == 1 and targets[0].name is not None


def _sorted(objects: list[dict[str, Any]], sort_by: str) -> list[dict[str, Any]]:
    """``--sort-by``: by the first value the JSONPath reaches; objects without one go first."""
    from helmlite.cluster.printers.jsonpath import find, parse_field_path

    path = parse_field_path(sort_by.strip("{}"))

    def key(obj: Mapping[str, Any]) -> tuple[int, Any]:
        values = find(obj, path)
        if not values:
            return (0, "")
        value = values[0]
        return (1, value) if isinstance(value, (int, float)) and not isinstance(value, bool) else (2, str(value))

    return sorted(objects, key=key)


def object_name(kind: Kind, name: str) -> str:
    """kubectl's name printer: ``deployment.apps/web``, ``pod/web-0``."""
    from helmlite.cluster.printers import kind_prefix

    return f"{kind_prefix(kind.group, kind.kind)}/{name}"


def format_json(obj: Any) -> str:
    """``json.MarshalIndent(obj, "", "    ")`` as kubectl prints it: keys sorted (Go maps),
    UTF-8 kept, and ``<``, ``>``, ``&`` escaped as Go's encoder does."""
    import json

    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text + "\n"


def format_yaml(obj: Any) -> str:
    """``sigs.k8s.io/yaml.Marshal``: what ``kubectl get -o yaml`` prints."""
    from helmlite.render.gotemplate.yamlfmt import to_yaml

    return to_yaml(obj)


def _render(cluster: Cluster, found: list[tuple[Kind, list[dict[str, Any]]]], output_format: str, template: str, *,
            all_namespaces: bool, single: bool, show_labels: bool, no_headers: bool,
            label_columns: tuple[str, ...]) -> str:
    if output_format in ("", "wide"):
        from helmlite.cluster.printers import (
            PrintOptions,
            TableBlock,
            find_crd,
            format_tables,
            kind_prefix,
            table,
        )

        blocks = [TableBlock(table(kind, objects, now=cluster.clock.now, crd=find_crd(cluster.store, kind)),
                             kind_prefix(kind.group, kind.kind), with_namespace=all_namespaces and kind.namespaced)
                  for kind, objects in found]
        return format_tables(blocks, PrintOptions(wide=output_format == "wide", no_headers=no_headers,
                                                  show_labels=show_labels, label_columns=label_columns))
    if output_format == "name":
        return "".join(object_name(kind, obj["metadata"]["name"]) + "\n" for kind, objects in found for obj in objects)
    items = [obj for _, objects in found for obj in objects]
    if single and len(items) == 1:
        document: Any = items[0]
    elif single and not items:
        return ""
    else:
        document = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    if output_format == "json":
        return format_json(document)
    if output_format == "yaml":
        return format_yaml(document)
    from helmlite.cluster.printers import JSONPathError, render_jsonpath

    try:
        return render_jsonpath(template, document)
    except JSONPathError as err:
        raise click.UsageError(f"error parsing jsonpath {template}, {err}") from None
