"""The virtual clock: timers in order, earliest-wins rescheduling, advance and run_until."""

from __future__ import annotations

import pytest

from helmlite.cluster import EPOCH, VirtualClock, format_time, parse_time


def recording_clock() -> tuple[VirtualClock, list[tuple[float, str]]]:
    clock = VirtualClock()
    fired: list[tuple[float, str]] = []
    clock.on_timer = lambda key: fired.append((clock.now - EPOCH, key))
    return clock, fired


def test_starts_at_the_epoch() -> None:
    assert VirtualClock().now_rfc3339() == "2026-01-01T00:00:00Z"
    assert format_time(EPOCH + 3661.9) == "2026-01-01T01:01:01Z"
    assert parse_time("2026-01-01T01:01:01Z") == EPOCH + 3661


def test_timers_fire_in_time_order_at_their_time() -> None:
    clock, fired = recording_clock()
    clock.schedule(EPOCH + 30, "c")
    clock.schedule(EPOCH + 10, "a")
    clock.schedule(EPOCH + 20, "b")
    clock.schedule(EPOCH + 20, "b2")
    assert clock.advance(25) == 3
    assert fired == [(10, "a"), (20, "b"), (20, "b2")]
    assert clock.now == EPOCH + 25
    clock.advance(5)
    assert fired[-1] == (30, "c")


def test_rescheduling_keeps_the_earliest_time() -> None:
    clock, fired = recording_clock()
    clock.schedule(EPOCH + 50, "k")
    clock.schedule(EPOCH + 10, "k")
    clock.schedule(EPOCH + 40, "k")
    clock.advance(100)
    assert fired == [(10, "k")]
    assert clock.pending() == []


def test_cancel() -> None:
    clock, fired = recording_clock()
    clock.schedule(EPOCH + 5, "k")
    clock.cancel("k")
    clock.advance(10)
    assert fired == []


def test_timers_scheduled_while_firing_run_in_the_same_advance() -> None:
    clock = VirtualClock()
    fired: list[float] = []

    def on_timer(key: str) -> None:
        fired.append(clock.now - EPOCH)
        if len(fired) < 4:
            clock.schedule(clock.now + 10, key)  # a periodic timer

    clock.on_timer = on_timer
    clock.schedule(EPOCH + 10, "tick")
    clock.advance(35)
    assert fired == [10, 20, 30]
    assert clock.next_deadline() == EPOCH + 40


def test_settle_runs_after_each_instant() -> None:
    clock = VirtualClock()
    settled: list[float] = []
    clock.settle = lambda: settled.append(clock.now - EPOCH)
    clock.schedule(EPOCH + 1, "a")
    clock.schedule(EPOCH + 2, "b")
    clock.advance(3)
    assert settled == [0, 1, 2, 3]


def test_run_until_stops_as_soon_as_the_predicate_holds() -> None:
    clock = VirtualClock()
    state = {"ready": False}
    clock.on_timer = lambda key: state.update(ready=key == "ready")
    clock.schedule(EPOCH + 5, "not-yet")
    clock.schedule(EPOCH + 42, "ready")
    clock.schedule(EPOCH + 60, "later")
    assert clock.run_until(lambda: state["ready"], timeout=300) is True
    assert clock.now == EPOCH + 42


def test_run_until_times_out_at_the_deadline() -> None:
    clock = VirtualClock()
    clock.schedule(EPOCH + 500, "too-late")
    assert clock.run_until(lambda: False, timeout=120) is False
    assert clock.now == EPOCH + 120
    assert clock.pending() == [(EPOCH + 500, "too-late")]


def test_time_never_goes_backwards() -> None:
    with pytest.raises(ValueError):
        VirtualClock().advance(-1)
    clock, fired = recording_clock()
    clock.advance(100)
    clock.schedule(EPOCH + 10, "past")  # already due: fires at "now"
    clock.advance(0)
    assert fired == [(100, "past")]


def test_change_tracking_for_persistence() -> None:
    clock = VirtualClock()
    clock.schedule(EPOCH + 5, "a")
    clock.schedule(EPOCH + 6, "b")
    upserts, removed = clock.take_changes()
    assert set(upserts) == {"a", "b"} and removed == set()
    clock.advance(5)
    upserts, removed = clock.take_changes()
    assert upserts == {} and removed == {"a"}
