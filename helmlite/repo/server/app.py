"""The ASGI application of ``helmlite serve``: Helm's three GETs, ChartMuseum's API, a page.

Routes (with ``--multitenant`` every repository route gains a ``/REPO`` prefix and every API
route an ``/api/REPO`` one, ChartMuseum's depth-1 layout):

=======================================  ==================================================
``GET|HEAD /index.yaml``, ``/index.json``  the index from memory; ETag/304, gzip on request
``GET|HEAD /charts/FILE``                  a package (``.tgz``) or provenance file (``.prov``)
``GET|HEAD /api/charts``                   name → versions (``?offset=&limit=`` by name)
``GET|HEAD /api/charts/NAME[/VERSION]``    versions of a chart, or one (``latest``); 404
``POST /api/charts``                       raw package body or multipart ``chart``/``prov``: 201
                                           ``{"saved":true}``, 400, 409, 413
``POST /api/prov``                         a provenance file for a stored chart: 201, 400, 409
``DELETE /api/charts/NAME/VERSION``        200 ``{"deleted":true}``, 404
``GET /health``, ``/info``                 ``{"healthy":true}``, ``{"version":…}``, never need auth
``GET /`` (and ``/REPO/``)                 the HTML page
=======================================  ==================================================

Errors are ChartMuseum's ``{"error": "…"}`` bodies. Blocking work (validation, fsync, index
rendering) runs in worker threads; serving the index is a dict lookup and a bytes send.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from helmlite import __version__
from helmlite.errors import HelmliteError
from helmlite.repo.index import IndexFile
from helmlite.repo.server.auth import AuthPolicy
from helmlite.repo.server.page import (
    CONTENT_SECURITY_POLICY,
    charts_on_page,
    find_readme,
    render_readme,
    render_repository_page,
    render_tenants_page,
)
from helmlite.repo.server.storage import (
    MAX_UPLOAD_BYTES,
    ChartStore,
    IndexSnapshot,
    RepositorySet,
    StoreError,
    Upload,
)

__all__ = ["ServerConfig", "create_app"]

_README_CACHE_ENTRIES = 512
_YAML = "application/yaml"
_JSON = "application/json"
_MEDIA_TYPES = {".tgz": "application/gzip", ".prov": "application/pgp-signature"}
_OPEN_PATHS = frozenset({"/health", "/info"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger("helmlite.serve")


@dataclass
class ServerConfig:
    """What ``create_app`` needs: the opened repositories and the access rules.

    ``public_url`` is the repository URL users add (``--url``); the page shows it in its
    ``helm repo add`` line, else the URL the browser used.
    """

    repositories: RepositorySet
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    max_upload_size: int = MAX_UPLOAD_BYTES
    public_url: str = ""
    title: str = "helmlite chart repository"


class _TooLarge(Exception):
    """The request body passed the upload limit."""


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": message}, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type=_JSON, headers=headers)


def _json(obj: Any, status: int = 200) -> Response:
    return Response(json.dumps(obj, separators=(",", ":")).encode("utf-8"), status_code=status, media_type=_JSON)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            return True
    return False


def _not_modified(request: Request, *etags: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return any(tag in offered for tag in etags)


def _gzip_etag(etag: str) -> str:
    return etag[:-1] + '-gzip"'


async def _cached(snapshot: IndexSnapshot, attribute: str) -> Any:
    """A lazily rendered snapshot attribute; the first render runs in a worker thread."""
    if attribute in snapshot.__dict__:
        return snapshot.__dict__[attribute]
    return await anyio.to_thread.run_sync(getattr, snapshot, attribute)


_EMPTY_INDEX: IndexSnapshot | None = None


def _empty_snapshot() -> IndexSnapshot:
    """The index of a repository that does not exist yet (ChartMuseum serves an empty one)."""
    global _EMPTY_INDEX
    if _EMPTY_INDEX is None:
        index = IndexFile.new()
        _EMPTY_INDEX = IndexSnapshot(0, index, index.to_yaml().encode("utf-8"))
    return _EMPTY_INDEX


class _AuthMiddleware:
    """Refuses requests without valid credentials where the policy needs them: 401 plus one
    ``WWW-Authenticate`` challenge per configured scheme."""

    def __init__(self, app: ASGIApp, policy: AuthPolicy) -> None:
        self.app = app
        self.policy = policy
        # bcrypt checks take ~0.2 s until cached: keep them off the event loop.
        self._threaded = any(h.scheme == "bcrypt" for h in policy.users.values())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in _OPEN_PATHS:
            write = scope["method"] not in _SAFE_METHODS
            if self.policy.requires_auth(write=write):
                header = Headers(scope=scope).get("authorization")
                if self._threaded:
                    ok = await anyio.to_thread.run_sync(self.policy.authenticate, header)
                else:
                    ok = self.policy.authenticate(header)
                if not ok:
                    response = _error(401, "unauthorized")
                    for challenge in self.policy.challenges():
                        response.headers.append("WWW-Authenticate", challenge)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class _Handlers:
    """The endpoints, sharing one configuration and the README cache."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.repositories = config.repositories
        self._readmes: OrderedDict[str, str | None] = OrderedDict()
        self._readmes_lock = threading.Lock()

    # --- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _tenant(request: Request) -> str:
        return str(request.path_params.get("repo", ""))

    def _store(self, request: Request) -> ChartStore | None:
        return self.repositories.get(self._tenant(request))

    async def _snapshot(self, request: Request) -> IndexSnapshot:
        """The repository's current index, first picking up packages added or removed by hand."""
        store = self._store(request)
        if store is None:
            return _empty_snapshot()
        if store.changed_on_disk():
            try:
                await anyio.to_thread.run_sync(store.refresh)
            except OSError as err:
                log.error("re-indexing %s failed: %s", store.charts_dir, err)
        return store.snapshot

    # --- repository (what Helm fetches) -----------------------------------------------------------

    async def index_yaml(self, request: Request) -> Response:
        snapshot = await self._snapshot(request)
        return await self._index_response(request, snapshot.yaml, snapshot.etag, _YAML, snapshot, "yaml_gzip")

    async def index_json(self, request: Request) -> Response:
        snapshot = await self._snapshot(request)
        body = await _cached(snapshot, "index_json")
        etag = await _cached(snapshot, "index_json_etag")
        return await self._index_response(request, body, etag, _JSON, snapshot, "index_json_gzip")

    @staticmethod
    async def _index_response(request: Request, body: bytes, etag: str, media_type: str,
                              snapshot: IndexSnapshot, gzip_attribute: str) -> Response:
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        gzipped = _accepts_gzip(request)
        if gzipped:
            headers["ETag"] = _gzip_etag(etag)
        if _not_modified(request, etag, _gzip_etag(etag)):
            return Response(status_code=304, headers=headers)
        if gzipped:
            headers["Content-Encoding"] = "gzip"
            body = await _cached(snapshot, gzip_attribute)
        return Response(body, media_type=media_type, headers=headers)

    async def chart_file(self, request: Request) -> Response:
        store = self._store(request)
        rel = str(request.path_params["path"])
        stored = store.file(rel) if store is not None else None
        if stored is None:
            return _error(404, "object not found")
        media_type = _MEDIA_TYPES[".prov" if rel.endswith(".prov") else ".tgz"]
        headers = {"ETag": stored.etag, "Last-Modified": stored.last_modified, "Cache-Control": "no-cache"}
        if _not_modified(request, stored.etag):
            return Response(status_code=304, headers=headers)
        if stored.data is None:
            return FileResponse(stored.path, media_type=media_type, headers=headers)
        return Response(stored.data, media_type=media_type, headers=headers)

    # --- ChartMuseum API ----------------------------------------------------------------------------

    async def list_charts(self, request: Request) -> Response:
        snapshot = await self._snapshot(request)
        params = request.query_params
        offset, limit = 0, -1
        if "offset" in params:
            try:
                offset = int(params["offset"])
            except ValueError:
                offset = -1
            if offset < 0:
                return _error(400, "offset is not a valid non-negative integer")
        if "limit" in params:
            try:
                limit = int(params["limit"])
            except ValueError:
                limit = 0
            if limit <= 0:
                return _error(400, "limit is not a valid positive integer")
        if offset == 0 and limit == -1:
            # The whole listing is as big as the index: cached per snapshot, gzipped on request.
            if _accepts_gzip(request):
                body = await _cached(snapshot, "charts_json_gzip")
                return Response(body, media_type=_JSON, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
            body = await _cached(snapshot, "charts_json")
            return Response(body, media_type=_JSON, headers={"Vary": "Accept-Encoding"})
        names = sorted(snapshot.entries)
        end = len(names) if limit == -1 else offset + limit
        return _json({name: snapshot.entries[name] for name in names[offset:end]})

    async def get_chart(self, request: Request) -> Response:
        versions = (await self._snapshot(request)).entries.get(str(request.path_params["name"]))
        if not versions:
            return _error(404, "chart not found")
        return _json(versions)

    async def get_chart_version(self, request: Request) -> Response:
        name, version = str(request.path_params["name"]), str(request.path_params["version"])
        entry = (await self._snapshot(request)).get(name, version)
        if entry is None:
            return _error(404, f"no chart version found for {name}-{version}")
        return _json(entry)

    async def upload_chart(self, request: Request) -> Response:
        try:
            upload = await self._read_upload(request)
        except _TooLarge:
            return _error(413, f"request body is larger than the {self.config.max_upload_size}-byte limit")
        except MultiPartException as err:
            return _error(400, f"invalid multipart body: {err.message}")
        except ClientDisconnect:
            return _error(400, "client disconnected during the upload")  # nobody reads it; no traceback
        return await self._save(request, upload)

    async def upload_prov(self, request: Request) -> Response:
        try:
            body = await self._read_body(request)
        except _TooLarge:
            return _error(413, f"request body is larger than the {self.config.max_upload_size}-byte limit")
        except ClientDisconnect:
            return _error(400, "client disconnected during the upload")
        return await self._save(request, Upload(prov=body))

    async def _save(self, request: Request, upload: Upload) -> Response:
        force = request.query_params.get("force", "absent").lower() not in ("absent", "false", "0")
        tenant = self._tenant(request)
        try:
            store = self.repositories.get(tenant)
            if store is None:
                store = await anyio.to_thread.run_sync(self.repositories.get_or_create, tenant)
            await anyio.to_thread.run_sync(functools.partial(store.save, upload, force=force))
        except StoreError as err:
            return _error(err.status_code, str(err))
        except OSError as err:
            log.error("storing an upload failed: %s", err)
            return _error(500, f"storage error: {err.strerror or err}")
        return _json({"saved": True}, status=201)

    async def delete_chart_version(self, request: Request) -> Response:
        store = self._store(request)
        if store is None:
            return _error(404, "chart not found")
        name, version = str(request.path_params["name"]), str(request.path_params["version"])
        try:
            await anyio.to_thread.run_sync(store.delete, name, version)
        except StoreError as err:
            return _error(err.status_code, str(err))
        except OSError as err:
            log.error("deleting %s-%s failed: %s", name, version, err)
            return _error(500, f"storage error: {err.strerror or err}")
        return _json({"deleted": True})

    async def _read_body(self, request: Request) -> bytes:
        return b"".join([chunk async for chunk in self._bounded_stream(request)])

    async def _bounded_stream(self, request: Request) -> AsyncIterator[bytes]:
        limit = self.config.max_upload_size
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _TooLarge  # refuse before reading a byte of it
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _TooLarge
            yield chunk

    async def _read_upload(self, request: Request) -> Upload:
        """The chart and provenance file of a POST: multipart fields ``chart``/``prov``
        (ChartMuseum's names; other fields are ignored), else the raw body as the chart."""
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            body = await self._read_body(request)
            return Upload(chart=body, chart_filename=_disposition_filename(request.headers))
        parser = MultiPartParser(request.headers, self._bounded_stream(request),  # type: ignore[arg-type]
                                 max_files=2, max_fields=16)
        form = await parser.parse()
        try:
            files: dict[str, tuple[bytes, str | None]] = {}
            for key, value in form.multi_items():
                if key in ("chart", "prov") and isinstance(value, UploadFile) and key not in files:
                    files[key] = (await value.read(), value.filename)
        finally:
            await form.close()
        chart, chart_name = files.get("chart", (None, None))
        prov, prov_name = files.get("prov", (None, None))
        return Upload(chart=chart, prov=prov, chart_filename=chart_name, prov_filename=prov_name)

    # --- service ----------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return _json({"healthy": True})

    async def info(self, request: Request) -> Response:
        return _json({"version": __version__})

    # --- HTML ---------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        if self.repositories.multitenant and "repo" not in request.path_params:
            tenants = [(name, len(self.repositories.get(name).snapshot.entries))  # type: ignore[union-attr]
                       for name in self.repositories.names()]
            return self._html(render_tenants_page(title=self.config.title, tenants=tenants))
        tenant = self._tenant(request)
        snapshot = await self._snapshot(request)
        query = request.query_params.get("q", "")[:200]
        try:
            page = int(request.query_params.get("page", "1"))
        except ValueError:
            page = 1
        names, pages = charts_on_page(snapshot.entries, query, page)
        store = self._store(request)
        readmes = await anyio.to_thread.run_sync(self._readmes_for, store, snapshot, names) if store else {}
        base = self.config.public_url or str(request.base_url)
        repo_url = base.rstrip("/") + (f"/{tenant}" if tenant else "")
        title = self.config.title + (f": {tenant}" if tenant else "")
        document = render_repository_page(
            title=title, repo_url=repo_url, repo_name=tenant or "local", entries=snapshot.entries, names=names,
            page=min(max(page, 1), pages), pages=pages, query=query, readmes=readmes)
        return self._html(document)

    async def tenant_redirect(self, request: Request) -> Response:
        tenant = self._tenant(request)
        if not self.repositories.valid_name(tenant):
            return _error(404, "not found")
        return RedirectResponse(f"/{tenant}/", status_code=308)

    @staticmethod
    def _html(document: str) -> Response:
        return Response(document.encode("utf-8"), media_type="text/html; charset=utf-8", headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        })

    def _readmes_for(self, store: ChartStore, snapshot: IndexSnapshot, names: list[str]) -> dict[str, str]:
        """README HTML of the newest version of each chart, cached by package digest."""
        out: dict[str, str] = {}
        for name in names:
            entry = snapshot.entries[name][0]
            key = entry.get("digest") or f"{name}-{entry.get('version')}"
            with self._readmes_lock:
                known = key in self._readmes
                cached = self._readmes.get(key)
            if not known:
                cached = self._render_readme(store, entry)
                with self._readmes_lock:
                    self._readmes[key] = cached
                    while len(self._readmes) > _README_CACHE_ENTRIES:
                        self._readmes.popitem(last=False)
            if cached is not None:
                out[name] = cached
        return out

    @staticmethod
    def _render_readme(store: ChartStore, entry: dict[str, Any]) -> str | None:
        from helmlite.chart.archive import read_archive

        data = store.package_bytes(entry)
        if data is None:
            return None
        try:
            found = find_readme(read_archive(data, str(entry.get("name"))))
        except HelmliteError:
            return None
        return render_readme(*found) if found else None


def _disposition_filename(headers: Headers) -> str | None:
    """The ``filename`` of a ``Content-Disposition`` request header, if the client sent one."""
    from email.message import Message

    value = headers.get("content-disposition")
    if not value:
        return None
    message = Message()
    message["content-disposition"] = value
    name: object = message.get_param("filename", header="content-disposition")
    return name if isinstance(name, str) else None


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(404, "not found")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "method not allowed" if exc.status_code == 405 else str(exc.detail).lower()
    return _error(exc.status_code, message, headers=dict(exc.headers or {}))


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error serving %s %s", request.method, request.url.path)
    return _error(500, "internal server error")


def create_app(config: ServerConfig) -> Starlette:
    """The Starlette application serving ``config.repositories``.

    The repositories must already be opened (``RepositorySet.open``). Returns the app; it
    does no I/O until a request arrives.
    """
    h = _Handlers(config)
    repo = "/{repo}" if config.repositories.multitenant else ""
    api = "/api/{repo}" if config.repositories.multitenant else "/api"
    read = ["GET", "HEAD"]
    routes = [
        Route("/health", h.health, methods=read),
        Route("/info", h.info, methods=read),
        Route("/", h.home, methods=read),
        Route(f"{api}/charts", h.list_charts, methods=read),
        Route(f"{api}/charts", h.upload_chart, methods=["POST"]),
        Route(f"{api}/prov", h.upload_prov, methods=["POST"]),
        Route(f"{api}/charts/{{name}}", h.get_chart, methods=read),
        Route(f"{api}/charts/{{name}}/{{version}}", h.get_chart_version, methods=read),
        Route(f"{api}/charts/{{name}}/{{version}}", h.delete_chart_version, methods=["DELETE"]),
        Route(f"{repo}/index.yaml", h.index_yaml, methods=read),
        Route(f"{repo}/index.json", h.index_json, methods=read),
        Route(f"{repo}/charts/{{path:path}}", h.chart_file, methods=read),
    ]
    if config.repositories.multitenant:
        routes += [Route("/{repo}/", h.home, methods=read), Route("/{repo}", h.tenant_redirect, methods=read)]
    handlers: dict[Any, Callable[..., Any]] = {404: _not_found, HTTPException: _http_error, Exception: _internal_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    if config.auth.enabled:
        app.add_middleware(_AuthMiddleware, policy=config.auth)
    return app
