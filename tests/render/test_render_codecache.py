"""The on-disk cache of compiled template code: reused by a new process, self-healing, optional."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmlite.render.jinja import codecache
from helmlite.render.jinja.environment import HelmliteEnvironment

SOURCE = '{% define "t.name" %}{{ Values.name | upper }}{% enddefine %}name: {{ include("t.name", ctx) }}\n'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HELMLITE_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(codecache.DISABLE_ENV, raising=False)
    return tmp_path / "templates"


def _entries(cache_dir: Path) -> list[Path]:
    return [p for p in cache_dir.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]


def test_a_new_environment_reuses_code_compiled_by_another(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = HelmliteEnvironment().compile_file("c/templates/a.yaml", SOURCE)
    assert len(_entries(cache_dir)) == 1
    # A fresh environment (a new process) must not generate code again.
    fresh = HelmliteEnvironment()
    monkeypatch.setattr(fresh, "_generate_code", lambda *a: pytest.fail("recompiled despite a cache entry"))
    second = fresh.compile_file("c/templates/a.yaml", SOURCE)
    assert [d.name for d in second.defines] == [d.name for d in first.defines] == ["t.name"]
    assert second.template is not None


def test_a_corrupt_entry_is_recompiled_and_replaced(cache_dir: Path) -> None:
    HelmliteEnvironment().compile_file("c/templates/a.yaml", SOURCE)
    (entry,) = _entries(cache_dir)
    entry.write_bytes(b"\x00garbage")
    compiled = HelmliteEnvironment().compile_file("c/templates/a.yaml", SOURCE)
    assert compiled.template is not None
    assert entry.read_bytes() != b"\x00garbage"


def test_changed_source_gets_its_own_entry(cache_dir: Path) -> None:
    env = HelmliteEnvironment()
    env.compile_file("c/templates/a.yaml", SOURCE)
    env.compile_file("c/templates/a.yaml", SOURCE.replace("upper", "lower"))
    assert len(_entries(cache_dir)) == 2


def test_the_cache_can_be_disabled(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(codecache.DISABLE_ENV, "1")
    HelmliteEnvironment().compile_file("c/templates/a.yaml", SOURCE)
    assert not cache_dir.exists()
