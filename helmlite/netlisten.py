"""``listen_tcp``: the listening socket both of helmlite's servers start from.

Used by ``helmlite serve`` (the chart repository) and ``helmlite cluster serve`` (the
Kubernetes API), which hand it to uvicorn.
"""

from __future__ import annotations

import socket

__all__ = ["BACKLOG", "listen_tcp"]

# Connections the kernel queues before the server accepts them (bursts of parallel clients).
BACKLOG = 1024


def listen_tcp(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening (port 0: a free one).

    Created with ``proto=IPPROTO_TCP``, not the 0 ``socket.create_server`` leaves: asyncio turns
    TCP_NODELAY on only for sockets that say they are TCP, and without it every small response
    waits ~40 ms for a delayed ACK (Nagle).

    Raises:
        OSError: the address cannot be bound (the socket is closed).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock
