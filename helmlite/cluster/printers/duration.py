"""Ages and durations as Kubernetes prints them (``k8s.io/apimachinery/pkg/util/duration``).

``HumanDuration`` keeps two or three significant figures: exact seconds under two minutes
(``119s``), minutes and seconds under ten minutes (``5m12s``), whole minutes under three hours,
hours and minutes under eight hours, whole hours under two days, days and hours under eight
days, whole days under two years, then years and days, then years.
"""

from __future__ import annotations

from helmlite.cluster.clock import parse_time

__all__ = ["UNKNOWN", "human_duration", "since"]

# What the printers show for a timestamp that is not set (metav1.Time.IsZero()).
UNKNOWN = "<unknown>"


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration``: ``45s``, ``5m12s``, ``3h``, ``2d5h``; ``<invalid>`` when more
    than a second in the future (clock skew up to that is shown as ``0s``)."""
    whole = int(seconds)  # Go's int(d.Seconds()) truncates toward zero
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def since(timestamp: str | None, now: float) -> str:
    """``translateTimestampSince``: the age of an RFC 3339 timestamp at virtual time ``now``."""
    if not timestamp:
        return UNKNOWN
    try:
        return human_duration(now - parse_time(timestamp))
    except ValueError:
        return UNKNOWN
