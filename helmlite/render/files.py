"""``Files``: the chart's non-template files as templates see them (Helm's ``engine.files``).

Semantics are Helm's (helm-behaviour.md §3.4, go-templates.md §2.2): ``Get`` of a missing file is
``""``, ``Glob`` uses gobwas-glob rules with ``/`` as the separator (``*`` stays inside one path
segment, ``**`` crosses them, ``{a,b}`` alternatives, an invalid pattern matches everything),
``AsConfig``/``AsSecrets`` key entries by base name and render with ``toYaml``.
"""

from __future__ import annotations

import base64
import functools
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping

__all__ = ["Files", "glob_to_regex"]


class Files(Mapping[str, bytes]):
    """A read-only mapping of chart-relative path → bytes, with Helm's template methods.

    Iteration is in sorted path order (Go templates range over maps in key order).
    """

    __slots__ = ("_data",)

    def __init__(self, entries: Iterable[tuple[str, bytes]] = ()) -> None:
        self._data: dict[str, bytes] = dict(sorted(entries))

    def __getitem__(self, name: str) -> bytes:
        return self._data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Files({list(self._data)!r})"

    def Get(self, name: str) -> str:  # noqa: N802 - Helm's template method name
        """The file's content as text (UTF-8, invalid bytes replaced); ``""`` when absent."""
        data = self._data.get(name)
        return "" if data is None else data.decode("utf-8", "replace")

    def GetBytes(self, name: str) -> bytes:  # noqa: N802
        """The file's raw bytes; ``b""`` when absent."""
        return self._data.get(name, b"")

    def Glob(self, pattern: str) -> Files:  # noqa: N802
        """The files whose path matches ``pattern`` (gobwas glob, ``/`` separator), as ``Files``."""
        regex = _compile_glob(pattern)
        return Files((name, data) for name, data in self._data.items() if regex.fullmatch(name))

    def Lines(self, name: str) -> list[str]:  # noqa: N802
        """The file split on ``\\n`` after dropping one trailing newline; ``[]`` when absent."""
        data = self._data.get(name)
        if not data:
            return []
        text = data.decode("utf-8", "replace")
        if text.endswith("\n"):
            text = text[:-1]
        return text.split("\n")

    def AsConfig(self) -> str:  # noqa: N802
        """``toYaml`` of {base name: text}: a ConfigMap ``data`` block."""
        return _to_yaml({posixpath.basename(k): v.decode("utf-8", "replace") for k, v in self._data.items()})

    def AsSecrets(self) -> str:  # noqa: N802
        """``toYaml`` of {base name: base64(content)}: a Secret ``data`` block."""
        return _to_yaml({posixpath.basename(k): base64.b64encode(v).decode("ascii") for k, v in self._data.items()})


def _to_yaml(obj: dict[str, str]) -> str:
    """Helm's ``toYAML``: ``""`` for content go-yaml cannot write (a control character)."""
    from helmlite.values.yamlio import dump_yaml

    try:
        text = dump_yaml(obj)
    except ValueError:
        return ""
    return text.removesuffix("\n")


def glob_to_regex(pattern: str) -> str:
    """Translate a gobwas glob (separator ``/``) to a Python regex for ``fullmatch``.

    Raises ValueError for a malformed pattern (unclosed ``[`` or ``{``, trailing ``\\``).
    """
    out: list[str] = []
    depth = 0  # nesting of {…} alternatives
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise ValueError(f"unclosed '[' in {pattern!r}")
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            if not body:
                raise ValueError(f"empty character class in {pattern!r}")
            escaped = "".join("\\" + ch if ch in "\\^[]" else ch for ch in body)
            out.append(f"[^/{escaped}]" if negate else f"[{escaped}]")
            i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        elif c == "\\":
            if i + 1 >= n:
                raise ValueError(f"trailing '\\' in {pattern!r}")
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise ValueError(f"unclosed '{{' in {pattern!r}")
    return "".join(out)


@functools.lru_cache(maxsize=512)
def _compile_glob(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(glob_to_regex(pattern), re.DOTALL)
    except (ValueError, re.error):
        # Helm falls back to "**" (everything) when the pattern does not compile.
        return re.compile(".*", re.DOTALL)
