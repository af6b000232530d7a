"""A persistent cache of compiled template code, so a new process does not recompile a chart.

Compiling is most of a first render (Jinja parses and generates Python for every file: about
1 ms a file), and every ``helmlite template``/``install`` is a new process. Like Jinja's own
``FileSystemBytecodeCache``, entries are marshalled code objects, one file each, keyed by the
sha256 of the source plus everything that changes the generated code (file name, partial flag,
the Python, Jinja2 and helmlite versions), so an entry can be stale only by being unused.
Writes are atomic (temp file + rename); an unreadable entry is recompiled and replaced.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path

import jinja2

import helmlite

__all__ = ["CompiledCode", "CodeCache", "default_code_cache"]

# Set to disable the disk cache (compilation still happens once per process).
DISABLE_ENV = "HELMLITE_NO_TEMPLATE_CACHE"
_SALT = f"{sys.version}|{jinja2.__version__}|{helmlite.__version__}".encode()


@dataclass(frozen=True)
class CompiledCode:
    """The code of one template file: its body (``None`` for partials) and its defines."""

    body: types.CodeType | None
    defines: tuple[tuple[str, int, types.CodeType, bool], ...]  # (name, lineno, code, empty body)


class CodeCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(name: str, source_sha256: str, partial: bool) -> str:
        digest = hashlib.sha256(_SALT)
        digest.update(f"|{name}|{source_sha256}|{partial}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def load(self, key: str) -> CompiledCode | None:
        """The cached code for ``key``, or None when absent or unreadable."""
        try:
            data = (self.directory / key[:2] / key).read_bytes()
            body, defines = marshal.loads(data)
            return CompiledCode(body, tuple(tuple(d) for d in defines))  # type: ignore[misc]
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def store(self, key: str, code: CompiledCode) -> None:
        """Write the entry atomically; a cache that cannot be written is silently skipped."""
        target = self.directory / key[:2] / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps((code.body, [list(d) for d in code.defines])))
            os.replace(tmp, target)
        except OSError:
            return


def default_code_cache() -> CodeCache | None:
    """The cache under ``$HELMLITE_CACHE_HOME/templates`` (None when disabled)."""
    if os.environ.get(DISABLE_ENV):
        return None
    from helmlite.paths import cache_home

    return CodeCache(cache_home() / "templates")
