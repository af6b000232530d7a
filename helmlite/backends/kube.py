"""A real Kubernetes cluster behind the Backend contract, through the official ``kubernetes`` client.

``KubeBackend(KubeConnection(...))`` is ``--backend kube``. The connection is resolved the way
Helm (client-go's ``clientcmd``) resolves it: ``--kubeconfig`` or ``$KUBECONFIG`` (a
colon-separated list, merged) or ``~/.kube/config``; else the in-cluster service account;
then the ``--kube-*`` overrides (API server URL, bearer token, CA file, skip TLS verify, TLS
server name, impersonated user and groups) on top. Without ``-n``, release commands work in the
kubeconfig context's namespace (``KubeConnection.namespace``). Exec plugins and OIDC refresh
are the library's (``kubernetes.config``).

What goes over the wire is what Helm v4 sends (``/work/shared/notes/kubernetes-api.md`` §3.4):
server-side apply (``PATCH`` ``application/apply-patch+yaml``, ``fieldManager=helmlite``,
``force`` only on ``--force-conflicts``, ``fieldValidation=Strict``, ``dryRun=All`` for dry
runs), ``POST`` for create, ``PATCH`` with the JSON, merge or strategic merge patch media type
for ``Session.patch``, ``DELETE`` with a ``DeleteOptions.propagationPolicy``. Every kind —
custom resources included — is mapped through discovery at run time (aggregated discovery
when the server offers it, else the legacy per-group-version documents); discovery is
refreshed after a CRD is applied and once on any kind it does not know.

Waits follow the objects with watches (list, then watch from the list's resourceVersion); what
they make of the changes is ``helmlite.backends.waiting``'s, shared with the simulator, so
``--wait`` gives the same statuses and messages as there, in wall-clock seconds. Sessions cannot roll back: each request
is committed by the API server when it is answered.

Nothing here imports ``kubernetes`` at module level: the package is the optional extra
``helmlite[kube]`` and is loaded when a session opens.
"""

from __future__ import annotations

import builtins
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Self
from urllib.parse import quote

from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    PATCH_TYPES,
    BackendUnavailable,
    PatchType,
    ResourceError,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    UnknownKind,
    resource_error,
)
from helmlite.backends.objectclient import equality_selector, storage_errors
from helmlite.backends.waiting import POD_OWNER_DEPTH, WaitingSession, WaitTracker
from helmlite.release.storage.objects import ObjectClientError, ObjectNotFound

if TYPE_CHECKING:
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.client.exceptions import ApiException

    from helmlite.render.capabilities import Capabilities

__all__ = [
    "DEFAULT_KUBECONFIG",
    "POLL_SECONDS",
    "REQUEST_TIMEOUT",
    "KubeBackend",
    "KubeConnection",
    "KubeObjectClient",
    "KubeSession",
    "api_error",
    "label_selector_string",
]

# client-go's default kubeconfig when neither --kubeconfig nor $KUBECONFIG names one.
DEFAULT_KUBECONFIG = "~/.kube/config"
# Seconds one API request may take (kubectl's discovery uses 32 s; apply of a large object
# through admission webhooks can take longer).
REQUEST_TIMEOUT = 60.0
# A wait re-reads every object at least this often, even when no watch event arrived: a
# safety net for watches a proxy cuts silently (Helm's legacy waiter polls every 2 s).
POLL_SECONDS = 2.0
# Longest a single watch request stays open before it is renewed (servers cap it anyway).
_WATCH_SECONDS = 60
_SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
_SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
_AGGREGATED_DISCOVERY = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
_CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
# The media type of each Session.patch type (what ``kubectl patch --type`` sends).
_PATCH_CONTENT_TYPES: dict[str, str] = {
    "json": "application/json-patch+json",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
}
# The container ``kubectl logs`` reads when none is named.
_DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def _import_kubernetes() -> Any:
    """The ``kubernetes`` package, or BackendUnavailable saying how to install it."""
    try:
        import kubernetes.client
        import kubernetes.config
    except ImportError:
        raise BackendUnavailable(
            'backend "kube" needs the kubernetes client: pip install "helmlite[kube]"'
        ) from None
    return kubernetes


# --- connection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KubeConnection:
    """How to reach the cluster: Helm's kube flags (``""``/False/``()``: not given).

    ``kubeconfig`` may be a colon-separated list, as ``$KUBECONFIG``. ``as_user`` and
    ``as_groups`` impersonate (``--kube-as-user``, ``--kube-as-group``); ``tls_server_name``
    is the name the server's certificate is checked against, and sent as SNI
    (``--kube-tls-server-name``; default the host of the URL).
    """

    kubeconfig: str = ""
    context: str = ""
    apiserver: str = ""
    token: str = ""
    ca_file: str = ""
    insecure_skip_tls_verify: bool = False
    as_user: str = ""
    as_groups: tuple[str, ...] = ()
    tls_server_name: str = ""

    def _kubeconfig_files(self) -> tuple[str, list[str]]:
        """The kubeconfig list asked for (``--kubeconfig``, ``$KUBECONFIG``, else the default)
        and those of its files that exist."""
        paths = self.kubeconfig or os.environ.get("KUBECONFIG", "") or DEFAULT_KUBECONFIG
        return paths, [p for p in paths.split(os.pathsep) if p and os.path.exists(os.path.expanduser(p))]

    def namespace(self) -> str:
        """The namespace a command works in when ``-n`` is not given, as client-go's
        ``clientcmd`` picks it (Helm's ``settings.Namespace()``): the kubeconfig context's
        (``--kube-context``, else the current one), else, running in a pod, the pod's
        (``$POD_NAMESPACE`` or the service account's namespace file). ``""`` when neither says
        one, or the kubeconfig cannot be read (the connection reports that)."""
        _import_kubernetes()
        from kubernetes.config.config_exception import ConfigException
        from kubernetes.config.kube_config import ConfigNode, KubeConfigMerger

        _, found = self._kubeconfig_files()
        if found:
            try:
                merged = KubeConfigMerger(os.pathsep.join(found)).config
                name = self.context or (merged.safe_get("current-context") if merged is not None else "")
                contexts = merged.safe_get("contexts") if merged is not None and name else None
                # The merger keeps each file's entries as ConfigNodes, a single file's as dicts.
                chosen = ConfigNode("contexts", contexts).get_with_name(name, safe=True) if contexts else None
            except (ConfigException, OSError, ValueError):
                return ""
            namespace = str(((chosen.value if chosen is not None else {}).get("context") or {}).get("namespace") or "")
            if namespace:
                return namespace
        if _in_cluster():
            if os.environ.get("POD_NAMESPACE"):
                return os.environ["POD_NAMESPACE"]
            try:
                with open(_SERVICE_ACCOUNT_NAMESPACE) as handle:
                    return handle.read().strip()
            except OSError:
                return ""
        return ""

    def impersonation(self) -> list[tuple[str, str]]:
        """The ``Impersonate-User``/``Impersonate-Group`` headers of every request (one header
        per group, as client-go sends them: the API server does not split a list)."""
        headers = [("Impersonate-User", self.as_user)] if self.as_user else []
        return headers + [("Impersonate-Group", group) for group in self.as_groups]

    def configuration(self) -> Configuration:
        """A client ``Configuration`` for this connection.

        Raises:
            BackendUnavailable: no kubeconfig, in-cluster environment or ``apiserver`` to
            connect with, or a kubeconfig the client cannot use (unknown context, bad file).
        """
        kubernetes = _import_kubernetes()
        from kubernetes.config.config_exception import ConfigException

        config = kubernetes.client.Configuration()
        paths, found = self._kubeconfig_files()
        try:
            if found:
                kubernetes.config.load_kube_config(
                    config_file=os.pathsep.join(found), context=self.context or None,
                    client_configuration=config, persist_config=False,
                )
            elif self.kubeconfig:
                raise BackendUnavailable(f"kubeconfig {self.kubeconfig!r} does not exist: pass an existing "
                                         "file to --kubeconfig (or $KUBECONFIG)")
            elif self.context:
                raise BackendUnavailable(f'context "{self.context}" does not exist: no kubeconfig was found '
                                         f"({paths}); pass one with --kubeconfig")
            elif _in_cluster():
                kubernetes.config.load_incluster_config(client_configuration=config)
            elif not self.apiserver:
                raise BackendUnavailable(
                    f"Kubernetes cluster unreachable: no kubeconfig found ({paths}) and not running in a "
                    "cluster: pass --kubeconfig, or --kube-apiserver URL"
                )
        except ConfigException as exc:
            raise BackendUnavailable(f"invalid kubeconfig: {exc}") from None
        if self.apiserver:
            config.host = self.apiserver.rstrip("/")
        if self.token:
            config.api_key = {"BearerToken": f"Bearer {self.token}"}
            # A kubeconfig's token refresher would put its own token back on every request.
            config.refresh_api_key_hook = None
        if self.ca_file:
            if not os.path.isfile(self.ca_file):
                raise BackendUnavailable(f"--kube-ca-file {self.ca_file!r} does not exist")
            config.ssl_ca_cert = self.ca_file
        if self.insecure_skip_tls_verify:
            config.verify_ssl = False
        if self.tls_server_name:
            config.tls_server_name = self.tls_server_name
        return config


def _in_cluster() -> bool:
    """Whether this process runs in a pod with a service account (client-go's ``Possible()``)."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(_SERVICE_ACCOUNT_TOKEN)


# --- errors ----------------------------------------------------------------------------------


def api_error(exc: ApiException) -> ResourceError:
    """The backend error for a refused request, with the reason, code and message of the
    API server's ``Status`` body (or the HTTP status line when the body is not one)."""
    code = int(exc.status or 500)
    reason, message = str(exc.reason or ""), ""
    try:
        body = json.loads(exc.body or "")
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status":
        reason = str(body.get("reason") or reason)
        message = str(body.get("message") or "")
        code = int(body.get("code") or code)
    message = message or f"the server responded {code} {exc.reason or reason}".rstrip()
    return resource_error(message, reason=reason, code=code)


# --- HTTP through the official client ---------------------------------------------------------


class _Api:
    """JSON requests through the client's ``ApiClient``: its authentication (tokens, client
    certificates, exec plugins, OIDC refresh), TLS and proxy settings."""

    def __init__(self, client: ApiClient, impersonation: Sequence[tuple[str, str]] = ()) -> None:
        self.client = client
        self.host = str(client.configuration.host)
        self._impersonation = tuple(impersonation)

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, Any]] = (),
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
        timeout: float | tuple[float, float] = REQUEST_TIMEOUT,
    ) -> Any:
        """Send one request and return its raw ``RESTResponse`` (2xx only, body unread).

        Raises:
            ResourceError: the API server refused (``api_error``).
            BackendUnavailable: the server cannot be reached.
        """
        import urllib3
        from kubernetes.client.exceptions import ApiException

        headers = {"Accept": accept, "Content-Type": content_type}
        try:
            verb, url, header_params, payload, post_params = self.client.param_serialize(
                method, path, query_params=list(query), header_params=headers, body=body,
                auth_settings=["BearerToken"])
            sent: Mapping[str, str] = header_params
            if self._impersonation:
                # The client keeps headers in a dict, one value a name; urllib3's header dict
                # sends a line for each value, as the API server wants repeated groups.
                lines = urllib3.HTTPHeaderDict(header_params)
                for name, value in self._impersonation:
                    lines.add(name, value)
                sent = lines
            response = self.client.call_api(verb, url, sent, payload, post_params, _request_timeout=timeout)
        except urllib3.exceptions.HTTPError as exc:
            raise BackendUnavailable(f"Kubernetes cluster unreachable: {method} {self.host}{path}: "
                                     f"{_reason(exc)}") from None
        except ApiException as exc:
            # The client reports TLS failures as status 0.
            raise BackendUnavailable(f"Kubernetes cluster unreachable: {self.host}: {exc.reason}") from None
        if not 200 <= response.status <= 299:
            response.read()
            raise api_error(ApiException(http_resp=response))
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``call`` and decode the JSON answer."""
        response = self.call(method, path, **kwargs)
        return json.loads(response.read() or b"null")


def _reason(exc: Exception) -> str:
    """The innermost cause of a urllib3 error (``connection refused``, not the retry wrapper)."""
    return str(getattr(exc, "reason", None) or exc)


# --- discovery -------------------------------------------------------------------------------


class _ApiResource(NamedTuple):
    """One served kind: where it lives in the URL space and whether it is namespaced."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str = "", name: str = "", subresource: str = "") -> str:
        """The URL path of the collection (no ``name``) or one object; ``namespace`` is
        ignored for cluster-scoped kinds and ``""`` lists every namespace."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        if name:
            base += f"/{quote(name, safe='')}"
        if subresource:
            base += f"/{subresource}"
        return base


class _Discovery:
    """The server's version and kinds, fetched on first use and kept until ``invalidate``.

    Aggregated discovery (``/api`` + ``/apis``, two requests) when the server offers it; else
    the legacy index and one ``APIResourceList`` per group version, fetched as needed. The
    library's own ``DynamicClient`` discoverer is not used: it persists its cache in a file
    keyed by the server URL in the temp directory, shared between processes and clusters
    that reuse an address, and goes stale exactly when CRDs are installed.
    """

    def __init__(self, api: _Api) -> None:
        self._api = api
        self._lock = threading.Lock()
        self._version: dict[str, Any] | None = None
        self._kinds: dict[str, dict[str, _ApiResource] | None] | None = None

    def version(self) -> dict[str, Any]:
        """``GET /version`` (``gitVersion`` …)."""
        if self._version is None:
            self._version = dict(self._api.json("GET", "/version"))
        return self._version

    def invalidate(self) -> None:
        """Forget the kinds (the next lookup asks the server again)."""
        with self._lock:
            self._kinds = None

    def _index(self) -> dict[str, dict[str, _ApiResource] | None]:
        with self._lock:
            if self._kinds is None:
                self._kinds = self._fetch_index()
            return self._kinds

    def _fetch_index(self) -> dict[str, dict[str, _ApiResource] | None]:
        accept = f"{_AGGREGATED_DISCOVERY},application/json"
        kinds: dict[str, dict[str, _ApiResource] | None] = {}
        for path in ("/api", "/apis"):
            response = self._api.call("GET", path, accept=accept)
            body = json.loads(response.read() or b"{}")
            if "apidiscovery.k8s.io" in str(response.headers.get("Content-Type", "")) \
                    or body.get("kind") == "APIGroupDiscoveryList":
                kinds.update(_aggregated(body))
            elif path == "/api":
                kinds.update({version: None for version in body.get("versions") or ()})
            else:
                for group in body.get("groups") or ():
                    kinds.update({v["groupVersion"]: None for v in group.get("versions") or ()})
        return kinds

    def group_versions(self) -> list[str]:
        """Every served ``group/version`` (``v1`` for the core group)."""
        return list(self._index())

    def kinds(self, group_version: str) -> dict[str, _ApiResource]:
        """The kinds served under ``group_version`` (empty when it is not served)."""
        index = self._index()
        if group_version not in index:
            return {}
        found = index[group_version]
        if found is None:
            found = self._fetch_group_version(group_version)
            with self._lock:
                if self._kinds is index:
                    index[group_version] = found
        return found

    def _fetch_group_version(self, group_version: str) -> dict[str, _ApiResource]:
        group, _, version = group_version.rpartition("/")
        path = f"/apis/{group_version}" if group else f"/api/{version}"
        try:
            body = self._api.json("GET", path)
        except ResourceNotFound:
            # Removed between the index and this request (a CRD deleted meanwhile).
            return {}
        found: dict[str, _ApiResource] = {}
        for res in body.get("resources") or ():
            name, kind = str(res.get("name", "")), str(res.get("kind", ""))
            if name and "/" not in name and kind:
                found.setdefault(kind, _ApiResource(group, version, kind, name, bool(res.get("namespaced"))))
        return found

    def resolve(self, api_version: str, kind: str) -> _ApiResource:
        """The served kind, asking the server again once when it is not known yet (a CRD
        established since discovery was read).

        Raises:
            UnknownKind: the server does not serve ``kind`` in ``api_version``.
        """
        found = self.kinds(api_version).get(kind)
        if found is None:
            self.invalidate()
            found = self.kinds(api_version).get(kind)
        if found is None:
            raise UnknownKind(f'no matches for kind "{kind}" in version "{api_version}"')
        return found

    def find_kind(self, kind: str) -> _ApiResource | None:
        """A bare kind (``Secret``) among the served ones, the core group first."""
        versions = sorted(self.group_versions(), key=lambda gv: ("/" in gv, gv))
        for group_version in versions:
            found = self.kinds(group_version).get(kind)
            if found is not None:
                return found
        return None


def _aggregated(body: Mapping[str, Any]) -> dict[str, dict[str, _ApiResource] | None]:
    """The kinds of an ``APIGroupDiscoveryList`` (every version of every group)."""
    kinds: dict[str, dict[str, _ApiResource] | None] = {}
    for item in body.get("items") or ():
        group = str((item.get("metadata") or {}).get("name") or "")
        for entry in item.get("versions") or ():
            version = str(entry.get("version", ""))
            served: dict[str, _ApiResource] = {}
            for res in entry.get("resources") or ():
                kind = str((res.get("responseKind") or {}).get("kind") or "")
                plural = str(res.get("resource") or "")
                if kind and plural:
                    served.setdefault(kind, _ApiResource(group, version, kind, plural, res.get("scope") == "Namespaced"))
            kinds[f"{group}/{version}" if group else version] = served
    return kinds


# --- selectors -------------------------------------------------------------------------------


def label_selector_string(selector: Mapping[str, Any]) -> str:
    """A ``LabelSelector`` (``matchLabels`` + ``matchExpressions``) as the query-string form
    (``app=web,tier in (a,b),!legacy``); ``""`` selects everything."""
    parts = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or ():
        key, operator = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(sorted(str(v) for v in expr.get("values") or ()))
        if operator == "In":
            parts.append(f"{key} in ({values})")
        elif operator == "NotIn":
            parts.append(f"{key} notin ({values})")
        elif operator == "Exists":
            parts.append(key)
        elif operator == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def _owned_by(obj: Mapping[str, Any], uid: str) -> bool:
    owners = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return any(owner.get("uid") == uid for owner in owners)


def _name_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


# --- the backend -----------------------------------------------------------------------------


class KubeBackend:
    """A real cluster (``--backend kube``). The client and discovery are built on the first
    session and shared by the later ones of the same command."""

    def __init__(self, connection: KubeConnection | None = None) -> None:
        self.connection = connection or KubeConnection()
        self._api: _Api | None = None
        self._discovery: _Discovery | None = None

    @property
    def name(self) -> str:
        """``kube``."""
        return "kube"

    def _connect(self) -> tuple[_Api, _Discovery]:
        if self._api is None or self._discovery is None:
            kubernetes = _import_kubernetes()
            api = _Api(kubernetes.client.ApiClient(self.connection.configuration()), self.connection.impersonation())
            discovery = _Discovery(api)
            try:
                # Helm's reachability check: a server that does not answer /version is no cluster.
                discovery.version()
            except ResourceError as exc:
                raise BackendUnavailable(f"Kubernetes cluster unreachable: {exc}") from None
            self._api, self._discovery = api, discovery
        return self._api, self._discovery

    @contextmanager
    def session(self) -> Iterator[KubeSession]:
        """A session on the cluster. Writes are committed request by request; nothing is
        rolled back when the block raises.

        Raises:
            BackendUnavailable: the client is not installed, no usable kubeconfig, or the
            server does not answer.
        """
        api, discovery = self._connect()
        yield KubeSession(api, discovery)


class KubeSession(WaitingSession):
    """A ``Session`` over the Kubernetes API."""

    def __init__(self, api: _Api, discovery: _Discovery) -> None:
        self._api = api
        self._discovery = discovery

    # --- discovery -------------------------------------------------------------------------

    def namespaced(self, api_version: str, kind: str) -> bool:
        """Whether the kind is namespaced. Raises UnknownKind."""
        return self._discovery.resolve(api_version, kind).namespaced

    def now(self) -> float:
        """The wall clock: a real cluster's timestamps are wall-clock times."""
        return time.time()

    def capabilities(self) -> Capabilities:
        """The server's ``gitVersion`` and every served ``group/version`` and ``group/version/Kind``."""
        from helmlite.errors import ConstraintError
        from helmlite.render.capabilities import Capabilities, KubeVersion

        git_version = str(self._discovery.version().get("gitVersion") or "")
        try:
            # Build metadata (``v1.33.1+k3s1``) is not part of the version charts constrain.
            kube_version = KubeVersion.parse(git_version.partition("+")[0])
        except ConstraintError:
            raise BackendUnavailable(f"the cluster reports an unusable version {git_version!r} on /version") from None
        versions = sorted(self._discovery.group_versions())
        kinds = sorted(f"{gv}/{kind}" for gv in versions for kind in self._discovery.kinds(gv))
        return Capabilities(kube_version, tuple(versions) + tuple(kinds))

    def _resource(self, api_version: str, kind: str) -> _ApiResource:
        return self._discovery.resolve(api_version, kind)

    def _object_path(self, ref: ResourceRef) -> tuple[_ApiResource, str]:
        res = self._resource(ref.api_version, ref.kind)
        return res, res.path(ref.namespace or "default", ref.name)

    # --- reads -----------------------------------------------------------------------------

    def get(self, ref: ResourceRef) -> dict[str, Any] | None:
        """The object, or None. Raises UnknownKind."""
        _, path = self._object_path(ref)
        try:
            return dict(self._api.json("GET", path))
        except ResourceNotFound:
            return None

    def list(
        self, api_version: str, kind: str, *, namespace: str = "", label_selector: str = ""
    ) -> builtins.list[dict[str, Any]]:
        """Objects ordered by namespace and name. Raises UnknownKind, ResourceInvalid."""
        return self._list(self._resource(api_version, kind), namespace, label_selector=label_selector)

    def _list(self, res: _ApiResource, namespace: str, *, label_selector: str = "",
              field_selector: str = "") -> builtins.list[dict[str, Any]]:
        query = [("labelSelector", label_selector)] if label_selector else []
        if field_selector:
            query.append(("fieldSelector", field_selector))
        listing = self._api.json("GET", res.path(namespace), query=query)
        items = []
        for item in listing.get("items") or ():
            # Items of a built-in kind's list carry no apiVersion/kind of their own.
            items.append({"apiVersion": res.api_version, "kind": res.kind, **item})
        return sorted(items, key=_name_key)

    # --- writes ----------------------------------------------------------------------------

    def _target(self, obj: Mapping[str, Any]) -> tuple[_ApiResource, str, str]:
        """The kind, namespace and name an object is written to."""
        res = self._resource(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        namespace = str(meta.get("namespace") or "default") if res.namespaced else ""
        return res, namespace, str(meta.get("name") or "")

    def create(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER) -> dict[str, Any]:
        """Create an object (POST). Raises ResourceExists, ResourceInvalid, ResourceNotFound,
        ResourceForbidden, UnknownKind."""
        res, namespace, _ = self._target(obj)
        body = self._with_namespace(obj, res, namespace)
        created = dict(self._api.json("POST", res.path(namespace), body=body,
                                      query=[("fieldManager", field_manager), ("fieldValidation", "Strict")]))
        self._after_write(res)
        return created

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        field_manager: str = DEFAULT_FIELD_MANAGER,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply. Raises ResourceConflict, ResourceInvalid, ResourceNotFound,
        ResourceForbidden, UnknownKind."""
        res, namespace, name = self._target(obj)
        if not name:
            # The URL needs a name; the API server's own words for a nameless object.
            raise ResourceInvalid(f"{res.kind} in version \"{res.api_version}\" cannot be handled as a {res.kind}: "
                                  "resource name may not be empty")
        query = [("fieldManager", field_manager), ("fieldValidation", "Strict"), ("force", "true" if force else "false")]
        if dry_run:
            query.append(("dryRun", "All"))
        applied = dict(self._api.json("PATCH", res.path(namespace, name), query=query,
                                      body=self._with_namespace(obj, res, namespace),
                                      content_type="application/apply-patch+yaml"))
        if not dry_run:
            self._after_write(res)
        return applied

    def patch(
        self,
        ref: ResourceRef,
        patch: Any,
        *,
        patch_type: PatchType = "json",
        field_manager: str = DEFAULT_FIELD_MANAGER,
    ) -> dict[str, Any]:
        """``PATCH`` the object at ``ref``'s apiVersion with the patch type's media type.
        Raises ResourceNotFound, ResourceConflict, ResourceInvalid, ResourceError (415),
        UnknownKind."""
        content_type = _PATCH_CONTENT_TYPES.get(patch_type)
        if content_type is None:
            raise ResourceInvalid(f"unknown patch type {patch_type!r}: choose one of {', '.join(PATCH_TYPES)}",
                                  reason="BadRequest", code=400)
        res, path = self._object_path(ref)
        patched = dict(self._api.json("PATCH", path, body=patch, content_type=content_type,
                                      query=[("fieldManager", field_manager)]))
        self._after_write(res)
        return patched

    @staticmethod
    def _with_namespace(obj: Mapping[str, Any], res: _ApiResource, namespace: str) -> dict[str, Any]:
        """The body with the namespace of the URL (the API server rejects a mismatch)."""
        body = dict(obj)
        if res.namespaced:
            meta = body.get("metadata")
            body["metadata"] = {**(meta if isinstance(meta, Mapping) else {}), "namespace": namespace}
        return body

    def _after_write(self, res: _ApiResource) -> None:
        # A CRD written or removed changes the kinds the server serves.
        if (res.group, res.kind) == _CRD:
            self._discovery.invalidate()

    def delete(self, ref: ResourceRef, *, propagation: str = "Background") -> bool:
        """Delete with ``propagation``; False when already gone. Raises ResourceForbidden,
        ResourceInvalid, UnknownKind."""
        res, path = self._object_path(ref)
        options = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation}
        try:
            self._api.call("DELETE", path, body=options).read()
        except ResourceNotFound:
            return False
        self._after_write(res)
        return True

    # --- readiness -------------------------------------------------------------------------

    def _pods_of(self, obj: Mapping[str, Any]) -> builtins.list[dict[str, Any]]:
        """The pods a workload owns (through its ReplicaSets for a Deployment), by name."""
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        depth = POD_OWNER_DEPTH.get((group, str(obj.get("kind", ""))), 0)
        if not depth:
            return []
        namespace = str((obj.get("metadata") or {}).get("namespace") or "default")
        owners: builtins.list[dict[str, Any]] = [dict(obj)]
        for level in range(depth, 0, -1):
            res = self._resource("v1", "Pod") if level == 1 else self._resource("apps/v1", "ReplicaSet")
            children: builtins.list[dict[str, Any]] = []
            for owner in owners:
                selector = label_selector_string((owner.get("spec") or {}).get("selector") or {})
                uid = str((owner.get("metadata") or {}).get("uid") or "")
                found = self._list(res, namespace, label_selector=selector)
                children.extend(child for child in found if _owned_by(child, uid))
            owners = children
        return sorted(owners, key=_name_key)

    def _read(self, ref: ResourceRef) -> dict[str, Any] | None:
        # Nothing is cached on this side: every reading is a GET.
        return self.get(ref)

    def _follow(self, tracker: WaitTracker, timeout: float) -> tuple[bool, float]:
        """Follow the objects with one watch per kind and namespace, re-reading them whenever
        one changes (and every POLL_SECONDS regardless) until the tracker says the wait is over
        or ``timeout`` wall-clock seconds pass."""
        refs, target = tracker.refs, tracker.target
        start = time.monotonic()
        deadline = start + timeout
        keys: dict[tuple[str, str, str, str], ResourceRef] = {}
        groups: dict[tuple[_ApiResource, str], None] = {}
        for ref in refs:
            res = self._resource(ref.api_version, ref.kind)
            namespace = (ref.namespace or "default") if res.namespaced else ""
            keys[(res.group, res.kind, namespace, ref.name)] = ref
            groups[(res, namespace)] = None
        changed = threading.Event()

        def on_event(res: _ApiResource, kind: str, obj: dict[str, Any]) -> None:
            meta = obj.get("metadata") or {}
            ref = keys.get((res.group, res.kind, str(meta.get("namespace") or ""), str(meta.get("name") or "")))
            if ref is not None:
                tracker.observe(ref, None if kind == "DELETED" else obj)
                changed.set()

        with _Watches(self._api, list(groups), on_event, deadline) as watches:
            tracker.start(self._read)
            while True:
                changed.clear()
                if tracker.check(self.status(refs, target=target)):
                    return True, time.monotonic() - start
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False, time.monotonic() - start
                changed.wait(min(remaining, POLL_SECONDS if watches.healthy else POLL_SECONDS / 2))

    # --- events and storage ----------------------------------------------------------------

    def _events_in(self, namespace: str, field_selector: str) -> builtins.list[dict[str, Any]]:
        return self._list(self._resource("v1", "Event"), namespace, field_selector=field_selector)

    def logs(self, namespace: str, pod: str, container: str | None = None) -> str:
        """The container's log (``pods/log``). Without ``container``, kubectl's choice: the
        ``kubectl.kubernetes.io/default-container`` annotation, else the first container.
        Raises ResourceNotFound (no such pod) or ResourceInvalid (the API server's message)."""
        path = self._resource("v1", "Pod").path(namespace or "default", pod)
        if container is None:
            found = self._api.json("GET", path)
            annotations = (found.get("metadata") or {}).get("annotations") or {}
            containers = (found.get("spec") or {}).get("containers") or [{}]
            container = str(annotations.get(_DEFAULT_CONTAINER_ANNOTATION) or containers[0].get("name") or "")
        response = self._api.call("GET", f"{path}/log", query=[("container", container)], accept="text/plain")
        return bytes(response.read()).decode("utf-8", errors="replace")

    def object_client(self) -> KubeObjectClient:
        """An ``ObjectClient`` over the API (for the Secret/ConfigMap release drivers)."""
        return KubeObjectClient(self._api, self._discovery)


# --- watches ---------------------------------------------------------------------------------


class _Watches:
    """One thread per (kind, namespace) following its objects while a wait runs.

    Each thread lists to learn the current ``resourceVersion``, then watches from it, and
    starts over (list, watch) when the server ends the stream or expires the version. The
    context exits by cutting the streams; the threads are daemons, so a stuck socket can
    never hold the process.
    """

    def __init__(self, api: _Api, groups: Sequence[tuple[_ApiResource, str]],
                 on_event: Callable[[_ApiResource, str, dict[str, Any]], None], deadline: float) -> None:
        self._api = api
        self._groups = groups
        self._on_event = on_event
        self._deadline = deadline
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._responses: set[Any] = set()
        self._listed = threading.Semaphore(0)
        self._failures = 0
        self._threads = [threading.Thread(target=self._follow, args=group, daemon=True,
                                          name=f"helmlite-watch-{group[0].plural}") for group in groups]

    @property
    def healthy(self) -> bool:
        """False once a watch failed (the wait then re-reads more often)."""
        return self._failures == 0

    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        # Changes after each listing arrive as events: read the objects only once every
        # watch has its starting point (bounded, so a slow list cannot stall the wait).
        for _ in self._threads:
            if not self._listed.acquire(timeout=max(0.0, min(REQUEST_TIMEOUT, self._deadline - time.monotonic()))):
                break
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        with self._lock:
            responses = list(self._responses)
        for response in responses:
            _cut(response)
        for thread in self._threads:
            thread.join(timeout=5)

    def _follow(self, res: _ApiResource, namespace: str) -> None:
        first = True
        while not self._stop.is_set():
            try:
                listing = self._api.json("GET", res.path(namespace), query=[("limit", 1)])
                version = str((listing.get("metadata") or {}).get("resourceVersion") or "")
                if first:
                    first = False
                    self._listed.release()
                while version and not self._stop.is_set():
                    version = self._stream(res, namespace, version)
            except Exception:  # noqa: BLE001 - any failure of a watch only slows the wait down
                if self._stop.is_set():
                    return
                self._failures += 1
                if first:
                    first = False
                    self._listed.release()
                self._stop.wait(POLL_SECONDS)

    def _stream(self, res: _ApiResource, namespace: str, version: str) -> str:
        """Watch from ``version`` until the server ends the stream; the version to resume
        from, or ``""`` when it expired (410) and a new listing is needed."""
        from kubernetes.watch.watch import iter_resp_lines

        seconds = max(1, min(_WATCH_SECONDS, int(self._deadline - time.monotonic()) + 1))
        query = [("watch", "true"), ("resourceVersion", version), ("allowWatchBookmarks", "true"),
                 ("timeoutSeconds", seconds)]
        response = self._api.call("GET", res.path(namespace), query=query, timeout=(REQUEST_TIMEOUT, seconds + 30))
        raw = response.response
        with self._lock:
            self._responses.add(raw)
        ended = False  # the server ended the stream: the connection may serve another request
        try:
            if self._stop.is_set():
                return ""
            for line in iter_resp_lines(raw):
                event = json.loads(line)
                kind, obj = str(event.get("type", "")), event.get("object") or {}
                if kind == "ERROR":
                    # 410 Expired: the version is too old; anything else: start over too.
                    return ""
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    self._on_event(res, kind, obj)
            ended = True
            return version
        finally:
            with self._lock:
                self._responses.discard(raw)
            if not ended:
                # Left mid-stream (stopped, an ERROR event, a failure): the server is still
                # streaming on this connection, so it goes back to the pool closed — a request
                # sent on it would wait behind the watch until its timeoutSeconds.
                raw.close()
            raw.release_conn()


def _cut(response: Any) -> None:
    """End a stream another thread is reading (its read returns at once)."""
    try:
        response.shutdown()
    except Exception:  # noqa: BLE001 - already closed
        pass


# --- release storage -------------------------------------------------------------------------


class KubeObjectClient:
    """``helmlite.release.storage.objects.ObjectClient`` over the Kubernetes API.

    Kinds are named bare (``Secret``) and resolved among the served kinds, the core group
    first. Errors are the drivers' (``objectclient.storage_errors``), with the API server's message.
    """

    def __init__(self, api: _Api, discovery: _Discovery, *, field_manager: str = DEFAULT_FIELD_MANAGER) -> None:
        self._api = api
        self._discovery = discovery
        self._field_manager = field_manager

    def _resource(self, kind: str) -> _ApiResource:
        found = self._discovery.find_kind(kind)
        if found is None:
            raise ObjectClientError(f'no matches for kind "{kind}"')
        return found

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        with storage_errors():
            return self._api.json(method, path, **kwargs)

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        res = self._resource(kind)
        try:
            return {"apiVersion": res.api_version, "kind": kind, **self._send("GET", res.path(namespace or "default", name))}
        except ObjectNotFound:
            return None

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object; raises ObjectExists when the name is taken."""
        res = self._resource(str(obj.get("kind", "")))
        namespace = str((obj.get("metadata") or {}).get("namespace") or "default")
        return dict(self._send("POST", res.path(namespace), body=obj, query=[("fieldManager", self._field_manager)]))

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object (conditional on ``metadata.resourceVersion`` when set); raises
        ObjectNotFound or ObjectConflict."""
        res = self._resource(str(obj.get("kind", "")))
        meta = obj.get("metadata") or {}
        path = res.path(str(meta.get("namespace") or "default"), str(meta.get("name") or ""))
        return dict(self._send("PUT", path, body=obj, query=[("fieldManager", self._field_manager)]))

    def delete(self, kind: str, namespace: str, name: str, resource_version: str | None = None) -> None:
        """Remove an object (only at ``resource_version`` when given); raises ObjectNotFound or ObjectConflict."""
        res = self._resource(kind)
        options: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if resource_version:
            options["preconditions"] = {"resourceVersion": resource_version}
        self._send("DELETE", res.path(namespace or "default", name), body=options)

    def list(self, kind: str, namespace: str, label_selector: Mapping[str, str]) -> builtins.list[dict[str, Any]]:
        """Objects of ``kind`` in ``namespace`` (``""``: all) carrying every label pair, by namespace and name."""
        res = self._resource(kind)
        selector = equality_selector(label_selector)
        listing = self._send("GET", res.path(namespace), query=[("labelSelector", selector)] if selector else [])
        items = [{"apiVersion": res.api_version, "kind": kind, **item} for item in listing.get("items") or ()]
        return sorted(items, key=_name_key)
