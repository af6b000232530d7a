"""Label and field selectors with the API server's syntax and semantics.

Label selectors come as strings (``app=web,tier!=db,env in (a,b),!legacy``) or as
``metav1.LabelSelector`` dicts (``matchLabels`` / ``matchExpressions``). Field selectors
support the fields the API server indexes per kind (``metadata.name``, ``spec.nodeName``, …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helmlite.cluster.errors import BadRequestError

__all__ = [
    "Requirement",
    "LabelSelector",
    "FieldSelector",
    "EVERYTHING",
    "NOTHING",
    "field_value",
]


@dataclass(frozen=True)
class Requirement:
    """One requirement: ``key <op> values`` with op in ``= != in notin exists !`` and ``gt lt``."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies this requirement (apimachinery ``Requirement.Matches``)."""
        op = self.op
        if op in ("=", "in"):
            return self.key in labels and labels[self.key] in self.values
        if op in ("!=", "notin"):
            return self.key not in labels or labels[self.key] not in self.values
        if op == "exists":
            return self.key in labels
        if op == "!":
            return self.key not in labels
        value = labels.get(self.key)
        if value is None:
            return False
        try:
            have, want = int(value), int(self.values[0])
        except ValueError:
            return False
        return have > want if op == "gt" else have < want

    def __str__(self) -> str:
        if self.op == "exists":
            return self.key
        if self.op == "!":
            return "!" + self.key
        if self.op in ("in", "notin"):
            return f"{self.key} {self.op} ({','.join(sorted(self.values))})"
        if self.op in ("gt", "lt"):
            return f"{self.key}{'>' if self.op == 'gt' else '<'}{self.values[0]}"
        return f"{self.key}{self.op}{self.values[0]}"


@dataclass(frozen=True)
class LabelSelector:
    """A conjunction of requirements; ``matches_nothing`` models a nil selector."""

    requirements: tuple[Requirement, ...] = ()
    matches_nothing: bool = False

    @property
    def empty(self) -> bool:
        """True for the selector that matches every object."""
        return not self.requirements and not self.matches_nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with these labels is selected."""
        if self.matches_nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def __str__(self) -> str:
        # apimachinery sorts requirements by key when printing.
        return ",".join(str(r) for r in sorted(self.requirements, key=lambda r: r.key))

    @classmethod
    def from_set(cls, labels: Mapping[str, str]) -> LabelSelector:
        """The equality selector ``k1=v1,k2=v2`` (``labels.SelectorFromSet``)."""
        return cls(tuple(Requirement(k, "=", (v,)) for k, v in sorted(labels.items())))

    @classmethod
    def from_label_selector(cls, selector: Mapping[str, Any] | None) -> LabelSelector:
        """Convert a ``metav1.LabelSelector`` dict (``LabelSelectorAsSelector``).

        ``None`` selects nothing, ``{}`` selects everything.

        Raises:
            BadRequestError: an unknown operator or values inconsistent with it.
        """
        if selector is None:
            return NOTHING
        reqs: list[Requirement] = []
        for key, value in sorted((selector.get("matchLabels") or {}).items()):
            reqs.append(Requirement(key, "=", (str(value),)))
        for expr in selector.get("matchExpressions") or []:
            key, op, values = expr.get("key", ""), expr.get("operator", ""), tuple(expr.get("values") or ())
            mapped = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}.get(op)
            if mapped is None:
                raise BadRequestError(f'"{op}" is not a valid label selector operator')
            if mapped in ("in", "notin") and not values:
                raise BadRequestError("for 'in', 'notin' operators, values set can't be empty")
            if mapped in ("exists", "!") and values:
                raise BadRequestError("values set must be empty for exists and does not exist")
            reqs.append(Requirement(key, mapped, values))
        return cls(tuple(reqs))

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        """Parse the string form used by ``?labelSelector=`` and ``kubectl -l``.

        Raises:
            BadRequestError: a syntax error, naming the offending requirement.
        """
        if text is None or not text.strip():
            return EVERYTHING
        return cls(tuple(_parse_requirement(part) for part in _split_top_level(text)))


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(matches_nothing=True)

_KEY = r"(?:[A-Za-z0-9.\-]+/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET_RE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^()]*)\)\s*$")
_CMP_RE = re.compile(rf"^\s*({_KEY})\s*(==|!=|=|>|<)\s*({_VALUE})\s*$")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")
_VALUE_RE = re.compile(rf"^{_VALUE}$")


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _parse_requirement(part: str) -> Requirement:
    if m := _SET_RE.match(part):
        values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
        if not values or any(not _VALUE_RE.match(v) for v in values):
            raise BadRequestError(f"unable to parse requirement: invalid values in {part.strip()!r}")
        return Requirement(m.group(1), m.group(2), values)
    if m := _CMP_RE.match(part):
        op = {"==": "=", ">": "gt", "<": "lt"}.get(m.group(2), m.group(2))
        value = m.group(3)
        if op in ("gt", "lt") and not re.fullmatch(r"-?\d+", value):
            raise BadRequestError(f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {part.strip()!r}")
        return Requirement(m.group(1), op, (value,))
    if m := _EXISTS_RE.match(part):
        return Requirement(m.group(2), "!" if m.group(1) else "exists")
    raise BadRequestError(f"unable to parse requirement: {part.strip()!r}")


# Field selectors: the labels the API server's field-label conversion functions accept,
# per (group, kind); every kind accepts metadata.name and metadata.namespace.
_FIELD_LABELS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): (
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    ),
    ("", "Event"): (
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ),
    ("", "Secret"): ("type",),
    ("", "Node"): ("spec.unschedulable",),
    ("", "Namespace"): ("status.phase",),
    ("apps", "ReplicaSet"): ("status.replicas",),
    ("batch", "Job"): ("status.successful",),
}
# Where a field label's value lives when it is not the dotted path itself.
_FIELD_PATHS = {"source": ("source", "component")}
# Fields that read as "false" rather than "" when unset (Go zero values of bools).
_BOOL_FIELDS = {"spec.hostNetwork", "spec.unschedulable"}


@dataclass(frozen=True)
class FieldSelector:
    """``field=value`` / ``field!=value`` terms, all of which must hold."""

    terms: tuple[tuple[str, str, str], ...] = ()  # (field, op "=" or "!=", value)

    @classmethod
    def parse(cls, text: str | None, group: str = "", kind: str = "") -> FieldSelector:
        """Parse ``?fieldSelector=`` syntax, checking each field is supported for the kind.

        Raises:
            BadRequestError: bad syntax, or ``field label not supported: <field>``.
        """
        if text is None or not text.strip():
            return cls()
        allowed = {"metadata.name", "metadata.namespace", *_FIELD_LABELS.get((group, kind), ())}
        terms = []
        for part in _split_escaped(text):
            m = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*?)\s*$", part)
            if not m:
                raise BadRequestError(f"invalid selector: '{text}'; can't understand '{part}'")
            field_name, op, value = m.group(1), m.group(2), _unescape(m.group(3))
            if field_name not in allowed:
                raise BadRequestError(f"field label not supported: {field_name}")
            terms.append((field_name, "!=" if op == "!=" else "=", value))
        return cls(tuple(terms))

    @property
    def empty(self) -> bool:
        """True when the selector has no terms (matches everything)."""
        return not self.terms

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether the object satisfies every term."""
        for field_name, op, want in self.terms:
            have = field_value(obj, field_name)
            if (have == want) != (op == "="):
                return False
        return True


def field_value(obj: Mapping[str, Any], field_name: str) -> str:
    """The string value a field label has on ``obj`` (``""`` when unset)."""
    node: Any = obj
    for part in _FIELD_PATHS.get(field_name, tuple(field_name.split("."))):
        node = node.get(part) if isinstance(node, Mapping) else None
    if node is None:
        return "false" if field_name in _BOOL_FIELDS else ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def _split_escaped(text: str) -> Sequence[str]:
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)
