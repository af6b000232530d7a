"""Events as controllers and the kubelet record them (core/v1 Event, client-go's recorder).

An event is named ``<involved name>.<hex of the UnixNano timestamp>``, lives in the involved
object's namespace (``default`` for cluster-scoped objects), and is aggregated: recording an
identical event again (same object, type, reason, message and source) bumps ``count`` and
``lastTimestamp`` instead of creating a new one. The API server expires events an hour after
their last update (``--event-ttl``); ``EventTTLController`` does that on the virtual clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import parse_time
from helmlite.cluster.controllers.base import KindController, object_key, split_key
from helmlite.cluster.errors import ApiError, NotFoundError

if TYPE_CHECKING:
    from helmlite.cluster.clock import VirtualClock
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import ObjectStore, WatchEvent

__all__ = ["EventRecorder", "EventTTLController", "EVENT_TTL_SECONDS", "EVENT_TYPES"]

EVENT_TTL_SECONDS = 3600  # kube-apiserver --event-ttl default
EVENT_TYPES = ("Normal", "Warning")

_AggregationKey = tuple[str, ...]
# Bound on the remembered name searches (one per object that got an event at the current instant).
_MAX_REMEMBERED_SEARCHES = 10_000


class EventRecorder:
    """Records events into the store on behalf of a component."""

    def __init__(self, store: ObjectStore, clock: VirtualClock) -> None:
        self._store = store
        self._clock = clock
        self._index: dict[_AggregationKey, str] | None = None
        # (namespace, involved name) -> (timestamp in ns, the next suffix to try): where the
        # last name search for that object at that instant ended, so that many events about
        # one object at one instant (a ReplicaSet creating 1,000 pods) cost one probe each.
        self._next_suffix: dict[tuple[str, str], tuple[int, int]] = {}
        store.add_listener(self._forget)

    def _forget(self, event: WatchEvent) -> None:
        if event.type != "DELETED" or event.kind.group_kind != ("", "Event"):
            return
        # A deleted event frees its name: the next search for names with its prefix starts afresh.
        obj = event.object
        meta = obj["metadata"]
        self._next_suffix.pop((meta.get("namespace", ""), meta["name"].rpartition(".")[0]), None)
        # Keep the aggregation index as small as the set of stored events.
        if self._index is not None:
            key = self._key(obj)
            if self._index.get(key) == obj["metadata"]["name"]:
                del self._index[key]

    @staticmethod
    def _key(event: Mapping[str, Any]) -> _AggregationKey:
        ref, source = event.get("involvedObject") or {}, event.get("source") or {}
        return (event["metadata"].get("namespace", ""), ref.get("kind", ""), ref.get("namespace", ""),
                ref.get("name", ""), ref.get("uid", ""), ref.get("apiVersion", ""), ref.get("fieldPath", ""),
                event.get("type", ""), event.get("reason", ""), event.get("message", ""),
                source.get("component", ""), source.get("host", ""))

    def _lookup(self) -> dict[_AggregationKey, str]:
        # Built once per process from the stored events, then kept up to date by record().
        if self._index is None:
            self._index = {self._key(e): e["metadata"]["name"] for e in self._store.peek_all("", "Event")}
        return self._index

    def record(self, involved: Mapping[str, Any], type: str, reason: str, message: str, *,
               component: str, host: str = "", field_path: str | None = None) -> dict[str, Any] | None:
        """Record an event about ``involved`` from ``component`` (e.g. ``deployment-controller``).

        Returns the stored Event, or None when the API refused it (a terminating namespace):
        like client-go's recorder, a failed event never fails the caller.

        Raises:
            ValueError: ``type`` is not Normal or Warning (a programming error).
        """
        if type not in EVENT_TYPES:
            raise ValueError(f"event type must be one of {EVENT_TYPES}, not {type!r}")
        meta = involved.get("metadata") or {}
        ref: dict[str, Any] = {
            "apiVersion": involved.get("apiVersion", ""),
            "kind": involved.get("kind", ""),
            "name": meta.get("name", ""),
            "uid": meta.get("uid", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if meta.get("namespace"):
            ref["namespace"] = meta["namespace"]
        if field_path:
            ref["fieldPath"] = field_path
        namespace = meta.get("namespace") or "default"
        now = self._clock.now_rfc3339()
        source = {"component": component, **({"host": host} if host else {})}
        event: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"namespace": namespace},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": type,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        index = self._lookup()
        key = self._key(event)
        try:
            existing_name = index.get(key)
            existing = self._store.peek("", "Event", namespace, existing_name) if existing_name else None
            if existing is not None and self._key(existing) == key:
                return self._store.patch(
                    "v1", "Event", existing_name, namespace=namespace, field_manager=component,  # type: ignore[arg-type]
                    patch={"count": (existing.get("count") or 1) + 1, "lastTimestamp": now})
            event["metadata"]["name"], nanos = self._unique_name(namespace, ref["name"])
            created = self._store.create(event, field_manager=component)
        except ApiError:
            return None
        index[key] = created["metadata"]["name"]
        self._remember_taken(namespace, ref["name"], nanos)
        return created

    def _unique_name(self, namespace: str, involved_name: str) -> tuple[str, int]:
        """``<involved name>.<hex ns>``, bumped by one nanosecond per clash (the first free name
        from the current instant on), and its nanoseconds."""
        now = round(self._clock.now * 1_000_000_000)
        start, nanos = self._next_suffix.get((namespace, involved_name), (now, now))
        if start != now:
            nanos = now
        while self._store.peek("", "Event", namespace, f"{involved_name}.{nanos:x}") is not None:
            nanos += 1
        return f"{involved_name}.{nanos:x}", nanos

    def _remember_taken(self, namespace: str, involved_name: str, nanos: int) -> None:
        # Every name from the current instant up to ``nanos`` is now taken.
        if len(self._next_suffix) >= _MAX_REMEMBERED_SEARCHES:
            self._next_suffix.clear()
        self._next_suffix[(namespace, involved_name)] = (round(self._clock.now * 1_000_000_000), nanos + 1)


class EventTTLController(KindController):
    """Deletes events ``EVENT_TTL_SECONDS`` after their last update."""

    name = "event-ttl"
    kind = ("", "Event")

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Every added or updated event (its expiry moves with lastTimestamp)."""
        return () if event.type == "DELETED" else (object_key(event.object),)

    def sync(self, cluster: Cluster, key: str) -> None:
        """Delete the event if it expired, else wake up again when it will."""
        namespace, name = split_key(key)
        event = cluster.store.peek("", "Event", namespace, name)
        if event is None:
            return
        last = event.get("lastTimestamp") or event["metadata"].get("creationTimestamp")
        expires = parse_time(last) + EVENT_TTL_SECONDS
        if cluster.clock.now >= expires:
            try:
                cluster.store.delete("v1", "Event", name, namespace=namespace, copy=False)
            except NotFoundError:
                pass
        else:
            cluster.enqueue_after(self.name, key, expires - cluster.clock.now)
