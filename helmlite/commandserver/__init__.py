"""The command server: a warm helmlite process that forks a ready child for each ``template``
and ``lint``.

Why: a ``helmlite template`` process spends most of its time starting CPython and importing
(click, PyYAML, the Go-template engine and its function table) and, for big charts, parsing
templates it parsed on the previous run. Helm is one Go binary and has none of that to pay.
So, like Mercurial's ``chg`` command server, the first ``helmlite template`` (or ``lint``) starts
a server in the background (and runs in-process as before); later runs connect to it over a
Unix socket. For each request the server forks a child that already has every module imported and
every template it has seen parsed; the child takes the client's stdin/stdout/stderr (passed as
file descriptors, so terminals, pipes and files behave exactly as in-process), working
directory, environment and umask, runs the command, and reports its exit code, which the
client exits with. Signals the client receives (Ctrl-C) are forwarded to the child, and a
client that dies takes its child with it.

What keeps this correct:

* A server only serves clients of the same code: the socket's name and the request carry a key
  made of the interpreter, the helmlite package (path and every source file's size and mtime),
  the directories on ``sys.path`` (their mtimes change when packages are installed), the
  interpreter flags and the environment Python reads at start-up (``PYTHON*``, the locale), and
  the helmlite home. Edit a file, upgrade a dependency, and the next run starts a fresh server,
  which stops the stale one of the same setting (``server.retire_stale_servers``).
* The child is a fresh fork for every request: nothing one command changes (globals, the
  environment, the working directory) reaches another.
* Anything unexpected on the client side (no server yet, a refused connection, a server of
  another user or of other code, closed stdio) falls back to running in-process before
  anything was run.

The socket is a Linux abstract Unix socket named after the user and the key: no file to leave
behind or clean up, and binding it is the lock that keeps one server per key. Abstract sockets
have no permissions, so each side checks the other's uid (SO_PEERCRED) before trusting it: a
server only runs commands of its own user, and a client only hands its stdio and environment to
a server of its own user (marshal'd messages never cross users). ``HELMLITE_COMMAND_SERVER=off``
disables it; the server leaves after ``idle_seconds()`` without requests.

This module is imported by every ``helmlite`` process before anything else, so it imports only
builtin modules.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

# typing costs more to import than a served command's client does in all (3.5 ms).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from _socket import socket
    from typing import Any

__all__ = [
    "COMMANDS",
    "DEFAULT_IDLE_SECONDS",
    "SOCKET_PREFIX",
    "Channel",
    "enabled_for",
    "idle_seconds",
    "key_digests",
    "peer_uid",
    "server_key",
    "server_variable",
    "socket_address",
]

# Commands a server runs: pure renders, whose whole effect is their output (and --output-dir).
COMMANDS = frozenset({"template", "lint"})
DEFAULT_IDLE_SECONDS = 600
_KEYED_VARIABLES = frozenset({"HELMLITE_CACHE_HOME", "XDG_CACHE_HOME", "HOME", "LANG", "LC_ALL", "LC_CTYPE"})
# Abstract socket names: SOCKET_PREFIX, the uid, "/", the key's digest.
SOCKET_PREFIX = "\0helmlite/command-server/"
_HEADER = 4  # every message is a 4-byte little-endian length, then a marshal'd dict
MAX_MESSAGE = 64 << 20  # a request carries argv and the environment; the child's report, template sources


def server_variable(name: str) -> bool:
    """Whether a server keeps the environment variable ``name`` of the client that starts it:
    what its key reads, and how long to stay idle."""
    return name.startswith("PYTHON") or name in _KEYED_VARIABLES or name == "HELMLITE_COMMAND_SERVER_IDLE"


def idle_seconds() -> float:
    """How long a server waits for a request before it leaves: ``HELMLITE_COMMAND_SERVER_IDLE``
    seconds (read by the server when it starts), else ten minutes."""
    try:
        return max(1.0, float(os.environ.get("HELMLITE_COMMAND_SERVER_IDLE", DEFAULT_IDLE_SECONDS)))
    except ValueError:
        return DEFAULT_IDLE_SECONDS


def enabled_for(argv: list[str]) -> bool:
    """Whether ``helmlite <argv>`` may be served: a served command first, and not switched off."""
    if not argv or argv[0] not in COMMANDS:
        return False
    if not sys.platform.startswith("linux"):
        return False  # abstract sockets, SO_PEERCRED and pidfds are Linux's
    setting = os.environ.get("HELMLITE_COMMAND_SERVER", "auto").strip().lower()
    return setting not in ("off", "0", "false", "no")


def _package_stamp(package_dir: str) -> list[tuple[str, int, int]]:
    stamp = []
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(root, name))
                stamp.append((os.path.join(root, name), info.st_mtime_ns, info.st_size))
    return stamp


def server_key() -> bytes:
    """What a server and its clients must share: its *setting* (the interpreter, where helmlite
    is, the environment Python read at start-up, the helmlite home) and its *code* (helmlite's
    source files, the installed packages). Settings that differ make servers that live side by
    side; code that differs in the same setting makes the older server stale (``retire``)."""
    import helmlite

    package_dir = os.path.dirname(os.path.abspath(helmlite.__file__))
    # sys.path[0] is the script's directory (or the working directory for -m/-c) unless the
    # interpreter runs with -P, as the server does; everything after it is shared.
    entries = sys.path if sys.flags.safe_path else sys.path[1:]
    path_stamps = []
    for entry in entries:
        try:
            path_stamps.append((entry, os.stat(entry).st_mtime_ns))
        except OSError:
            continue
    flags = sys.flags
    setting = (
        sys.executable,
        package_dir,
        (flags.utf8_mode, flags.optimize, flags.dev_mode, flags.no_user_site, flags.ignore_environment),
        sys.getfilesystemencoding(),
        # One server per helmlite home, as Gradle keeps one daemon per user home: a test suite
        # with its own cache home gets its own server (requests carry their environment anyway).
        # And what Python itself read from the environment at start-up (PYTHON*, the locale):
        # a child cannot redo that.
        sorted((name, value) for name, value in os.environ.items()
               if server_variable(name) and name != "HELMLITE_COMMAND_SERVER_IDLE"),
    )
    code = (sys.version, path_stamps, _package_stamp(package_dir))
    return marshal.dumps((setting, code))


def key_digests(key: bytes) -> tuple[str, str]:
    """Short digests of a key's setting and code (what ``status`` reports)."""
    setting, code = marshal.loads(key)
    return _digest(marshal.dumps(setting)), _digest(marshal.dumps(code))


def _digest(data: bytes) -> str:
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_address(key: bytes) -> str:
    """The server's address for ``key``: a Linux abstract socket, so there is no file to leave
    behind, and binding it is the lock that keeps one server per key."""
    return f"{SOCKET_PREFIX}{os.getuid()}/{_digest(key)}"


def peer_uid(sock: socket) -> int:
    """The uid of the process at the other end of a connected Unix socket (SO_PEERCRED)."""
    import _socket

    credentials = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)  # struct ucred: pid, uid, gid
    return int.from_bytes(credentials[4:8], sys.byteorder)


class Channel:
    """Length-prefixed marshal messages over a connected stream socket (either end)."""

    def __init__(self, sock: socket) -> None:
        self.sock = sock
        self._buffer = b""

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        body = marshal.dumps(message)
        data = len(body).to_bytes(_HEADER, "little") + body
        if fds:
            import _socket

            rights = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in fds)
            # The descriptors travel with the first byte; the rest follows as plain data.
            sent = self.sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
            data = data[sent:]
        if data:
            self.sock.sendall(data)

    def receive(self, with_fds: int = 0) -> tuple[dict[str, Any] | None, list[int]]:
        """The next message and any descriptors sent with it; (None, []) at end of stream."""
        fds: list[int] = []
        while len(self._buffer) < _HEADER or len(self._buffer) < _HEADER + self._length():
            chunk = self._read(with_fds if not fds and not self._buffer else 0, fds)
            if not chunk:
                for fd in fds:
                    os.close(fd)
                return None, []
            self._buffer += chunk
        length = self._length()
        body, self._buffer = self._buffer[_HEADER:_HEADER + length], self._buffer[_HEADER + length:]
        message = marshal.loads(body)
        if not isinstance(message, dict):
            raise ValueError("malformed command-server message")  # noqa: TRY004 - bad input, not a bug
        return message, fds

    def _length(self) -> int:
        length = int.from_bytes(self._buffer[:_HEADER], "little")
        if length > MAX_MESSAGE:
            raise ValueError(f"command-server message of {length} bytes exceeds {MAX_MESSAGE}")
        return length

    def _read(self, with_fds: int, fds: list[int]) -> bytes:
        if not with_fds:
            return self.sock.recv(1 << 16)
        import _socket

        space = _socket.CMSG_SPACE(4 * with_fds)
        data, ancillary, _flags, _address = self.sock.recvmsg(1 << 16, space)
        for level, kind, payload in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                usable = len(payload) - len(payload) % 4
                fds.extend(int.from_bytes(payload[i:i + 4], sys.byteorder, signed=True)
                           for i in range(0, usable, 4))
        return data
