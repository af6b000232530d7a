"""Sprig's date functions (date.go, v3.3.0) with Go's ``time`` layouts, zones and durations.

Layouts are Go's reference time (``2006-01-02T15:04:05Z07:00``), parsed chunk by chunk as
``time.Format``/``time.Parse`` do. "Local" is the process zone as Go finds it: ``$TZ`` (empty
means UTC, an unknown name falls back to UTC) or ``/etc/localtime``. ``date``/``dateInZone``
take a ``time.Time`` or Unix seconds as ``int``/``int64``; any other value (a float from
values files too) silently means *now*. ``duration`` takes seconds as ``int64`` or a numeric
string — a plain ``int`` gives ``0s``. Python keeps microseconds, so nanoseconds print as 0.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Any

from helmlite.render.gotemplate.funcs.gotypes import Int64
from helmlite.render.gotemplate.funcs.sprig_numbers import parse_go_int, wrap_int64
from helmlite.render.gotemplate.funcspec import ANY, STRING, TIME, FuncError, gofunc
from helmlite.render.gotemplate.gotypes import format_duration

__all__ = ["local_zone", "load_location", "format_go_time", "parse_go_time", "parse_go_duration", "ZERO_TIME"]

UTC = _dt.timezone.utc
ZERO_TIME = _dt.datetime(1, 1, 1, tzinfo=UTC)
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = 10**9
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": _SECOND,
          "m": 60 * _SECOND, "h": 3600 * _SECOND}


def _zone_from_name(name: str) -> _dt.tzinfo | None:
    # Imported here: with sysconfig it is a tenth of the function table's import, and few
    # charts need a time zone.
    import zoneinfo

    try:
        if name.startswith("/"):
            with open(name, "rb") as f:
                return zoneinfo.ZoneInfo.from_file(f, key=name)
        return zoneinfo.ZoneInfo(name)
    except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


def local_zone() -> _dt.tzinfo:
    """Go's ``time.Local``: ``$TZ`` if set (empty or unknown is UTC), else /etc/localtime."""
    tz = os.environ.get("TZ")
    if tz is None:
        return _zone_from_name("/etc/localtime") or UTC
    if tz in ("", "UTC"):
        return UTC
    return _zone_from_name(tz.removeprefix(":")) or UTC


def load_location(name: str) -> _dt.tzinfo | None:
    """``time.LoadLocation``: "" and "UTC" are UTC, "Local" is local; None when unknown."""
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return local_zone()
    if name.startswith("/") or ".." in name.split("/"):
        return None
    return _zone_from_name(name)


def _go_quote(s: str) -> str:
    """The ``time`` package's quoting of values in error messages."""
    out = ['"']
    for ch in s:
        if ch < " " or ch >= "\x80":
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


# Layout chunks, named after Go's std* constants.
(_LONG_MONTH, _MONTH, _NUM_MONTH, _ZERO_MONTH, _LONG_WEEKDAY, _WEEKDAY, _DAY, _UNDER_DAY, _ZERO_DAY,
 _UNDER_YEARDAY, _ZERO_YEARDAY, _HOUR, _HOUR12, _ZERO_HOUR12, _MINUTE, _ZERO_MINUTE, _SECOND_STD,
 _ZERO_SECOND, _LONG_YEAR, _YEAR, _PM, _LOWER_PM, _TZ, _ISO_TZ, _ISO_SECONDS_TZ, _ISO_SHORT_TZ,
 _ISO_COLON_TZ, _ISO_COLON_SECONDS_TZ, _NUM_TZ, _NUM_SECONDS_TZ, _NUM_SHORT_TZ, _NUM_COLON_TZ,
 _NUM_COLON_SECONDS_TZ, _FRAC0, _FRAC9) = range(1, 36)
_ZERO_PAIRS = {"1": _ZERO_MONTH, "2": _ZERO_DAY, "3": _ZERO_HOUR12, "4": _ZERO_MINUTE, "5": _ZERO_SECOND,
               "6": _YEAR}
_ZONE_CHUNKS = (("-070000", _NUM_SECONDS_TZ), ("-07:00:00", _NUM_COLON_SECONDS_TZ), ("-0700", _NUM_TZ),
                ("-07:00", _NUM_COLON_TZ), ("-07", _NUM_SHORT_TZ), ("Z070000", _ISO_SECONDS_TZ),
                ("Z07:00:00", _ISO_COLON_SECONDS_TZ), ("Z0700", _ISO_TZ), ("Z07:00", _ISO_COLON_TZ),
                ("Z07", _ISO_SHORT_TZ))
_ISO_ZONES = frozenset((_ISO_TZ, _ISO_SECONDS_TZ, _ISO_SHORT_TZ, _ISO_COLON_TZ, _ISO_COLON_SECONDS_TZ))


def _starts_lower(s: str) -> bool:
    return bool(s) and "a" <= s[0] <= "z"


def _next_chunk(layout: str) -> tuple[str, int, str, str]:
    """Go's ``nextStdChunk``: (prefix, std, chunk text, suffix); std 0 when none is left.

    For fractional seconds the chunk text also tells the digit count and separator.
    """
    for i, c in enumerate(layout):
        rest = layout[i:]
        std = 0
        size = 0
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                std, size = _LONG_MONTH, 7
            elif not _starts_lower(rest[3:]):
                std, size = _MONTH, 3
        elif c == "M":
            if rest.startswith("Monday"):
                std, size = _LONG_WEEKDAY, 6
            elif rest.startswith("Mon") and not _starts_lower(rest[3:]):
                std, size = _WEEKDAY, 3
            elif rest.startswith("MST"):
                std, size = _TZ, 3
        elif c == "0":
            if len(rest) >= 2 and "1" <= rest[1] <= "6":
                std, size = _ZERO_PAIRS[rest[1]], 2
            elif rest.startswith("002"):
                std, size = _ZERO_YEARDAY, 3
        elif c == "1":
            std, size = (_HOUR, 2) if rest.startswith("15") else (_NUM_MONTH, 1)
        elif c == "2":
            std, size = (_LONG_YEAR, 4) if rest.startswith("2006") else (_DAY, 1)
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):
                    # "_2006" is a literal "_" before the year.
                    return layout[:i + 1], _LONG_YEAR, "2006", layout[i + 5:]
                std, size = _UNDER_DAY, 2
            elif rest.startswith("__2"):
                std, size = _UNDER_YEARDAY, 3
        elif c in "345":
            std, size = {"3": _HOUR12, "4": _MINUTE, "5": _SECOND_STD}[c], 1
        elif c == "P" and rest.startswith("PM"):
            std, size = _PM, 2
        elif c == "p" and rest.startswith("pm"):
            std, size = _LOWER_PM, 2
        elif c in "-Z":
            for text, zone_std in _ZONE_CHUNKS:
                if rest.startswith(text):
                    std, size = zone_std, len(text)
                    break
        elif c in ".," and len(rest) >= 2 and rest[1] in "09":
            j = 1
            while j < len(rest) and rest[j] == rest[1]:
                j += 1
            if not (j < len(rest) and rest[j].isdigit()):
                std, size = (_FRAC9 if rest[1] == "9" else _FRAC0), j
        if std:
            return layout[:i], std, rest[:size], rest[size:]
    return layout, 0, "", ""


def _offset_seconds(t: _dt.datetime) -> int:
    offset = t.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _format_zone(std: int, offset: int) -> str:
    if offset == 0 and std in _ISO_ZONES:
        return "Z"
    sign = "-" if offset < 0 else "+"
    absolute = abs(offset)
    minutes = absolute // 60
    text = f"{sign}{minutes // 60:02d}"
    if std in (_ISO_COLON_TZ, _NUM_COLON_TZ, _ISO_COLON_SECONDS_TZ, _NUM_COLON_SECONDS_TZ):
        text += ":"
    if std not in (_NUM_SHORT_TZ, _ISO_SHORT_TZ):
        text += f"{minutes % 60:02d}"
    if std in (_ISO_SECONDS_TZ, _NUM_SECONDS_TZ, _NUM_COLON_SECONDS_TZ, _ISO_COLON_SECONDS_TZ):
        if std in (_NUM_COLON_SECONDS_TZ, _ISO_COLON_SECONDS_TZ):
            text += ":"
        text += f"{absolute % 60:02d}"
    return text


def _format_chunk(std: int, chunk: str, t: _dt.datetime) -> str:
    year = t.year
    hour12 = t.hour % 12 or 12
    yday = t.timetuple().tm_yday
    if std in (_FRAC0, _FRAC9):
        digits = min(len(chunk) - 1, 9)
        nanos = t.microsecond * 1000
        if std == _FRAC9 and nanos == 0:
            return ""
        text = f"{nanos:09d}"[:digits]
        if std == _FRAC9:
            text = text.rstrip("0")
            return chunk[0] + text if text else ""
        return chunk[0] + text
    if std == _TZ:
        name = t.tzname()
        if name:
            return name
        minutes = _offset_seconds(t) // 60
        return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    if std in _ISO_ZONES or std in (_NUM_TZ, _NUM_SECONDS_TZ, _NUM_SHORT_TZ, _NUM_COLON_TZ, _NUM_COLON_SECONDS_TZ):
        return _format_zone(std, _offset_seconds(t))
    return {
        _YEAR: f"{year % 100:02d}",
        _LONG_YEAR: f"{year:04d}",
        _MONTH: _MONTHS[t.month - 1][:3],
        _LONG_MONTH: _MONTHS[t.month - 1],
        _NUM_MONTH: str(t.month),
        _ZERO_MONTH: f"{t.month:02d}",
        _WEEKDAY: _DAYS[t.isoweekday() % 7][:3],
        _LONG_WEEKDAY: _DAYS[t.isoweekday() % 7],
        _DAY: str(t.day),
        _UNDER_DAY: f"{t.day:2d}",
        _ZERO_DAY: f"{t.day:02d}",
        _UNDER_YEARDAY: f"{yday:3d}",
        _ZERO_YEARDAY: f"{yday:03d}",
        _HOUR: f"{t.hour:02d}",
        _HOUR12: str(hour12),
        _ZERO_HOUR12: f"{hour12:02d}",
        _MINUTE: str(t.minute),
        _ZERO_MINUTE: f"{t.minute:02d}",
        _SECOND_STD: str(t.second),
        _ZERO_SECOND: f"{t.second:02d}",
        _PM: "PM" if t.hour >= 12 else "AM",
        _LOWER_PM: "pm" if t.hour >= 12 else "am",
    }[std]


def format_go_time(layout: str, t: _dt.datetime) -> str:
    """``time.Time.Format(layout)``."""
    out = []
    while layout:
        prefix, std, chunk, layout = _next_chunk(layout)
        out.append(prefix)
        if std:
            out.append(_format_chunk(std, chunk, t))
    return "".join(out)


class _ParseError(Exception):
    """A ``time.ParseError``; ``str()`` is Go's message."""


def _bad(layout: str, value: str, chunk: str, value_elem: str) -> _ParseError:
    return _ParseError(f"parsing time {_go_quote(value)} as {_go_quote(layout)}: cannot parse "
                       f"{_go_quote(value_elem)} as {_go_quote(chunk)}")


def _getnum(s: str, fixed: bool, width: int = 2) -> tuple[int, str] | None:
    """Go's ``getnum``/``getnum3``: one to ``width`` digits (exactly ``width`` when fixed)."""
    n = 0
    while n < width and n < len(s) and s[n].isascii() and s[n].isdigit():
        n += 1
    if n == 0 or (fixed and n < width):
        return None
    return int(s[:n]), s[n:]


def _lookup(names: tuple[str, ...], value: str) -> tuple[int, str] | None:
    for i, name in enumerate(names):
        if len(value) >= len(name) and value[:len(name)].lower() == name.lower():
            return i, value[len(name):]
    return None


def _skip(value: str, prefix: str) -> str | None:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                return None
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            return None
        prefix, value = prefix[1:], value[1:]
    return value


def _zone_abbreviation_length(value: str) -> int:
    """Go's ``parseTimeZone``: length of a zone abbreviation at the start, 0 if none."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value.startswith("GMT"):
        rest = value[3:]
        if rest[:1] in ("+", "-"):
            sign_and_digits = 1
            while sign_and_digits < len(rest) and rest[sign_and_digits].isdigit():
                sign_and_digits += 1
            hours = parse_go_int(rest[:sign_and_digits], 10)
            if sign_and_digits > 1 and hours is not None and -23 <= hours <= 23:
                return 3 + sign_and_digits
        return 3
    if value[0] in "+-":
        n = 1
        while n < len(value) and value[n].isdigit():
            n += 1
        hours = parse_go_int(value[:n], 10) if n > 1 else None
        return n if hours is not None and -23 <= hours <= 23 and n <= 3 else 0
    upper = 0
    while upper < 6 and upper < len(value) and "A" <= value[upper] <= "Z":
        upper += 1
    if upper == 5 and value[4] == "T":
        return 5
    if upper == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    return 3 if upper == 3 else 0


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_go_time(layout: str, value: str, default_zone: _dt.tzinfo) -> _dt.datetime:
    """``time.ParseInLocation``; raises ``_ParseError`` with Go's message."""
    original_layout, original_value = layout, value
    year, month, day, yday = 0, -1, -1, -1
    hour = minute = second = nanos = 0
    zone: _dt.tzinfo | None = None
    zone_offset: int | None = None
    zone_name = ""
    am = pm = False
    while True:
        prefix, std, chunk, suffix = _next_chunk(layout)
        skipped = _skip(value, prefix)
        if skipped is None:
            raise _bad(original_layout, original_value, prefix, value)
        value = skipped
        if not std:
            if value:
                raise _ParseError(f"parsing time {_go_quote(original_value)}: extra text: {_go_quote(value)}")
            break
        layout = suffix
        hold = value
        ok = True
        out_of_range = ""
        if std == _YEAR:
            got = _getnum(value, True)
            if got is None or len(value) < 2:
                ok = False
            else:
                year, value = got
                year += 1900 if year >= 69 else 2000
        elif std == _LONG_YEAR:
            if len(value) < 4 or not value[:4].isdigit() or not value[:4].isascii():
                ok = False
            else:
                year, value = int(value[:4]), value[4:]
        elif std in (_MONTH, _LONG_MONTH):
            names = _MONTHS if std == _LONG_MONTH else tuple(m[:3] for m in _MONTHS)
            found = _lookup(names, value)
            ok = found is not None
            if found:
                month, value = found[0] + 1, found[1]
        elif std in (_NUM_MONTH, _ZERO_MONTH):
            got = _getnum(value, std == _ZERO_MONTH)
            ok = got is not None
            if got:
                month, value = got
                if not 1 <= month <= 12:
                    out_of_range = "month"
        elif std in (_WEEKDAY, _LONG_WEEKDAY):
            names = _DAYS if std == _LONG_WEEKDAY else tuple(d[:3] for d in _DAYS)
            found = _lookup(names, value)
            ok = found is not None
            if found:
                value = found[1]
        elif std in (_DAY, _UNDER_DAY, _ZERO_DAY):
            if std == _UNDER_DAY and value.startswith(" "):
                value = value[1:]
            got = _getnum(value, std == _ZERO_DAY)
            ok = got is not None
            if got:
                day, value = got
        elif std in (_UNDER_YEARDAY, _ZERO_YEARDAY):
            for _ in range(2):
                if std == _UNDER_YEARDAY and value.startswith(" "):
                    value = value[1:]
            got = _getnum(value, std == _ZERO_YEARDAY, 3)
            ok = got is not None
            if got:
                yday, value = got
        elif std in (_HOUR, _HOUR12, _ZERO_HOUR12):
            got = _getnum(value, std == _ZERO_HOUR12)
            ok = got is not None
            if got:
                hour, value = got
                if hour >= (24 if std == _HOUR else 13):
                    out_of_range = "hour"
        elif std in (_MINUTE, _ZERO_MINUTE):
            got = _getnum(value, std == _ZERO_MINUTE)
            ok = got is not None
            if got:
                minute, value = got
                if minute >= 60:
                    out_of_range = "minute"
        elif std in (_SECOND_STD, _ZERO_SECOND):
            got = _getnum(value, std == _ZERO_SECOND)
            ok = got is not None
            if got:
                second, value = got
                if second >= 60:
                    out_of_range = "second"
                elif len(value) >= 2 and value[0] in ".," and value[1].isdigit() \
                        and _next_chunk(layout)[1] not in (_FRAC0, _FRAC9):
                    # A fractional second the layout does not mention is accepted anyway.
                    n = 2
                    while n < len(value) and value[n].isdigit():
                        n += 1
                    nanos = _nanoseconds(value[:n])
                    value = value[n:]
        elif std in (_PM, _LOWER_PM):
            marker = value[:2]
            expected = ("PM", "AM") if std == _PM else ("pm", "am")
            ok = len(value) >= 2 and marker in expected
            if ok:
                pm, am = marker == expected[0], marker == expected[1]
                value = value[2:]
        elif std in _ISO_ZONES and value.startswith("Z"):
            value, zone = value[1:], UTC
        elif std in _ISO_ZONES or std in (_NUM_TZ, _NUM_SECONDS_TZ, _NUM_SHORT_TZ, _NUM_COLON_TZ,
                                          _NUM_COLON_SECONDS_TZ):
            parsed = _parse_offset(std, value)
            if parsed is None:
                ok = False
            else:
                zone_offset, value, out_of_range = parsed
        elif std == _TZ:
            if value.startswith("UTC"):
                zone, value = UTC, value[3:]
            else:
                n = _zone_abbreviation_length(value)
                ok = n > 0
                zone_name, value = value[:n], value[n:]
        elif std == _FRAC0:
            width = len(chunk)
            ok = len(value) >= width and value[0] in ".," and value[1:width].isdigit()
            if ok:
                nanos, value = _nanoseconds(value[:width]), value[width:]
        elif std == _FRAC9 and len(value) >= 2 and value[0] in ".," and value[1].isdigit():
            n = 1
            while n < len(value) and value[n].isdigit():
                n += 1
            nanos, value = _nanoseconds(value[:n]), value[n:]
        if out_of_range:
            raise _ParseError(f"parsing time {_go_quote(original_value)}: {out_of_range} out of range")
        if not ok:
            raise _bad(original_layout, original_value, chunk, hold)
    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0
    if yday >= 0:
        month, day = _from_yday(original_value, year, yday, month, day)
    else:
        month = 1 if month < 0 else month
        day = 1 if day < 0 else day
    if day < 1 or day > _days_in(month, year):
        raise _ParseError(f"parsing time {_go_quote(original_value)}: day out of range")
    wall = _dt.datetime(year, month, day, hour, minute, second, nanos // 1000)
    if zone is not None:
        return wall.replace(tzinfo=zone)
    if zone_offset is not None:
        instant = wall.replace(tzinfo=UTC) - _dt.timedelta(seconds=zone_offset)
        local = instant.astimezone(default_zone)
        if _offset_seconds(local) == zone_offset and (not zone_name or local.tzname() == zone_name):
            return local
        return instant.astimezone(_dt.timezone(_dt.timedelta(seconds=zone_offset), zone_name))
    if zone_name:
        guess = wall.replace(tzinfo=default_zone)
        if guess.tzname() == zone_name:
            return guess
        offset = 0
        if zone_name.startswith("GMT") and len(zone_name) > 3:
            offset = (parse_go_int(zone_name[3:], 10) or 0) * 3600
        return wall.replace(tzinfo=_dt.timezone(_dt.timedelta(seconds=offset), zone_name))
    return wall.replace(tzinfo=default_zone)


def _nanoseconds(fraction: str) -> int:
    digits = fraction[1:10]
    return int(digits.ljust(9, "0"))


def _parse_offset(std: int, value: str) -> tuple[int, str, str] | None:
    colon = std in (_ISO_COLON_TZ, _NUM_COLON_TZ)
    colon_seconds = std in (_ISO_COLON_SECONDS_TZ, _NUM_COLON_SECONDS_TZ)
    if colon:
        if len(value) < 6 or value[3] != ":":
            return None
        sign, hh, mm, ss, rest = value[0], value[1:3], value[4:6], "00", value[6:]
    elif std in (_NUM_SHORT_TZ, _ISO_SHORT_TZ):
        if len(value) < 3:
            return None
        sign, hh, mm, ss, rest = value[0], value[1:3], "00", "00", value[3:]
    elif colon_seconds:
        if len(value) < 9 or value[3] != ":" or value[6] != ":":
            return None
        sign, hh, mm, ss, rest = value[0], value[1:3], value[4:6], value[7:9], value[9:]
    elif std in (_ISO_SECONDS_TZ, _NUM_SECONDS_TZ):
        if len(value) < 7:
            return None
        sign, hh, mm, ss, rest = value[0], value[1:3], value[3:5], value[5:7], value[7:]
    else:
        if len(value) < 5:
            return None
        sign, hh, mm, ss, rest = value[0], value[1:3], value[3:5], "00", value[5:]
    if not all(len(p) == 2 and p.isascii() and p.isdigit() for p in (hh, mm, ss)) or sign not in "+-":
        return None
    hours, minutes, seconds = int(hh), int(mm), int(ss)
    out_of_range = ""
    if hours > 24:
        out_of_range = "time zone offset hour"
    if minutes > 60:
        out_of_range = "time zone offset minute"
    if seconds > 60:
        out_of_range = "time zone offset second"
    offset = (hours * 60 + minutes) * 60 + seconds
    return (-offset if sign == "-" else offset), rest, out_of_range


def _from_yday(value: str, year: int, yday: int, month: int, day: int) -> tuple[int, int]:
    leap = _days_in(2, year) == 29
    m = d = 0
    if leap:
        if yday == 31 + 29:
            m, d = 2, 29
        elif yday > 31 + 29:
            yday -= 1
    if yday < 1 or yday > 365:
        raise _ParseError(f"parsing time {_go_quote(value)}: day-of-year out of range")
    if m == 0:
        before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
        m = next(i for i in range(1, 13) if before[i] >= yday)
        d = yday - before[m - 1]
    if month >= 0 and month != m:
        raise _ParseError(f"parsing time {_go_quote(value)}: day-of-year does not match month")
    if day >= 0 and day != d:
        raise _ParseError(f"parsing time {_go_quote(value)}: day-of-year does not match day")
    return m, d


def parse_go_duration(text: str) -> int:
    """``time.ParseDuration`` in nanoseconds; ValueError carries Go's message."""
    invalid = ValueError("time: invalid duration " + _go_quote(text))
    s = text
    negative = False
    if s[:1] in ("-", "+"):
        negative, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    total = 0
    while s:
        if not (s[0] == "." or s[0].isdigit()):
            raise invalid
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        whole_digits, s = s[:i], s[i:]
        whole = int(whole_digits) if whole_digits else 0
        if whole > 2**63:
            raise invalid
        fraction, scale, has_fraction = 0, 1.0, False
        if s.startswith("."):
            s = s[1:]
            i = 0
            while i < len(s) and "0" <= s[i] <= "9":
                if fraction <= (2**63 - 1) // 10:
                    fraction, scale = fraction * 10 + int(s[i]), scale * 10
                i += 1
            has_fraction, s = i > 0, s[i:]
        if not whole_digits and not has_fraction:
            raise invalid
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError("time: missing unit in duration " + _go_quote(text))
        unit_name, s = s[:i], s[i:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise ValueError(f"time: unknown unit {_go_quote(unit_name)} in duration {_go_quote(text)}")
        if whole > 2**63 // unit:
            raise invalid
        value = whole * unit
        if fraction:
            value += int(float(fraction) * (float(unit) / scale))
            if value > 2**63:
                raise invalid
        total += value
        if total > 2**63:
            raise invalid
    if negative:
        return -total
    if total > 2**63 - 1:
        raise invalid
    return total


def _nanos_between(later: _dt.datetime, earlier: _dt.datetime) -> int:
    delta = later - earlier
    return (delta.days * 86400 + delta.seconds) * _SECOND + delta.microseconds * 1000


def _now() -> _dt.datetime:
    return _dt.datetime.now(local_zone())


def _unix(seconds: int) -> _dt.datetime:
    return (_EPOCH + _dt.timedelta(seconds=seconds)).astimezone(local_zone())


def _as_time(date: Any) -> _dt.datetime:
    """The time Sprig's date functions read from ``date``: a time, Unix seconds, or now."""
    if isinstance(date, _dt.datetime):
        return date
    if type(date) in (int, Int64):
        return _unix(int(date))
    return _now()


@gofunc("now")
def now() -> _dt.datetime:
    return _now()


@gofunc("dateInZone", STRING, ANY, STRING)
def date_in_zone(layout: str, date: Any, zone: str) -> str:
    location = load_location(zone) or UTC
    return format_go_time(layout, _as_time(date).astimezone(location))


gofunc("date_in_zone", STRING, ANY, STRING)(date_in_zone)


@gofunc("date", STRING, ANY)
def date(layout: str, value: Any) -> str:
    return date_in_zone(layout, value, "Local")


@gofunc("htmlDate", ANY)
def html_date(value: Any) -> str:
    return date_in_zone("2006-01-02", value, "Local")


@gofunc("htmlDateInZone", ANY, STRING)
def html_date_in_zone(value: Any, zone: str) -> str:
    return date_in_zone("2006-01-02", value, zone)


def _add(t: _dt.datetime, nanos: int) -> _dt.datetime:
    # time.Time.Add moves the instant; Python's aware arithmetic would move the wall clock.
    return (t.astimezone(UTC) + _dt.timedelta(microseconds=nanos // 1000)).astimezone(t.tzinfo)


@gofunc("mustDateModify", STRING, TIME, returns_error=True)
def must_date_modify(change: str, t: _dt.datetime) -> _dt.datetime:
    try:
        nanos = parse_go_duration(change)
    except ValueError as error:
        raise FuncError(str(error)) from None
    return _add(t, nanos)


gofunc("must_date_modify", STRING, TIME, returns_error=True)(must_date_modify)


@gofunc("dateModify", STRING, TIME)
def date_modify(change: str, t: _dt.datetime) -> _dt.datetime:
    """Adds a Go duration ("-1.5h"); an unparsable one leaves the time unchanged."""
    try:
        return _add(t, parse_go_duration(change))
    except ValueError:
        return t


gofunc("date_modify", STRING, TIME)(date_modify)


def _round_to_second(nanos: int) -> int:
    """``Duration.Round(time.Second)``: halves away from zero."""
    sign = -1 if nanos < 0 else 1
    whole, rest = divmod(abs(nanos), _SECOND)
    if rest * 2 >= _SECOND:
        whole += 1
    return sign * whole * _SECOND


@gofunc("ago", ANY)
def ago(date: Any) -> str:
    if isinstance(date, _dt.datetime):
        t = date
    elif type(date) in (int, Int64):
        t = _unix(int(date))
    else:
        t = _now()
    return format_duration(_round_to_second(_nanos_between(_now(), t)))


@gofunc("duration", ANY)
def duration(seconds: Any) -> str:
    """Seconds as a Go duration; only an int64 or a decimal string counts (an int is 0)."""
    if isinstance(seconds, str):
        count = parse_go_int(seconds, 10) or 0
    elif type(seconds) is Int64:
        count = int(seconds)
    else:
        count = 0
    return format_duration(wrap_int64(count * _SECOND))


@gofunc("durationRound", ANY)
def duration_round(value: Any) -> str:
    """A duration as its largest whole unit: "2h5m" is "2h"; a month is 30 days, a year 365."""
    if isinstance(value, str):
        try:
            nanos = parse_go_duration(value)
        except ValueError:
            nanos = 0
    elif type(value) is Int64:
        nanos = int(value)
    elif isinstance(value, _dt.datetime):
        nanos = _nanos_between(_now(), value)
    else:
        nanos = 0
    u = abs(nanos)
    hour = 3600 * _SECOND
    for size, suffix in ((365 * 24 * hour, "y"), (30 * 24 * hour, "mo"), (24 * hour, "d"), (hour, "h"),
                         (60 * _SECOND, "m"), (_SECOND, "s")):
        if u > size:
            return f"{u // size}{suffix}"
    return "0s"


@gofunc("toDate", STRING, STRING)
def to_date(layout: str, value: str) -> _dt.datetime:
    """Parses in the local zone; a value that does not parse gives Go's zero time."""
    try:
        return parse_go_time(layout, value, local_zone())
    except (_ParseError, ValueError, OverflowError):
        return ZERO_TIME


@gofunc("mustToDate", STRING, STRING, returns_error=True)
def must_to_date(layout: str, value: str) -> _dt.datetime:
    try:
        return parse_go_time(layout, value, local_zone())
    except _ParseError as error:
        raise FuncError(str(error)) from None


@gofunc("unixEpoch", TIME)
def unix_epoch(t: _dt.datetime) -> str:
    return str(_nanos_between(t, _EPOCH) // _SECOND)
