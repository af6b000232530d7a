"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from serving import ServeProcess


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    """``serve(*args, repo=DIR, env=…)`` starts ``helmlite serve`` on a free loopback port."""
    started: list[ServeProcess] = []

    def start(*args: str, repo: Path | None = None, env: dict[str, str] | None = None) -> ServeProcess:
        proc = ServeProcess(repo or tmp_path / "repo", tmp_path / f"serve{len(started)}.log", *args, env=env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


