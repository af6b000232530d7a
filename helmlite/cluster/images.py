"""The simulated container registry and what a container "does" when it runs.

Every image exists (unless an ``image-pull`` fault says otherwise, see ``faults.py``); its
size, digest and default behaviour come from a small table of well-known images, or are
derived deterministically from the name. Pull times follow the size
(``PULL_LATENCY_SECONDS + size / PULL_BANDWIDTH_BYTES_PER_SECOND``).

``simulated_run`` decides how long a container runs and how it exits, from its image and
command line — the simulator's stand-in for actually running the program:

- long-running servers (``nginx``, ``redis``, the default entrypoint of a known server image
  or its flags, ``sleep infinity``, ``while true`` loops, ``tail -f``) run until stopped;
- ``sleep N`` runs N seconds; ``exit N`` / ``false`` fail; ``echo``/``env``/``date``/``cp``/
  ``mkdir``/``chmod``/… finish at once; ``perl … bpi(N)`` (the Kubernetes Job tutorial)
  computes N digits of pi in N/200 seconds and prints them; a shell (``sh -c``, ``bash -ec``,
  ``sh -o pipefail -c``…) runs its script statement by statement by these rules;
- the default entrypoint of a shell image (``busybox``, ``alpine``, ``ubuntu``, ``perl``,
  ``python``…) has no terminal and exits 0 immediately, as it does in a real cluster;
- a program the simulator does not know (an unknown image's default entrypoint, an unknown
  binary such as ``kubectl apply …`` or ``/entrypoint.sh``, a script file run by a shell, a
  language runtime such as ``python job.py``, or such a program as a script's last statement)
  behaves by the container's role, since a real program that nobody can run here is most
  plausibly doing what its pod expects of it: in a **run-to-completion** role (an init
  container that is not a sidecar, or any container of a pod with ``restartPolicy`` Never or
  OnFailure — Jobs, Helm hooks and test pods) it runs ``UNKNOWN_PROGRAM_RUN_SECONDS`` and
  exits 0; in a **long-running** role (containers of ``restartPolicy: Always`` pods, sidecars)
  it runs until stopped. Setup steps before a script's last statement finish at once;
- a pod annotation overrides all of this: ``helmlite.io/run-seconds`` (and
  ``helmlite.io/exit-code``), or ``helmlite.io/run-seconds.<container>`` for one container
  (a ``container-exit`` fault, see ``faults.py``, also makes any container fail).
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ImageRef",
    "ImageInfo",
    "Run",
    "InvalidImageNameError",
    "parse_image",
    "image_info",
    "pull_seconds",
    "simulated_run",
    "pi_digits",
    "PULL_LATENCY_SECONDS",
    "PULL_BANDWIDTH_BYTES_PER_SECOND",
    "RUN_SECONDS_ANNOTATION",
    "EXIT_CODE_ANNOTATION",
    "PRELOADED_IMAGES",
    "UNKNOWN_PROGRAM_RUN_SECONDS",
]

# A pull costs a fixed round trip plus the transfer of the image (a modest 20 MB/s link).
PULL_LATENCY_SECONDS = 0.5
PULL_BANDWIDTH_BYTES_PER_SECOND = 20_000_000
RUN_SECONDS_ANNOTATION = "helmlite.io/run-seconds"
EXIT_CODE_ANNOTATION = "helmlite.io/exit-code"
# How long a program the simulator cannot interpret runs when its container is expected to
# finish (a Job, a hook, an init container): long enough to show up as Running in
# ``kubectl get``, short enough that ``--wait`` on a chart's hooks is not noticeably slower.
UNKNOWN_PROGRAM_RUN_SECONDS = 3.0
DEFAULT_REGISTRY = "docker.io"
DEFAULT_TAG = "latest"

# distribution/reference grammar (what containerd accepts).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_HOST_PART = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>[\w][\w.-]{{0,127}}))?(?:@(?P<digest>{_DIGEST}))?$")


class InvalidImageNameError(ValueError):
    """The image reference does not parse (the kubelet reports ``InvalidImageName``)."""


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference, normalised as containerd reports it."""

    domain: str
    path: str
    tag: str
    digest: str

    @property
    def repository(self) -> str:
        """``docker.io/library/nginx``."""
        return f"{self.domain}/{self.path}"

    @property
    def normalized(self) -> str:
        """``docker.io/library/nginx:1.25`` (or ``…@sha256:…`` when pinned by digest)."""
        if self.digest:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag}"

    @property
    def short_name(self) -> str:
        """The last path component (``nginx``), which the behaviour table is keyed by."""
        return self.path.rsplit("/", 1)[-1]


def parse_image(image: str) -> ImageRef:
    """Parse and normalise an image reference (``nginx`` → ``docker.io/library/nginx:latest``).

    Raises:
        InvalidImageNameError: not a valid reference (``invalid reference format``).
    """
    m = _REFERENCE.match(image or "")
    if m is None:
        raise InvalidImageNameError(f'couldn\'t parse image name "{image}": invalid reference format')
    domain, path = m.group("domain"), m.group("path")
    # docker's rule: the first component is a registry only if it looks like a host.
    if domain is not None and not ("." in domain or ":" in domain or domain == "localhost" or domain != domain.lower()):
        path, domain = f"{domain}/{path}", None
    if domain is not None and domain != domain.lower() and "." not in domain and ":" not in domain:
        raise InvalidImageNameError(f'couldn\'t parse image name "{image}": invalid reference format')
    if domain is None:
        domain = DEFAULT_REGISTRY
        if "/" not in path:
            path = f"library/{path}"
    if domain == "index.docker.io":
        domain = DEFAULT_REGISTRY
    digest = m.group("digest") or ""
    tag = m.group("tag") or ("" if digest else DEFAULT_TAG)
    return ImageRef(domain, path, tag, digest)


# Behaviours: "serve" runs until stopped; "shell" is an interactive default entrypoint that
# exits 0 at once without a terminal.
@dataclass(frozen=True)
class _Known:
    size: int
    behaviour: str


_KNOWN: dict[str, _Known] = {
    # servers
    "nginx": _Known(72_994_873, "serve"),
    "nginx-slim": _Known(53_456_010, "serve"),
    "httpd": _Known(58_108_247, "serve"),
    "redis": _Known(45_977_233, "serve"),
    "memcached": _Known(31_412_905, "serve"),
    "postgres": _Known(159_321_874, "serve"),
    "mysql": _Known(172_654_018, "serve"),
    "mariadb": _Known(121_407_682, "serve"),
    "mongo": _Known(263_087_331, "serve"),
    "rabbitmq": _Known(94_320_117, "serve"),
    "wordpress": _Known(247_113_905, "serve"),
    "tomcat": _Known(181_309_441, "serve"),
    "traefik": _Known(49_880_310, "serve"),
    "haproxy": _Known(41_602_550, "serve"),
    "caddy": _Known(19_230_118, "serve"),
    "registry": _Known(9_952_440, "serve"),
    "pause": _Known(320_368, "serve"),
    "coredns": _Known(18_562_039, "serve"),
    "etcd": _Known(57_680_541, "serve"),
    "kube-proxy": _Known(30_842_233, "serve"),
    "metrics-server": _Known(19_441_903, "serve"),
    "fluent-bit": _Known(37_116_774, "serve"),
    "fluentd": _Known(84_223_070, "serve"),
    "hpa-example": _Known(174_019_003, "serve"),
    "kubernetes-bootcamp": _Known(80_262_119, "serve"),
    "echoserver": _Known(44_221_506, "serve"),
    "agnhost": _Known(52_087_910, "serve"),
    "grafana": _Known(128_930_551, "serve"),
    "prometheus": _Known(109_772_018, "serve"),
    # shells and language runtimes: the default entrypoint is an interactive shell/REPL
    "busybox": _Known(2_155_582, "shell"),
    "alpine": _Known(3_623_807, "shell"),
    "ubuntu": _Known(29_754_290, "shell"),
    "debian": _Known(49_556_881, "shell"),
    "centos": _Known(79_653_212, "shell"),
    "fedora": _Known(63_117_924, "shell"),
    "perl": _Known(334_401_912, "shell"),
    "python": _Known(412_870_003, "shell"),
    "node": _Known(398_506_214, "shell"),
    "ruby": _Known(331_049_882, "shell"),
    "golang": _Known(293_334_110, "shell"),
    "openjdk": _Known(326_889_530, "shell"),
    "curl": _Known(6_203_512, "shell"),
    "bash": _Known(6_522_115, "shell"),
}

# What a fresh node already has (kind-style preloaded system images).
PRELOADED_IMAGES: tuple[str, ...] = (
    "registry.k8s.io/pause:3.10",
    "registry.k8s.io/coredns/coredns:v1.12.0",
    "registry.k8s.io/kube-proxy:v1.37.0",
)


@dataclass(frozen=True)
class ImageInfo:
    """What the registry knows about an image."""

    ref: ImageRef
    size: int
    digest: str
    behaviour: str  # "serve" | "shell"
    # Whether the behaviour comes from the table of well-known images (else it is a guess:
    # an unknown image's entrypoint is treated as an unknown program, see ``simulated_run``).
    known: bool = True

    @property
    def image_id(self) -> str:
        """``docker.io/library/nginx@sha256:…`` as ``status.containerStatuses[].imageID``."""
        return f"{self.ref.repository}@{self.digest}"


def _hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def image_info(image: str) -> ImageInfo:
    """Registry metadata for ``image`` (deterministic for unknown images).

    Raises:
        InvalidImageNameError: the reference does not parse.
    """
    ref = parse_image(image)
    known = _KNOWN.get(ref.short_name)
    digest = ref.digest or "sha256:" + _hash(ref.normalized).hex()
    if known is not None:
        return ImageInfo(ref, known.size, digest, known.behaviour)
    # 20–220 MB, stable per repository.
    size = 20_000_000 + int.from_bytes(_hash(ref.repository)[:4], "big") % 200_000_000
    return ImageInfo(ref, size, digest, "serve", known=False)


def pull_seconds(info: ImageInfo) -> float:
    """How long pulling the image takes, rounded to the millisecond."""
    return round(PULL_LATENCY_SECONDS + info.size / PULL_BANDWIDTH_BYTES_PER_SECOND, 3)


# --- what a container does ------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """A container's simulated execution.

    ``seconds`` is how long it runs before exiting on its own (None: until stopped);
    ``exit_code`` how it exits then; ``ignores_sigterm`` whether a stop has to wait for the
    grace period (a shell or ``sleep`` as PID 1 ignores SIGTERM); ``output`` the lines it
    prints (for ``container_logs``).
    """

    seconds: float | None
    exit_code: int = 0
    ignores_sigterm: bool = False
    output: tuple[str, ...] = field(default=())


FOREVER = Run(None)
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}
# Programs that finish at once: coreutils, shell builtins, one-shot network checks, installers.
_QUICK = {"echo", "printf", "env", "printenv", "date", "true", "ls", "cat", "pwd", "hostname", "id", "whoami",
          "uname", "touch", "mkdir", "cp", "mv", "rm", "rmdir", "chmod", "chown", "chgrp", "ln", "wget", "curl",
          "nslookup", "ping", "grep", "sed", "awk", "head", "wc", "sort", "uniq", "cut", "tr", "test", "[",
          "expr", "export", "set", "unset", "cd", "tee", "dd", "tar", "gzip", "gunzip", "unzip", "find", "xargs",
          "trap", ":", "source", ".", "apk", "apt-get", "yum", "pip", "basename", "dirname", "readlink",
          "realpath", "stat", "mktemp", "base64", "sha256sum", "md5sum", "install", "umask", "ulimit", "local",
          "return", "shift", "read", "wait", "getent", "which", "command", "type", "sync", "seq", "jq", "openssl"}
# Programs that serve until stopped, whatever the container's role.
_SERVERS = {"nginx", "httpd", "apache2", "redis-server", "memcached", "postgres", "mysqld", "mongod", "php-fpm",
            "gunicorn", "uvicorn", "flask", "top", "watch", "socat", "nc", "ncat", "http-server", "caddy",
            "traefik", "envoy"}
# Language runtimes: what they run is unknown, so they follow the container's role (a web app
# in a Deployment, a migration in a Job).
_RUNTIMES = {"node", "python", "python3", "java", "npm", "yarn", "dotnet", "ruby", "php", "deno", "bun"}
# Words that open or close a shell compound command, skipped to reach the program a statement runs.
_SHELL_KEYWORDS = {"do", "then", "else", "done", "fi", "exec", "if", "elif", "!", "{", "}", "(", ")", "time"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_COMMENT = re.compile(r"(^|\s)#.*$", re.MULTILINE)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _sleep_seconds(args: Sequence[str]) -> float | None:
    """Seconds ``sleep ARGS`` lasts; None for ``infinity`` (or anything unparsable)."""
    total = 0.0
    for arg in args:
        m = _DURATION.match(arg)
        if m is None:
            return None
        total += float(m.group(1)) * _UNITS[m.group(2)]
    return total if args else 0.0


def pi_digits(digits: int) -> str:
    """π to ``digits`` significant digits, as Perl's ``bpi(digits)`` prints it."""
    digits = max(1, min(digits, 20_000))
    guard = 10
    scale = 10 ** (digits + guard)

    def arctan_inv(x: int) -> int:
        total = term = scale // x
        x2, n, sign = x * x, 1, 1
        while term:
            term //= x2
            n += 2
            sign = -sign
            total += sign * (term // n)
        return total

    pi = 4 * (4 * arctan_inv(5) - arctan_inv(239))
    text = str(pi // 10 ** (guard + 1))  # ``digits`` significant digits, truncated
    # bpi rounds the last digit; the next digit decides.
    next_digit = (pi // 10 ** guard) % 10
    value = int(text) + (1 if next_digit >= 5 else 0)
    text = str(value)
    return text[0] + "." + text[1:] if len(text) > 1 else text


def _unknown_program(runs_to_completion: bool, *, ignores_sigterm: bool = False, elapsed: float = 0.0,
                     output: Sequence[str] = ()) -> Run:
    """A program nobody can interpret here, by its container's role (see the module docstring)."""
    if runs_to_completion:
        return Run(elapsed + UNKNOWN_PROGRAM_RUN_SECONDS, 0, ignores_sigterm=ignores_sigterm, output=tuple(output))
    return Run(None, ignores_sigterm=ignores_sigterm, output=tuple(output))


def _script_run(script: str, *, as_pid1: bool, runs_to_completion: bool) -> Run:
    """Interpret a shell script just enough to know its duration, exit code and output."""
    script = _COMMENT.sub(r"\1", script)
    elapsed = 0.0
    output: list[str] = []
    statements = [s.strip() for s in re.split(r"[;\n]|&&|\|\|", script) if s.strip()]
    looping = re.search(r"\bwhile\s+(true|:|\[\s*1\s*\])", script) or re.search(r"\bfor\s*\(\(\s*;\s*;\s*\)\)", script)
    if looping:
        return Run(None, ignores_sigterm=as_pid1)
    if re.search(r"\buntil\b", script):
        # "until <check>; do sleep N; done": the awaited thing shows up after one round.
        m = re.search(r"\bsleep\s+(\S+)", script)
        wait = _sleep_seconds([m.group(1)]) if m else 2.0
        return Run(wait or 2.0, ignores_sigterm=as_pid1)
    # Whether the last statement run is a program the simulator does not know: then the script
    # is that program's wrapper (``exec /entrypoint.sh``), and its role decides.
    last_unknown = False
    for statement in statements:
        try:
            words = shlex.split(statement)
        except ValueError:
            words = statement.split()
        while words and (words[0] in _SHELL_KEYWORDS or _ASSIGNMENT.match(words[0])):
            words = words[1:]
        if not words:
            continue
        program = words[0].rsplit("/", 1)[-1]
        last_unknown = False
        if program == "sleep":
            seconds = _sleep_seconds(words[1:])
            if seconds is None:
                return Run(None, ignores_sigterm=as_pid1, output=tuple(output))
            elapsed += seconds
        elif program == "exit":
            code = int(words[1]) if len(words) > 1 and words[1].lstrip("-").isdigit() else 0
            return Run(elapsed, code % 256, ignores_sigterm=as_pid1, output=tuple(output))
        elif program == "false":
            return Run(elapsed, 1, ignores_sigterm=as_pid1, output=tuple(output))
        elif program in ("echo", "printf"):
            output.append(" ".join(w for w in words[1:] if w not in ("-n", "-e")))
        elif program == "tail":
            if "-f" in words or "-F" in words:
                return Run(None, ignores_sigterm=as_pid1, output=tuple(output))
        elif program in _SERVERS or (program in _RUNTIMES and not runs_to_completion):
            return Run(None, ignores_sigterm=as_pid1, output=tuple(output))
        elif program == "perl" and (perl := _perl_run(words)) is not None:
            elapsed += perl.seconds or 0.0
            output.extend(perl.output)
        elif program not in _QUICK:
            # an unknown program (or a shell function): a setup step unless it is the last one
            last_unknown = True
    if last_unknown:
        return _unknown_program(runs_to_completion, ignores_sigterm=as_pid1, elapsed=elapsed, output=output)
    return Run(elapsed, 0, ignores_sigterm=as_pid1, output=tuple(output))


def _perl_run(argv: Sequence[str]) -> Run | None:
    """``perl …``: the Job tutorial's ``bpi(N)`` and one-liners; None for a script it cannot know."""
    script = " ".join(argv[1:])
    m = re.search(r"bpi\((\d+)\)", script)
    if m:
        digits = int(m.group(1))
        return Run(round(max(1.0, digits / 200), 3), 0, output=(pi_digits(digits),))
    if "-e" in argv or "-le" in " ".join(argv) or "-wle" in " ".join(argv):
        return Run(0.0, 0)
    return None


def _shell_invocation(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """Split ``sh [options] [-c script | file] …``: the ``-c`` script (None without ``-c``) and the
    operands after the options (a script file and its arguments)."""
    i = 1
    while i < len(argv):
        word = argv[i]
        if word in ("-o", "+o"):
            i += 2  # ``-o pipefail``: the option takes the next word
            continue
        if word == "--":
            i += 1
            break
        if word.startswith("--"):  # ``--login``, ``--norc``
            i += 1
            continue
        if len(word) > 1 and word[0] in "-+":
            if word[0] == "-" and "c" in word[1:]:
                # ``-c``, ``-ec``, ``-xeuc``: the script follows (kept whole, with any $0 $1…)
                return " ".join(argv[i + 1:]), []
            i += 1
            continue
        break
    return None, list(argv[i:])


def simulated_run(container: Mapping[str, Any], info: ImageInfo | None,
                  annotations: Mapping[str, str] | None = None, *, runs_to_completion: bool = False) -> Run:
    """How ``container`` runs (see the module docstring for the rules).

    ``runs_to_completion`` is the container's role: True for a non-sidecar init container and
    for the containers of a pod that is not restarted on success (``restartPolicy`` Never or
    OnFailure); it decides what a program the simulator does not know does.
    """
    annotations = annotations or {}
    name = container.get("name", "")
    override = annotations.get(f"{RUN_SECONDS_ANNOTATION}.{name}", annotations.get(RUN_SECONDS_ANNOTATION))
    if override is not None:
        code_text = annotations.get(f"{EXIT_CODE_ANNOTATION}.{name}", annotations.get(EXIT_CODE_ANNOTATION, "0"))
        code = int(code_text) if code_text.lstrip("-").isdigit() else 0
        if override.strip().lower() in ("", "inf", "infinity", "forever"):
            return Run(None, code)
        seconds = _sleep_seconds([override.strip()])
        return Run(seconds, code % 256)
    command = [str(c) for c in container.get("command") or []]
    args = [str(a) for a in container.get("args") or []]
    argv = command + args
    if not argv:
        if info is not None and info.behaviour == "shell":
            return Run(0.0, 0)
        if info is not None and info.known:
            return FOREVER
        return _unknown_program(runs_to_completion)
    program = argv[0].rsplit("/", 1)[-1]
    if program in _SHELLS:
        script, operands = _shell_invocation(argv)
        if script is not None:
            return _script_run(script, as_pid1=True, runs_to_completion=runs_to_completion)
        if operands:
            # ``sh /config/initialize``: a script file the simulator cannot read
            return _unknown_program(runs_to_completion, ignores_sigterm=True)
        return Run(0.0, 0)  # an interactive shell without a terminal exits at once
    if program == "sleep":
        seconds = _sleep_seconds(argv[1:])
        return Run(seconds, 0, ignores_sigterm=True)
    if program == "perl" and (perl := _perl_run(argv)) is not None:
        return perl
    if program in ("false",):
        return Run(0.0, 1)
    if program in ("echo", "printf"):
        return Run(0.0, 0, output=(" ".join(argv[1:]),))
    if program == "tail":
        return FOREVER if "-f" in argv or "-F" in argv else Run(0.0, 0)
    if program in _QUICK:
        return Run(0.0, 0)
    if program in _SERVERS:
        return FOREVER
    if not command and info is not None and info.known and info.behaviour == "serve":
        # only ``args``: flags for a known server image's own entrypoint (``memcached -m 64``)
        return FOREVER
    return _unknown_program(runs_to_completion)
