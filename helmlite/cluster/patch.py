"""JSON merge patch (RFC 7386), the ``application/merge-patch+json`` patch type."""

from __future__ import annotations

from typing import Any

__all__ = ["json_merge_patch"]


def json_merge_patch(target: Any, patch: Any) -> Any:
    """The result of applying ``patch`` to ``target``; neither argument is modified, but the
    result may share unchanged subtrees with them (copy it before mutating).

    Objects merge recursively, ``null`` deletes a member, anything else (lists included)
    replaces the target value.
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = json_merge_patch(result.get(key), value)
    return result
