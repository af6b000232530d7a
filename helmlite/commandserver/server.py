"""The server side: one warm process that forks a child per command (see the package docstring).

The loop is single-threaded (``selectors``), so forking is safe. Per request it watches three
things: the child's report socket (its exit status first, then what it imported and parsed),
the client's connection (a client that goes away takes its child with it) and the child's
pidfd (how it ended, when it ended without reporting).
"""

from __future__ import annotations

import gc
import importlib
import io
import os
import selectors
import signal
import socket
import sys
import time
from dataclasses import dataclass, field

from helmlite.commandserver import (
    MAX_MESSAGE,
    SOCKET_PREFIX,
    Channel,
    idle_seconds,
    key_digests,
    peer_uid,
    server_key,
    socket_address,
)
from helmlite.render.engine import TemplateSource, compiled_sources

__all__ = ["serve_forever"]

# A client has this long to send its request once connected (it sends it at once).
_REQUEST_TIMEOUT_SECONDS = 5.0
# How often an idle server checks whether it has been idle long enough to leave.
_TICK_SECONDS = 30.0


@dataclass
class _Request:
    """One forked command: its client, its child, and what the child has reported so far."""

    client: Channel
    child: int
    pidfd: int
    report: Channel
    reported_exit: bool = False
    done: set[str] = field(default_factory=set)  # "client", "report", "child"


class _Server:
    def __init__(self, address: str, key: bytes | None, listener: socket.socket) -> None:
        self.address = address
        self.key = key  # None: refuse every command
        self.listener = listener
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, ("accept", None))
        # SIGTERM stops the server as `command-server stop` does: the handler only wakes the loop.
        self.wakeup, wakeup_end = socket.socketpair()
        self.wakeup.setblocking(False)
        wakeup_end.setblocking(False)
        signal.set_wakeup_fd(wakeup_end.fileno())
        self._wakeup_end = wakeup_end
        signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
        self.selector.register(self.wakeup, selectors.EVENT_READ, ("signal", None))
        self.requests: dict[int, _Request] = {}
        self.served = 0
        self.started = time.time()
        self.last_activity = time.monotonic()
        self.stopping = False
        self.idle = idle_seconds()
        self.known_modules: set[str] = set()
        self.known_sources: set[TemplateSource] = set()

    # -- warming ---------------------------------------------------------------------------------

    def warm_up(self, modules: list[str], sources: list[TemplateSource]) -> None:
        """Import ``modules`` and compile ``sources`` here, so every later child starts with them."""
        for name in modules:
            if name not in sys.modules:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - a module that only imports in context stays lazy
                    pass
            self.known_modules.add(name)  # tried once, not again
        from helmlite.render.engine import compiled_sources, precompile
        from helmlite.render.gotemplate.engine import function_table

        function_table()
        if sources:
            precompile(sources)
            self.known_sources = set(compiled_sources())
        self.known_modules.update(sys.modules)
        # Children inherit this heap; keep their cycle collections off it (and its pages shared).
        gc.collect()
        gc.freeze()

    # -- the loop --------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until idle, or until stopped and every running command has finished."""
        while not (self.stopping and not self.requests):
            events = self.selector.select(timeout=min(_TICK_SECONDS, self.idle))
            for selector_key, _mask in events:
                what, request = selector_key.data
                if what == "accept":
                    self._accept()
                elif what == "signal":
                    self.wakeup.recv(64)
                    self.stop()
                elif what == "report":
                    self._on_report(request)
                elif what == "client":
                    self._on_client(request)
                else:
                    self._on_child(request)
            if self._should_exit():
                return

    def stop(self) -> None:
        """Take no more commands (the next client starts a new server) and leave once the
        running ones have finished: their clients still get their exit status."""
        if not self.stopping:
            self.stopping = True
            self.selector.unregister(self.listener)
            self.listener.close()

    def _should_exit(self) -> bool:
        return not self.requests and time.monotonic() - self.last_activity > self.idle

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            if peer_uid(conn) != os.getuid():
                conn.close()
                return
            conn.settimeout(_REQUEST_TIMEOUT_SECONDS)
            channel = Channel(conn)
            request, fds = channel.receive(with_fds=3)
            if request is None:
                conn.close()
                return
            op = request.get("op")
            if op == "status":
                channel.send(self.status())
                conn.close()
            elif op == "stop":
                channel.send({"stopping": os.getpid()})
                conn.close()
                self.stop()
            elif op != "run" or request.get("key") != self.key or len(fds) != 3:
                channel.send({"refused": "this server runs other code; running in-process"})
                conn.close()
            else:
                self.last_activity = time.monotonic()  # only commands keep a server alive
                self._fork(channel, request, fds)
        except (OSError, ValueError, EOFError, TypeError):
            conn.close()
        finally:
            for fd in fds:
                os.close(fd)

    def retire_stale_servers(self) -> None:
        """Stop the servers of this user, setting and home whose code is not this one's: they
        were started before helmlite or a package changed and no client will reach them again.
        (Servers of other settings, say another PYTHONPATH, keep serving their clients.)"""
        if self.key is None:
            return
        from helmlite.commandserver.client import ask

        setting, code = key_digests(self.key)
        prefix = "@" + SOCKET_PREFIX[1:] + f"{os.getuid()}/"
        try:
            with open("/proc/net/unix", encoding="utf-8", errors="replace") as table:
                names = {line.split()[-1] for line in table if line.rstrip().split()[-1].startswith(prefix)}
        except OSError:
            return
        for name in names - {"@" + self.address[1:]}:
            address = "\0" + name[1:]
            status = ask(address, "status")
            if status is not None and status.get("setting") == setting and status.get("code") != code:
                ask(address, "stop")  # it finishes what it is running, then leaves

    def status(self) -> dict:
        """What ``helmlite command-server status`` prints."""
        import resource

        # CPU of the server and of every child it has reaped: with the clients' own, what served
        # commands cost in all (benchmarks/render.py counts it).
        cpu = sum(usage.ru_utime + usage.ru_stime for usage in (
            resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))
        setting, code = key_digests(self.key) if self.key is not None else ("", "")
        return {"server": os.getpid(), "socket": "@" + self.address[1:], "started": self.started, "served": self.served,
                "running": len(self.requests), "modules": len(self.known_modules),
                "templates": len(self.known_sources), "cpu_seconds": cpu, "setting": setting, "code": code}

    def _fork(self, client: Channel, request: dict, fds: list[int]) -> None:
        parent_end, child_end = socket.socketpair()
        child = os.fork()
        if child == 0:
            parent_end.close()
            client.sock.close()
            _run_child(self, request, fds, child_end)  # never returns
        child_end.close()
        self.served += 1
        pidfd = os.pidfd_open(child)
        entry = _Request(client, child, pidfd, Channel(parent_end))
        self.requests[child] = entry
        parent_end.settimeout(_REQUEST_TIMEOUT_SECONDS)
        try:
            client.send({"pid": child})
        except OSError:
            _kill(child)
        self.selector.register(parent_end, selectors.EVENT_READ, ("report", entry))
        self.selector.register(client.sock, selectors.EVENT_READ, ("client", entry))
        self.selector.register(pidfd, selectors.EVENT_READ, ("child", entry))

    def _on_report(self, entry: _Request) -> None:
        try:
            message, _ = entry.report.receive()
        except (OSError, ValueError, EOFError):
            message = None
        if message is None:
            self._finish(entry, "report")
        elif "exit" in message and not entry.reported_exit:
            self._tell_client(entry, {"exit": message["exit"]})
        elif message.get("modules") or message.get("sources"):
            self.warm_up(message["modules"], message["sources"])

    def _on_client(self, entry: _Request) -> None:
        # The client sends nothing after its request: readable means it closed or died.
        if not entry.reported_exit:
            _kill(entry.child)
        self._finish(entry, "client")

    def _on_child(self, entry: _Request) -> None:
        _, status = os.waitpid(entry.child, 0)
        if not entry.reported_exit:
            if os.WIFSIGNALED(status):
                self._tell_client(entry, {"signal": os.WTERMSIG(status)})
            else:
                self._tell_client(entry, {"exit": os.waitstatus_to_exitcode(status)})
        self._finish(entry, "child")

    def _tell_client(self, entry: _Request, outcome: dict) -> None:
        entry.reported_exit = True
        try:
            entry.client.send(outcome)
        except OSError:
            pass
        self._finish(entry, "client")

    def _finish(self, entry: _Request, part: str) -> None:
        if part in entry.done:
            return
        entry.done.add(part)
        if part == "child":
            self.selector.unregister(entry.pidfd)
            os.close(entry.pidfd)
        else:
            sock = entry.client.sock if part == "client" else entry.report.sock
            self.selector.unregister(sock)
            sock.close()
        if len(entry.done) == 3:
            del self.requests[entry.child]
            self.last_activity = time.monotonic()

    def close_inherited(self) -> None:
        """In a child: let go of everything that belongs to the server and to other requests."""
        signal.set_wakeup_fd(-1)
        self.selector.close()
        self.listener.close()
        self.wakeup.close()
        self._wakeup_end.close()
        for entry in self.requests.values():
            for part, resource in (("client", entry.client.sock), ("report", entry.report.sock)):
                if part not in entry.done:
                    resource.close()
            if "child" not in entry.done:
                os.close(entry.pidfd)


def _run_child(server: _Server, request: dict, fds: list[int], report_end: socket.socket) -> None:
    """The forked child: become the client's process, run the command, report, exit."""
    code = 1
    try:
        server.close_inherited()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        _become_client(request)
        from helmlite.cli.main import execute

        code = execute(list(request["argv"]))
    except BaseException as exc:  # noqa: BLE001 - the child must report and exit, whatever happened
        try:
            os.write(2, f"Error: the helmlite command server could not run the command: {exc}\n".encode())
        except OSError:
            pass
    report = Channel(report_end)
    try:
        report.send({"exit": code})
        report.send(_what_was_warmed(server))
    except (OSError, ValueError):
        pass
    os._exit(code)


def _become_client(request: dict) -> None:
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()  # TZ may differ from the server's
    streams = []
    for fd, mode, (encoding, errors, line_buffering, write_through) in zip((0, 1, 2), "rww", request["stdio"]):
        raw = open(fd, mode + "b", buffering=-1, closefd=False)  # noqa: SIM115 - the process's stdio
        streams.append(io.TextIOWrapper(raw, encoding=encoding, errors=errors, line_buffering=line_buffering,
                                        write_through=write_through))
    # The server's own sys.__stdout__ and friends now write to the client's descriptors too.
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.argv = ["helmlite", *request["argv"]]


def _what_was_warmed(server: _Server) -> dict:
    """What this child imported and parsed that the server had not: the server does it too."""
    modules = [name for name in sys.modules if name not in server.known_modules and name != "__main__"]
    sources: list[TemplateSource] = []
    size = 0
    for source in compiled_sources():
        if source not in server.known_sources:
            size += len(source[2])
            if size > MAX_MESSAGE // 2:
                break
            sources.append(source)
    return {"modules": modules, "sources": sources}


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


def serve_forever(name: str) -> int:
    """Serve commands at the abstract socket ``name`` until idle or stopped; the exit status.

    Exits at once (status 0) when another server has the name. A server that cannot serve its
    clients (it imports other code than they do, or the kernel lacks pidfds) still listens,
    refusing every command, so its clients run in-process without starting servers again and
    again until it leaves when idle.
    """
    address = "\0" + name
    computed = server_key()
    # None: this interpreter imports other code than the client that started it.
    key: bytes | None = computed if socket_address(computed) == address else None
    try:
        os.close(os.pidfd_open(os.getpid()))  # children are watched through pidfds (Linux 5.3+)
    except (AttributeError, OSError):
        key = None
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(address)
    except OSError:
        return 0  # another server is serving here
    listener.listen(64)
    server = _Server(address, key, listener)
    server.warm_up(_FIRST_MODULES if key is not None else [], [])
    server.retire_stale_servers()
    server.run()
    return 0


# What every served command needs; the rest is learnt from what the children import.
_FIRST_MODULES = ["helmlite.cli.main", "helmlite.cli.template", "helmlite.actions.template"]
