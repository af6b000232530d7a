"""``helmlite create``: write a new chart, the native (Jinja2) twin of ``helm create``'s scaffold.

The scaffold lives as real files in ``helmlite/chart/scaffold/`` (shipped as package data), with
``<CHARTNAME>`` wherever Helm's starter puts the chart name, exactly like a Helm starter chart.
Rendered with the same values and release name, it produces the same Kubernetes objects as the
chart ``helm create`` writes (``tests/chart/test_scaffold_vs_helm.py`` holds it to that).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from helmlite.errors import ChartError

__all__ = ["CHART_NAME_PLACEHOLDER", "MAX_CHART_NAME_LENGTH", "create_chart"]

# Helm's starter placeholder, so a Helm user recognises the scaffold files for what they are.
CHART_NAME_PLACEHOLDER = "<CHARTNAME>"

# Helm's rules for a chart name given to `create` (pkg/chart/v2/util/create.go).
MAX_CHART_NAME_LENGTH = 250
_CHART_NAME_RE = re.compile(r"^[a-zA-Z0-9._-]+$")

# Helm creates charts/ explicitly because no scaffold file lives in it.
_EMPTY_DIRS = ("charts",)


def create_chart(name: str, parent_dir: Path, *, on_overwrite: Callable[[Path], None] | None = None) -> Path:
    """Write the scaffold chart ``parent_dir/name`` and return its directory.

    Existing scaffold files are overwritten (as Helm does); ``on_overwrite`` is told about each
    one first, so the CLI can print Helm's ``WARNING: File "…" already exists. Overwriting.``.
    Other files already in the directory are left alone, and because every scaffold file is
    rewritten, running it again completes a scaffold an interrupted run left half-written.

    Raises ``ChartError`` when the name is not a valid chart name (Helm's rule: 1–250
    characters of ``[a-zA-Z0-9._-]``; helmlite also refuses ``.`` and ``..``, which Helm
    accepts and then scatters the scaffold into the parent directory), when ``parent_dir``
    is not a directory, or when ``parent_dir/name`` exists and is not a directory.
    """
    _validate_chart_name(name)
    parent = Path(parent_dir).absolute()
    if not parent.is_dir():
        raise ChartError(f"no such directory {parent}")
    chart_dir = parent / name
    if chart_dir.exists() and not chart_dir.is_dir():
        raise ChartError(f"file {chart_dir} already exists and is not a directory")

    for relative, text in _scaffold_files():
        target = chart_dir.joinpath(*relative.split("/"))
        if target.exists() and on_overwrite is not None:
            on_overwrite(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        content = _substitute(text, name, yaml_scalar=relative == "Chart.yaml")
        target.write_text(content, encoding="utf-8")
    for directory in _EMPTY_DIRS:
        (chart_dir / directory).mkdir(parents=True, exist_ok=True)
    return chart_dir


def _validate_chart_name(name: str) -> None:
    if not name or len(name) > MAX_CHART_NAME_LENGTH:
        raise ChartError(f"chart name must be between 1 and {MAX_CHART_NAME_LENGTH} characters")
    if not _CHART_NAME_RE.fullmatch(name):
        raise ChartError(f'chart name must match the regular expression "{_CHART_NAME_RE.pattern}"')
    if name in (".", ".."):
        raise ChartError(f'chart name "{name}" is not a directory name; give the chart a name')


def _substitute(text: str, name: str, *, yaml_scalar: bool) -> str:
    """Put the chart name in place of the placeholder.

    In Chart.yaml the name is a YAML scalar: a name such as ``true``, ``1.10`` or ``null``
    would load as a boolean, number or nothing (Helm writes it bare and then cannot load its
    own chart), so there it is quoted whenever plain YAML would not read it back as the string.
    """
    replacement = name
    if yaml_scalar and not _is_plain_yaml_string(name):
        replacement = json.dumps(name)
    return text.replace(CHART_NAME_PLACEHOLDER, replacement)


def _is_plain_yaml_string(text: str) -> bool:
    try:
        loaded: object = yaml.safe_load(text)
    except yaml.YAMLError:  # e.g. "..." is a document end marker
        return False
    return loaded == text


def _scaffold_files() -> list[tuple[str, str]]:
    """Every scaffold file as ``(path relative to the chart, text)``, in a stable order."""
    root = files("helmlite.chart").joinpath("scaffold")
    return sorted((relative, entry.read_text(encoding="utf-8")) for relative, entry in _walk(root, ""))


def _walk(directory: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in directory.iterdir():
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, relative + "/")
        else:
            yield relative, entry
