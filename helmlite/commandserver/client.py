"""The client side: hand a command to the warm server, or report that it cannot be served.

Imported by every ``helmlite`` process before click or anything else, so it uses builtin
modules only (``socket`` costs more than a whole served render: ``_socket`` is enough).
"""

from __future__ import annotations

import os
import sys

from helmlite.commandserver import (
    TYPE_CHECKING,
    Channel,
    enabled_for,
    peer_uid,
    server_key,
    server_variable,
    socket_address,
)

if TYPE_CHECKING:
    from _socket import socket
    from typing import Any

__all__ = ["ask", "query", "serve"]

# Signals the client forwards to the child: the terminal sends them to the client only.
_FORWARDED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def serve(argv: list[str]) -> int | None:
    """Run ``helmlite <argv>`` in a child of the warm server; its exit status.

    None means nothing ran and the caller must run the command in-process: the command is not
    served, there is no server yet (one is started for the next run), or it refused.
    """
    if not enabled_for(argv):
        return None
    try:
        key = server_key()
        request = _request(key, argv)
        if request is None:
            return None
        address = socket_address(key)
        sock = _connect(address)
    except OSError:
        return None
    if sock is None:
        _start_server(address)
        return None
    try:
        channel = Channel(sock)
        channel.send(request, fds=[0, 1, 2])
        reply, _ = channel.receive()
    except (OSError, ValueError):
        sock.close()
        return None
    if reply is None or "pid" not in reply:
        sock.close()
        return None  # refused (other code, or a server that could not start) or gone: nothing ran
    return _wait(channel, reply["pid"])


def query(op: str) -> dict[str, Any] | None:
    """Send a control request (``status``, ``stop``) to this installation's server; its reply,
    or None when none is running."""
    return ask(socket_address(server_key()), op)


def ask(address: str, op: str) -> dict[str, Any] | None:
    """Send a control request to the server of this user at ``address``; its reply, or None."""
    sock = _connect(address)
    if sock is None:
        return None
    try:
        channel = Channel(sock)
        channel.send({"op": op})
        reply, _ = channel.receive()
        return reply
    except (OSError, ValueError):
        return None
    finally:
        sock.close()


def _connect(address: str) -> socket | None:
    """A connection to a server of this user at ``address``, or None when none listens there."""
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(address)
        # Anyone can bind an abstract name; only a server of our own user gets our stdio.
        if peer_uid(sock) == os.getuid():
            return sock
    except OSError:
        pass
    sock.close()
    return None


def _request(key: bytes, argv: list[str]) -> dict[str, Any] | None:
    streams = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "buffer"):
            return None
        streams.append((stream.encoding, stream.errors, stream.line_buffering,
                        getattr(stream, "write_through", False)))
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    umask = os.umask(0o022)
    os.umask(umask)
    return {"op": "run", "key": key, "argv": argv, "cwd": cwd, "env": dict(os.environ),
            "umask": umask, "stdio": streams}


def _wait(channel: Channel, child: int) -> int:
    """Forward signals to the child until the server reports how it ended; its exit status."""
    import signal

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(child, signum)
        except OSError:
            pass

    for name in _FORWARDED_SIGNALS:
        signal.signal(getattr(signal, name), forward)
    try:
        outcome, _ = channel.receive()
    except (OSError, ValueError):
        outcome = None
    if outcome is None:
        sys.stderr.write("Error: the helmlite command server stopped before the command finished "
                         "(set HELMLITE_COMMAND_SERVER=off to run commands in-process)\n")
        return 1
    if "signal" in outcome:
        # Die of the same signal, so a shell or script sees what it would have seen.
        signum = outcome["signal"]
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return 128 + signum
    return int(outcome["exit"])


def _start_server(address: str) -> None:
    """Start a server for the next run, detached; the caller goes on in-process meanwhile."""
    import subprocess

    # The server keeps only what its key and its imports depend on: no tokens or passwords from
    # this environment linger in it (each command brings its own environment).
    environment = {name: value for name, value in os.environ.items() if server_variable(name)}
    try:
        subprocess.Popen(
            # -P: no working directory on sys.path, so the server imports what its key says.
            [sys.executable, "-P", "-m", "helmlite.commandserver", address[1:]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/", env=environment, start_new_session=True, close_fds=True,
        )
    except OSError:
        pass
