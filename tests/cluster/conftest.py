"""Fixtures for the simulator tests."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(seed=0)
