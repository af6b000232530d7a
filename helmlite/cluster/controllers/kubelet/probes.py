"""Probe schedules, computed instead of polled.

A prober worker probes every ``periodSeconds``; results before ``initialDelaySeconds`` after the
container started are ignored; a probe flips its result after ``successThreshold`` consecutive
successes or ``failureThreshold`` consecutive failures. Whether a probe succeeds is a function
of time (from faults: "fails from N seconds after start"), so every transition time is known
in advance: the kubelet wakes a pod only at the next one, never every period for a healthy pod.

Ticks are anchored at the container's start (``startedAt``): tick *k* is at
``startedAt + k * periodSeconds``; the first tick that counts is the first at or after
``startedAt + initialDelaySeconds`` (and, for liveness and readiness, at or after the startup
probe succeeded).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ProbeSpec", "ProbeTimeline", "probe_spec", "timeline", "probe_failure_message"]

# Virtual times are floats around 1.7e9: compare them with a millisecond of slack.
_TOLERANCE = 1e-4
_STRICTLY_AFTER = 1e-3


@dataclass(frozen=True)
class ProbeSpec:
    """A probe's timing fields (defaults as the API server sets them)."""

    initial_delay: float
    period: float
    timeout: float
    success_threshold: int
    failure_threshold: int
    handler: Mapping[str, Any]


def probe_spec(probe: Mapping[str, Any] | None) -> ProbeSpec | None:
    """The timing of a probe definition, or None if the container has no such probe."""
    if not probe:
        return None
    return ProbeSpec(
        initial_delay=float(probe.get("initialDelaySeconds") or 0),
        period=float(probe.get("periodSeconds") or 10) or 10.0,
        timeout=float(probe.get("timeoutSeconds") or 1),
        success_threshold=max(int(probe.get("successThreshold") or 1), 1),
        failure_threshold=max(int(probe.get("failureThreshold") or 3), 1),
        handler=probe,
    )


@dataclass(frozen=True)
class ProbeTimeline:
    """When a probe's result changes, for one container run.

    ``success_at``: when the result first becomes Success (None: never).
    ``failure_at``: when it becomes Failure after having failed ``failureThreshold`` times in a
    row (None: never). ``first_failing_tick``: the first probe that fails (None: none), after
    which every tick fails.
    """

    spec: ProbeSpec
    first_tick: float
    success_at: float | None
    failure_at: float | None
    first_failing_tick: float | None

    def tick_at_or_after(self, t: float) -> float:
        """The first tick at or after ``t`` (never before the first counted tick)."""
        if t <= self.first_tick:
            return self.first_tick
        steps = math.ceil((t - self.first_tick - _TOLERANCE) / self.spec.period)
        return self.first_tick + steps * self.spec.period

    def failing_ticks_between(self, after: float, until: float) -> int:
        """How many failing probes happen in ``(after, until]``."""
        if self.first_failing_tick is None or until < self.first_failing_tick:
            return 0
        start = max(self.first_failing_tick, self.tick_at_or_after(after + _STRICTLY_AFTER))
        if start > until:
            return 0
        return int((until - start) // self.spec.period) + 1

    def next_failing_tick(self, after: float) -> float | None:
        """The first failing probe strictly after ``after``."""
        if self.first_failing_tick is None:
            return None
        return max(self.first_failing_tick, self.tick_at_or_after(after + _STRICTLY_AFTER))


def timeline(spec: ProbeSpec, started_at: float, gate: float, fails_from: float | None) -> ProbeTimeline:
    """The result changes of a probe on a container started at ``started_at``.

    ``gate``: probing starts only at or after this time (the startup probe's success for
    liveness and readiness). ``fails_from``: every probe at or after this time fails (None:
    every probe succeeds).
    """
    earliest = max(started_at + spec.initial_delay, gate)
    k0 = max(0, math.ceil((earliest - started_at - _TOLERANCE) / spec.period))
    first_tick = started_at + k0 * spec.period
    period = spec.period
    if fails_from is None:
        first_failing = None
    elif fails_from <= first_tick:
        first_failing = first_tick
    else:
        first_failing = first_tick + math.ceil((fails_from - first_tick - _TOLERANCE) / period) * period
    success_tick = first_tick + (spec.success_threshold - 1) * period
    success_at = success_tick if first_failing is None or success_tick < first_failing else None
    failure_at = None if first_failing is None else first_failing + (spec.failure_threshold - 1) * period
    return ProbeTimeline(spec, first_tick, success_at, failure_at, first_failing)


def probe_failure_message(kind: str, handler: Mapping[str, Any], pod_ip: str, ports: Mapping[str, int],
                          custom: str | None) -> str:
    """The kubelet's event text for a failed probe: ``Liveness probe failed: …``."""
    label = {"liveness": "Liveness", "readiness": "Readiness", "startup": "Startup"}[kind]
    if custom is not None:
        return f"{label} probe failed: {custom}"
    if "httpGet" in handler:
        http = handler["httpGet"] or {}
        port = _port(http.get("port"), ports)
        scheme = (http.get("scheme") or "HTTP").lower()
        host = http.get("host") or pod_ip
        path = http.get("path") or "/"
        return (f'{label} probe failed: Get "{scheme}://{host}:{port}{path}": dial tcp {host}:{port}: '
                "connect: connection refused")
    if "tcpSocket" in handler:
        tcp = handler["tcpSocket"] or {}
        port = _port(tcp.get("port"), ports)
        host = tcp.get("host") or pod_ip
        return f"{label} probe failed: dial tcp {host}:{port}: connect: connection refused"
    if "grpc" in handler:
        port = (handler["grpc"] or {}).get("port")
        return f'{label} probe failed: timeout: failed to connect service ":{port}" within 1s'
    return f"{label} probe failed: "


def _port(value: Any, ports: Mapping[str, int]) -> Any:
    if isinstance(value, str) and not value.isdigit():
        return ports.get(value, value)
    return value
