"""From rendered files to manifests and hooks: Helm's ``SortManifests`` and ``helm template`` output.

Facts reproduced (helm-behaviour.md §3.5, go-templates.md §5): files are taken in path order;
each is split on ``(?m)^---[ \\t]*`` into documents, which are left-trimmed (trailing whitespace
is kept: it is why ``helm template`` output has a blank line before each ``---``); whitespace-only
documents are dropped; a document annotated ``helm.sh/hook`` is a hook (dropped entirely if it
names an unknown event); everything is stable-sorted by kind in Helm's InstallOrder, unknown
kinds last in alphabetical order.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from helmlite.errors import HelmliteError, ManifestError

__all__ = [
    "INSTALL_ORDER",
    "UNINSTALL_ORDER",
    "HOOK_EVENTS",
    "HOOK_ANNOTATION",
    "HOOK_WEIGHT_ANNOTATION",
    "HOOK_DELETE_POLICY_ANNOTATION",
    "HOOK_OUTPUT_LOG_POLICY_ANNOTATION",
    "DEFAULT_DELETE_POLICY",
    "Manifest",
    "Hook",
    "split_documents",
    "sort_manifests",
    "sort_by_kind",
    "release_manifest",
    "format_manifests",
]

# pkg/release/v1/util/kind_sorter.go
INSTALL_ORDER: tuple[str, ...] = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
    "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
)  # fmt: skip
UNINSTALL_ORDER: tuple[str, ...] = (
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "Ingress", "IngressClass",
    "Service", "CronJob", "Job", "StatefulSet", "HorizontalPodAutoscaler", "Deployment", "ReplicaSet",
    "ReplicationController", "Pod", "DaemonSet", "RoleBindingList", "RoleBinding", "RoleList", "Role",
    "ClusterRoleBindingList", "ClusterRoleBinding", "ClusterRoleList", "ClusterRole", "CustomResourceDefinition",
    "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "ConfigMap", "SecretList", "Secret",
    "ServiceAccount", "PodDisruptionBudget", "PodSecurityPolicy", "LimitRange", "ResourceQuota", "NetworkPolicy",
    "Namespace", "PriorityClass",
)  # fmt: skip

HOOK_EVENTS: tuple[str, ...] = (
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
    "pre-rollback", "post-rollback", "test",
)  # fmt: skip
# Helm 2's name for test hooks, still accepted.
_EVENT_ALIASES = {"test-success": "test"}

HOOK_ANNOTATION = "helm.sh/hook"
HOOK_WEIGHT_ANNOTATION = "helm.sh/hook-weight"
HOOK_DELETE_POLICY_ANNOTATION = "helm.sh/hook-delete-policy"
HOOK_OUTPUT_LOG_POLICY_ANNOTATION = "helm.sh/hook-output-log-policy"
DEFAULT_DELETE_POLICY = "before-hook-creation"

_WEIGHT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Manifest:
    """One rendered document: ``name`` is its source path, ``head`` its identifying fields.

    ``head`` holds what was present of ``apiVersion``, ``kind`` and ``metadata`` (``name``,
    ``namespace``, ``annotations``); a comment-only document has an empty head.
    """

    name: str
    content: str
    head: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.head.get("kind") or "")


@dataclass(frozen=True)
class Hook:
    """A document annotated ``helm.sh/hook`` (Helm's ``release.Hook`` without run state)."""

    name: str
    kind: str
    path: str
    manifest: str
    events: tuple[str, ...]
    weight: int = 0
    delete_policies: tuple[str, ...] = (DEFAULT_DELETE_POLICY,)
    output_log_policies: tuple[str, ...] = ()


def _annotation_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


_NULLS = ("", "~", "null", "Null", "NULL")
# go-yaml v3's limit. It also bounds time: libyaml's scanner is quadratic in the nesting depth,
# and the event stream is lazy, so stopping here stops the scanning.
MAX_DOCUMENT_DEPTH = 10_000


def _head(path: str, doc: str, *, may_fail_conversion: bool = True) -> dict[str, Any]:
    """``apiVersion``, ``kind`` and ``metadata.{name,namespace,annotations}`` of one document.

    Helm parses every document in full (invalid YAML fails the render), but only its head is
    needed here. libyaml's event parser validates the whole document at C speed without
    building it, and unlike libyaml's composer it does not recurse, so deeply nested output
    cannot crash the process. A document using aliases goes through the bounded values loader,
    and so does one that may hold what Helm's YAML→JSON step refuses (``may_fail_conversion``
    False says its file was searched and holds no such thing).
    Raises ManifestError ``YAML parse error on <path>: <problem>``.
    """
    import yaml

    from helmlite.values.yamlio import go_yaml_error

    try:
        head = _quick_head(doc)
        if head is None:
            head, root_kind = _head_from_events(_events(doc))
            if head is not None and root_kind in ("list", "str"):
                raise _NotAMapping(root_kind)
    except yaml.YAMLError as exc:
        raise ManifestError(f"YAML parse error on {path}: {_YAML_TO_JSON}{go_yaml_error(exc)}") from None
    except _NotAMapping as exc:
        # Helm converts the document to JSON before it reads the head: that step fails first.
        if may_fail_conversion and _may_fail_json_conversion(doc):
            _unmarshal(path, doc)
        raise ManifestError(f"YAML parse error on {path}: {_not_a_head(str(exc))}") from None
    except _TooDeep:
        raise ManifestError(f"YAML parse error on {path}: exceeded max depth of {MAX_DOCUMENT_DEPTH}") from None
    if head is None:
        return _head_from_loader(path, doc)
    if may_fail_conversion and _may_fail_json_conversion(doc):
        _unmarshal(path, doc)
    return head


def _events(doc: str) -> Any:
    """libyaml's event stream of ``doc``, lazily (iterating the C loader directly: no generator)."""
    import yaml

    return iter(yaml.CSafeLoader(doc).get_event, None)


# A line at column 0 that may hold a root key of the head (apiVersion, kind, metadata), or that
# the quick head reader cannot reason about: anything but a plain key, a comment or a "- " entry.
_HEAD_OR_ODD_LINE = re.compile(r"\n(?:apiVersion|kind|metadata|[^ \t\n\w#-]|-[^ \t\n])")
_PLAIN_KEY_LINE = re.compile(r"\n\w")
_ANCHOR_THEN_STAR = re.compile(r"&[0-9A-Za-z_-]+\*")  # libyaml's anchor names
# Line breaks of YAML 1.1 besides "\n": a line after one starts at column 0 for libyaml.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _quick_head(doc: str) -> dict[str, Any] | None:
    """The head of a valid document read from its beginning only, or None when the document is
    not one whose head that provably gives (the caller then walks every event).

    Walking every event costs a Python object per event: 150 ms for kube-prometheus-stack's
    4.5 MB of CRDs, whose head is the first dozen lines. Here libyaml validates the whole
    document without producing events (``raw_parse``), and only the text before the first root
    key after the head is walked. That prefix holds the whole head when:

    - the root is a block mapping at column 0 (the prefix walk says so), so each root key starts
      a line at column 0 and nothing inside a block scalar, a plain scalar or a comment can;
    - no line after the cut starts with ``apiVersion``, ``kind``, ``metadata`` or anything but a
      plain word, a comment or a ``- `` entry (a quoted or explicit key, ``...``, a directive);
    - the cut is not inside a quoted scalar or a flow collection: the prefix would not parse;
    - the document has no alias (the full walk hands those to the loader; see below);
    - it cannot nest deeper than MAX_DOCUMENT_DEPTH: a block collection needs a deeper column
      (or is a ``- `` list in a mapping), a flow collection a bracket.

    Any YAML error also sends the document to the full walk, whose error (and the order of an
    alias before it) is the one to report.
    """
    import yaml

    if any(brk in doc for brk in _OTHER_BREAKS):
        return None
    flow = doc.count("[") + doc.count("{")
    longest = len(doc)
    if flow + 2 * (longest + 2) >= MAX_DOCUMENT_DEPTH:
        longest = max(map(len, doc.split("\n")))
        if flow + 2 * (longest + 2) >= MAX_DOCUMENT_DEPTH:
            return None
    first_line_end = doc.find("\n")
    while first_line_end != -1 and doc.startswith("#", _line_start(doc, first_line_end)):
        first_line_end = doc.find("\n", first_line_end + 1)  # comments before the root node
    if first_line_end == -1:
        return None
    after_head = first_line_end
    for odd in _HEAD_OR_ODD_LINE.finditer(doc, first_line_end):
        after_head = odd.end()
    cut = _PLAIN_KEY_LINE.search(doc, after_head)
    if cut is None:
        return None
    if "*" in doc:
        # With every "*" a "%", which cannot start a token but reads as "*" does everywhere else,
        # the document parses only if no "*" starts an alias. The exceptions: "%" may end an
        # anchor's name where "*" may not, and "%" starts a directive at column 0.
        if doc.startswith("*") or "\n*" in doc or _ANCHOR_THEN_STAR.search(doc):
            return None
        doc_to_validate = doc.replace("*", "%")
    else:
        doc_to_validate = doc
    try:
        yaml.CSafeLoader(doc_to_validate).raw_parse()
        head, root_kind = _head_from_events(_events(doc[: cut.start() + 1]))
    except yaml.YAMLError:
        return None
    return head if root_kind == "mapping" else None


def _line_start(doc: str, line_end: int) -> int:
    return doc.rfind("\n", 0, line_end) + 1


def _head_from_events(events: Any) -> tuple[dict[str, Any] | None, str]:
    """Walk the event stream up to the end of its first document: the head (None when the
    document uses aliases: the loader handles those) and the root's kind: ``mapping``,
    ``list``, ``str`` or ``""`` (null or empty)."""
    import yaml

    head: dict[str, Any] = {}
    # One frame per open collection: [is_mapping, expecting_key, current_key, role]; the role says
    # which part of the head the collection is (root, metadata, annotations) or "" for none.
    stack: list[list[Any]] = []
    root_kind = ""
    for event in events:
        kind = type(event)
        if kind is yaml.AliasEvent:
            return None, root_kind
        if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if not stack:
                root_kind = "mapping" if kind is yaml.MappingStartEvent else (
                    "list" if kind is yaml.SequenceStartEvent else ("" if event.value in _NULLS else "str"))
            frame = stack[-1] if stack else None
            key = role = ""
            if frame is not None and frame[0]:
                if frame[1]:  # a key: remember it (complex keys never name a head field)
                    frame[2] = event.value if kind is yaml.ScalarEvent else None
                    frame[1] = False
                    if kind is not yaml.ScalarEvent:
                        stack.append([kind is yaml.MappingStartEvent, True, None, ""])
                    continue
                key, frame[1] = frame[2], True
                role = {("root", "metadata"): "metadata", ("metadata", "annotations"): "annotations"}.get(
                    (frame[3], key), "")
            if kind is yaml.ScalarEvent:
                if frame is not None and frame[0] and isinstance(key, str):
                    value = "" if event.implicit[0] and event.value in _NULLS else event.value
                    if frame[3] == "root" and key in ("apiVersion", "kind"):
                        head[key] = value
                    elif frame[3] == "metadata" and key in ("name", "namespace"):
                        head.setdefault("metadata", {})[key] = value
                    elif frame[3] == "annotations":
                        head.setdefault("metadata", {}).setdefault("annotations", {})[key] = value
                continue
            is_mapping = kind is yaml.MappingStartEvent
            if len(stack) >= MAX_DOCUMENT_DEPTH:
                raise _TooDeep
            if not stack:
                role = "root" if is_mapping else ""
            stack.append([is_mapping, True, None, role if is_mapping else ""])
            if is_mapping and role == "metadata":
                head.setdefault("metadata", {})
            elif is_mapping and role == "annotations":
                head.setdefault("metadata", {}).setdefault("annotations", {})
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
        elif kind is yaml.DocumentEndEvent:
            break  # Helm reads one document: what follows a "..." is never parsed
    return head, root_kind


# Helm reads each document into a Go struct through sigs.k8s.io/yaml (YAML → JSON → struct);
# its errors name those two steps.
_YAML_TO_JSON = "error converting YAML to JSON: yaml: "
_JSON_TYPES = {"list": "array", "str": "string", "int": "number", "float": "number", "bool": "bool"}


def _not_a_head(python_type: str) -> str:
    json_type = _JSON_TYPES.get(python_type, python_type)
    return f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {json_type} into Go value of type util.SimpleHead"


class _NotAMapping(Exception):
    """The document's root is a list or a scalar (its kind is the message)."""


class _TooDeep(Exception):
    """Collections nest deeper than MAX_DOCUMENT_DEPTH."""


# Where a plain scalar may read as an infinity or NaN (a value or a key).
_NON_FINITE_WORD = re.compile(r"\.(?:inf|Inf|INF|nan|NaN|NAN)(?![^\s,\]}:])")
# What libyaml parses but sigs.k8s.io/yaml's YAML→JSON step may refuse, each as (a character
# every match holds or None, the pattern, where the node starts relative to the match or None
# when the pattern needs no node there). The character is looked for first, at memchr speed, so
# most documents skip the pattern; each pattern starts with a literal, which the regex engine
# scans for rather than trying every position. A match found where a node may start may still
# be harmless (text in a block scalar): it only sends the document through the full decode.
_CONVERSION_SUSPECTS: tuple[tuple[str | None, re.Pattern[str], int | None], ...] = (
    # A standard tag: go-yaml checks !!int, !!float, !!bool, !!null, !!timestamp and !!binary
    # values (``cannot decode !!str `x` as a !!int``). Other tags read as text, and a %TAG
    # directive cannot reach a document, whose "---" is where Helm splits the file.
    ("!", re.compile(r"!(?:!|<tag:yaml\.org,2002:)"), 0),
    # An explicit key, which may be null or a collection (``invalid map key: …``).
    ("?", re.compile(r"\?"), 0),
    # A flow collection as a key. The ":" must be followed by a blank or end the collection:
    # ``[::]:80`` and ``{{ x }}:y`` are text (``{[a]:1}``, a JSON-style key in a flow mapping,
    # is not looked for).
    ("]", re.compile(r"\][ \t]*:(?![^\s,\]}])"), None),
    ("}", re.compile(r"\}[ \t]*:(?![^\s,\]}])"), None),
    # A null key (``unsupported map key of type: %!s(<nil>)``).
    ("~", re.compile(r"~[ \t]*:"), 0),
    (None, re.compile(r"ull(?<=[nN]ull)[ \t]*:"), -1),
    ("L", re.compile(r"ULL(?<=NULL)[ \t]*:"), -1),
    # A merge key, whose value may be no mapping (``map merge requires map or sequence of maps``).
    ("<", re.compile(r"<<[ \t]*:"), 0),
    # An infinity or NaN, which JSON cannot hold (``json: unsupported value: +Inf``).
    (None, _NON_FINITE_WORD, 0),
)
_BLANKS = " \t"
_BREAKS = "\n\r\x85\u2028\u2029"


def _may_fail_json_conversion(doc: str) -> bool:
    """Whether ``doc`` may hold something Helm's YAML→JSON step refuses (see _CONVERSION_SUSPECTS).

    Not looked for: an integer key only a uint64 holds (``18446744073709551615: x``), which
    needs a scan for long digit runs that costs as much as everything else here together.
    """
    for char, pattern, node_offset in _CONVERSION_SUSPECTS:
        if char is not None and char not in doc:
            continue
        for match in pattern.finditer(doc):
            if node_offset is None or _may_start_node(doc, match.start() + node_offset):
                return True
    return False


def _may_start_node(doc: str, at: int) -> bool:
    """Whether a YAML node may start at ``doc[at]``, erring towards yes: it starts its line or
    follows a flow indicator (``[``, ``{``, ``,``), ``:``, or a blank after ``-``, ``?``, an
    anchor or a tag; a sign just before it is taken as its start (``-.inf``). Rules out what
    prose and expressions hold (``a ? b : c``, ``x.nan``)."""
    if at > 0 and doc[at - 1] in "+-":
        at -= 1
    before = at - 1
    while before >= 0 and doc[before] in _BLANKS:
        before -= 1
    if before < 0 or doc[before] in _BREAKS or doc[before] in "[{,:":
        return True
    if before == at - 1:
        return False  # glued to the text before it
    if doc[before] in "-?":
        return True
    word_start = before
    while word_start > 0 and doc[word_start - 1] not in _BLANKS and doc[word_start - 1] not in _BREAKS:
        word_start -= 1
    return doc[word_start] in "&!"


# go-yaml's infinities and NaNs, and the text sigs.k8s.io/yaml turns each into where Helm's
# head reads a string (strconv.FormatFloat(v, 'g', -1, 32)).
_NON_FINITE_TEXT = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), "+Inf"),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), "-Inf"),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), "NaN"),
}
_FLOAT_TAG = "tag:yaml.org,2002:float"


def _unmarshal(path: str, doc: str) -> Any:
    """The first document of ``doc`` as Helm converts it to JSON for its head (``SimpleHead``),
    or ManifestError ``YAML parse error on <path>: error converting YAML to JSON: …``.

    sigs.k8s.io/yaml converts with the target struct in hand: a number where the head has a
    string field (``apiVersion``, ``kind``, ``metadata.name``, an annotation's value) becomes
    its text, so an infinity there is no JSON error. The loader knows no target, so those
    scalars are first written as the text Helm makes of them: what the loader then refuses,
    Helm refuses.
    """
    from helmlite.values.yamlio import unmarshal_yaml

    if _NON_FINITE_WORD.search(doc):
        doc = _replace_spans(doc, _non_finites_helm_reads_as_text(doc))
    try:
        return unmarshal_yaml(doc)
    except HelmliteError as exc:
        raise ManifestError(f"YAML parse error on {path}: {exc}") from None


def _replace_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, replacement) applied; the spans are in order, apart."""
    pieces = []
    end = 0
    for start, stop, replacement in spans:
        pieces += [text[end:start], replacement]
        end = stop
    pieces.append(text[end:])
    return "".join(pieces)


def _is_non_finite(event: Any) -> bool:
    """Whether a scalar event is a float go-yaml reads as an infinity or NaN."""
    plain = event.tag is None and event.implicit[0]
    return event.value in _NON_FINITE_TEXT and (plain or event.tag == _FLOAT_TAG)


def _quoted_span(event: Any, text: str) -> tuple[int, int, str, str | None]:
    """(start, end, replacement, anchor) making a scalar event the quoted string ``text``,
    its anchor kept."""
    anchor = f"&{event.anchor} " if event.anchor else ""
    return event.start_mark.index, event.end_mark.index, f'{anchor}"{text}"', event.anchor


def _json_field_is(key: Any, name: str) -> bool:
    """encoding/json's match of an object key to a struct field: exact, else case-insensitive."""
    return isinstance(key, str) and len(key) == len(name) and key.casefold() == name.casefold()


def _non_finites_helm_reads_as_text(doc: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every infinity or NaN that Helm turns into text rather than
    a JSON number because it is the value of a string field of the head, in document order.
    The scalar (with its tag) becomes a quoted string of that text, its anchor kept. One with
    an anchor that an alias names is left alone: the alias may be anywhere."""
    import yaml

    spans: list[tuple[int, int, str, str | None]] = []  # (start, end, replacement, anchor)
    aliased: set[str] = set()
    # One frame per open collection: [is_mapping, expecting_key, current_key, role], the role
    # being where the collection is in the head: "root", "metadata", "annotations" or "".
    stack: list[list[Any]] = []
    for event in _events(doc):
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            continue
        if kind is yaml.DocumentEndEvent:
            break
        if kind is yaml.AliasEvent:
            aliased.add(event.anchor)
        elif not issubclass(kind, yaml.NodeEvent):
            continue  # stream and document starts
        frame = stack[-1] if stack else None
        if frame is not None and frame[0] and frame[1]:
            frame[1], frame[2] = False, event.value if kind is yaml.ScalarEvent else None
            if kind is not yaml.ScalarEvent and kind is not yaml.AliasEvent:
                stack.append([kind is yaml.MappingStartEvent, True, None, ""])
            continue
        role = parent_role = ""
        key = None
        if frame is not None and frame[0]:
            frame[1] = True
            key, parent_role = frame[2], frame[3]
        if kind is yaml.ScalarEvent:
            string_field = (
                (parent_role == "root" and (_json_field_is(key, "apiVersion") or _json_field_is(key, "kind")))
                or (parent_role == "metadata" and _json_field_is(key, "name"))
                or parent_role == "annotations"
            )
            if string_field and _is_non_finite(event):
                spans.append(_quoted_span(event, _NON_FINITE_TEXT[event.value]))
        elif kind is not yaml.AliasEvent:
            if kind is yaml.MappingStartEvent:
                if frame is None:
                    role = "root"
                elif parent_role == "root" and _json_field_is(key, "metadata"):
                    role = "metadata"
                elif parent_role == "metadata" and _json_field_is(key, "annotations"):
                    role = "annotations"
            stack.append([kind is yaml.MappingStartEvent, True, None, role])
    return [(start, end, text) for start, end, text, anchor in spans if anchor not in aliased]


def _head_from_loader(path: str, doc: str) -> dict[str, Any]:
    data = _unmarshal(path, doc)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ManifestError(f"YAML parse error on {path}: {_not_a_head(type(data).__name__)}")
    head: dict[str, Any] = {k: data[k] for k in ("apiVersion", "kind") if k in data}
    metadata = data.get("metadata")
    if isinstance(metadata, dict):
        meta = {k: metadata[k] for k in ("name", "namespace") if k in metadata}
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict):
            meta["annotations"] = {str(k): _annotation_text(v) for k, v in annotations.items()}
        head["metadata"] = meta
    return head


def split_documents(path: str, text: str) -> list[Manifest]:
    """Split one file's text into documents (Helm's ``SplitManifests``) and read each head.

    Returns one Manifest per non-blank document, in file order, each left-trimmed (trailing
    whitespace kept). Raises ManifestError ``YAML parse error on <path>: <problem>``.
    """
    out: list[Manifest] = []
    # One search of the whole file spares most files one search per document.
    may_fail_conversion = _may_fail_json_conversion(text)
    for piece in _split_at_separators(text):
        doc = piece.lstrip()
        if doc:
            out.append(Manifest(path, doc, _head(path, doc, may_fail_conversion=may_fail_conversion)))
    return out


def _split_at_separators(text: str) -> list[str]:
    """The pieces between Helm's separators, ``(?m)^---[ \t]*`` (as ``re.split`` gives them),
    found with ``str.find``: with a multi-line ``^`` the regex engine tries every position of
    the text, 4× slower on megabytes of CRDs."""

    def separator_after(position: int) -> int:
        newline = text.find("\n---", position)
        return -1 if newline == -1 else newline + 1

    pieces: list[str] = []
    start = 0
    at = 0 if text.startswith("---") else separator_after(0)
    while at != -1:
        end = at + 3
        while end < len(text) and text[end] in " \t":
            end += 1
        pieces.append(text[start:at])
        start = end
        at = separator_after(end)
    pieces.append(text[start:])
    return pieces


def _hook(manifest: Manifest) -> Hook | None:
    """The Hook for an annotated document; None when it names an unknown event (Helm drops it)."""
    meta = manifest.head.get("metadata") or {}
    annotations: dict[str, str] = meta.get("annotations") or {}
    events: list[str] = []
    for raw in annotations[HOOK_ANNOTATION].split(","):
        event = raw.strip().lower()
        event = _EVENT_ALIASES.get(event, event)
        if event not in HOOK_EVENTS:
            return None
        events.append(event)
    # strconv.Atoi: no surrounding spaces, anything invalid is weight 0.
    weight_text = annotations.get(HOOK_WEIGHT_ANNOTATION, "")
    weight = int(weight_text) if _WEIGHT.fullmatch(weight_text) else 0
    return Hook(
        name=str(meta.get("name") or ""),
        kind=manifest.kind,
        path=manifest.name,
        manifest=manifest.content,
        events=tuple(events),
        weight=weight,
        delete_policies=_policies(annotations.get(HOOK_DELETE_POLICY_ANNOTATION)) or (DEFAULT_DELETE_POLICY,),
        output_log_policies=_policies(annotations.get(HOOK_OUTPUT_LOG_POLICY_ANNOTATION)),
    )


def _policies(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(p for p in (part.strip().lower() for part in text.split(",")) if p)


def sort_manifests(rendered: Mapping[str, str], *, chart_name: str) -> tuple[list[Hook], list[Manifest], str]:
    """Helm's ``SortManifests``: (hooks, manifests, notes) from ``render_templates`` output.

    Files whose base name is ``NOTES.txt`` are removed; ``notes`` is the top chart's
    (``<chart_name>/templates/NOTES.txt``), ``""`` if it has none. Hooks and manifests are both
    stable-sorted by kind (InstallOrder); hook execution order (weight, name) is the caller's.
    Raises ManifestError for a document that is not valid YAML.
    """
    notes = ""
    hooks: list[Hook] = []
    manifests: list[Manifest] = []
    for path in sorted(rendered):
        base = posixpath.basename(path)
        if base == "NOTES.txt":
            if path == f"{chart_name}/templates/NOTES.txt":
                notes = rendered[path]
            continue
        if base.startswith("_"):
            continue
        for manifest in split_documents(path, rendered[path]):
            annotations = (manifest.head.get("metadata") or {}).get("annotations") or {}
            if HOOK_ANNOTATION not in annotations:
                manifests.append(manifest)
                continue
            hook = _hook(manifest)
            if hook is not None:
                hooks.append(hook)
    return sort_by_kind(hooks), sort_by_kind(manifests), notes


T = TypeVar("T")


def _kind_of(item: Any) -> str:
    if isinstance(item, Manifest):
        return item.kind
    if isinstance(item, Mapping):
        return str(item.get("kind") or "")
    return str(getattr(item, "kind", "") or "")


def sort_by_kind(items: Iterable[T], order: Sequence[str] = INSTALL_ORDER) -> list[T]:
    """Stable sort by kind in ``order``; unknown kinds after all known ones, alphabetically.

    Works on Manifests, Hooks, Kubernetes objects (dicts with ``kind``) or anything with ``.kind``.
    """
    rank = {kind: i for i, kind in enumerate(order)}
    unknown = len(rank)

    def key(item: T) -> tuple[int, str]:
        kind = _kind_of(item)
        position = rank.get(kind)
        return (position, "") if position is not None else (unknown, kind)

    return sorted(items, key=key)


def release_manifest(manifests: Iterable[Manifest]) -> str:
    """The release's ``manifest`` text: ``---\\n# Source: <path>\\n<content>\\n`` per document."""
    return "".join(f"---\n# Source: {m.name}\n{m.content}\n" for m in manifests)


def format_manifests(manifests: Sequence[Manifest], hooks: Sequence[Hook] = (), *, skip_tests: bool = False) -> str:
    """``helm template``'s stdout, byte for byte (Helm v4.3.1).

    The manifest block is whitespace-trimmed and ends with one newline (so an empty render is
    ``"\\n"``); each hook follows as ``---\\n# Source: <path>\\n<manifest>\\n``, except ``test``
    hooks when ``skip_tests``.
    """
    out = [release_manifest(manifests).strip(), "\n"]
    for hook in hooks:
        if skip_tests and "test" in hook.events:
            continue
        out.append(f"---\n# Source: {hook.path}\n{hook.manifest}\n")
    return "".join(out)
