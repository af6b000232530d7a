"""Fixtures of the API server tests (defined in served.py so other test packages can import them)."""

from __future__ import annotations

from served import kubectl_bin, served_cluster

__all__ = ["kubectl_bin", "served_cluster"]
