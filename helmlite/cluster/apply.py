"""Server-side apply and ``managedFields``: which field manager owns which field.

Field sets use the ``FieldsV1`` vocabulary of structured-merge-diff: a path is a tuple of
elements ``f:<field>``, ``k:{"name":"web"}`` (an item of a list keyed by ``name``) and
``v:"value"`` (an item of a set-like list). Lists and maps the Kubernetes schema marks atomic
(selectors, ``command``, ``tolerations``, any list without merge keys) are owned as a whole.

Two operations record ownership, as in the API server:

* **Update** (create, replace, patch, status writes): the writer becomes the owner of every
  field it added or changed and other managers lose those fields. Never conflicts.
* **Apply** (server-side apply): the applied configuration is merged into the live object;
  changing a field another manager owns is a conflict unless forced (which transfers
  ownership); fields the applier owned before and no longer applies are removed unless
  someone else still owns them.
"""

from __future__ import annotations

import functools
import json
import marshal
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from helmlite.cluster.errors import BadRequestError, ConflictError
from helmlite.cluster.kinds import Kind

__all__ = [
    "FieldSchema",
    "server_side_apply",
    "track_update",
    "managed_paths",
    "path_string",
    "strip_server_fields",
]

Path = tuple[str, ...]
_MISSING: Any = object()
ATOMIC = "atomic"
SET = "set"

# Lists merged item by item, and their keys (patchMergeKey / x-kubernetes-list-map-keys).
_KEYED_LISTS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "resourceClaims": ("name",),
    "schedulingGates": ("name",),
    "conditions": ("type",),
    "podIPs": ("ip",),
    "hostIPs": ("ip",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
}
_CONTAINER_LISTS = ("f:containers", "f:initContainers", "f:ephemeralContainers")
# Maps and structs the schema marks atomic (mapType=atomic / structType=atomic).
_METADATA: Path = ("f:metadata",)
_ATOMIC_MAPS = {"f:selector", "f:nodeSelector", "f:podSelector", "f:namespaceSelector", "f:labelSelector"}
# Server-owned fields never recorded in managedFields (fieldmanager's strip set).
_STRIPPED_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                  "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")
# Key fields with a schema default; an applied item may omit them.
_KEY_DEFAULTS = {"protocol": "TCP"}


class FieldSchema:
    """The little schema knowledge SSA needs for one kind: list types and atomic maps."""

    def __init__(self, kind: Kind) -> None:
        self._kind = kind.kind
        self._builtin = kind.builtin

    def atomic_map(self, path: Path) -> bool:
        """Whether the map at ``path`` is owned and replaced as a whole."""
        return self._builtin and bool(path) and path[-1] in _ATOMIC_MAPS

    def list_type(self, path: Path) -> str | tuple[str, ...]:
        """``ATOMIC``, ``SET``, or the key fields of an associative list at ``path``."""
        last = path[-1] if path else ""
        if path[:1] == ("f:metadata",) and len(path) == 2:
            if last == "f:finalizers":
                return SET
            if last == "f:ownerReferences":
                return ("uid",)
        if not self._builtin:
            return ATOMIC  # custom resources without list-type markers: lists are atomic
        if last == "f:ports":
            if self._kind == "Service" and path == ("f:spec", "f:ports"):
                return ("port", "protocol")
            if len(path) >= 3 and path[-3] in _CONTAINER_LISTS:
                return ("containerPort", "protocol")
            return ATOMIC
        return _KEYED_LISTS.get(last[2:], ATOMIC)


def _element(item: Any, list_type: str | tuple[str, ...]) -> str | None:
    """The path element naming ``item`` in its list, or None when it lacks a key field."""
    if list_type == SET:
        return "v:" + json.dumps(item, separators=(",", ":"))
    if not isinstance(item, dict):
        return None
    if len(list_type) == 1:
        field_name = list_type[0]
        value = item.get(field_name, _KEY_DEFAULTS.get(field_name))
        if value is None:
            return None
        if type(value) is str:
            return _string_key_element(field_name, value)
        return "k:" + json.dumps({field_name: value}, separators=(",", ":"))
    key = {}
    for field_name in list_type:
        value = item.get(field_name, _KEY_DEFAULTS.get(field_name))
        if value is None:
            return None
        key[field_name] = value
    return "k:" + json.dumps(key, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=4096)
def _string_key_element(field_name: str, value: str) -> str:
    # Container, condition and env names repeat on every write of every pod: encode each once.
    return "k:" + json.dumps({field_name: value}, separators=(",", ":"))


def _index(items: list[Any], list_type: str | tuple[str, ...]) -> dict[str, Any] | None:
    """Items of a keyed or set list by element; None if a key is missing or repeated."""
    out: dict[str, Any] = {}
    for item in items:
        element = _element(item, list_type)
        if element is None or element in out:
            return None
        out[element] = item
    return out


def _index_strict(items: list[Any], list_type: str | tuple[str, ...], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        element = _element(item, list_type)
        if element is None:
            missing = next((k for k in list_type if not isinstance(item, dict) or item.get(k) is None), "")
            raise BadRequestError(
                f"{path_string(path)}: element {i}: associative list with keys has an element that omits key "
                f"field \"{missing}\" (and doesn't have default value)")
        if element in out:
            raise BadRequestError(f"{path_string(path)}: duplicate entries for key {path_string((element,))[1:-1]}")
        out[element] = item
    return out


# --- field sets --------------------------------------------------------------------------

def _applied_set(value: Any, path: Path, schema: FieldSchema, out: set[Path]) -> None:
    """structured-merge-diff ``ToFieldSet``: leaves, atomic values, empty maps and list items."""
    if isinstance(value, dict):
        if not value or schema.atomic_map(path):
            out.add(path)
            return
        for key, child in value.items():
            _applied_set(child, path + ("f:" + key,), schema, out)
    elif isinstance(value, list):
        list_type = schema.list_type(path)
        if list_type == ATOMIC:
            out.add(path)
            return
        for element, item in _index_strict(value, list_type, path).items():
            item_path = path + (element,)
            out.add(item_path)
            if isinstance(item, dict) and list_type != SET:
                for key, child in item.items():
                    _applied_set(child, item_path + ("f:" + key,), schema, out)
    else:
        out.add(path)


def _collect(value: Any, path: Path, schema: FieldSchema, out: set[Path]) -> None:
    """Every node of a subtree that appeared or disappeared as a whole (maps included)."""
    out.add(path)
    if isinstance(value, dict) and value and not schema.atomic_map(path):
        for key, child in value.items():
            _collect(child, path + ("f:" + key,), schema, out)
    elif isinstance(value, list) and value:
        list_type = schema.list_type(path)
        items = _index(value, list_type) if list_type != ATOMIC else None
        for element, item in (items or {}).items():
            if list_type == SET:
                out.add(path + (element,))
            else:
                _collect(item, path + (element,), schema, out)


def _compare(old: Any, new: Any, path: Path, schema: FieldSchema,
             added: set[Path], modified: set[Path], removed: set[Path]) -> None:
    """structured-merge-diff ``Compare``: paths added, modified and removed from old to new."""
    if old is new:
        return
    if old is _MISSING:
        _collect(new, path, schema, added)
        return
    if new is _MISSING:
        _collect(old, path, schema, removed)
        return
    # A null in the zero-valued object stands for an empty map or list that does exist.
    if old is None and isinstance(new, (dict, list)):
        old = type(new)()
    if isinstance(old, dict) and isinstance(new, dict) and not schema.atomic_map(path) and (old or new):
        for key in old.keys() | new.keys():
            o, n = old.get(key, _MISSING), new.get(key, _MISSING)
            if o is not n and o != n:
                _compare(o, n, path + ("f:" + key,), schema, added, modified, removed)
        return
    if isinstance(old, list) and isinstance(new, list) and (old or new):
        list_type = schema.list_type(path)
        if list_type != ATOMIC:
            old_items, new_items = _index(old, list_type), _index(new, list_type)
            if old_items is not None and new_items is not None:
                for element in old_items.keys() | new_items.keys():
                    o, n = old_items.get(element, _MISSING), new_items.get(element, _MISSING)
                    if o != n:
                        _compare(o, n, path + (element,), schema, added, modified, removed)
                return
    if old != new:
        modified.add(path)


def _fields_to_set(fields: Mapping[str, Any], prefix: Path = (), out: set[Path] | None = None) -> set[Path]:
    out = set() if out is None else out
    for key, child in fields.items():
        if key == ".":
            continue
        path = prefix + (key,)
        if not child or "." in child:
            out.add(path)
        if child:
            _fields_to_set(child, path, out)
    return out


def _set_to_fields(paths: Iterable[Path]) -> dict[str, Any]:
    # Members carry the "." marker while the tree is built; _normalise then renders it.
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        for element in path:
            child = node.get(element)
            if child is None:
                child = node[element] = {}
            node = child
        node["."] = {}
    rendered = _normalise(root)
    if "." in root and rendered:  # the root itself a member (an empty applied object)
        rendered = {".": {}, **rendered}
    return rendered


def _copy_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of a FieldsV1 tree (nested dicts of strings), to edit in place."""
    return marshal.loads(marshal.dumps(fields))  # type: ignore[no-any-return]


# Identical FieldsV1 trees are stored once: the thousands of pods of one template, and every
# event, own identical field sets, and sharing one tree instead of thousands of copies keeps
# the heap small, and with it the garbage collector's full passes over it (which dominated a
# 10,000-pod run). Trees are read-only once stored, like every stored snapshot; the edits in
# track_update work on a private copy. Keyed by content (marshal version 2 has no
# back-references, so equal trees give equal keys); bounded, forgotten wholesale when full.
_SHARED_FIELDS: dict[bytes, dict[str, Any]] = {}
# id(tree) -> (tree, its normal form): an Update that changes no ownership re-normalises the
# shared tree it started from; the tree is held here, so its id cannot be reused meanwhile.
_NORMAL_FORMS: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
_MAX_SHARED = 8192


def _shared(fields: dict[str, Any]) -> dict[str, Any]:
    """The stored tree equal to ``fields`` (``fields`` itself the first time)."""
    key = marshal.dumps(fields, 2)
    shared = _SHARED_FIELDS.get(key)
    if shared is None:
        if len(_SHARED_FIELDS) >= _MAX_SHARED:
            _SHARED_FIELDS.clear()
        shared = _SHARED_FIELDS[key] = fields
    return shared


def _normal_form(fields: dict[str, Any]) -> dict[str, Any]:
    """``_normalise(fields)``, shared, computed once per stored tree."""
    known = _NORMAL_FORMS.get(id(fields))
    if known is not None and known[0] is fields:
        return known[1]
    normal = _shared(_normalise(fields))
    if len(_NORMAL_FORMS) >= _MAX_SHARED:
        _NORMAL_FORMS.clear()
    _NORMAL_FORMS[id(fields)] = (fields, normal)
    return normal


def managed_paths(entry: Mapping[str, Any]) -> set[Path]:
    """The paths a ``managedFields`` entry owns."""
    return _fields_to_set(entry.get("fieldsV1") or {})


def _contains(fields: Mapping[str, Any], path: Path) -> bool:
    node: Any = fields
    for element in path:
        node = node.get(element) if isinstance(node, dict) else None
        if node is None:
            return False
    return not node or "." in node


def _add(fields: dict[str, Any], path: Path) -> None:
    node = fields
    last = len(path) - 1
    created = False
    for i, element in enumerate(path):
        child: dict[str, Any] | None = node.get(element)
        created = child is None
        if child is None:
            child = node[element] = {}
        elif i < last and not child:
            child["."] = {}  # a leaf member gains children: keep its own membership
        node = child
    if not created and node and "." not in node:
        node["."] = {}


def _remove(fields: dict[str, Any], path: Path) -> None:
    stack = []
    node: Any = fields
    for element in path:
        child = node.get(element) if isinstance(node, dict) else None
        if child is None:
            return
        stack.append((node, element))
        node = child
    if "." in node:
        del node["."]
    elif not node:
        parent, element = stack[-1]
        del parent[element]
    else:
        return
    # Prune parents emptied by the removal: an empty dict would read as a member leaf.
    for parent, element in reversed(stack):
        child = parent.get(element)
        if child is None:
            continue
        if not child:
            del parent[element]
        elif child == {".": {}}:
            parent[element] = {}
        else:
            break


# --- paths as text -----------------------------------------------------------------------

def _value_string(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":"))


def path_string(path: Path) -> str:
    """A path as structured-merge-diff prints it: ``.spec.template.spec.containers[name="web"].image``."""
    out = []
    for element in path:
        kind, _, text = element.partition(":")
        if kind == "f":
            out.append("." + text)
        elif kind == "k":
            key = json.loads(text)
            out.append("[" + ",".join(f"{k}={_value_string(v)}" for k, v in sorted(key.items())) + "]")
        elif kind == "v":
            out.append(f"[={_value_string(json.loads(text))}]")
        else:
            out.append(f"[{text}]")
    return "".join(out)


# --- entries -----------------------------------------------------------------------------

def _identity(entry: Mapping[str, Any]) -> tuple[str, str, str, str]:
    # For appliers the apiVersion is not part of the identity (apiserver BuildManagerIdentifier).
    api_version = "" if entry.get("operation") == "Apply" else entry.get("apiVersion", "")
    return (entry.get("manager", ""), entry.get("operation", ""), api_version, entry.get("subresource", ""))


def _sort_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(entries, key=lambda e: (e.get("operation", ""), e.get("time", ""), e.get("manager", ""),
                                             e.get("apiVersion", ""), e.get("subresource", "")))
    # Two managers can own identical sets (appliers sharing fields): give each entry of one
    # object its own tree, so that a client's copy of the object has no aliased parts.
    seen: set[int] = set()
    for i, entry in enumerate(ordered):
        fields = entry.get("fieldsV1")
        if fields is not None and id(fields) in seen:
            ordered[i] = {**entry, "fieldsV1": _copy_fields(fields)}
        seen.add(id(fields))
    return ordered


def _entry(manager: str, operation: str, api_version: str, subresource: str | None, now: str,
           fields: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": _shared(fields),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def _manager_text(entry: Mapping[str, Any]) -> str:
    text = json.dumps(entry.get("manager", ""))
    if entry.get("subresource"):
        text += f" with subresource {json.dumps(entry['subresource'])}"
    if entry.get("operation") == "Update":
        text += f" using {entry.get('apiVersion', '')}"
    return text


def _conflict_error(conflicts: Sequence[tuple[Mapping[str, Any], Path]]) -> ConflictError:
    conflicts = sorted(conflicts, key=lambda c: (_identity(c[0]), path_string(c[1])))
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_manager_text(entry)}: {path_string(path)}"
    else:
        lines: list[str] = []
        last = None
        for entry, path in conflicts:
            if _identity(entry) != last:
                lines.append(f"conflicts with {_manager_text(entry)}:")
                last = _identity(entry)
            lines.append(f"- {path_string(path)}")
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    error = ConflictError(message, details={
        "causes": [{"reason": "FieldManagerConflict", "message": f"conflict with {_manager_text(e)}",
                    "field": path_string(p)} for e, p in conflicts],
    })
    error.conflicts = [(dict(e), path_string(p)) for e, p in conflicts]  # type: ignore[attr-defined]
    return error


# --- object shapes -----------------------------------------------------------------------

def strip_server_fields(obj: Mapping[str, Any], *, status: bool) -> dict[str, Any]:
    """A shallow view of ``obj`` without what field ownership ignores.

    ``status`` keeps only ``status`` (status subresource writes); otherwise ``status`` is kept
    as given (callers drop it for kinds with a status subresource).
    """
    if status:
        return {"status": obj["status"]} if "status" in obj else {}
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in _STRIPPED_META}
    return out


# The parts of an object that Go's zero value of its type serialises to: non-pointer structs
# (``metadata``, ``spec``, a pod template, …) exist even in an empty object, as ``{}``, and
# ``containers`` is a null list (None here). A struct is in the zero object only where the
# object has it; a null list wherever its parent struct is.
_ZERO_TEMPLATE: dict[str, Any] = {
    "metadata": {},
    "status": {},
    "spec": {
        "containers": None,
        "strategy": {},
        "updateStrategy": {},
        "template": {"metadata": {}, "spec": {"containers": None}},
        "jobTemplate": {"metadata": {}, "spec": {"template": {"metadata": {}, "spec": {"containers": None}}}},
    },
}


def _zero_object(new: Any, template: Mapping[str, Any] = _ZERO_TEMPLATE) -> dict[str, Any]:
    """What Go's zero value of the type serialises to, limited to the shape of ``new``, so a
    create does not mark those structs and lists as added."""
    zero: dict[str, Any] = {}
    for key, part in template.items():
        if part is None:
            zero[key] = None
        elif isinstance(new, dict) and key in new:
            zero[key] = _zero_object(new[key], part) if part else {}
    return zero


# --- operations --------------------------------------------------------------------------

def track_update(old: Mapping[str, Any] | None, new: Mapping[str, Any], entries: list[dict[str, Any]],
                 *, manager: str, api_version: str, subresource: str | None, now: str,
                 schema: FieldSchema) -> list[dict[str, Any]]:
    """The ``managedFields`` after ``manager`` wrote ``new`` over ``old`` (an Update operation).

    ``entries`` (from ``old``) is not modified; unchanged entries are shared with it.
    """
    status_only = subresource == "status"
    new_view = strip_server_fields(new, status=status_only)
    if old is None:
        # Creation: everything is added; build the field tree in one pass (the hot path
        # when controllers create thousands of pods).
        fields = _created_fields(new_view, _zero_object(new_view), (), schema)
        created = [_entry(manager, "Update", api_version, subresource, now, fields)] if fields else []
        return _sort_entries([*entries, *created])
    old_view = strip_server_fields(old, status=status_only)
    added: set[Path] = set()
    modified: set[Path] = set()
    removed: set[Path] = set()
    _compare(old_view, new_view, (), schema, added, modified, removed)
    for paths in (added, modified, removed):
        paths.discard(_METADATA)
    if not (added or modified or removed):
        return entries
    touched = added | modified
    identity = (manager, "Update", api_version, subresource or "")
    result: list[dict[str, Any]] = []
    found = False
    for entry in entries:
        fields = entry.get("fieldsV1") or {}
        if _identity(entry) == identity:
            found = True
            if all(_contains(fields, p) for p in touched) and not any(_contains(fields, p) for p in removed):
                # The writer already owns everything it touched (a status write updating its
                # own fields, the common case): ownership is unchanged.
                fields = _normal_form(fields)
            else:
                fields = _copy_fields(fields)
                for path in removed:
                    _remove(fields, path)
                for path in sorted(touched):
                    _add(fields, path)
                fields = _shared(_normalise(fields))
            entry = {**entry, "time": now, "fieldsV1": fields}
        else:
            drop = [p for p in touched | removed if _contains(fields, p)]
            if drop:
                fields = _copy_fields(fields)
                for path in drop:
                    _remove(fields, path)
                entry = {**entry, "fieldsV1": _shared(fields)}
        if entry.get("fieldsV1"):
            result.append(entry)
    if not found and touched:
        result.append(_entry(manager, "Update", api_version, subresource, now, _set_to_fields(touched)))
    return _sort_entries(result)


def _added_tree(value: Any, path: Path, schema: FieldSchema) -> dict[str, Any]:
    """The FieldsV1 node of a value that appeared as a whole (itself a member)."""
    if isinstance(value, dict):
        if not value or schema.atomic_map(path):
            return {}
        node: dict[str, Any] = {".": {}}
        for key in sorted(value):
            child, name = value[key], "f:" + key
            # Scalars and empty values are leaves: no path to build, no call (the bulk of a tree).
            node[name] = _added_tree(child, path + (name,), schema) if child and isinstance(child, (dict, list)) else {}
        return node
    if isinstance(value, list) and value:
        list_type = schema.list_type(path)
        items = _index(value, list_type) if list_type != ATOMIC else None
        if items:
            node = {".": {}}
            for element in sorted(items):
                node[element] = {} if list_type == SET else _added_tree(items[element], path + (element,), schema)
            return node
    return {}


def _created_fields(value: dict[str, Any], zero: Any, path: Path, schema: FieldSchema) -> dict[str, Any]:
    """FieldsV1 of a new object relative to its zero value (equal to compare + render)."""
    out: dict[str, Any] = {}
    zero_map = zero if isinstance(zero, dict) else {}
    for key in sorted(value):
        child, name = value[key], "f:" + key
        zero_child = zero_map.get(key, _MISSING)
        if zero_child is _MISSING:
            out[name] = _added_tree(child, path + (name,), schema) if child and isinstance(child, (dict, list)) else {}
        elif zero_child is None and isinstance(child, list) and child:
            # A null list of the zero value: its items are added, the list itself is not.
            node = _added_tree(child, path + (name,), schema)
            node.pop(".", None)
            if node:
                out[name] = node
        elif isinstance(zero_child, dict) and isinstance(child, dict) and child:
            child_path = path + (name,)
            if not schema.atomic_map(child_path):
                node = _created_fields(child, zero_child, child_path, schema)
                if node:
                    out[name] = node
    return out


def _normalise(fields: Mapping[str, Any]) -> dict[str, Any]:
    """FieldsV1 in canonical form: keys sorted, a member leaf as ``{}``, ``"."`` only on members
    that have children. The same as rendering ``_fields_to_set(fields)``, in one pass (this runs
    on every status write)."""
    out: dict[str, Any] = {}
    for key in sorted(fields):
        if key == ".":
            continue
        child = fields[key]
        node = _normalise(child) if child else {}
        if node and "." in child:
            node = {".": {}, **node}
        out[key] = node
    return out


def _merge(live: Any, config: Any, path: Path, schema: FieldSchema) -> Any:
    """Merge an applied configuration into the live value (live is not modified)."""
    if isinstance(config, dict) and isinstance(live, dict) and not schema.atomic_map(path):
        out = dict(live)
        for key, value in config.items():
            out[key] = _merge(live.get(key, _MISSING), value, path + ("f:" + key,), schema)
        return out
    if isinstance(config, list) and isinstance(live, list):
        list_type = schema.list_type(path)
        if list_type == SET:
            return list(live) + [v for v in config if v not in live]
        if list_type != ATOMIC:
            live_items = _index(live, list_type)
            if live_items is not None:
                return _merge_keyed(live, live_items, config, list_type, path, schema)
    return config


def _merge_keyed(live: list[Any], live_items: dict[str, Any], config: list[Any],
                 list_type: tuple[str, ...] | str, path: Path, schema: FieldSchema) -> list[Any]:
    # structured-merge-diff's list merge order: live-only items keep their place, shared
    # items follow the applied order, applied-only items go where the applied list has them.
    config_items = _index_strict(config, list_type, path)
    lhs, rhs = list(live_items), list(config_items)
    shared = [e for e in rhs if e in live_items]
    next_shared = shared.pop(0) if shared else None
    merged: set[str] = set()
    out: list[Any] = []
    li = ri = 0
    while li < len(lhs) or ri < len(rhs):
        if li < len(lhs) and ri < len(rhs):
            element = lhs[li]
            if element == rhs[ri]:
                merged.add(element)
                out.append(_merge(live_items[element], config_items[element], path + (element,), schema))
                li += 1
                ri += 1
                next_shared = shared.pop(0) if shared else None
                continue
            if element in config_items and next_shared is not None and next_shared != element:
                li += 1  # shared, but not the one this round wants
                continue
        if li < len(lhs):
            element = lhs[li]
            if element not in config_items:
                out.append(live_items[element])
                li += 1
                continue
            if element in merged:
                li += 1
                continue
        if ri < len(rhs):
            element = rhs[ri]
            merged.add(element)
            out.append(_merge(live_items.get(element, _MISSING), config_items[element], path + (element,), schema))
            ri += 1
            if next_shared is not None and next_shared == element:
                next_shared = shared.pop(0) if shared else None
    return out


def _delete(obj: dict[str, Any], path: Path, schema: FieldSchema) -> None:
    """Remove the field or list item at ``path`` from ``obj`` (in place)."""
    node: Any = obj
    trail: list[tuple[Any, Any]] = []
    for i, element in enumerate(path):
        kind, _, text = element.partition(":")
        if kind == "f":
            if not isinstance(node, dict) or text not in node:
                return
            trail.append((node, text))
            node = node[text]
        else:
            if not isinstance(node, list):
                return
            list_type = schema.list_type(path[:i])
            index = next((j for j, item in enumerate(node) if _element(item, list_type) == element), None)
            if index is None:
                return
            trail.append((node, index))
            node = node[index]
    if trail:
        container, key = trail[-1]
        del container[key]


def server_side_apply(live: Mapping[str, Any] | None, config: Mapping[str, Any], *, manager: str,
                      api_version: str, subresource: str | None, force: bool, now: str,
                      schema: FieldSchema, ignore_status: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Merge ``config`` into ``live`` on behalf of ``manager``.

    ``config`` must be a private copy (it is embedded in the result). ``ignore_status`` drops
    the applied ``status`` (main resource of a kind with a status subresource).

    Returns:
        The merged object (a fresh structure; ``live`` is untouched) and its managedFields.

    Raises:
        ConflictError: ``Apply failed with N conflict(s): …`` when not forced.
        BadRequestError: an associative list item without its key, or duplicate keys.
    """
    status_only = subresource == "status"
    view = strip_server_fields(config, status=status_only)
    if ignore_status:
        view.pop("status", None)
    applied: set[Path] = set()
    _applied_set(view, (), schema, applied)
    applied.discard(_METADATA)  # never owned itself (it is in the field manager's strip set)
    identity = (manager, "Apply", "", subresource or "")

    if live is None:
        merged = json.loads(json.dumps(view))
        return merged, [_entry(manager, "Apply", api_version, subresource, now, _set_to_fields(applied))]

    entries = [dict(e) for e in live.get("metadata", {}).get("managedFields") or []]
    live_view = strip_server_fields(live, status=status_only)
    merged = _merge(live_view, view, (), schema)
    added: set[Path] = set()
    modified: set[Path] = set()
    _compare(live_view, merged, (), schema, added, modified, set())
    changed = added | modified

    previous: set[Path] = set()
    others: list[tuple[dict[str, Any], set[Path]]] = []
    for entry in entries:
        if _identity(entry) == identity:
            previous = managed_paths(entry)
        else:
            others.append((entry, managed_paths(entry)))
    conflicts = [(entry, path) for entry, owned in others for path in owned & changed]
    if conflicts and not force:
        raise _conflict_error(conflicts)
    if conflicts:
        for entry, owned in others:
            lost = owned & changed
            if lost:
                owned -= lost
                entry["fieldsV1"] = _set_to_fields(owned)

    merged = json.loads(json.dumps(merged))
    owned_by_anyone: set[Path] = set(applied)
    for _entry_, owned in others:
        owned_by_anyone |= owned
    protected = {path[:i] for path in owned_by_anyone for i in range(1, len(path) + 1)}
    for path in sorted(previous - applied, key=lambda p: (len(p), p)):
        if path not in protected:
            _delete(merged, path, schema)

    result = [e for e, owned in others if owned]
    old_apply = next((e for e in entries if _identity(e) == identity), None)
    new_fields = _set_to_fields(applied)
    unchanged = old_apply is not None and old_apply.get("fieldsV1") == new_fields and merged == live_view
    result.append(_entry(manager, "Apply", api_version, subresource,
                         old_apply.get("time", now) if unchanged and old_apply else now, new_fields))
    return merged, _sort_entries(result)
