"""Run the API server: bind, load the cluster, record the endpoint, serve until interrupted."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helmlite.apiserver.kubeconfig import (
    Endpoint,
    endpoint_dir,
    ensure_certificates,
    render_kubeconfig,
)
from helmlite.errors import HelmliteError

__all__ = ["DEFAULT_ADDRESS", "ApiServerError", "ServeOptions", "parse_address", "serve"]

DEFAULT_ADDRESS = "127.0.0.1:6443"  # the API server's usual port


class ApiServerError(HelmliteError):
    """The API server cannot start (bad address, port in use, unusable cluster file)."""


def parse_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` / ``[IPv6]:PORT`` → ``(host, port)``; port 0 picks a free one.

    Raises:
        ApiServerError: not of that form, or the port is out of range.
    """
    match = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]*):(\d+)", address.strip())
    if not match:
        raise ApiServerError(f'invalid address "{address}": expected HOST:PORT, e.g. {DEFAULT_ADDRESS}')
    host = match.group(1) or match.group(3) or "127.0.0.1"
    port = int(match.group(2) or match.group(4))
    if port > 65535:
        raise ApiServerError(f'invalid address "{address}": port {port} is out of range')
    return host, port


def _bind(host: str, port: int) -> socket.socket:
    from helmlite.netlisten import listen_tcp

    try:
        return listen_tcp(host, port)
    except OSError as err:
        raise ApiServerError(f"cannot listen on {host}:{port}: {err.strerror or err} "
                             "(choose another port with --address HOST:PORT)") from None


class CoalescingTransport:
    """A transport whose writes within one event-loop step go out in one ``send``.

    uvicorn writes a response's status line and headers, its body and (for h11) its end in
    separate ``transport.write`` calls, each an immediate ``send`` with TCP_NODELAY on. On
    loopback each send wakes the client, so a small response cost two or three round trips
    through the scheduler; joining them roughly halves the per-request cost under load. The
    buffer is flushed at the end of the current loop step, so a watch's chunks still go out as
    soon as they are written.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def writelines(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def _flush(self) -> None:
        if self._pending and not self._transport.is_closing():
            self._transport.write(b"".join(self._pending))
        self._pending.clear()

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # everything else (pause_reading, get_extra_info, …)
        return getattr(self._transport, name)


def _protocol_class() -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol (httptools' C parser when installed, else h11) writing
    through a ``CoalescingTransport``."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base  # type: ignore[assignment]

    class CoalescingProtocol(Base):  # type: ignore[valid-type, misc]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            # Duck-typed: everything but writing is delegated to the real transport.
            super().connection_made(CoalescingTransport(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]

    return CoalescingProtocol


@dataclass(frozen=True)
class ServeOptions:
    """What ``helmlite cluster serve`` was asked for."""

    cluster_path: Path
    address: str = DEFAULT_ADDRESS
    tls: bool = False
    token: str = ""
    kubeconfig_out: Path | None = None
    access_log: bool = False
    # Virtual seconds per wall second (tests speed hooks and rollouts up; tables still show
    # virtual ages).
    time_scale: float = 1.0


def serve(options: ServeOptions, echo: Callable[[str], None]) -> None:
    """Serve ``options.cluster_path`` until interrupted (Ctrl-C / SIGTERM stop it cleanly).

    Prints where it listens (``Serving cluster … at http://127.0.0.1:6443``) once the socket is
    bound and the cluster loaded, so a caller reading the output can connect right away.

    Raises:
        ApiServerError: bad address, port in use. SimulatorError: the cluster file is unusable.
    """
    import uvicorn

    from helmlite.apiserver.app import ApiServerApp
    from helmlite.apiserver.state import ServedCluster

    host, port = parse_address(options.address)
    sock = _bind(host, port)
    served = ServedCluster(options.cluster_path, time_scale=options.time_scale)
    directory = endpoint_dir(options.cluster_path)
    try:
        served.open()
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        ssl_args: dict[str, Any] = {}
        ca_pem = ""
        if options.tls:
            files = ensure_certificates(directory, [bound_host])
            ssl_args = {"ssl_certfile": str(files.cert), "ssl_keyfile": str(files.key)}
            ca_pem = files.ca_cert.read_text()
        endpoint = Endpoint(f"{'https' if options.tls else 'http'}://{shown}:{bound_port}", options.token, ca_pem)
        endpoint.write(directory)
        if options.kubeconfig_out is not None:
            options.kubeconfig_out.parent.mkdir(parents=True, exist_ok=True)
            options.kubeconfig_out.write_text(render_kubeconfig(endpoint))
        app = ApiServerApp(served, token=options.token)
        config = uvicorn.Config(app, lifespan="on", http=_protocol_class(), log_level="info" if options.access_log else "warning",
                                access_log=options.access_log, server_header=False, date_header=False,
                                proxy_headers=False, timeout_graceful_shutdown=2, **ssl_args)

        class Server(uvicorn.Server):
            # End open watches as soon as shutdown starts: they would hold the graceful
            # shutdown until their own timeouts.
            def handle_exit(self, sig: int, frame: Any) -> None:
                # uvicorn installs this with signal.signal: it runs between any two bytecodes of
                # the loop's thread, possibly mid-request. Touch the hub from the loop instead.
                try:
                    asyncio.get_running_loop().call_soon_threadsafe(served.hub.close_all)
                except RuntimeError:  # not serving yet (or any more): nothing runs concurrently
                    served.hub.close_all()
                super().handle_exit(sig, frame)

        server = Server(config)
        echo(f"Serving cluster {options.cluster_path} at {endpoint.url}")
        if options.time_scale != 1:
            echo(f"Virtual time runs {options.time_scale:g}x wall-clock speed")
        if options.kubeconfig_out is not None:
            echo(f"kubeconfig written to {options.kubeconfig_out}")
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass  # uvicorn re-raises the Ctrl-C it handled: the shutdown was clean
    finally:
        Endpoint.remove(directory)
        served.close()
        sock.close()
