"""Release records as Kubernetes objects: Helm's Secret and ConfigMap drivers.

The objects are exactly Helm's (``pkg/storage/driver/secrets.go``, ``cfgmaps.go``), so Helm
lists, reads, upgrades and rolls back releases helmlite wrote, and the other way round::

    Secret    sh.helm.release.v1.<name>.v<rev>   type: helm.sh/release.v1
              labels: name, owner=helm, status, version, createdAt|modifiedAt, user labels
              data.release: base64(<encoded>)    (Secret data is base64 in the API, so the
                                                  encoded release shows double-base64'd)
    ConfigMap same name and labels, no type, data.release: <encoded>

where ``<encoded>`` is ``helmlite.release.codec.encode`` (base64(gzip(json))).

The drivers talk to a tiny ``ObjectClient`` (API-shaped dicts in, dicts out), so the same
code runs against the built-in simulator, a real cluster adapter, or ``InMemoryObjectClient``.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import copy
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import replace
from itertools import count
from typing import Any, Protocol, runtime_checkable

from helmlite.errors import HelmliteError
from helmlite.release.codec import decode, encode
from helmlite.release.model import Release, ReleaseDecodeError
from helmlite.release.storage.driver import (
    OWNER,
    STORAGE_TYPE,
    SYSTEM_LABELS,
    LeaseStore,
    NoResults,
    ReleaseExists,
    ReleaseFilter,
    ReleaseNotFound,
    lease_key,
    parse_key,
    system_labels,
    write_namespace,
)

__all__ = [
    "LEASE_SECRET_TYPE",
    "ConfigMapDriver",
    "InMemoryObjectClient",
    "ObjectClient",
    "ObjectClientError",
    "ObjectConflict",
    "ObjectExists",
    "ObjectNotFound",
    "SecretDriver",
]

# Type of the Secrets holding helmlite's operation leases (never matched by Helm's selectors).
LEASE_SECRET_TYPE = "helmlite.io/lock.v1"
_LEASE_OWNER = "helmlite"


class ObjectClientError(HelmliteError):
    """A failed object-store call; implementations of ObjectClient raise these subclasses."""


class ObjectExists(ObjectClientError):
    """``create`` of an object whose kind, namespace and name are taken (HTTP 409 AlreadyExists)."""


class ObjectNotFound(ObjectClientError):
    """``update``/``delete`` of an object that does not exist (HTTP 404)."""


class ObjectConflict(ObjectClientError):
    """A write whose ``resourceVersion`` precondition no longer holds (HTTP 409 Conflict)."""


@runtime_checkable
class ObjectClient(Protocol):
    """The few object-store calls the Secret and ConfigMap drivers need.

    Objects are Kubernetes API dicts (``apiVersion, kind, metadata{name, namespace, labels,
    resourceVersion}, …``); Secret ``data`` values are base64 text, as in the API.
    """

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        ...

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object and return it as stored (with ``resourceVersion``).

        Raises ObjectExists when the name is taken in the namespace.
        """
        ...

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object and return it as stored.

        When ``metadata.resourceVersion`` is set, the write happens only if the stored object
        is still at that version (else ObjectConflict); without it the write is unconditional.
        Raises ObjectNotFound when the object does not exist.
        """
        ...

    def delete(self, kind: str, namespace: str, name: str, resource_version: str | None = None) -> None:
        """Remove an object (only if still at ``resource_version`` when given, else ObjectConflict).

        Raises ObjectNotFound when it does not exist.
        """
        ...

    def list(self, kind: str, namespace: str, label_selector: Mapping[str, str]) -> list[dict[str, Any]]:
        """Objects of ``kind`` in ``namespace`` (``""`` = every namespace) whose labels include
        every ``label_selector`` pair."""
        ...


class InMemoryObjectClient:
    """An ObjectClient over a dict, with Kubernetes' write semantics (a real store, not a mock).

    Objects are deep-copied in and out, ``metadata.resourceVersion`` increases on every write
    and is checked as a precondition when a write carries one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._versions = count(1)

    @staticmethod
    def _ident(obj: Mapping[str, Any]) -> tuple[str, str, str]:
        meta = obj.get("metadata") or {}
        return str(obj.get("kind", "")), str(meta.get("namespace") or "default"), str(meta.get("name", ""))

    def _stamp(self, obj: dict[str, Any], ident: tuple[str, str, str]) -> dict[str, Any]:
        stored = copy.deepcopy(obj)
        meta = stored.setdefault("metadata", {})
        meta["namespace"] = ident[1]
        meta["resourceVersion"] = str(next(self._versions))
        self._objects[ident] = stored
        return copy.deepcopy(stored)

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        with self._lock:
            found = self._objects.get((kind, namespace, name))
            return copy.deepcopy(found) if found is not None else None

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object; raises ObjectExists when the name is taken."""
        ident = self._ident(obj)
        with self._lock:
            if ident in self._objects:
                raise ObjectExists(f'{ident[0]} "{ident[2]}" already exists')
            return self._stamp(obj, ident)

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object; raises ObjectNotFound, or ObjectConflict on a stale resourceVersion."""
        ident = self._ident(obj)
        wanted = (obj.get("metadata") or {}).get("resourceVersion")
        with self._lock:
            current = self._objects.get(ident)
            if current is None:
                raise ObjectNotFound(f'{ident[0]} "{ident[2]}" not found')
            if wanted and wanted != current["metadata"]["resourceVersion"]:
                raise ObjectConflict(f'{ident[0]} "{ident[2]}": the object has been modified')
            return self._stamp(obj, ident)

    def delete(self, kind: str, namespace: str, name: str, resource_version: str | None = None) -> None:
        """Remove an object; raises ObjectNotFound, or ObjectConflict on a stale resource_version."""
        with self._lock:
            current = self._objects.get((kind, namespace, name))
            if current is None:
                raise ObjectNotFound(f'{kind} "{name}" not found')
            if resource_version and resource_version != current["metadata"]["resourceVersion"]:
                raise ObjectConflict(f'{kind} "{name}": the object has been modified')
            del self._objects[(kind, namespace, name)]

    def list(self, kind: str, namespace: str, label_selector: Mapping[str, str]) -> list[dict[str, Any]]:
        """Matching objects, ordered by namespace and name."""
        wanted = dict(label_selector).items()
        with self._lock:
            found = [
                obj
                for (k, ns, _), obj in sorted(self._objects.items())
                if k == kind
                and (not namespace or ns == namespace)
                and wanted <= (obj["metadata"].get("labels") or {}).items()
            ]
            return copy.deepcopy(found)


class _ObjectDriver(ABC):
    """What the Secret and ConfigMap drivers share; they differ only in how ``data`` is held."""

    _KIND: str
    _DRIVER_NAME: str
    # The object's ``type`` field; ConfigMaps have none.
    _TYPE: str = ""

    def __init__(
        self, client: ObjectClient, namespace: str = "default", *, clock: Callable[[], float] = time.time
    ) -> None:
        self._client = client
        self._namespace = namespace
        self._clock = clock

    @property
    def name(self) -> str:
        return self._DRIVER_NAME

    @property
    def namespace(self) -> str:
        return self._namespace

    @abstractmethod
    def _pack(self, encoded: str) -> str:
        """How the encoded release text sits in ``data.release``."""

    @abstractmethod
    def _unpack(self, stored: str) -> str:
        """The encoded release text back from ``data.release``; raises ReleaseDecodeError."""

    def _object(self, key: str, release: Release, labels: Mapping[str, str], stamp_label: str) -> dict[str, Any]:
        user = {k: v for k, v in labels.items() if k not in SYSTEM_LABELS}
        every = {**user, stamp_label: str(int(self._clock())), **system_labels(release)}
        obj: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": self._KIND,
            "metadata": {
                "name": key,
                "namespace": write_namespace(release, self._namespace),
                "labels": dict(sorted(every.items())),
            },
        }
        if self._TYPE:
            obj["type"] = self._TYPE
        obj["data"] = {"release": self._pack(encode(release))}
        return obj

    def _decode(self, obj: Mapping[str, Any]) -> Release:
        stored = (obj.get("data") or {}).get("release")
        name = (obj.get("metadata") or {}).get("name", "?")
        if not isinstance(stored, str):
            raise ReleaseDecodeError(f'{self._KIND} "{name}" has no release data')
        return decode(self._unpack(stored))

    def _locate(self, key: str) -> dict[str, Any] | None:
        if self._namespace:
            return self._client.get(self._KIND, self._namespace, key)
        # Every namespace: the key names the object, the namespace has to be found.
        for obj in self._client.list(self._KIND, "", {"owner": OWNER}):
            if obj["metadata"].get("name") == key:
                return obj
        return None

    def get(self, key: str) -> Release:
        """The record under ``key`` with its user labels; raises InvalidKey or ReleaseNotFound."""
        parse_key(key)
        obj = self._locate(key)
        if obj is None:
            raise ReleaseNotFound()
        labels = obj["metadata"].get("labels") or {}
        return replace(self._decode(obj), labels={k: v for k, v in labels.items() if k not in SYSTEM_LABELS})

    def _read_all(self, selector: Mapping[str, str]) -> builtins.list[Release]:
        releases = []
        for obj in self._client.list(self._KIND, self._namespace, selector):
            try:
                rel = self._decode(obj)
            except ReleaseDecodeError:
                # Helm skips (and logs) records it cannot decode rather than failing the listing.
                continue
            releases.append(replace(rel, labels=dict(obj["metadata"].get("labels") or {})))
        return releases

    def list(self, filter: ReleaseFilter | None = None) -> builtins.list[Release]:
        """Every ``owner=helm`` record in scope passing ``filter``, with all its labels."""
        return [rel for rel in self._read_all({"owner": OWNER}) if filter is None or filter(rel)]

    def query(self, labels: Mapping[str, str]) -> builtins.list[Release]:
        """Records in scope carrying every label of ``labels``; raises NoResults when none."""
        found = self._read_all(labels)
        if not found:
            raise NoResults()
        return found

    def create(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Create the storage object; raises ReleaseExists when it exists."""
        parse_key(key)
        try:
            self._client.create(self._object(key, release, labels, "createdAt"))
        except ObjectExists:
            raise ReleaseExists() from None

    def update(self, key: str, release: Release, labels: Mapping[str, str]) -> None:
        """Replace the storage object (labels rebuilt); raises ReleaseNotFound when absent."""
        parse_key(key)
        try:
            self._client.update(self._object(key, release, labels, "modifiedAt"))
        except ObjectNotFound:
            raise ReleaseNotFound() from None

    def delete(self, key: str) -> Release:
        """Delete the storage object and return its release; raises InvalidKey or ReleaseNotFound."""
        parse_key(key)
        obj = self._locate(key)
        if obj is None:
            raise ReleaseNotFound()
        release = self._decode(obj)
        try:
            self._client.delete(self._KIND, obj["metadata"]["namespace"], key)
        except ObjectNotFound:
            raise ReleaseNotFound() from None
        labels = obj["metadata"].get("labels") or {}
        return replace(release, labels={k: v for k, v in labels.items() if k not in SYSTEM_LABELS})

    def lease_store(self) -> LeaseStore:
        """Leases as objects of the same kind beside the records (``sh.helmlite.lock.v1.<name>``)."""
        return _ObjectLeases(self._client, self._KIND, self._namespace or "default")


class SecretDriver(_ObjectDriver):
    """Helm's default driver: one Secret per revision in the release namespace."""

    _KIND = "Secret"
    _DRIVER_NAME = "Secret"
    _TYPE = STORAGE_TYPE

    def _pack(self, encoded: str) -> str:
        # The API holds Secret data base64-encoded; Helm's bytes are the encoded text.
        return base64.b64encode(encoded.encode("ascii")).decode("ascii")

    def _unpack(self, stored: str) -> str:
        try:
            return base64.b64decode(stored, validate=True).decode("ascii")
        except (binascii.Error, ValueError) as exc:
            raise ReleaseDecodeError(f"Secret release data is not valid base64: {exc}") from None


class ConfigMapDriver(_ObjectDriver):
    """Helm's ``configmap`` driver: one ConfigMap per revision, the encoded text as data."""

    _KIND = "ConfigMap"
    _DRIVER_NAME = "ConfigMap"

    def _pack(self, encoded: str) -> str:
        return encoded

    def _unpack(self, stored: str) -> str:
        return stored


class _ObjectLeases:
    """Leases as objects; every write is conditional on the ``resourceVersion`` last read."""

    def __init__(self, client: ObjectClient, kind: str, namespace: str) -> None:
        self._client = client
        self._kind = kind
        self._namespace = namespace

    def _object(self, name: str, body: str, version: str | None) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "name": lease_key(name),
            "namespace": self._namespace,
            # Not owner=helm: Helm's own selectors must never pick a lease up as a release.
            "labels": {"name": name, "owner": _LEASE_OWNER},
        }
        if version is not None:
            meta["resourceVersion"] = version
        obj: dict[str, Any] = {"apiVersion": "v1", "kind": self._kind, "metadata": meta}
        if self._kind == "Secret":
            obj["type"] = LEASE_SECRET_TYPE
            obj["data"] = {"lease": base64.b64encode(body.encode("utf-8")).decode("ascii")}
        else:
            obj["data"] = {"lease": body}
        return obj

    def read(self, name: str) -> tuple[str, str] | None:
        obj = self._client.get(self._kind, self._namespace, lease_key(name))
        if obj is None:
            return None
        body = str((obj.get("data") or {}).get("lease", ""))
        if self._kind == "Secret":
            try:
                body = base64.b64decode(body, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                # Unreadable: lock.py treats a lease it cannot parse as abandoned.
                body = ""
        return body, str(obj["metadata"]["resourceVersion"])

    def create(self, name: str, body: str) -> bool:
        try:
            self._client.create(self._object(name, body, None))
        except ObjectExists:
            return False
        return True

    def swap(self, name: str, version: str, body: str) -> bool:
        try:
            self._client.update(self._object(name, body, version))
        except (ObjectConflict, ObjectNotFound):
            return False
        return True

    def remove(self, name: str, version: str) -> bool:
        try:
            self._client.delete(self._kind, self._namespace, lease_key(name), version)
        except (ObjectConflict, ObjectNotFound):
            return False
        return True
