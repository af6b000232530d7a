"""The release record: one revision of one release, in Helm's release v1 shape.

A ``Release`` is what Helm stores for every revision (``pkg/release/v1/release.go``): name,
namespace, revision number, ``Info`` (status, description, times, notes), the whole chart,
the user-supplied values, the rendered manifest and the hooks. ``to_json`` writes exactly
Helm's JSON (same keys, same key order, same omissions, Go's RFC3339Nano times, Go map key
order) and ``from_json`` reads what Helm writes, so a record written by either tool is read
by the other. Keys this model does not know (a newer Helm's) are kept in ``extra`` and written
back, so a round trip loses nothing.

``chart`` stays Helm's chart JSON object (``chart_to_json`` builds it from a loaded chart):
the record is the chart *as deployed*, read back for ``get``/``history`` and never rendered
again, so there is nothing to gain from re-modelling it and everything to lose from a lossy
conversion. ``labels`` live on the storage object, not in the JSON (Helm's ``json:"-"``).
"""

from __future__ import annotations

import base64
import calendar
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from helmlite.chart.model import API_VERSION_V2, Chart, ChartFile, ChartMetadata, Lock
from helmlite.errors import HelmliteError

__all__ = [
    "ApplyMethod",
    "Hook",
    "HookExecution",
    "HookPhase",
    "Info",
    "Release",
    "ReleaseDecodeError",
    "ReleaseError",
    "Status",
    "Timestamp",
    "chart_to_json",
]


class ReleaseError(HelmliteError):
    """Base of the release subtree (records, storage, history, operation leases)."""


class ReleaseDecodeError(ReleaseError):
    """Stored release data that is not a readable release record (names what is wrong)."""


class Status(StrEnum):
    """A revision's status, with Helm's strings (``pkg/release/common/status.go``)."""

    UNKNOWN = "unknown"
    DEPLOYED = "deployed"
    UNINSTALLED = "uninstalled"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    UNINSTALLING = "uninstalling"
    PENDING_INSTALL = "pending-install"
    PENDING_UPGRADE = "pending-upgrade"
    PENDING_ROLLBACK = "pending-rollback"

    def is_pending(self) -> bool:
        """True for the three ``pending-*`` states (Helm's ``IsPending``)."""
        return self in (Status.PENDING_INSTALL, Status.PENDING_UPGRADE, Status.PENDING_ROLLBACK)


class HookPhase(StrEnum):
    """The outcome of a hook's last run; ``""`` means it has not run."""

    NOT_RUN = ""
    UNKNOWN = "Unknown"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class ApplyMethod(StrEnum):
    """How the manifests were applied (Helm v4); absent means client-side (Helm 3 records)."""

    UNSET = ""
    CLIENT_SIDE = "csa"
    SERVER_SIDE = "ssa"


_NANOS = 1_000_000_000
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)
# Go's zero time.Time (0001-01-01T00:00:00Z): Helm omits it when writing, some writers did not.
_GO_ZERO_UNIX = calendar.timegm((1, 1, 1, 0, 0, 0))


@dataclass(frozen=True, order=True)
class Timestamp:
    """An instant with nanosecond precision, written the way Go's RFC3339Nano writes it.

    Python's datetime stops at microseconds and Helm writes nanoseconds
    (``2026-11-22T02:13:29.085709198Z``); ``utc_offset`` (seconds east of UTC) is kept because
    Helm writes times in the local zone of whoever ran it, and a round trip must give the same
    text back. Ordering and equality compare the instant first.
    """

    unix_nanos: int
    utc_offset: int = 0

    @classmethod
    def now(cls) -> Timestamp:
        """The current time, in UTC."""
        return cls(time.time_ns())

    @classmethod
    def from_unix(cls, seconds: float) -> Timestamp:
        """The instant ``seconds`` after the Unix epoch, in UTC."""
        return cls(round(seconds * _NANOS))

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """Parse an RFC3339 time with up to nine fractional digits.

        Raises ValueError for anything else.
        """
        m = _RFC3339.match(text)
        if m is None:
            raise ValueError(f"invalid RFC3339 time {text!r}")
        year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
        if year < 1 or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"invalid RFC3339 time {text!r}")
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"invalid RFC3339 time {text!r}")
        fraction = int((m.group(7) or "").ljust(9, "0") or "0")
        offset = 0
        if m.group(9):
            offset = (int(m.group(10)) * 3600 + int(m.group(11)) * 60) * (-1 if m.group(9) == "-" else 1)
        local = calendar.timegm((year, month, day, hour, minute, second))
        return cls((local - offset) * _NANOS + fraction, offset)

    @classmethod
    def from_datetime(cls, moment: datetime) -> Timestamp:
        """An aware datetime as a Timestamp (naive datetimes are taken as UTC)."""
        offset_delta = moment.utcoffset() or timedelta(0)
        naive = moment.replace(tzinfo=None) - offset_delta
        unix = calendar.timegm(naive.timetuple())
        return cls(unix * _NANOS + naive.microsecond * 1000, int(offset_delta.total_seconds()))

    @property
    def is_go_zero(self) -> bool:
        """True for Go's zero time, which Helm treats as "not set"."""
        return self.unix_nanos == _GO_ZERO_UNIX * _NANOS

    @property
    def unix(self) -> float:
        """Seconds since the Unix epoch."""
        return self.unix_nanos / _NANOS

    def to_datetime(self) -> datetime:
        """An aware datetime in the recorded zone (fractional seconds cut to microseconds)."""
        zone = UTC if self.utc_offset == 0 else timezone(timedelta(seconds=self.utc_offset))
        seconds, nanos = divmod(self.unix_nanos, _NANOS)
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        return (epoch + timedelta(seconds=seconds, microseconds=nanos // 1000)).astimezone(zone)

    def format(self) -> str:
        """Go's RFC3339Nano text: trailing zeros of the fraction dropped, ``Z`` for UTC."""
        seconds, nanos = divmod(self.unix_nanos + self.utc_offset * _NANOS, _NANOS)
        w = datetime(1970, 1, 1) + timedelta(seconds=seconds)
        # Not strftime: it does not zero-pad years below 1000 on every platform; Go always does.
        out = f"{w.year:04d}-{w.month:02d}-{w.day:02d}T{w.hour:02d}:{w.minute:02d}:{w.second:02d}"
        if nanos:
            out += "." + f"{nanos:09d}".rstrip("0")
        if self.utc_offset == 0:
            return out + "Z"
        sign = "-" if self.utc_offset < 0 else "+"
        hours, minutes = divmod(abs(self.utc_offset) // 60, 60)
        return f"{out}{sign}{hours:02d}:{minutes:02d}"

    def __str__(self) -> str:
        return self.format()


def _read_time(obj: Mapping[str, Any], key: str, where: str) -> Timestamp | None:
    """A time field as Helm reads it: missing, ``""``, null and Go's zero time all mean unset."""
    raw = obj.get(key)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ReleaseDecodeError(f"{where}.{key}: expected an RFC3339 time string, got {type(raw).__name__}")
    try:
        stamp = Timestamp.parse(raw)
    except ValueError as exc:
        raise ReleaseDecodeError(f"{where}.{key}: {exc}") from None
    return None if stamp.is_go_zero else stamp


def _expect(obj: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    """``obj[key]`` checked against ``kind``; missing or null gives ``default``."""
    raw = obj.get(key)
    if raw is None:
        return default
    # bool is an int in Python but never a JSON number.
    if not isinstance(raw, kind) or (isinstance(raw, bool) and kind is not bool):
        raise ReleaseDecodeError(f"{where}.{key}: unexpected JSON type {type(raw).__name__}")
    return raw


def _strings(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _expect(obj, key, list, [], where)
    if not all(isinstance(item, str) for item in items):
        raise ReleaseDecodeError(f"{where}.{key}: expected a list of strings")
    return tuple(items)


def _extra(obj: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in known}


def _go_map(value: Any) -> Any:
    """``value`` with every mapping's keys in Go's ``encoding/json`` order (sorted by text).

    Go marshals ``map[string]any`` with sorted keys; doing the same keeps the stored JSON
    byte-comparable with Helm's and deterministic for helmlite's own writes.
    """
    if isinstance(value, Mapping):
        return {str(k): _go_map(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_go_map(v) for v in value]
    return value


@dataclass(frozen=True)
class HookExecution:
    """When a hook last ran and how it ended (Helm's ``HookExecution``, JSON ``last_run``)."""

    started_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    phase: HookPhase = HookPhase.NOT_RUN
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"started_at", "completed_at", "phase"})

    def to_json(self) -> dict[str, Any]:
        """Helm's JSON object; ``phase`` is always written, unset times never."""
        out: dict[str, Any] = {}
        if self.started_at is not None:
            out["started_at"] = self.started_at.format()
        if self.completed_at is not None:
            out["completed_at"] = self.completed_at.format()
        out["phase"] = self.phase.value
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], where: str = "last_run") -> HookExecution:
        """Read Helm's JSON object; raises ReleaseDecodeError on wrong types or an unknown phase."""
        phase = _expect(obj, "phase", str, "", where)
        try:
            parsed = HookPhase(phase)
        except ValueError:
            raise ReleaseDecodeError(f"{where}.phase: unknown hook phase {phase!r}") from None
        return cls(
            started_at=_read_time(obj, "started_at", where),
            completed_at=_read_time(obj, "completed_at", where),
            phase=parsed,
            extra=_extra(obj, cls._KEYS),
        )


@dataclass(frozen=True)
class Hook:
    """A rendered hook resource and its last run (Helm's ``Hook``)."""

    name: str
    kind: str
    path: str
    manifest: str = ""
    events: tuple[str, ...] = ()
    last_run: HookExecution = field(default_factory=HookExecution)
    weight: int = 0
    delete_policies: tuple[str, ...] = ()
    output_log_policies: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = frozenset(
        {"name", "kind", "path", "manifest", "events", "last_run", "weight", "delete_policies", "output_log_policies"}
    )

    def to_json(self) -> dict[str, Any]:
        """Helm's JSON object (empty fields omitted, ``last_run`` always present)."""
        out: dict[str, Any] = {}
        for key, value in (("name", self.name), ("kind", self.kind), ("path", self.path), ("manifest", self.manifest)):
            if value:
                out[key] = value
        if self.events:
            out["events"] = list(self.events)
        out["last_run"] = self.last_run.to_json()
        if self.weight:
            out["weight"] = self.weight
        if self.delete_policies:
            out["delete_policies"] = list(self.delete_policies)
        if self.output_log_policies:
            out["output_log_policies"] = list(self.output_log_policies)
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], where: str = "hooks[]") -> Hook:
        """Read Helm's JSON object; raises ReleaseDecodeError on wrong types."""
        if not isinstance(obj, Mapping):
            raise ReleaseDecodeError(f"{where}: expected an object")
        return cls(
            name=_expect(obj, "name", str, "", where),
            kind=_expect(obj, "kind", str, "", where),
            path=_expect(obj, "path", str, "", where),
            manifest=_expect(obj, "manifest", str, "", where),
            events=_strings(obj, "events", where),
            last_run=HookExecution.from_json(_expect(obj, "last_run", dict, {}, where), f"{where}.last_run"),
            weight=_expect(obj, "weight", int, 0, where),
            delete_policies=_strings(obj, "delete_policies", where),
            output_log_policies=_strings(obj, "output_log_policies", where),
            extra=_extra(obj, cls._KEYS),
        )


@dataclass(frozen=True)
class Info:
    """What happened to a revision (Helm's ``Info``)."""

    status: Status = Status.UNKNOWN
    description: str = ""
    first_deployed: Timestamp | None = None
    last_deployed: Timestamp | None = None
    deleted: Timestamp | None = None
    notes: str = ""
    # Live objects, filled only for ``status --show-resources`` output; opaque here.
    resources: dict[str, Any] | None = None
    # The revision a rollback revision went back to (Helm v4's ``history --show-rollback-revision``).
    rollback_revision: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = frozenset(
        {
            "first_deployed",
            "last_deployed",
            "deleted",
            "description",
            "status",
            "notes",
            "resources",
            "rollback_revision",
        }
    )

    def to_json(self) -> dict[str, Any]:
        """Helm's JSON object (unset times and empty strings omitted)."""
        out: dict[str, Any] = {}
        for key, stamp in (
            ("first_deployed", self.first_deployed),
            ("last_deployed", self.last_deployed),
            ("deleted", self.deleted),
        ):
            if stamp is not None:
                out[key] = stamp.format()
        if self.description:
            out["description"] = self.description
        out["status"] = self.status.value
        if self.notes:
            out["notes"] = self.notes
        if self.resources:
            out["resources"] = self.resources
        if self.rollback_revision:
            out["rollback_revision"] = self.rollback_revision
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], where: str = "info") -> Info:
        """Read Helm's JSON object; raises ReleaseDecodeError on wrong types or an unknown status."""
        if not isinstance(obj, Mapping):
            raise ReleaseDecodeError(f"{where}: expected an object")
        raw_status = _expect(obj, "status", str, "", where)
        try:
            status = Status(raw_status) if raw_status else Status.UNKNOWN
        except ValueError:
            raise ReleaseDecodeError(f"{where}.status: unknown release status {raw_status!r}") from None
        return cls(
            status=status,
            description=_expect(obj, "description", str, "", where),
            first_deployed=_read_time(obj, "first_deployed", where),
            last_deployed=_read_time(obj, "last_deployed", where),
            deleted=_read_time(obj, "deleted", where),
            notes=_expect(obj, "notes", str, "", where),
            resources=_expect(obj, "resources", dict, None, where),
            rollback_revision=_expect(obj, "rollback_revision", int, 0, where),
            extra=_extra(obj, cls._KEYS),
        )


@dataclass(frozen=True)
class Release:
    """One revision of a release: Helm's release v1 record.

    ``version`` is the revision number. ``chart`` is Helm's chart JSON object (see
    ``chart_to_json``); ``config`` holds the user-supplied values only. ``labels`` are the
    storage object's labels: user ``--labels`` when written, and on reads the labels the
    driver reports (see ``helmlite.release.storage.driver``); they are never in the JSON.
    """

    name: str
    namespace: str
    version: int
    info: Info = field(default_factory=Info)
    chart: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    manifest: str = ""
    hooks: tuple[Hook, ...] = ()
    apply_method: ApplyMethod = ApplyMethod.UNSET
    labels: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"name", "info", "chart", "config", "manifest", "hooks", "version", "namespace", "apply_method"})

    @property
    def status(self) -> Status:
        return self.info.status

    @property
    def chart_metadata(self) -> dict[str, Any]:
        """The chart's Chart.yaml fields in Helm's JSON keys (``{}`` when the record has no chart)."""
        meta = self.chart.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def chart_name(self) -> str:
        return str(self.chart_metadata.get("name", ""))

    @property
    def chart_version(self) -> str:
        return str(self.chart_metadata.get("version", ""))

    @property
    def app_version(self) -> str:
        return str(self.chart_metadata.get("appVersion", ""))

    def with_status(self, status: Status, description: str) -> Release:
        """A copy with a new status and description (Helm's ``SetStatus``)."""
        return replace(self, info=replace(self.info, status=status, description=description))

    def to_json(self) -> dict[str, Any]:
        """Helm's release JSON object: keys in Helm's order, empty fields omitted, no labels."""
        out: dict[str, Any] = {}
        if self.name:
            out["name"] = self.name
        out["info"] = self.info.to_json()
        if self.chart:
            out["chart"] = self.chart
        if self.config:
            out["config"] = _go_map(self.config)
        if self.manifest:
            out["manifest"] = self.manifest
        if self.hooks:
            out["hooks"] = [hook.to_json() for hook in self.hooks]
        if self.version:
            out["version"] = self.version
        if self.namespace:
            out["namespace"] = self.namespace
        if self.apply_method:
            out["apply_method"] = self.apply_method.value
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, obj: Any) -> Release:
        """Read a release JSON object as Helm writes it.

        Raises ReleaseDecodeError when ``obj`` is not an object, a field has the wrong JSON
        type, or a status, hook phase or apply method is not one Helm defines.
        """
        if not isinstance(obj, Mapping):
            raise ReleaseDecodeError("release: expected a JSON object")
        where = "release"
        hooks = _expect(obj, "hooks", list, [], where)
        method = _expect(obj, "apply_method", str, "", where)
        try:
            apply_method = ApplyMethod(method)
        except ValueError:
            raise ReleaseDecodeError(f"release.apply_method: unknown apply method {method!r}") from None
        return cls(
            name=_expect(obj, "name", str, "", where),
            namespace=_expect(obj, "namespace", str, "", where),
            version=_expect(obj, "version", int, 0, where),
            info=Info.from_json(_expect(obj, "info", dict, {}, where)),
            chart=_expect(obj, "chart", dict, {}, where),
            config=_expect(obj, "config", dict, {}, where),
            manifest=_expect(obj, "manifest", str, "", where),
            hooks=tuple(Hook.from_json(h, f"hooks[{i}]") for i, h in enumerate(hooks)),
            apply_method=apply_method,
            extra=_extra(obj, cls._KEYS),
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _file_json(f: ChartFile) -> dict[str, Any]:
    # Helm's File also has ``modtime`` (omitzero); helmlite keeps no mtimes, so it is omitted.
    return {"name": f.name, "data": _b64(f.data)}


def _metadata_json(meta: ChartMetadata) -> dict[str, Any]:
    """Helm's ``Metadata`` JSON: Go struct field order, every field omitempty."""
    fields: list[tuple[str, Any]] = [
        ("name", meta.name),
        ("home", meta.home),
        ("sources", list(meta.sources)),
        ("version", meta.version),
        ("description", meta.description),
        ("keywords", list(meta.keywords)),
        ("maintainers", [m.to_dict() for m in meta.maintainers]),
        ("icon", meta.icon),
        ("apiVersion", meta.api_version),
        ("condition", meta.condition),
        ("tags", meta.tags),
        ("appVersion", meta.app_version),
        ("deprecated", meta.deprecated),
        ("annotations", _go_map(meta.annotations)),
        ("kubeVersion", meta.kube_version),
        ("dependencies", [d.to_json() for d in meta.dependencies]),
        # Helm leaves type empty for v1 charts (it is invalid there).
        ("type", meta.type if meta.api_version == API_VERSION_V2 else ""),
    ]
    return {key: value for key, value in fields if value}


def _lock_json(lock: Lock) -> dict[str, Any]:
    generated: str = lock.generated
    try:
        # Go parses Chart.lock's time and writes it back as RFC3339Nano.
        generated = Timestamp.parse(lock.generated).format()
    except ValueError:
        pass
    return {
        "generated": generated,
        "digest": lock.digest,
        "dependencies": [d.to_json() for d in lock.dependencies],
    }


def chart_to_json(chart: Chart) -> dict[str, Any]:
    """The ``chart`` part of a release record for a loaded chart, as Helm writes it.

    ``metadata`` (Chart.yaml, Helm's camelCase keys), ``lock``, ``templates`` and ``files``
    (``[{name, data}]`` with base64 data; ``null`` when there are none, like a nil Go slice),
    ``values`` (the chart's defaults, keys sorted as Go sorts map keys) and ``schema`` (base64
    or ``null``). Subcharts are not included: Helm's chart JSON has no field for them.
    """
    return {
        "metadata": _metadata_json(chart.metadata),
        "lock": _lock_json(chart.lock) if chart.lock is not None else None,
        "templates": [_file_json(f) for f in chart.templates] or None,
        "values": _go_map(chart.values),
        "schema": _b64(chart.schema) if chart.schema is not None else None,
        "files": [_file_json(f) for f in chart.files] or None,
    }
