"""The Kubernetes REST API over a ``ServedCluster``, as a raw ASGI application.

Raw ASGI rather than Starlette routing: every request is one dictionary lookup away from the
store, which is what keeps the server above 1,000 mutating requests per second on one core.
Everything runs on the event loop's thread — the cluster is single-threaded by design, and
each handler is a short synchronous call into the store — except watch streams, which wait.

URL layout (``/api/v1`` for the core group, ``/apis/<group>/<version>`` for the others)::

    …/<resource>                               list, watch (?watch=true), create, deletecollection
    …/namespaces/<ns>/<resource>               the same within a namespace
    …/[namespaces/<ns>/]<resource>/<name>      get, replace, patch, delete
    …/[namespaces/<ns>/]<resource>/<name>/<sub> status, scale, log, binding, eviction, finalize

Responses are JSON (``as=Table`` when kubectl asks for it); errors are ``Status`` objects with
the reasons and messages the store's ``ApiError``s carry.

While a CLI command holds the cluster file, a request that needs it waits *asynchronously*
(polling, so other requests — reads from memory, watches — go on) for up to
``BUSY_WAIT_SECONDS``, then gets ``503`` with ``Retry-After``, which client-go (kubectl, Helm)
retries on its own.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from helmlite.apiserver import discovery
from helmlite.apiserver.state import ServedCluster
from helmlite.apiserver.watch import TooOldError, Watcher
from helmlite.cluster.clock import format_time
from helmlite.cluster.errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    MethodNotAllowedError,
    NotFoundError,
    RequestEntityTooLargeError,
    SimulatorError,
    UnsupportedMediaTypeError,
)
from helmlite.cluster.kinds import Kind
from helmlite.cluster.persistence import ClusterBusyError
from helmlite.cluster.selectors import FieldSelector, LabelSelector

__all__ = ["BOOKMARK_INTERVAL_SECONDS", "BUSY_RETRY_AFTER_SECONDS", "BUSY_WAIT_SECONDS", "DEFAULT_WATCH_TIMEOUT_SECONDS",
           "MAX_BODY_BYTES", "ApiServerApp"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# The API server refuses request bodies above 3 MiB (etcd's value limit, plus slack).
MAX_BODY_BYTES = 3 * 1024 * 1024
# How often an idle watch that allows bookmarks gets one (the API server sends about one a minute).
BOOKMARK_INTERVAL_SECONDS = 30.0
# A watch without timeoutSeconds ends after this long (the API server picks 30–60 minutes).
DEFAULT_WATCH_TIMEOUT_SECONDS = 1800.0
# Poll for another process's commits at least this often, so watchers see CLI changes.
FOREIGN_WRITE_POLL_SECONDS = 1.0
# How long a request waits for a cluster file a CLI command holds before it is answered 503
# with ``Retry-After: BUSY_RETRY_AFTER_SECONDS``; client-go retries that up to 10 times.
BUSY_WAIT_SECONDS = 5.0
BUSY_RETRY_AFTER_SECONDS = 1
# Polling a busy file: the first retry comes soon (a CLI command commits in milliseconds), later
# ones back off to this interval.
_BUSY_POLL_FIRST_SECONDS = 0.002
_BUSY_POLL_MAX_SECONDS = 0.05
# Answered without the cluster, so they never wait for the file: probes must not fail because a
# CLI command holds it.
_CLUSTER_FREE_PATHS = frozenset({"healthz", "livez", "readyz", "version"})

_JSON = b"application/json"
_TABLE = b"application/json;as=Table;v=v1;g=meta.k8s.io"
_PROTOBUF = "application/vnd.kubernetes.protobuf"
_NOT_FOUND = "the server could not find the requested resource"
_INITIAL_EVENTS_END = "k8s.io/initial-events-end"
_PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
                "application/strategic-merge-patch+json", "application/apply-patch+yaml")
_log = logging.getLogger("helmlite.apiserver")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _status(code: int, reason: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": message, "reason": reason, "code": code}
    if details:
        status["details"] = dict(details)
    return status


def _success(kind: Kind, name: str, uid: str = "") -> dict[str, Any]:
    details = {"name": name, "group": kind.group, "kind": kind.plural}
    if uid:
        details["uid"] = uid
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


class UnauthorizedError(ApiError):
    """No or a wrong bearer token (401)."""

    reason = "Unauthorized"
    code = 401


class ExpiredError(ApiError):
    """A resourceVersion older than the retained watch history (410)."""

    reason = "Expired"
    code = 410


@dataclass
class Response:
    """A complete (non-streaming) response."""

    status: int
    body: bytes
    content_type: bytes = _JSON
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass
class WatchRequest:
    """A watch to stream: the watcher is registered, ``initial`` events go first."""

    watcher: Watcher
    version: str
    initial: list[tuple[str, dict[str, Any]]]
    end_bookmark: int | None  # the WatchList "initial events end" bookmark's resourceVersion
    bookmarks: bool
    timeout: float
    as_table: bool


@dataclass(frozen=True)
class _Target:
    """What a resource URL names."""

    kind: Kind
    version: str
    namespace: str
    name: str
    subresource: str

    @property
    def api_version(self) -> str:
        return self.kind.api_version(self.version)


def _content_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


# Top-level fields each built-in kind has besides apiVersion/kind/metadata; kinds not listed
# have spec and status. Strict field validation reports anything else as unknown.
_TOP_LEVEL_FIELDS: dict[str, frozenset[str]] = {
    "ConfigMap": frozenset({"data", "binaryData", "immutable"}),
    "Secret": frozenset({"data", "stringData", "type", "immutable"}),
    "ServiceAccount": frozenset({"secrets", "imagePullSecrets", "automountServiceAccountToken"}),
    "Endpoints": frozenset({"subsets"}),
    "Event": frozenset({"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
                        "count", "type", "eventTime", "series", "action", "related", "reportingComponent",
                        "reportingInstance"}),
    "ControllerRevision": frozenset({"data", "revision"}),
    "EndpointSlice": frozenset({"addressType", "endpoints", "ports"}),
    "Role": frozenset({"rules"}),
    "ClusterRole": frozenset({"rules", "aggregationRule"}),
    "RoleBinding": frozenset({"subjects", "roleRef"}),
    "ClusterRoleBinding": frozenset({"subjects", "roleRef"}),
    "StorageClass": frozenset({"provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion",
                               "volumeBindingMode", "allowedTopologies"}),
    "PriorityClass": frozenset({"value", "globalDefault", "description", "preemptionPolicy"}),
}
_SPEC_STATUS = frozenset({"spec", "status"})
_METADATA_FIELDS = frozenset({"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
                              "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                              "labels", "annotations", "ownerReferences", "finalizers", "managedFields"})


def unknown_fields(kind: Kind, obj: Mapping[str, Any]) -> list[str]:
    """Top-level and ``metadata`` fields a built-in kind's Go type does not have (strict decoding).

    Deeper fields are not checked: the simulator carries no full schemas.
    """
    if not kind.builtin:
        return []
    allowed = _TOP_LEVEL_FIELDS.get(kind.kind, _SPEC_STATUS)
    out = [k for k in obj if k not in allowed and k not in ("apiVersion", "kind", "metadata")]
    meta = obj.get("metadata")
    if isinstance(meta, Mapping):
        out += [f"metadata.{k}" for k in meta if k not in _METADATA_FIELDS]
    return out


def render_table(store: Any, kind: Kind, objects: Sequence[Mapping[str, Any]], *, now: float,
                 include_object: bool) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``objects`` with the columns ``kubectl get`` shows (a custom
    kind's ``additionalPrinterColumns`` from its CRD)."""
    from helmlite.cluster.printers import find_crd, table

    return table(kind, objects, now=now, include_object=include_object, crd=find_crd(store, kind))


class ApiServerApp:
    """The ASGI application. ``token``: require ``Authorization: Bearer <token>`` when set."""

    def __init__(self, served: ServedCluster, *, token: str = "") -> None:
        self.served = served
        self._token = token.encode()
        self._kinds_by_resource: dict[tuple[str, str], Kind] = {}
        self._ticker: asyncio.Task[None] | None = None

    # --- ASGI ----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start_ticker()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def start_ticker(self) -> None:
        """Start the task that moves virtual time along with the wall clock (on the running loop)."""
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def stop(self) -> None:
        """End every watch and the clock task."""
        self.served.hub.close_all()
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker

    async def _tick_forever(self) -> None:
        busy_backoff = _BUSY_POLL_FIRST_SECONDS
        while True:
            wait = self.served.seconds_to_next_timer()
            wait = FOREIGN_WRITE_POLL_SECONDS if wait is None else min(max(wait, 0.0), FOREIGN_WRITE_POLL_SECONDS)
            await asyncio.sleep(wait + 0.001)
            try:
                in_step = self.served.refresh()
            except ClusterBusyError:
                in_step = False
            except Exception:  # noqa: BLE001 — a bug or an unreadable file: log it, keep time running
                _log.exception("cannot advance the cluster")
                in_step = False
            if in_step:
                busy_backoff = _BUSY_POLL_FIRST_SECONDS
                continue
            # A CLI command holds the file (or advancing failed) and timers are due: try again
            # with a growing interval, not at once (the wait above is 0 while a timer is overdue).
            await asyncio.sleep(busy_backoff)
            busy_backoff = min(busy_backoff * 2, FOREIGN_WRITE_POLL_SECONDS)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            self._authenticate(headers)
            body = await _read_body(receive)
            query = {k: v[-1] for k, v in parse_qs(scope["query_string"].decode("latin-1"),
                                                   keep_blank_values=True).items()}
            result = await self._answer(scope["method"], scope["path"], query, headers, body)
        except ApiError as err:
            result = Response(err.code, _dumps(err.to_status()))
        except ClusterBusyError:
            message = (f"cluster file {self.served.path} is busy: a helmlite command has held it for "
                       f"{BUSY_WAIT_SECONDS:g}s; retry after {BUSY_RETRY_AFTER_SECONDS}s")
            result = Response(503, _dumps(_status(503, "ServiceUnavailable", message,
                                                  {"retryAfterSeconds": BUSY_RETRY_AFTER_SECONDS})),
                              headers=[(b"retry-after", str(BUSY_RETRY_AFTER_SECONDS).encode())])
        except SimulatorError as err:
            result = Response(503, _dumps(_status(503, "ServiceUnavailable", str(err))))
        except Exception as err:  # noqa: BLE001 — a bug: answer 500 as the API server does, keep serving
            _log.exception("%s %s failed", scope["method"], scope["path"])
            result = Response(500, _dumps(_status(500, "InternalError",
                                                  f"an error on the server has prevented the request from succeeding: "
                                                  f"{type(err).__name__}: {err}")))
        if isinstance(result, WatchRequest):
            await self._stream(result, receive, send)
            return
        response_headers = [(b"content-type", result.content_type), (b"content-length", str(len(result.body)).encode()),
                            (b"cache-control", b"no-cache, private"), *result.headers]
        await send({"type": "http.response.start", "status": result.status, "headers": response_headers})
        await send({"type": "http.response.body", "body": result.body})

    async def _answer(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str],
                      body: bytes) -> Response | WatchRequest:
        """``dispatch`` after ``refresh``, retried while the cluster file is busy.

        Retrying is safe: ``ClusterBusyError`` comes from starting a transaction, before the
        request changed anything (or, rarely, from a ``COMMIT``, which is then rolled back and
        memory reloaded before the retry runs). The waits are ``asyncio.sleep``s outside any transaction, so
        other requests are served meanwhile, and a client going away (cancelling this
        coroutine there) leaves nothing open.

        Raises:
            ClusterBusyError: still busy after ``BUSY_WAIT_SECONDS``.
            ApiError: the request fails.
        """
        if path.strip("/") in _CLUSTER_FREE_PATHS:
            return self.dispatch(method, path, query, headers, body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_WAIT_SECONDS
        poll = _BUSY_POLL_FIRST_SECONDS
        while True:
            try:
                self.served.refresh()
                return self.dispatch(method, path, query, headers, body)
            except ClusterBusyError:
                if loop.time() + poll > deadline:
                    raise
            await asyncio.sleep(poll)
            poll = min(poll * 2, _BUSY_POLL_MAX_SECONDS)

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        if not self._token:
            return
        given = headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self._token):
            raise UnauthorizedError("Unauthorized")

    # --- routing -------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str],
                 body: bytes) -> Response | WatchRequest:
        """Answer one request (synchronously; a watch is returned to be streamed).

        Raises:
            ApiError: the request fails; the caller sends its Status.
        """
        parts = [p for p in path.split("/") if p]
        kinds = self.served.cluster.kinds
        accept = headers.get("accept", "")
        if not parts:
            return self._json({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3",
                                         "/readyz", "/version"]})
        head = parts[0]
        if head == "version" and len(parts) == 1:
            return self._json(discovery.version_info())
        if head in ("healthz", "readyz", "livez"):
            return Response(200, b"ok", b"text/plain; charset=utf-8")
        if head == "openapi":
            return self._openapi(parts[1:])
        if head == "api" and len(parts) == 1:
            if "as=APIGroupDiscoveryList" in accept:
                return self._aggregated(discovery.api_group_discovery(kinds, core=True))
            return self._json(discovery.api_versions())
        if head == "apis" and len(parts) == 1:
            if "as=APIGroupDiscoveryList" in accept:
                return self._aggregated(discovery.api_group_discovery(kinds, core=False))
            return self._json(discovery.api_group_list(kinds))
        if head == "apis" and len(parts) == 2:
            group_doc = discovery.api_group(kinds, parts[1])
            if group_doc is None:
                raise NotFoundError(_NOT_FOUND)
            return self._json(group_doc)
        if head == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif head == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise NotFoundError(_NOT_FOUND)
        if not rest:
            resources = discovery.api_resource_list(kinds, group, version)
            if resources is None or method != "GET":
                raise NotFoundError(_NOT_FOUND)
            return self._json(resources)
        return self._resource(method, self._target(group, version, rest), query, headers, body)

    def _target(self, group: str, version: str, rest: list[str]) -> _Target:
        namespace = ""
        if rest[0] == "namespaces" and len(rest) >= 3 and not (len(rest) == 3 and rest[2] in ("status", "finalize")):
            namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            raise NotFoundError(_NOT_FOUND)
        kind = self._kind(group, version, rest[0])
        name = rest[1] if len(rest) > 1 else ""
        if namespace and not kind.namespaced:
            raise NotFoundError(_NOT_FOUND)
        if name and kind.namespaced and not namespace:
            raise NotFoundError(_NOT_FOUND)
        return _Target(kind, version, namespace, name, rest[2] if len(rest) > 2 else "")

    def _kind(self, group: str, version: str, plural: str) -> Kind:
        registry = self.served.cluster.kinds
        kind = self._kinds_by_resource.get((group, plural))
        # Re-check against the registry: a CRD may have been (re)defined or removed.
        if kind is None or registry.get(kind.group, kind.kind) is not kind:
            self._kinds_by_resource = {(k.group, k.plural): k for k in registry}
            kind = self._kinds_by_resource.get((group, plural))
        if kind is None or version not in kind.versions:
            raise NotFoundError(_NOT_FOUND)
        return kind

    def _openapi(self, rest: list[str]) -> Response:
        kinds = self.served.cluster.kinds
        if rest == ["v3"]:
            return self._json(discovery.openapi_index(kinds))
        document = None
        if len(rest) == 3 and rest[:2] == ["v3", "api"]:
            document = discovery.openapi_document(kinds, "", rest[2])
        elif len(rest) == 4 and rest[:2] == ["v3", "apis"]:
            document = discovery.openapi_document(kinds, rest[2], rest[3])
        if document is None:
            raise NotFoundError(_NOT_FOUND)
        return self._json(document)

    @staticmethod
    def _json(value: Any, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
        return Response(status, _dumps(value), _JSON, headers or [])

    @staticmethod
    def _aggregated(value: Any) -> Response:
        return Response(200, _dumps(value), discovery.AGGREGATED_DISCOVERY_TYPE.encode())

    # --- resources -----------------------------------------------------------------------

    def _resource(self, method: str, target: _Target, query: Mapping[str, str], headers: Mapping[str, str],
                  body: bytes) -> Response | WatchRequest:
        sub = target.subresource
        if method == "GET":
            if not target.name:
                if query.get("watch") in ("true", "1"):
                    return self._watch(target, query, headers)
                return self._list(target, query, headers)
            if sub in ("", "status"):
                return self._get(target, query, headers)
            if sub == "scale":
                return self._json(self.served.cluster.store.get_scale(
                    target.api_version, target.kind.kind, target.name, namespace=target.namespace))
            if sub == "log" and target.kind.group_kind == ("", "Pod"):
                return self._logs(target, query)
        elif method == "POST":
            if not target.name:
                return self._create(target, query, headers, body)
            if sub == "binding" and target.kind.group_kind == ("", "Pod"):
                return self._bind(target, headers, body)
            if sub == "eviction" and target.kind.group_kind == ("", "Pod"):
                return self._evict(target, headers, body)
        elif method == "PUT" and target.name:
            return self._replace(target, query, headers, body)
        elif method == "PATCH" and target.name:
            return self._patch(target, query, headers, body)
        elif method == "DELETE":
            if not target.name:
                return self._delete_collection(target, query, headers, body)
            if not sub:
                return self._delete(target, query, headers, body)
        if sub and sub not in ("status", "scale", "log", "binding", "eviction", "finalize"):
            raise NotFoundError(_NOT_FOUND)
        raise MethodNotAllowedError("the server does not allow this method on the requested resource")

    def _render(self, target: _Target, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj`` (a stored snapshot) in the version the request asked for."""
        if target.version == target.kind.storage_version:
            return obj
        # The store's conversion (autoscaling/v1 ⇄ v2 and apiVersion rewriting) is not public API.
        return self.served.cluster.store._out(target.kind, target.version, obj, copy=False)

    def _get(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str]) -> Response:
        store = self.served.cluster.store
        if target.subresource == "status" and not target.kind.status_subresource:
            raise NotFoundError(_NOT_FOUND)
        obj = store.get(target.api_version, target.kind.kind, target.name, namespace=target.namespace, copy=False)
        if "as=Table" in headers.get("accept", ""):
            table = render_table(store, target.kind, [obj], now=self.served.cluster.clock.now,
                                 include_object=query.get("includeObject") == "Object")
            return Response(200, _dumps(table), _TABLE)
        return self._json(obj)

    def _list(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str]) -> Response:
        cluster = self.served.cluster
        items = cluster.store.list(target.api_version, target.kind.kind, namespace=target.namespace,
                                   label_selector=query.get("labelSelector") or None,
                                   field_selector=query.get("fieldSelector") or None, copy=False)
        resource_version = str(cluster.store.resource_version)
        token = query.get("continue", "")
        if token:
            start = _decode_continue(token)
            items = [o for o in items if (o["metadata"].get("namespace", ""), o["metadata"]["name"]) > start]
        metadata: dict[str, Any] = {"resourceVersion": resource_version}
        limit = _int_param(query, "limit")
        if limit and limit > 0 and len(items) > limit:
            remaining = len(items) - limit
            items = items[:limit]
            last = items[-1]["metadata"]
            metadata["continue"] = _encode_continue(last.get("namespace", ""), last["name"])
            metadata["remainingItemCount"] = remaining
        if "as=Table" in headers.get("accept", ""):
            table = render_table(cluster.store, target.kind, items, now=cluster.clock.now,
                                 include_object=query.get("includeObject") == "Object")
            table["metadata"] = {**(table.get("metadata") or {}), **metadata}
            return Response(200, _dumps(table), _TABLE)
        return self._json({"kind": f"{target.kind.kind}List", "apiVersion": target.api_version,
                           "metadata": metadata, "items": items})

    def _decode_body(self, target: _Target, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """A POST/PUT body (JSON, or protobuf from client-go's typed clients) as an object."""
        content_type = _content_type(headers)
        if content_type == _PROTOBUF:
            from helmlite.apiserver.protobuf import decode_object

            obj = decode_object(body)
        elif content_type in ("application/json", "", "application/yaml"):
            obj = _parse(body, yaml_ok=content_type == "application/yaml")
        else:
            raise UnsupportedMediaTypeError.accepting(["application/json", "application/yaml", _PROTOBUF])
        if not isinstance(obj, dict):
            raise BadRequestError("the request body must be a JSON object")
        return obj

    def _check_object(self, target: _Target, obj: dict[str, Any], query: Mapping[str, str],
                      *, name_required: bool) -> list[tuple[bytes, bytes]]:
        """Fill in and check an incoming object against the URL; returns Warning headers.

        Raises:
            BadRequestError: a mismatched kind, version, namespace or name, or (with
                ``fieldValidation=Strict``) unknown fields.
        """
        kind = target.kind
        obj.setdefault("apiVersion", target.api_version)
        obj.setdefault("kind", kind.kind)
        if obj["apiVersion"] != target.api_version or obj["kind"] != kind.kind:
            raise BadRequestError(f'the API version in the data ({obj["apiVersion"]}) does not match the expected '
                                  f'API version ({target.api_version})' if obj["kind"] == kind.kind else
                                  f'the kind in the data ({obj["kind"]}) does not match the expected kind ({kind.kind})')
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            raise BadRequestError("metadata must be an object")
        if kind.namespaced:
            if not meta.get("namespace"):
                meta["namespace"] = target.namespace
            elif target.namespace and meta["namespace"] != target.namespace:
                raise BadRequestError("the namespace of the provided object does not match the namespace sent "
                                      "on the request")
        if target.name:
            if not meta.get("name"):
                meta["name"] = target.name
            elif meta["name"] != target.name:
                raise BadRequestError(f'the name of the object ({meta["name"]}) does not match the name on the '
                                      f'URL ({target.name})')
        elif name_required and not meta.get("name") and not meta.get("generateName"):
            raise InvalidNameError(kind)
        unknown = unknown_fields(kind, obj)
        if not unknown:
            return []
        validation = query.get("fieldValidation", "Warn")
        if validation == "Strict":
            listed = ", ".join(f'unknown field "{f}"' for f in unknown)
            raise BadRequestError(f'{kind.kind} in version "{target.version}" cannot be handled as a {kind.kind}: '
                                  f"strict decoding error: {listed}")
        if validation == "Ignore":
            return []
        return [(b"warning", f'299 - "unknown field \\"{f}\\""'.encode()) for f in unknown]

    def _dry_run(self, query: Mapping[str, str]) -> bool:
        value = query.get("dryRun", "")
        if value and value != "All":
            raise BadRequestError(f'dryRun: Unsupported value: "{value}": supported values: "All"')
        return value == "All"

    def _create(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str],
                body: bytes) -> Response:
        obj = self._decode_body(target, headers, body)
        warnings = self._check_object(target, obj, query, name_required=True)
        manager = _field_manager(query, headers)
        if self._dry_run(query):
            result = self.served.scratch().store.create(obj, field_manager=manager, copy=False)
        else:
            with self.served.write() as cluster:
                result = cluster.store.create(obj, field_manager=manager, copy=False)
        return self._json(result, 201, warnings)

    def _replace(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str],
                 body: bytes) -> Response:
        sub = target.subresource
        obj = self._decode_body(target, headers, body)
        if sub == "scale":
            return self._write_scale(target, obj, query, headers)
        if sub == "finalize" and target.kind.group_kind == ("", "Namespace"):
            return self._finalize(target, obj)
        if sub not in ("", "status"):
            raise MethodNotAllowedError("the server does not allow this method on the requested resource")
        warnings = self._check_object(target, obj, query, name_required=True)
        manager = _field_manager(query, headers)
        if self._dry_run(query):
            result = self.served.scratch().store.replace(obj, field_manager=manager, subresource=sub or None,
                                                         copy=False)
        else:
            with self.served.write() as cluster:
                result = cluster.store.replace(obj, field_manager=manager, subresource=sub or None, copy=False)
        return self._json(self._render(target, result), 200, warnings)

    def _finalize(self, target: _Target, obj: dict[str, Any]) -> Response:
        finalizers = (obj.get("spec") or {}).get("finalizers") or []
        with self.served.write() as cluster:
            current = cluster.store.get("v1", "Namespace", target.name, copy=False)
            result = current if "kubernetes" in finalizers else cluster.store.finalize_namespace(target.name)
        return self._json(result if result is not None else current)

    def _patch(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str],
               body: bytes) -> Response:
        content_type = _content_type(headers)
        if content_type not in _PATCH_TYPES or (
                content_type == "application/strategic-merge-patch+json" and not target.kind.builtin):
            raise UnsupportedMediaTypeError.accepting(
                [t for t in _PATCH_TYPES if target.kind.builtin or "strategic" not in t])
        sub = target.subresource
        if sub == "scale":
            current = self.served.cluster.store.get_scale(target.api_version, target.kind.kind, target.name,
                                                          namespace=target.namespace)
            return self._write_scale(target, _patched(content_type, current, body, target), query, headers)
        if sub not in ("", "status"):
            raise MethodNotAllowedError("the server does not allow this method on the requested resource")
        manager = _field_manager(query, headers) if content_type != "application/apply-patch+yaml" else \
            query.get("fieldManager", "")
        store_cluster = self.served.scratch() if self._dry_run(query) else None

        def run(cluster: Any) -> tuple[int, dict[str, Any]]:
            store = cluster.store
            if content_type == "application/apply-patch+yaml":
                obj = _parse(body, yaml_ok=True)
                if not isinstance(obj, dict):
                    raise BadRequestError("the apply configuration must be an object")
                self._check_object(target, obj, query, name_required=True)
                existed = store.peek(target.kind.group, target.kind.kind, target.namespace, target.name) is not None
                result = store.apply(obj, field_manager=manager, force=query.get("force") == "true",
                                     subresource=sub or None, copy=False)
                return (200 if existed else 201), result
            if content_type == "application/merge-patch+json":
                patch = _parse(body)
                if not isinstance(patch, dict):
                    raise BadRequestError("a merge patch must be a JSON object")
                return 200, store.patch(target.api_version, target.kind.kind, target.name, patch,
                                        namespace=target.namespace, field_manager=manager, subresource=sub or None,
                                        copy=False)
            current = store.get(target.api_version, target.kind.kind, target.name, namespace=target.namespace)
            new = _patched(content_type, current, body, target)
            if not isinstance(new, dict):
                raise BadRequestError("the patched object must be a JSON object")
            self._check_object(target, new, query, name_required=True)
            return 200, store.replace(new, field_manager=manager, subresource=sub or None, copy=False)

        if store_cluster is not None:
            code, result = run(store_cluster)
        else:
            with self.served.write() as cluster:
                code, result = run(cluster)
        return self._json(self._render(target, result), code)

    def _write_scale(self, target: _Target, scale: Any, query: Mapping[str, str],
                     headers: Mapping[str, str]) -> Response:
        if not isinstance(scale, dict):
            raise BadRequestError("the Scale must be a JSON object")
        replicas = (scale.get("spec") or {}).get("replicas", 0)
        if type(replicas) is not int:
            raise BadRequestError(f"Scale.spec.replicas must be an integer, not {replicas!r}")
        want = (scale.get("metadata") or {}).get("resourceVersion")
        with self.served.write() as cluster:
            current = cluster.store.get_scale(target.api_version, target.kind.kind, target.name,
                                              namespace=target.namespace)
            if want and want != current["metadata"].get("resourceVersion"):
                raise ConflictError.for_object(target.kind.plural, target.kind.group, target.name,
                                               "the object has been modified; please apply your changes to the "
                                               "latest version and try again")
            result = cluster.store.update_scale(target.api_version, target.kind.kind, target.name, replicas,
                                                namespace=target.namespace,
                                                field_manager=_field_manager(query, headers))
        return self._json(result)

    def _delete_options(self, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if body.strip():
            if _content_type(headers) == _PROTOBUF:
                from helmlite.apiserver.protobuf import decode_delete_options

                options = decode_delete_options(body)
            else:
                parsed = _parse(body)
                if not isinstance(parsed, dict):
                    raise BadRequestError("DeleteOptions must be a JSON object")
                options = parsed
        for key in ("propagationPolicy", "gracePeriodSeconds", "orphanDependents", "dryRun"):
            if key in query and key not in options:
                options[key] = query[key] if key != "dryRun" else [query[key]]
        if str(options.get("orphanDependents", "")).lower() == "true" and "propagationPolicy" not in options:
            options["propagationPolicy"] = "Orphan"
        grace = options.get("gracePeriodSeconds")
        if grace is not None:
            try:
                options["gracePeriodSeconds"] = int(grace)
            except (TypeError, ValueError):
                raise BadRequestError(f"gracePeriodSeconds: invalid value {grace!r}") from None
        return options

    def _delete(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str],
                body: bytes) -> Response:
        options = self._delete_options(query, headers, body)
        dry_run = "All" in (options.get("dryRun") or [])

        def run(cluster: Any) -> Response:
            store = cluster.store
            result = store.delete(target.api_version, target.kind.kind, target.name, namespace=target.namespace,
                                  propagation_policy=options.get("propagationPolicy"),
                                  grace_period_seconds=options.get("gracePeriodSeconds"),
                                  preconditions=options.get("preconditions"), copy=False)
            if store.peek(target.kind.group, target.kind.kind, target.namespace, target.name) is not None:
                return self._json(self._render(target, result))  # still terminating
            return self._json(_success(target.kind, target.name, result["metadata"].get("uid", "")))

        if dry_run:
            return run(self.served.scratch())
        with self.served.write() as cluster:
            return run(cluster)

    def _delete_collection(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str],
                           body: bytes) -> Response:
        options = self._delete_options(query, headers, body)
        with self.served.write() as cluster:
            store = cluster.store
            for obj in store.list(target.api_version, target.kind.kind, namespace=target.namespace,
                                  label_selector=query.get("labelSelector") or None,
                                  field_selector=query.get("fieldSelector") or None, copy=False):
                meta = obj["metadata"]
                if meta.get("deletionTimestamp"):
                    continue
                store.delete(target.api_version, target.kind.kind, meta["name"], namespace=meta.get("namespace", ""),
                             propagation_policy=options.get("propagationPolicy"),
                             grace_period_seconds=options.get("gracePeriodSeconds"))
        return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"})

    def _bind(self, target: _Target, headers: Mapping[str, str], body: bytes) -> Response:
        binding = self._decode_body(target, headers, body)
        node = (binding.get("target") or {}).get("name")
        if not node:
            raise BadRequestError("Binding.target.name is required")
        with self.served.write() as cluster:
            cluster.store.bind_pod(target.name, node, namespace=target.namespace)
        return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
                          201)

    def _evict(self, target: _Target, headers: Mapping[str, str], body: bytes) -> Response:
        eviction = self._decode_body(target, headers, body)
        options = eviction.get("deleteOptions") or {}
        with self.served.write() as cluster:
            cluster.store.delete("v1", "Pod", target.name, namespace=target.namespace,
                                 grace_period_seconds=options.get("gracePeriodSeconds"),
                                 preconditions=options.get("preconditions"))
        return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
                          201)

    def _logs(self, target: _Target, query: Mapping[str, str]) -> Response:
        from helmlite.cluster.controllers.kubelet.logs import container_logs

        cluster = self.served.cluster
        text = container_logs(cluster, target.namespace, target.name, query.get("container") or None,
                              previous=query.get("previous") == "true")
        lines = text.splitlines()
        tail = _int_param(query, "tailLines")
        if tail is not None and tail >= 0:
            lines = lines[len(lines) - tail:] if tail else []
        if query.get("timestamps") == "true":
            stamp = format_time(cluster.clock.now).replace("Z", ".000000000Z")
            lines = [f"{stamp} {line}" for line in lines]
        return Response(200, ("".join(line + "\n" for line in lines)).encode(), b"text/plain")

    # --- watch ---------------------------------------------------------------------------

    def _watch(self, target: _Target, query: Mapping[str, str], headers: Mapping[str, str]) -> WatchRequest:
        cluster = self.served.cluster
        kind = target.kind
        watcher = Watcher(kind, target.namespace, LabelSelector.parse(query.get("labelSelector") or None),
                          FieldSelector.parse(query.get("fieldSelector") or None, kind.group, kind.kind))
        send_initial = query.get("sendInitialEvents") == "true"
        requested = query.get("resourceVersion", "")
        initial: list[tuple[str, dict[str, Any]]] = []
        if send_initial or requested in ("", "0"):
            initial = [("ADDED", obj) for obj in cluster.store.list(
                target.api_version, kind.kind, namespace=target.namespace, label_selector=watcher.labels,
                field_selector=watcher.fields, copy=False)]
        else:
            try:
                start = int(requested)
            except ValueError:
                raise BadRequestError(f'resourceVersion: Invalid value: "{requested}": must be an integer') from None
            try:
                initial = list(self.served.hub.since(watcher, start))
            except TooOldError as err:
                # As the API server does: a 200 stream whose only event is a 410 Status.
                expired = ExpiredError(f"too old resource version: {err.requested} ({err.oldest})")
                initial = [("ERROR", expired.to_status())]
                return WatchRequest(watcher, target.version, initial, None, False, 0.0, False)
        timeout = _int_param(query, "timeoutSeconds")
        self.served.hub.add(watcher)
        return WatchRequest(watcher, target.version, initial,
                            end_bookmark=cluster.store.resource_version if send_initial else None,
                            bookmarks=query.get("allowWatchBookmarks") == "true",
                            timeout=float(timeout) if timeout and timeout > 0 else DEFAULT_WATCH_TIMEOUT_SECONDS,
                            as_table="as=Table" in headers.get("accept", ""))

    def _event_line(self, request: WatchRequest, event_type: str, obj: dict[str, Any]) -> bytes:
        kind = request.watcher.kind
        if event_type not in ("ERROR", "BOOKMARK"):
            if request.version != kind.storage_version:
                obj = self.served.cluster.store._out(kind, request.version, obj, copy=False)
            if request.as_table:
                cluster = self.served.cluster
                obj = render_table(cluster.store, kind, [obj], now=cluster.clock.now, include_object=False)
        return _dumps({"type": event_type, "object": obj}) + b"\n"

    def _bookmark(self, request: WatchRequest, resource_version: int, *, end: bool) -> bytes:
        kind = request.watcher.kind
        meta: dict[str, Any] = {"resourceVersion": str(resource_version), "creationTimestamp": None}
        if end:
            meta["annotations"] = {_INITIAL_EVENTS_END: "true"}
        return _dumps({"type": "BOOKMARK", "object": {"kind": kind.kind, "apiVersion": kind.api_version(
            request.version), "metadata": meta}}) + b"\n"

    async def _stream(self, request: WatchRequest, receive: Receive, send: Send) -> None:
        hub = self.served.hub
        watcher = request.watcher
        loop = asyncio.get_running_loop()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", _TABLE if request.as_table else _JSON),
                                (b"cache-control", b"no-cache, private")]})
        disconnected = loop.create_task(_wait_disconnect(receive))
        try:
            chunk = b"".join(self._event_line(request, t, o) for t, o in request.initial)
            if request.end_bookmark is not None:
                chunk += self._bookmark(request, request.end_bookmark, end=True)
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if request.timeout <= 0:
                return
            deadline = loop.time() + request.timeout
            next_bookmark = loop.time() + BOOKMARK_INTERVAL_SECONDS
            while not disconnected.done():
                now = loop.time()
                if now >= deadline:
                    return
                wait = min(deadline, next_bookmark) - now
                getter = loop.create_task(watcher.events.get())
                done, _ = await asyncio.wait({getter, disconnected}, timeout=wait,
                                             return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    if request.bookmarks and loop.time() >= next_bookmark:
                        await send({"type": "http.response.body", "more_body": True,
                                    "body": self._bookmark(request, self.served.cluster.store.resource_version,
                                                           end=False)})
                        next_bookmark = loop.time() + BOOKMARK_INTERVAL_SECONDS
                    continue
                events = [getter.result()]
                while not watcher.events.empty():
                    events.append(watcher.events.get_nowait())
                lines = [self._event_line(request, *e) for e in events if e is not None]
                if lines:
                    await send({"type": "http.response.body", "body": b"".join(lines), "more_body": True})
                if None in events:
                    return
        finally:
            hub.remove(watcher)
            disconnected.cancel()
            try:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:
                pass  # the client went away first


class InvalidNameError(ApiError):
    """A create without ``metadata.name`` or ``generateName`` (422, as the API server words it)."""

    reason = "Invalid"
    code = 422

    def __init__(self, kind: Kind) -> None:
        super().__init__(f'{kind.kind}.{kind.group} "" is invalid: metadata.name: Required value: name or '
                         f'generateName is required' if kind.group else
                         f'{kind.kind} "" is invalid: metadata.name: Required value: name or generateName is required',
                         details={"kind": kind.kind, "group": kind.group, "causes": [
                             {"reason": "FieldValueRequired", "message": "Required value: name or generateName is "
                              "required", "field": "metadata.name"}]})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestEntityTooLargeError(f"the request body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _parse(body: bytes, *, yaml_ok: bool = False) -> Any:
    """JSON (or, for apply and ``application/yaml``, YAML) request content.

    Raises:
        BadRequestError: the body does not parse.
    """
    try:
        return json.loads(body)
    except ValueError as err:
        if not yaml_ok:
            raise BadRequestError(f"error decoding request body: {err}") from None
    import yaml

    try:
        return yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        raise BadRequestError(f"error decoding YAML: {err}") from None


def _patched(content_type: str, current: dict[str, Any], body: bytes, target: _Target) -> Any:
    """``current`` with a JSON, merge or strategic merge patch applied.

    Raises:
        BadRequestError / UnsupportedMediaTypeError: the patch is malformed or of a type the
        endpoint does not take.
    """
    patch = _parse(body)
    if content_type == "application/merge-patch+json":
        from helmlite.cluster.patch import json_merge_patch

        return json_merge_patch(current, patch)
    if content_type == "application/json-patch+json":
        from helmlite.cluster.jsonpatch import apply_json_patch

        return apply_json_patch(current, patch)
    if content_type == "application/strategic-merge-patch+json":
        from helmlite.cluster.strategicpatch import apply_strategic_merge_patch

        if not isinstance(patch, dict):
            raise BadRequestError("a strategic merge patch must be a JSON object")
        return apply_strategic_merge_patch(current, patch, target.kind.group, target.kind.kind)
    raise UnsupportedMediaTypeError.accepting(_PATCH_TYPES[:3])


def _field_manager(query: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """``fieldManager``, else what the API server derives from the user agent (``kubectl``, ``Helm``)."""
    manager = query.get("fieldManager", "")
    if manager:
        return manager
    agent = headers.get("user-agent", "")
    return agent.split("/", 1)[0][:128] or "unknown"


def _int_param(query: Mapping[str, str], name: str) -> int | None:
    value = query.get(name, "")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequestError(f'{name}: Invalid value: "{value}": must be an integer') from None


def _encode_continue(namespace: str, name: str) -> str:
    return base64.urlsafe_b64encode(_dumps({"v": "meta.k8s.io/v1", "start": [namespace, name]})).decode()


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        start = json.loads(base64.urlsafe_b64decode(token.encode()))["start"]
        return str(start[0]), str(start[1])
    except (ValueError, KeyError, IndexError, TypeError):
        raise BadRequestError(f'continue key is not valid: "{token}"') from None
