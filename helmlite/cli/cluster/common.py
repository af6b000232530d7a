"""What every ``helmlite cluster`` verb shares: opening the cluster file and naming resources.

Resource arguments follow kubectl: ``TYPE NAME…``, ``TYPE/NAME…`` and comma-separated types
(``deploy,svc``), where TYPE is a plural, singular, short name or kind, optionally qualified
by group (``deployments.apps``) — resolved by the cluster's kind registry, so CRD kinds work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from helmlite.cli.options import settings

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.kinds import Kind, KindRegistry

__all__ = [
    "DryRunCommand",
    "ResourceTarget",
    "cluster_path",
    "dry_run_suffix",
    "format_objects",
    "name_of",
    "namespace",
    "open_cluster",
    "open_cluster_for",
    "parse_targets",
    "place_in_namespace",
    "read_manifests",
    "split_pairs",
    "target_names",
]


def cluster_path() -> Path:
    """The cluster file of this invocation: ``--cluster``, else ``$HELMLITE_CLUSTER``, else the default."""
    from helmlite.paths import cluster_file

    chosen = settings().cluster
    return Path(chosen) if chosen else cluster_file()


def namespace() -> str:
    """The ``-n/--namespace`` of this invocation (``default`` unless given)."""
    return settings().namespace


@contextmanager
def open_cluster() -> Iterator[Cluster]:
    """The cluster for one command: caught up to now on entry, reconciled and committed on exit
    (nothing is kept if the command fails). The file and its directory are created on first use."""
    from helmlite.cluster.cluster import Cluster

    path = cluster_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with Cluster.open(path) as cluster:
        yield cluster


class _DiscardWrites(Exception):
    """Raised inside the cluster's transaction so that a server dry run keeps nothing."""


@contextmanager
def open_cluster_for(dry_run: str) -> Iterator[Cluster]:
    """``open_cluster`` for a command with ``--dry-run``: with ``server`` the writes run through
    the whole API pipeline (so validation errors show) and are then rolled back."""
    try:
        with open_cluster() as cluster:
            yield cluster
            if dry_run == "server":
                raise _DiscardWrites
    except _DiscardWrites:
        pass


@dataclass(frozen=True)
class ResourceTarget:
    """One ``TYPE[/NAME]`` a command acts on; ``name`` is None for "every object of the kind"."""

    kind: Kind
    name: str | None = None


def parse_targets(kinds: KindRegistry, args: Sequence[str]) -> list[ResourceTarget]:
    """kubectl's resource-argument grammar → targets, in the order given.

    ``["deploy", "a", "b"]`` → deploy/a, deploy/b; ``["deploy,svc"]`` → every deploy, every svc;
    ``["deploy/a", "svc/b"]`` → those two. Mixing the forms is an error, as in kubectl.

    Raises:
        click.UsageError: no arguments, mixed forms, or ``TYPE1,TYPE2 NAME``.
        NotFoundError: a type the cluster does not serve.
    """
    if not args:
        raise click.UsageError("You must specify the type of resource to get.")
    if any("/" in arg for arg in args):
        if not all("/" in arg for arg in args):
            raise click.UsageError("there is no need to specify a resource type as a separate argument "
                                   "when passing arguments in resource/name form (e.g. 'helmlite cluster "
                                   "get resource/<resource_name>' instead of 'helmlite cluster get resource "
                                   "resource/<resource_name>'")
        targets = []
        for arg in args:
            type_name, _, name = arg.partition("/")
            if not type_name or not name:
                raise click.UsageError(f"arguments in resource/name form must have a single resource and name: {arg!r}")
            targets.append(ResourceTarget(kinds.lookup_resource(type_name), name))
        return targets
    types = [t for t in args[0].split(",") if t]
    names = list(args[1:])
    if names and len(types) > 1:
        raise click.UsageError("arguments in resource/name form must have a single resource and name")
    resolved = [kind for t in types for kind in _expand(kinds, t)]
    if not names:
        return [ResourceTarget(kind) for kind in resolved]
    if len(resolved) > 1:  # a category such as "all" with names
        raise click.UsageError(f"a category ({types[0]}) cannot be combined with resource names")
    return [ResourceTarget(resolved[0], name) for name in names]


# kubectl prints the kinds of the "all" category in this order (its discovery order).
_CATEGORY_ORDER = ("Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet",
                   "HorizontalPodAutoscaler", "CronJob", "Job")


def _expand(kinds: KindRegistry, type_name: str) -> list[Kind]:
    """A category (``all``, or one a CRD declares) → its kinds; anything else → its one kind."""
    members = [k for k in kinds if type_name.lower() in k.categories]
    if not members:
        return [kinds.lookup_resource(type_name)]
    order = {kind: i for i, kind in enumerate(_CATEGORY_ORDER)}
    return sorted(members, key=lambda k: (order.get(k.kind, len(order)), k.group, k.kind))


# --- what the mutating verbs share --------------------------------------------------------


class DryRunCommand(click.Command):
    """A command whose ``optional_values`` flags take a value only as ``--flag=value``, as
    pflag's ``NoOptDefVal`` does: ``--cascade`` alone means ``--cascade=background`` and never
    swallows the next argument (click would read ``--cascade web`` as a value)."""

    optional_values: ClassVar[dict[str, str]] = {"--dry-run": "client"}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten: list[str] = []
        for arg in args:
            if arg == "--":
                rewritten.extend(args[len(rewritten):])
                break
            rewritten.append(f"{arg}={self.optional_values[arg]}" if arg in self.optional_values else arg)
        return super().parse_args(ctx, rewritten)


def target_names(cluster: Cluster, target: ResourceTarget, target_namespace: str, *, selector: str,
                 all_objects: bool) -> list[str]:
    """The names a target stands for: its own name, else every object of its kind matching
    ``-l`` (or all of them with ``--all``), as kubectl's resource builder expands them.

    Raises:
        click.UsageError: a type without a name, a selector or ``--all``.
    """
    if target.name is not None:
        return [target.name]
    if not selector and not all_objects:
        raise click.UsageError("resource(s) were provided, but no name was specified")
    kind = target.kind
    return [obj["metadata"]["name"] for obj in cluster.store.list(
        kind.storage_api_version, kind.kind, namespace=target_namespace, label_selector=selector or None, copy=False)]


def name_of(kind: Kind, name: str) -> str:
    """``deployment.apps/web``, ``pod/web-0``: kubectl's name printer (``-o name``, action lines)."""
    return f"{kind.kind.lower()}.{kind.group}/{name}" if kind.group else f"{kind.kind.lower()}/{name}"


def dry_run_suffix(dry_run: str) -> str:
    """What kubectl appends to an action line: `` (dry run)``, `` (server dry run)`` or nothing."""
    return {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")


def split_pairs(args: Sequence[str], pair_type: str) -> tuple[list[str], list[str]]:
    """kubectl's ``GetResourcesAndPairs``: resource arguments first, then ``k=v`` / ``k-`` pairs.

    Raises:
        click.UsageError: a resource argument after the first pair.
    """
    resources: list[str] = []
    pairs: list[str] = []
    for arg in args:
        is_pair = ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-")
        if is_pair:
            pairs.append(arg)
        elif pairs:
            raise click.UsageError(f"all resources must be specified before {pair_type} changes: {arg}")
        else:
            resources.append(arg)
    return resources, pairs


_MANIFEST_SUFFIXES = (".json", ".yaml", ".yml")


def read_manifests(filenames: Sequence[str], *, recursive: bool = False,
                   verb: str = "apply") -> list[tuple[str, dict[str, Any]]]:
    """The objects of ``-f`` arguments, as kubectl reads them: ``(source, object)`` in order.

    A directory contributes its ``.json``/``.yaml``/``.yml`` files in name order (its
    subdirectories too with ``recursive``); ``-`` reads stdin; a ``List`` is flattened and
    empty documents are skipped.

    Raises:
        click.UsageError: a path that does not exist, or a document that is not an object
        with ``apiVersion`` and ``kind``.
        ValuesError: a file that is not YAML.
    """
    import sys

    from helmlite.values.yamlio import load_yaml_documents

    sources: list[tuple[str, str]] = []
    for filename in filenames:
        if filename == "-":
            sources.append(("STDIN", sys.stdin.read()))
            continue
        path = Path(filename)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            files = sorted(p for p in path.glob(pattern) if p.is_file() and p.suffix in _MANIFEST_SUFFIXES)
            sources.extend((str(p), p.read_text(encoding="utf-8")) for p in files)
        elif path.is_file():
            sources.append((filename, path.read_text(encoding="utf-8")))
        else:
            raise click.UsageError(f'the path "{filename}" does not exist')
    objects: list[tuple[str, dict[str, Any]]] = []
    for source, text in sources:
        for doc in load_yaml_documents(text, source):
            if doc is None:
                continue
            items = doc.get("items") if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") else None
            for obj in items if isinstance(items, list) else [doc]:
                if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
                    raise click.UsageError(f'error validating "{source}": every object needs apiVersion and kind')
                objects.append((source, obj))
    if not objects:
        raise click.UsageError(f"no objects passed to {verb}")
    return objects


def format_objects(objects: Sequence[dict[str, Any]], output: str) -> str:
    """kubectl's ``-o json|yaml|name`` for what a command wrote: one object as itself, several
    as a ``v1 List``; JSON with four-space indents and sorted keys, as Go prints an
    unstructured object."""
    if output == "name":
        return "".join(f"{_name_of_object(obj)}\n" for obj in objects)
    import json

    from helmlite.values.yamlio import dump_yaml

    document: Any = objects[0] if len(objects) == 1 else {
        "apiVersion": "v1", "items": list(objects), "kind": "List", "metadata": {"resourceVersion": ""}}
    if output == "json":
        return json.dumps(document, indent=4, sort_keys=True, ensure_ascii=False) + "\n"
    return dump_yaml(document)


def _name_of_object(obj: dict[str, Any]) -> str:
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}.{group}/{obj['metadata']['name']}" if group else f"{kind}/{obj['metadata']['name']}"


def place_in_namespace(kind: Kind, obj: dict[str, Any], source: str) -> str:
    """Put a namespaced object read from a file into its namespace (``-n``, else its own,
    else ``default``) and return it (``""`` for cluster-scoped kinds), as kubectl's builder does.

    Raises:
        click.UsageError: the object names another namespace than an explicit ``-n``.
    """
    if not kind.namespaced:
        return ""
    chosen = settings()
    meta = obj.setdefault("metadata", {})
    own = meta.get("namespace")
    if own and chosen.namespace_given and own != chosen.namespace:
        raise click.UsageError(
            f'the namespace from the provided object "{own}" does not match the namespace "{chosen.namespace}". '
            f"You must pass '--namespace={own}' to perform this operation. (in {source})")
    meta["namespace"] = own or chosen.namespace
    return str(meta["namespace"])
