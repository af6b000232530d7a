"""The command server, through the real executable: what a served ``helmlite template`` does
must be exactly what the same command does in its own process.

Every test talks to a real server on an abstract Unix socket of its own (the key includes the
test's cache home) and stops it by pid at the end.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helmlite.commandserver import Channel
from tests.conftest import CONFORMANCE, EXAMPLE_CHARTS

HELMLITE = [sys.executable, "-m", "helmlite"]
WAIT_SECONDS = 60


class Served:
    """Runs ``helmlite`` processes against one command server (and in-process, to compare)."""

    def __init__(self, home: Path) -> None:
        self.env = {**os.environ, "HELMLITE_CACHE_HOME": str(home), "HELMLITE_COMMAND_SERVER": "auto"}
        self.started: set[int] = set()

    def run(self, *args: str, served: bool = True, cwd: Path | None = None, stdin: str = "",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {**self.env, **(env or {})}
        if not served:
            environment["HELMLITE_COMMAND_SERVER"] = "off"
        return subprocess.run([*HELMLITE, *args], env=environment, cwd=cwd, input=stdin, text=True,
                              capture_output=True, timeout=WAIT_SECONDS, check=False)

    def status(self) -> dict | None:
        result = subprocess.run([*HELMLITE, "command-server", "status", "-o", "json"], env=self.env,
                                text=True, capture_output=True, timeout=WAIT_SECONDS, check=True)
        status = json.loads(result.stdout)
        if status["running"]:
            self.started.add(status["pid"])
        return status if status["running"] else None

    def start(self) -> dict:
        """Run a first command (which starts the server) and wait until the server answers."""
        self.run("template", "x", str(EXAMPLE_CHARTS / "mychart"))
        deadline = time.monotonic() + WAIT_SECONDS
        while (status := self.status()) is None:
            assert time.monotonic() < deadline, "the command server did not start"
            time.sleep(0.1)
        return status

    def served_count(self) -> int:
        status = self.status()
        assert status is not None, "the command server is not running"
        return status["served"]

    def stop_all(self) -> None:
        """Stop every server this test started: those it saw, and any other with its home (a
        server of code that changed during the test, say)."""
        for pid in self.started | self._servers_with_this_home():
            _terminate(pid)

    def _servers_with_this_home(self) -> set[int]:
        marker = f"HELMLITE_CACHE_HOME={self.env['HELMLITE_CACHE_HOME']}".encode()
        pids = set()
        for entry in Path("/proc").iterdir():
            try:
                if (entry.name.isdigit() and b"helmlite.commandserver" in (entry / "cmdline").read_bytes()
                        and marker in (entry / "environ").read_bytes().split(b"\0")):
                    pids.add(int(entry.name))
            except OSError:
                continue
        return pids


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie nobody reaped has stopped: servers are detached)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _terminate(pid: int) -> None:
    if not _alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + WAIT_SECONDS
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.05)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    runner = Served(tmp_path / "home")
    try:
        yield runner
    finally:
        runner.stop_all()


def _go_chart(root: Path, templates: dict[str, str], values: str = "") -> Path:
    chart = root / "gochart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: gochart\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(values)
    for name, text in templates.items():
        (chart / "templates" / name).write_text(textwrap.dedent(text))
    return chart


def assert_same(served_result: subprocess.CompletedProcess[str],
                in_process: subprocess.CompletedProcess[str]) -> None:
    assert (served_result.returncode, served_result.stdout, served_result.stderr) == (
        in_process.returncode, in_process.stdout, in_process.stderr)


def test_served_commands_print_what_in_process_ones_do(served: Served, tmp_path: Path) -> None:
    chart = _go_chart(tmp_path, {
        "cm.yaml": """\
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-{{ .Release.Namespace }}
            data:
              replicas: {{ .Values.replicas | quote }}
              items: {{ toYaml .Values.items | nindent 4 }}
            """,
    }, values="replicas: 1\nitems: [a, b]\n")
    served.start()
    before = served.served_count()
    cases = [
        ("template", "web", str(chart), "--set", "replicas=3", "-n", "prod"),
        ("template", str(EXAMPLE_CHARTS / "mychart")),  # the jinja2 dialect
        ("template", "web", str(chart), "--set", "items={x,y,z}", "--show-only", "templates/cm.yaml"),
        ("template", "web", str(tmp_path / "missing")),  # an error: message and exit status
        ("template", "Bad_Name", str(chart)),
        ("template", "--no-such-flag"),
        ("lint", str(chart), "--strict"),
        ("lint", str(tmp_path / "missing")),
    ]
    for args in cases:
        assert_same(served.run(*args), served.run(*args, served=False))
    assert served.served_count() == before + len(cases)


def test_stdin_working_directory_umask_and_environment_are_the_clients(served: Served, tmp_path: Path) -> None:
    _go_chart(tmp_path, {
        "cm.yaml": """\
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cm
            data:
              colour: {{ .Values.colour | quote }}
              year: {{ toDate "2006-01-02T15:04" "2024-12-31T20:00" | date "2006-01-02 15h MST" | quote }}
            """,
    })
    served.start()
    # Values from stdin, a chart path relative to the working directory.
    result = served.run("template", "web", "gochart", "-f", "-", cwd=tmp_path, stdin="colour: blue\n")
    assert result.returncode == 0, result.stderr
    assert 'colour: "blue"' in result.stdout
    # The time zone comes from the client's TZ, request by request.
    for zone in ("UTC", "Asia/Tokyo", "America/New_York"):
        args = ("template", "web", "gochart")
        assert_same(served.run(*args, cwd=tmp_path, env={"TZ": zone}),
                    served.run(*args, cwd=tmp_path, env={"TZ": zone}, served=False))
    # Files written by --output-dir land relative to the client's directory, with its umask.
    out = subprocess.run(
        ["sh", "-c", 'umask 077 && exec "$@"', "sh", *HELMLITE, "template", "web", "gochart", "--output-dir", "rendered"],
        env=served.env, cwd=tmp_path, text=True, capture_output=True, timeout=WAIT_SECONDS, check=False)
    assert out.returncode == 0, out.stderr
    written = tmp_path / "rendered" / "gochart" / "templates" / "cm.yaml"
    assert written.is_file()
    assert written.stat().st_mode & 0o777 == 0o600


def test_every_child_draws_its_own_random_values(served: Served, tmp_path: Path) -> None:
    # Forks share the server's memory: any random state in it would repeat in every command.
    chart = _go_chart(tmp_path, {"r.yaml": """\
        a: {{ randAlphaNum 24 }}
        b: {{ randInt 0 1000000000 }}
        c: {{ uuidv4 }}
        d: {{ genPrivateKey "ecdsa" | sha256sum }}
        e: {{ shuffle "abcdefghijklmnopqrstuvwxyz" }}
        """})
    served.start()
    outputs = [served.run("template", "x", str(chart)) for _ in range(3)]
    assert all(result.returncode == 0 for result in outputs), outputs[0].stderr
    lines = [result.stdout.splitlines() for result in outputs]
    for field in range(2, 7):  # after "---" and "# Source:", each field's line differs every time
        assert len({run[field] for run in lines}) == 3, [run[field] for run in lines]


def test_a_client_killed_takes_its_child_with_it(served: Served, tmp_path: Path) -> None:
    chart = _go_chart(tmp_path, {"slow.yaml": "{{ range until 5000 }}{{ range until 5000 }}{{ end }}{{ end }}\n"})
    served.start()
    client = subprocess.Popen([*HELMLITE, "template", "x", str(chart)], env=served.env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: (served.status() or {}).get("serving") == 1)
        client.kill()
        client.wait(timeout=WAIT_SECONDS)
        _wait_for(lambda: (served.status() or {}).get("serving") == 0)
    finally:
        client.kill()
        client.wait(timeout=WAIT_SECONDS)


def test_ctrl_c_reaches_the_child(served: Served, tmp_path: Path) -> None:
    chart = _go_chart(tmp_path, {"slow.yaml": "{{ range until 5000 }}{{ range until 5000 }}{{ end }}{{ end }}\n"})
    served.start()
    client = subprocess.Popen([*HELMLITE, "template", "x", str(chart)], env=served.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: (served.status() or {}).get("serving") == 1)
        client.send_signal(signal.SIGINT)
        _out, err = client.communicate(timeout=WAIT_SECONDS)
        # What click prints for a KeyboardInterrupt during the command, in-process too.
        assert (client.returncode, err) == (1, "\nAborted!\n")
        _wait_for(lambda: (served.status() or {}).get("serving") == 0)
    finally:
        client.kill()
        client.wait(timeout=WAIT_SECONDS)


def test_a_stopped_server_finishes_the_commands_it_runs(served: Served, tmp_path: Path) -> None:
    chart = _go_chart(tmp_path, {
        "slow.yaml": "{{ range until 1500 }}{{ range until 1500 }}{{ end }}{{ end }}kind: ConfigMap\n",
    })
    first = served.start()
    client = subprocess.Popen([*HELMLITE, "template", "x", str(chart)], env=served.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: (served.status() or {}).get("serving") == 1)
        os.kill(first["pid"], signal.SIGTERM)  # as `command-server stop` does
        _wait_for(lambda: served.status() is None)  # no new commands: the socket is closed
        out, err = client.communicate(timeout=WAIT_SECONDS)
        assert (client.returncode, err) == (0, "")
        assert out.endswith("kind: ConfigMap\n")
        _wait_for(lambda: not _alive(first["pid"]))
    finally:
        client.kill()
        client.wait(timeout=WAIT_SECONDS)


def test_later_children_start_with_the_templates_earlier_ones_parsed(served: Served, tmp_path: Path) -> None:
    chart = _go_chart(tmp_path, {f"cm{i}.yaml": f"kind: ConfigMap\nmetadata: {{name: cm{i}}}\n" for i in range(5)})
    first = served.start()["templates"]  # the first command ran in-process: nothing learnt yet
    assert served.run("template", "x", str(chart)).returncode == 0
    go_templates = _settled(served)["templates"]
    assert go_templates >= first + 5
    assert served.run("template", "x", str(EXAMPLE_CHARTS / "mychart")).returncode == 0  # jinja2
    assert _settled(served)["templates"] > go_templates


def _settled(served: Served) -> dict:
    """The server's status once it has read the last child's report."""
    _wait_for(lambda: (served.status() or {}).get("serving") == 0)
    time.sleep(0.3)
    status = served.status()
    assert status is not None
    return status


def _address(status: dict) -> str:
    return "\0" + status["socket"].removeprefix("@")  # `ss` writes abstract names with an @


def test_a_request_with_another_key_is_refused(served: Served) -> None:
    status = served.start()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock, open(os.devnull) as null:
        sock.connect(_address(status))
        channel = Channel(sock)
        channel.send({"op": "run", "key": b"other code", "argv": ["template"], "cwd": "/", "env": {},
                      "umask": 0o022, "stdio": []}, fds=[null.fileno()] * 3)
        reply, _ = channel.receive()
    assert reply is not None and "refused" in reply
    assert served.served_count() == 0


def test_stop_and_start_again(served: Served) -> None:
    first = served.start()
    stopped = subprocess.run([*HELMLITE, "command-server", "stop"], env=served.env, text=True,
                             capture_output=True, timeout=WAIT_SECONDS, check=False)
    assert stopped.stdout == f"stopped the command server (pid {first['pid']})\n"
    _wait_for(lambda: served.status() is None)
    assert subprocess.run([*HELMLITE, "command-server", "status"], env=served.env, text=True,
                          capture_output=True, timeout=WAIT_SECONDS, check=False).stdout == (
        "no command server is running for this installation\n")
    second = served.start()  # the next command runs in-process and starts a new server
    assert second["pid"] != first["pid"]


def test_a_server_of_changed_code_retires_the_stale_one(served: Served, tmp_path: Path) -> None:
    # A directory on sys.path whose mtime changes stands for a package installed or upgraded.
    on_path = tmp_path / "on-sys-path"
    on_path.mkdir()
    served.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(on_path), served.env.get("PYTHONPATH")]))
    stale = served.start()
    later = on_path.stat().st_mtime_ns + 10**9
    os.utime(on_path, ns=(later, later))
    fresh = served.start()  # the next command runs in-process and starts a server of the new code
    assert fresh["pid"] != stale["pid"]
    _wait_for(lambda: not _alive(stale["pid"]))
    # A server of another setting (here another PYTHONWARNINGS) keeps serving its own clients.
    other = Served(Path(served.env["HELMLITE_CACHE_HOME"]))
    other.env.update(served.env, PYTHONWARNINGS="ignore")
    try:
        assert other.start()["pid"] != fresh["pid"]
        time.sleep(1)
        assert _alive(fresh["pid"])
    finally:
        other.stop_all()


def test_an_idle_server_leaves(served: Served) -> None:
    served.env["HELMLITE_COMMAND_SERVER_IDLE"] = "1"
    status = served.start()
    _wait_for(lambda: served.status() is None)
    _wait_for(lambda: not _alive(status["pid"]))


def test_switched_off_no_server_starts(served: Served, tmp_path: Path) -> None:
    served.env["HELMLITE_COMMAND_SERVER"] = "off"
    assert served.run("template", "x", str(EXAMPLE_CHARTS / "mychart")).returncode == 0
    time.sleep(1)
    assert served.status() is None


SYSTEM_PYTHON = "/usr/bin/python3"  # one that another user may run (ours may live under /root)


@pytest.mark.skipif(os.getuid() != 0 or not os.access(SYSTEM_PYTHON, os.X_OK),
                    reason="needs root and a system python to connect as another user")
def test_another_user_is_not_served(served: Served) -> None:
    status = served.start()
    probe = textwrap.dedent(f"""
        import socket
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect({_address(status)!r})
        print(sock.recv(100))
    """)
    result = subprocess.run([SYSTEM_PYTHON, "-I", "-c", probe], user=65534, group=65534, text=True,
                            capture_output=True, timeout=WAIT_SECONDS, cwd="/", env={}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "b''\n"  # the server hung up without a word
    assert served.served_count() == 0


@pytest.mark.skipif(not (CONFORMANCE / "golden" / "INDEX.json").is_file(), reason="no conformance corpus")
def test_the_corpus_renders_byte_identically_when_served(served: Served) -> None:
    from helmlite.conformance import CHART_DIR_PLACEHOLDER, classify, load_index

    served.start()
    failures = []
    for variant in load_index(CONFORMANCE):
        args = ["." if arg == CHART_DIR_PLACEHOLDER else arg for arg in variant.args]
        result = served.run(*args, cwd=CONFORMANCE / "charts" / variant.chart)
        want = (CONFORMANCE / "golden" / variant.chart / f"{variant.name}.yaml").read_text(encoding="utf-8")
        if result.returncode != 0 or classify(result.stdout, want, variant.deterministic) != "identical":
            failures.append(f"{variant.chart}:{variant.name} (exit {result.returncode}) {result.stderr[:200]}")
    assert not failures
    assert served.served_count() >= len(load_index(CONFORMANCE))


def _wait_for(condition: object) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
