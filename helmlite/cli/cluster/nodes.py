"""``helmlite cluster nodes add|remove|list|cordon|uncordon|taint|label``: the simulated machines.

Nodes are registered as their kubelets would register them (``helmlite.cluster.bootstrap``'s
node manifest); cordon, taint and label write what kubectl writes, under its field managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from helmlite.cli.cluster.common import open_cluster
from helmlite.cli.cluster.failures import error_line, exit_with_errors
from helmlite.cli.options import global_options

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = ["nodes"]

# A new node's capacity unless --cpu/--memory/--pods say otherwise (the bootstrap nodes').
DEFAULT_CPU = "4"
DEFAULT_MEMORY = "16Gi"
DEFAULT_PODS = "110"
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


@click.group(short_help="add, remove, cordon, uncordon and taint simulated nodes")
@global_options
def nodes() -> None:
    """Add, remove, cordon, taint and label the simulated cluster's nodes.

    \b
    Examples:
      helmlite cluster nodes add --count 2 --cpu 8 --memory 32Gi
      helmlite cluster nodes add gpu-1 --labels accelerator=gpu --taint gpu=true:NoSchedule
      helmlite cluster nodes cordon node-2
      helmlite cluster nodes taint node-1 dedicated=db:NoExecute
      helmlite cluster nodes label node-3 disktype=ssd
      helmlite cluster nodes remove node-3
    """


@dataclass(frozen=True)
class Taint:
    """One ``key[=value][:effect]`` of ``kubectl taint``; ``effect`` None = any (removals only)."""

    key: str
    value: str
    effect: str | None

    def __str__(self) -> str:
        text = self.key + (f"={self.value}" if self.value else "")
        return text + (f":{self.effect}" if self.effect else "")


def parse_taints(specs: tuple[str, ...] | list[str]) -> tuple[list[Taint], list[Taint]]:
    """kubectl's ``ParseTaints``: (taints to add, taints to remove — spec ending in ``-``).

    Raises:
        click.UsageError: a malformed spec, an unknown effect, or a taint added twice.
    """
    add: list[Taint] = []
    remove: list[Taint] = []
    for spec in specs:
        removing = spec.endswith("-")
        body = spec[:-1] if removing else spec
        head, _, effect = body.partition(":")
        key, _, value = head.partition("=")
        if not key or (":" in body and not effect):
            raise click.UsageError(f"invalid taint spec: {spec}")
        if effect and effect not in _EFFECTS:
            raise click.UsageError(f"invalid taint effect: {effect}, unsupported taint effect")
        if removing:
            remove.append(Taint(key, value, effect or None))
        elif not effect:
            raise click.UsageError(f"invalid taint spec: {spec}, the effect is required (one of {', '.join(_EFFECTS)})")
        elif any(t.key == key and t.effect == effect for t in add):
            raise click.UsageError(f"duplicated taints with the same key and effect: {spec}")
        else:
            add.append(Taint(key, value, effect))
    return add, remove


def _labels(pairs: tuple[str, ...]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for pair in (p for item in pairs for p in item.split(",") if p):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"invalid label {pair!r}: expected KEY=VALUE")
        labels[key] = value
    return labels


def _free_names(cluster: Cluster, count: int) -> list[str]:
    taken = {n["metadata"]["name"] for n in cluster.store.peek_all("", "Node")}
    names: list[str] = []
    index = 1
    while len(names) < count:
        name = f"node-{index}"
        if name not in taken:
            names.append(name)
        index += 1
    return names


@nodes.command(short_help="register new Ready nodes")
@global_options
@click.argument("name", required=False)
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True,
              help="how many nodes to add (named node-N after the existing ones)")
@click.option("--cpu", default=DEFAULT_CPU, show_default=True, help="CPU capacity (cores, or millicores as 500m)")
@click.option("--memory", default=DEFAULT_MEMORY, show_default=True, help="memory capacity")
@click.option("--pods", default=DEFAULT_PODS, show_default=True, help="how many pods the node takes")
@click.option("--labels", "label_pairs", multiple=True, metavar="KEY=VALUE[,…]", help="labels of the new nodes")
@click.option("--taint", "taint_specs", multiple=True, metavar="KEY[=VALUE]:EFFECT", help="taints of the new nodes")
def add(name: str | None, count: int, cpu: str, memory: str, pods: str, label_pairs: tuple[str, ...],
        taint_specs: tuple[str, ...]) -> None:
    """Add Ready nodes to the cluster; DaemonSets start a pod on each, Pending pods may fit.

    \b
    Examples:
      helmlite cluster nodes add
      helmlite cluster nodes add big-1 --cpu 32 --memory 128Gi
      helmlite cluster nodes add --count 3 --labels disktype=ssd,zone=b
      helmlite cluster nodes add infra-1 --taint dedicated=infra:NoSchedule
    """
    from helmlite.cluster.controllers.nodelifecycle import add_node

    if name and count > 1:
        raise click.UsageError("give either NAME or --count, not both")
    taints, removals = parse_taints(taint_specs)
    if removals:
        raise click.UsageError("--taint adds taints; a removal (KEY-) makes no sense for a new node")
    labels = _labels(label_pairs)
    created: list[str] = []
    with open_cluster() as cluster:
        for node_name in [name] if name else _free_names(cluster, count):
            add_node(cluster, node_name, cpu=cpu, memory=memory, pods=pods, labels=labels,
                     taints=[_taint_dict(t, cluster) for t in taints])
            created.append(node_name)
    for node_name in created:
        click.echo(f"node/{node_name} created")


def _taint_dict(taint: Taint, cluster: Cluster) -> dict[str, Any]:
    out: dict[str, Any] = {"key": taint.key, "effect": taint.effect}
    if taint.value:
        out["value"] = taint.value
    if taint.effect == "NoExecute":
        out["timeAdded"] = cluster.clock.now_rfc3339()
    return out


@nodes.command(short_help="delete nodes")
@global_options
@click.argument("names", nargs=-1, required=True)
def remove(names: tuple[str, ...]) -> None:
    """Delete nodes. Their pods are garbage-collected 40 s later (virtual time) and their
    controllers recreate them elsewhere.

    \b
    Examples:
      helmlite cluster nodes remove node-3
    """
    from helmlite.cluster.controllers.nodelifecycle import remove_node
    from helmlite.cluster.errors import NotFoundError

    lines: list[str] = []
    errors: list[str] = []
    with open_cluster() as cluster:
        for name in names:
            try:
                remove_node(cluster, name)
            except NotFoundError as exc:
                errors.append(error_line(exc))
                continue
            lines.append(f'node "{name}" deleted')
    for line in lines:
        click.echo(line)
    exit_with_errors(errors)


@nodes.command(name="list", short_help="list the nodes")
@global_options
def list_nodes() -> None:
    """Print the nodes' names (``helmlite cluster get nodes`` shows the table).

    \b
    Examples:
      helmlite cluster nodes list
    """
    with open_cluster() as cluster:
        names = sorted(n["metadata"]["name"] for n in cluster.store.peek_all("", "Node"))
    click.echo("".join(f"node/{name}\n" for name in names), nl=False)


def _cordon_command(name: str, unschedulable: bool, summary: str, doc: str) -> None:
    """Register ``cordon``/``uncordon``: kubectl's messages, ``already …`` when nothing changes."""

    def command(names: tuple[str, ...]) -> None:
        from helmlite.cluster.controllers.nodelifecycle import cordon, uncordon
        from helmlite.cluster.errors import NotFoundError

        lines: list[str] = []
        errors: list[str] = []
        with open_cluster() as cluster:
            for node_name in names:
                node = cluster.store.peek("", "Node", "", node_name)
                if node is None:
                    errors.append(error_line(NotFoundError.for_object("nodes", "", node_name)))
                    continue
                if bool((node.get("spec") or {}).get("unschedulable")) == unschedulable:
                    lines.append(f"node/{node_name} already {name}ed")
                    continue
                (cordon if unschedulable else uncordon)(cluster, node_name)
                lines.append(f"node/{node_name} {name}ed")
        for line in lines:
            click.echo(line)
        exit_with_errors(errors)

    command.__doc__ = doc
    nodes.command(name=name, short_help=summary)(global_options(click.argument("names", nargs=-1, required=True)(command)))


_cordon_command("cordon", True, "mark nodes unschedulable", """Mark nodes unschedulable: new pods go elsewhere, running pods stay.

    \b
    Examples:
      helmlite cluster nodes cordon node-2
    """)
_cordon_command("uncordon", False, "mark nodes schedulable again", """Mark nodes schedulable again.

    \b
    Examples:
      helmlite cluster nodes uncordon node-2
    """)


@nodes.command(short_help="update the taints on a node")
@global_options
@click.argument("name")
@click.argument("specs", nargs=-1, required=True, metavar="KEY[=VALUE]:EFFECT… | KEY[:EFFECT]-…")
@click.option("--overwrite", is_flag=True, help="replace a taint that has the same key and effect")
def taint(name: str, specs: tuple[str, ...], overwrite: bool) -> None:
    """Add or remove taints, as kubectl taint nodes does. Pods that do not tolerate a new
    NoExecute taint are evicted; NoSchedule keeps new pods away.

    \b
    Examples:
      helmlite cluster nodes taint node-1 dedicated=db:NoSchedule
      helmlite cluster nodes taint node-1 dedicated=web:NoSchedule --overwrite
      helmlite cluster nodes taint node-1 dedicated:NoSchedule-
      helmlite cluster nodes taint node-1 dedicated-          # every effect
    """
    from helmlite.cluster.controllers.nodelifecycle import taint_node, untaint_node

    to_add, to_remove = parse_taints(specs)
    with open_cluster() as cluster:
        node = cluster.store.get("v1", "Node", name, copy=False)
        current = (node.get("spec") or {}).get("taints") or []
        if not overwrite:
            clashes = [t.key for t in to_add if any(c.get("key") == t.key and c.get("effect") == t.effect
                                                     for c in current)]
            if clashes:
                raise click.UsageError(f"node {name} already has {','.join(clashes)} taint(s) with same effect(s) "
                                       "and --overwrite is false")
        for t in to_remove:
            untaint_node(cluster, name, t.key, t.effect)
        for t in to_add:
            taint_node(cluster, name, t.key, str(t.effect), t.value)
    if (to_add and to_remove) or overwrite:
        operation = "modified"
    elif to_add:
        operation = "tainted"
    else:
        operation = "untainted"
    click.echo(f"node/{name} {operation}")


@nodes.command(short_help="update the labels on a node")
@global_options
@click.argument("name")
@click.argument("pairs", nargs=-1, required=True, metavar="KEY=VALUE… KEY-…")
@click.option("--overwrite", is_flag=True, help="allow changing the value of a label that is already set")
def label(name: str, pairs: tuple[str, ...], overwrite: bool) -> None:
    """Set or remove node labels (same as ``helmlite cluster label nodes NAME …``).
    DaemonSets with a matching nodeSelector start or stop their pod on the node.

    \b
    Examples:
      helmlite cluster nodes label node-2 disktype=ssd
      helmlite cluster nodes label node-2 disktype-
    """
    from helmlite.cli.cluster.label import change_message, parse_label_changes
    from helmlite.cluster.controllers.nodelifecycle import label_node

    new_labels, remove_keys = parse_label_changes(list(pairs))
    with open_cluster() as cluster:
        node = cluster.store.get("v1", "Node", name, copy=False)
        old: dict[str, str] = dict(node["metadata"].get("labels") or {})
        if not overwrite:
            taken = [f"'{k}' already has a value ({old[k]}), and --overwrite is false" for k in new_labels if k in old]
            if taken:
                raise click.UsageError(taken[0])
        missing = [k for k in remove_keys if k not in old]
        changes: dict[str, str | None] = {**new_labels, **{k: None for k in remove_keys if k in old}}
        updated = {**{k: v for k, v in old.items() if k not in remove_keys}, **new_labels}
        if updated != old:
            label_node(cluster, name, changes)
    for key in missing:
        click.echo(f'label "{key}" not found.')
    click.echo(f"node/{name} {change_message(old, updated, overwrite)}")
