"""Where helmlite keeps its files: ``HELMLITE_*`` variables first, then the XDG base directories.

Mirrors Helm's ``HELM_CONFIG_HOME`` / ``HELM_CACHE_HOME`` / ``HELM_DATA_HOME`` layout so a Helm user
finds things where they expect them (``~/.config/helmlite``, ``~/.cache/helmlite``, ``~/.local/share/helmlite``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["config_home", "cache_home", "data_home", "cluster_file"]


def _xdg(helmlite_var: str, xdg_var: str, fallback: str) -> Path:
    explicit = os.environ.get(helmlite_var)
    if explicit:
        return Path(explicit)
    base = os.environ.get(xdg_var) or str(Path.home() / fallback)
    return Path(base) / "helmlite"


def config_home() -> Path:
    """``$HELMLITE_CONFIG_HOME``, else ``$XDG_CONFIG_HOME/helmlite`` (repositories.yaml lives here)."""
    return _xdg("HELMLITE_CONFIG_HOME", "XDG_CONFIG_HOME", ".config")


def cache_home() -> Path:
    """``$HELMLITE_CACHE_HOME``, else ``$XDG_CACHE_HOME/helmlite`` (repository index caches)."""
    return _xdg("HELMLITE_CACHE_HOME", "XDG_CACHE_HOME", ".cache")


def data_home() -> Path:
    """``$HELMLITE_DATA``, else ``$XDG_DATA_HOME/helmlite`` (the simulated cluster file)."""
    return _xdg("HELMLITE_DATA", "XDG_DATA_HOME", ".local/share")


def cluster_file() -> Path:
    """``$HELMLITE_CLUSTER``, else ``data_home()/cluster.db``: the simulated cluster's SQLite file."""
    explicit = os.environ.get("HELMLITE_CLUSTER")
    return Path(explicit) if explicit else data_home() / "cluster.db"
