"""Helm-compatible SemVer: Masterminds/semver v3.5.0 versions and constraints on ``semver``.

Versions are ``semver.Version`` objects; constraints follow the grammar Helm accepts in
Chart.yaml dependencies, ``kubeVersion`` and ``--version`` (see ``constraints``).
"""

from __future__ import annotations

from helmlite.semver.constraints import Constraint, newest_matching, satisfies
from helmlite.semver.version import is_strict_semver, parse_version, sort_key

__all__ = [
    "Constraint",
    "is_strict_semver",
    "newest_matching",
    "parse_version",
    "satisfies",
    "sort_key",
]
