"""Sprig's date functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_dates  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcs.gotypes import Int64
from helmlite.render.gotemplate.funcspec import REGISTRY

UTC = dt.UTC


def fixed_zone(seconds: int) -> dt.timezone:
    """A ``time.FixedZone`` without a name, as parsing a numeric offset makes."""
    return dt.timezone(dt.timedelta(seconds=seconds), "")


# Recorded with TZ=UTC, then (PARIS_) with TZ=Europe/Paris.
# --- helm table CASES
CASES = [
    ('date', ('2006-01-02', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05', 'string'),
    ('date', ('Jan 2, 2006 at 3:04pm (MST)', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Mar 5, 2024 at 2:07pm (UTC)', 'string'),
    ('date', ('Monday January _2 15:04:05 2006', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Tuesday March  5 14:07:09 2024', 'string'),
    ('date', ('Mon Jan 2 15:04:05 MST 2006', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Tue Mar 5 14:07:09 UTC 2024', 'string'),
    ('date', ('02/01/06 03:04:05PM', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '05/03/24 02:07:09PM', 'string'),
    ('date', ('2006-01-02T15:04:05Z07:00', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05T14:07:09Z', 'string'),
    ('date', ('2006-01-02T15:04:05.000Z0700', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05T14:07:09.123Z', 'string'),
    ('date', ('15:04:05.999999999', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '14:07:09.123456', 'string'),
    ('date', ('15:04:05,000000', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '14:07:09,123456', 'string'),
    ('date', ('__2 002', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), ' 65 065', 'string'),
    ('date', ('-07 -0700 -07:00 -070000 -07:00:00', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '+00 +0000 +00:00 +000000 +00:00:00', 'string'),
    ('date', ('Z07 Z0700 Z07:00 Z070000 Z07:00:00', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Z Z Z Z Z', 'string'),
    ('date', ('Janet Monet', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Janet Monet', 'string'),
    ('date', ('_2006 x_2', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '_2024 x 5', 'string'),
    ('date', ('1 2 3 4 5 6', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '3 5 2 7 9 6', 'string'),
    ('date', ('.00 .99 .9 x.0y', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '.12 .12 .1 x.1y', 'string'),
    ('date', ('pm PM', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'pm PM', 'string'),
    ('date', ('January', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'March', 'string'),
    ('date', ('2006-01-02 15:04:05.9999', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.1234', 'string'),
    ('date', ('2006-01-02', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11', 'string'),
    ('date', ('Jan 2, 2006 at 3:04pm (MST)', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Nov 11, 2009 at 4:00am (UTC)', 'string'),
    ('date', ('Monday January _2 15:04:05 2006', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Wednesday November 11 04:00:00 2009', 'string'),
    ('date', ('Mon Jan 2 15:04:05 MST 2006', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Wed Nov 11 04:00:00 UTC 2009', 'string'),
    ('date', ('02/01/06 03:04:05PM', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '11/11/09 04:00:00AM', 'string'),
    ('date', ('2006-01-02T15:04:05Z07:00', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11T04:00:00Z', 'string'),
    ('date', ('2006-01-02T15:04:05.000Z0700', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11T04:00:00.000Z', 'string'),
    ('date', ('15:04:05.999999999', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '04:00:00', 'string'),
    ('date', ('15:04:05,000000', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '04:00:00,000000', 'string'),
    ('date', ('__2 002', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '315 315', 'string'),
    ('date', ('-07 -0700 -07:00 -070000 -07:00:00', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '+00 +0000 +00:00 +000000 +00:00:00', 'string'),
    ('date', ('Z07 Z0700 Z07:00 Z070000 Z07:00:00', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Z Z Z Z Z', 'string'),
    ('date', ('Janet Monet', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Janet Monet', 'string'),
    ('date', ('_2006 x_2', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '_2009 x11', 'string'),
    ('date', ('1 2 3 4 5 6', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '11 11 4 0 0 6', 'string'),
    ('date', ('.00 .99 .9 x.0y', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '.00   x.0y', 'string'),
    ('date', ('pm PM', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'am AM', 'string'),
    ('date', ('January', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'November', 'string'),
    ('date', ('2006-01-02 15:04:05.9999', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11 04:00:00', 'string'),
    ('date', ('2006-01-02', 0), '1970-01-01', 'string'),
    ('date', ('2006-01-02 15:04:05', 1700000000), '2023-11-14 22:13:20', 'string'),
    ('date', ('2006-01-02', Int64(86400)), '1970-01-02', 'string'),
    ('date', ('2006-01-02', -86400), '1969-12-31', 'string'),
    ('dateInZone', ('2006-01-02 15:04 MST -0700', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Europe/Paris'), '2024-03-05 15:07 CET +0100', 'string'),
    ('dateInZone', ('2006-01-02 15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'America/New_York'), '2024-03-05 09:07 EST', 'string'),
    ('dateInZone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Nowhere/Zone'), '14:07 UTC', 'string'),
    ('dateInZone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), ''), '14:07 UTC', 'string'),
    ('dateInZone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Local'), '14:07 UTC', 'string'),
    ('dateInZone', ('15:04 MST', 3600, 'Asia/Kolkata'), '06:30 IST', 'string'),
    ('date_in_zone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'UTC'), '14:07 UTC', 'string'),
    ('htmlDate', (dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC),), '2024-03-05', 'string'),
    ('htmlDate', (31536000,), '1971-01-01', 'string'),
    ('htmlDateInZone', (dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Asia/Tokyo'), '2024-03-05', 'string'),
    ('dateModify', ('-1.5h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 12:37:09.123456 +0000 UTC', 'time.Time'),
    ('dateModify', ('bad', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.123456 +0000 UTC', 'time.Time'),
    ('dateModify', ('24h30m', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11 23:30:00 -0500 -0500', 'time.Time'),
    ('date_modify', ('1ms', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.124456 +0000 UTC', 'time.Time'),
    ('must_date_modify', ('2h45m', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 16:52:09.123456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('.5h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:37:09.123456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('-.5s', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:08.623456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('1µs', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.123457 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('+3m', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:10:09.123456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('0', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.123456 +0000 UTC', 'time.Time'),
    ('duration', (95,), '0s', 'string'),
    ('duration', ('95',), '1m35s', 'string'),
    ('duration', (Int64(3700),), '1h1m40s', 'string'),
    ('duration', ('x',), '0s', 'string'),
    ('duration', (None,), '0s', 'string'),
    ('duration', (1.5,), '0s', 'string'),
    ('duration', ('-61',), '-1m1s', 'string'),
    ('duration', ('86400',), '24h0m0s', 'string'),
    ('duration', ('0',), '0s', 'string'),
    ('durationRound', ('2h5m',), '2h', 'string'),
    ('durationRound', ('2400h',), '3mo', 'string'),
    ('durationRound', ('9000h',), '1y', 'string'),
    ('durationRound', ('61s',), '1m', 'string'),
    ('durationRound', ('1s',), '0s', 'string'),
    ('durationRound', ('-3h',), '3h', 'string'),
    ('durationRound', (3600,), '0s', 'string'),
    ('durationRound', (Int64(3000000000),), '3s', 'string'),
    ('durationRound', ('bad',), '0s', 'string'),
    ('durationRound', ('49h',), '2d', 'string'),
    ('durationRound', ('1.5s',), '1s', 'string'),
    ('durationRound', (None,), '0s', 'string'),
    ('toDate', ('2006-01-02', '2024-03-05'), '2024-03-05 00:00:00 +0000 UTC', 'time.Time'),
    ('toDate', ('2006-01-02 15:04:05 -0700', '2024-03-05 10:11:12 +0530'), '2024-03-05 10:11:12 +0530 +0530', 'time.Time'),
    ('toDate', ('Jan 2 2006 MST', 'Mar 5 2024 PST'), '2024-03-05 00:00:00 +0000 PST', 'time.Time'),
    ('toDate', ('Jan 2 2006 MST', 'Mar 5 2024 UTC'), '2024-03-05 00:00:00 +0000 UTC', 'time.Time'),
    ('toDate', ('2006-01-02T15:04:05Z07:00', '2024-03-05T10:11:12Z'), '2024-03-05 10:11:12 +0000 UTC', 'time.Time'),
    ('toDate', ('2006-01-02T15:04:05', '2024-03-05T10:11:12.5'), '2024-03-05 10:11:12.5 +0000 UTC', 'time.Time'),
    ('toDate', ('02 Jan 06 15:04', '05 mar 24 10:11'), '2024-03-05 10:11:00 +0000 UTC', 'time.Time'),
    ('toDate', ('2006 002', '2024 060'), '2024-02-29 00:00:00 +0000 UTC', 'time.Time'),
    ('toDate', ('Monday 2006-01-02', 'Tuesday 2024-03-05'), '2024-03-05 00:00:00 +0000 UTC', 'time.Time'),
    ('mustToDate', ('2006  01', '2024 01'), '2024-01-01 00:00:00 +0000 UTC', 'time.Time'),
    ('unixEpoch', (dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC),), '1709647629', 'string'),
    ('unixEpoch', (dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000)),), '1257912000', 'string'),
    ('unixEpoch', (dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),), '-1', 'string'),
    ('unixEpoch', (dt.datetime(1, 1, 1, 0, 0, 0, 0, tzinfo=UTC),), '-62135596800', 'string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('mustDateModify', ('5x', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: unknown unit "x" in duration "5x"'),
    ('mustDateModify', ('1', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: missing unit in duration "1"'),
    ('mustDateModify', ('', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: invalid duration ""'),
    ('mustDateModify', ('1.5.h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: missing unit in duration "1.5.h"'),
    ('mustDateModify', ('9999999999h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: invalid duration "9999999999h"'),
    ('mustToDate', ('2006-01-02', 'bad'), 'parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006"'),
    ('mustToDate', ('2006-01-02', '2024-02-30'), 'parsing time "2024-02-30": day out of range'),
    ('mustToDate', ('2006-01-02', '2024-13-01'), 'parsing time "2024-13-01": month out of range'),
    ('mustToDate', ('2006-01-02', '2024-01-01x'), 'parsing time "2024-01-01x": extra text: "x"'),
    ('mustToDate', ('15:04', '25:00'), 'parsing time "25:00": hour out of range'),
    ('mustToDate', ('2006-01-02 MST', '2024-01-01 XY'), 'parsing time "2024-01-01 XY" as "2006-01-02 MST": cannot parse "XY" as "MST"'),
    ('mustToDate', ('Jan', 'Foo'), 'parsing time "Foo" as "Jan": cannot parse "Foo" as "Jan"'),
    ('mustToDate', ('2006 002', '2023 366'), 'parsing time "2023 366": day-of-year out of range'),
    ('mustToDate', ('2006-01-02 002', '2024-01-05 006'), 'parsing time "2024-01-05 006": day-of-year does not match day'),
    ('mustToDate', ('-07:00', '+25:00'), 'parsing time "+25:00": time zone offset hour out of range'),
]
# --- end of helm table ERRORS
# --- helm table PARIS_CASES
PARIS_CASES = [
    ('date', ('2006-01-02', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05', 'string'),
    ('date', ('Jan 2, 2006 at 3:04pm (MST)', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Mar 5, 2024 at 3:07pm (CET)', 'string'),
    ('date', ('Monday January _2 15:04:05 2006', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Tuesday March  5 15:07:09 2024', 'string'),
    ('date', ('Mon Jan 2 15:04:05 MST 2006', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Tue Mar 5 15:07:09 CET 2024', 'string'),
    ('date', ('02/01/06 03:04:05PM', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '05/03/24 03:07:09PM', 'string'),
    ('date', ('2006-01-02T15:04:05Z07:00', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05T15:07:09+01:00', 'string'),
    ('date', ('2006-01-02T15:04:05.000Z0700', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05T15:07:09.123+0100', 'string'),
    ('date', ('15:04:05.999999999', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '15:07:09.123456', 'string'),
    ('date', ('15:04:05,000000', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '15:07:09,123456', 'string'),
    ('date', ('__2 002', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), ' 65 065', 'string'),
    ('date', ('-07 -0700 -07:00 -070000 -07:00:00', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '+01 +0100 +01:00 +010000 +01:00:00', 'string'),
    ('date', ('Z07 Z0700 Z07:00 Z070000 Z07:00:00', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '+01 +0100 +01:00 +010000 +01:00:00', 'string'),
    ('date', ('Janet Monet', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'Janet Monet', 'string'),
    ('date', ('_2006 x_2', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '_2024 x 5', 'string'),
    ('date', ('1 2 3 4 5 6', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '3 5 3 7 9 6', 'string'),
    ('date', ('.00 .99 .9 x.0y', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '.12 .12 .1 x.1y', 'string'),
    ('date', ('pm PM', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'pm PM', 'string'),
    ('date', ('January', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'March', 'string'),
    ('date', ('2006-01-02 15:04:05.9999', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 15:07:09.1234', 'string'),
    ('date', ('2006-01-02', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11', 'string'),
    ('date', ('Jan 2, 2006 at 3:04pm (MST)', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Nov 11, 2009 at 5:00am (CET)', 'string'),
    ('date', ('Monday January _2 15:04:05 2006', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Wednesday November 11 05:00:00 2009', 'string'),
    ('date', ('Mon Jan 2 15:04:05 MST 2006', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Wed Nov 11 05:00:00 CET 2009', 'string'),
    ('date', ('02/01/06 03:04:05PM', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '11/11/09 05:00:00AM', 'string'),
    ('date', ('2006-01-02T15:04:05Z07:00', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11T05:00:00+01:00', 'string'),
    ('date', ('2006-01-02T15:04:05.000Z0700', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11T05:00:00.000+0100', 'string'),
    ('date', ('15:04:05.999999999', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '05:00:00', 'string'),
    ('date', ('15:04:05,000000', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '05:00:00,000000', 'string'),
    ('date', ('__2 002', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '315 315', 'string'),
    ('date', ('-07 -0700 -07:00 -070000 -07:00:00', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '+01 +0100 +01:00 +010000 +01:00:00', 'string'),
    ('date', ('Z07 Z0700 Z07:00 Z070000 Z07:00:00', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '+01 +0100 +01:00 +010000 +01:00:00', 'string'),
    ('date', ('Janet Monet', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'Janet Monet', 'string'),
    ('date', ('_2006 x_2', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '_2009 x11', 'string'),
    ('date', ('1 2 3 4 5 6', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '11 11 5 0 0 6', 'string'),
    ('date', ('.00 .99 .9 x.0y', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '.00   x.0y', 'string'),
    ('date', ('pm PM', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'am AM', 'string'),
    ('date', ('January', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), 'November', 'string'),
    ('date', ('2006-01-02 15:04:05.9999', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11 05:00:00', 'string'),
    ('date', ('2006-01-02', 0), '1970-01-01', 'string'),
    ('date', ('2006-01-02 15:04:05', 1700000000), '2023-11-14 23:13:20', 'string'),
    ('date', ('2006-01-02', Int64(86400)), '1970-01-02', 'string'),
    ('date', ('2006-01-02', -86400), '1969-12-31', 'string'),
    ('dateInZone', ('2006-01-02 15:04 MST -0700', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Europe/Paris'), '2024-03-05 15:07 CET +0100', 'string'),
    ('dateInZone', ('2006-01-02 15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'America/New_York'), '2024-03-05 09:07 EST', 'string'),
    ('dateInZone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Nowhere/Zone'), '14:07 UTC', 'string'),
    ('dateInZone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), ''), '14:07 UTC', 'string'),
    ('dateInZone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Local'), '15:07 CET', 'string'),
    ('dateInZone', ('15:04 MST', 3600, 'Asia/Kolkata'), '06:30 IST', 'string'),
    ('date_in_zone', ('15:04 MST', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'UTC'), '14:07 UTC', 'string'),
    ('htmlDate', (dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC),), '2024-03-05', 'string'),
    ('htmlDate', (31536000,), '1971-01-01', 'string'),
    ('htmlDateInZone', (dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC), 'Asia/Tokyo'), '2024-03-05', 'string'),
    ('dateModify', ('-1.5h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 12:37:09.123456 +0000 UTC', 'time.Time'),
    ('dateModify', ('bad', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.123456 +0000 UTC', 'time.Time'),
    ('dateModify', ('24h30m', dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000))), '2009-11-11 23:30:00 -0500 -0500', 'time.Time'),
    ('date_modify', ('1ms', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.124456 +0000 UTC', 'time.Time'),
    ('must_date_modify', ('2h45m', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 16:52:09.123456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('.5h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:37:09.123456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('-.5s', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:08.623456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('1µs', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.123457 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('+3m', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:10:09.123456 +0000 UTC', 'time.Time'),
    ('mustDateModify', ('0', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), '2024-03-05 14:07:09.123456 +0000 UTC', 'time.Time'),
    ('duration', (95,), '0s', 'string'),
    ('duration', ('95',), '1m35s', 'string'),
    ('duration', (Int64(3700),), '1h1m40s', 'string'),
    ('duration', ('x',), '0s', 'string'),
    ('duration', (None,), '0s', 'string'),
    ('duration', (1.5,), '0s', 'string'),
    ('duration', ('-61',), '-1m1s', 'string'),
    ('duration', ('86400',), '24h0m0s', 'string'),
    ('duration', ('0',), '0s', 'string'),
    ('durationRound', ('2h5m',), '2h', 'string'),
    ('durationRound', ('2400h',), '3mo', 'string'),
    ('durationRound', ('9000h',), '1y', 'string'),
    ('durationRound', ('61s',), '1m', 'string'),
    ('durationRound', ('1s',), '0s', 'string'),
    ('durationRound', ('-3h',), '3h', 'string'),
    ('durationRound', (3600,), '0s', 'string'),
    ('durationRound', (Int64(3000000000),), '3s', 'string'),
    ('durationRound', ('bad',), '0s', 'string'),
    ('durationRound', ('49h',), '2d', 'string'),
    ('durationRound', ('1.5s',), '1s', 'string'),
    ('durationRound', (None,), '0s', 'string'),
    ('toDate', ('2006-01-02', '2024-03-05'), '2024-03-05 00:00:00 +0100 CET', 'time.Time'),
    ('toDate', ('2006-01-02 15:04:05 -0700', '2024-03-05 10:11:12 +0530'), '2024-03-05 10:11:12 +0530 +0530', 'time.Time'),
    ('toDate', ('Jan 2 2006 MST', 'Mar 5 2024 PST'), '2024-03-05 00:00:00 +0000 PST', 'time.Time'),
    ('toDate', ('Jan 2 2006 MST', 'Mar 5 2024 UTC'), '2024-03-05 00:00:00 +0000 UTC', 'time.Time'),
    ('toDate', ('2006-01-02T15:04:05Z07:00', '2024-03-05T10:11:12Z'), '2024-03-05 10:11:12 +0000 UTC', 'time.Time'),
    ('toDate', ('2006-01-02T15:04:05', '2024-03-05T10:11:12.5'), '2024-03-05 10:11:12.5 +0100 CET', 'time.Time'),
    ('toDate', ('02 Jan 06 15:04', '05 mar 24 10:11'), '2024-03-05 10:11:00 +0100 CET', 'time.Time'),
    ('toDate', ('2006 002', '2024 060'), '2024-02-29 00:00:00 +0100 CET', 'time.Time'),
    ('toDate', ('Monday 2006-01-02', 'Tuesday 2024-03-05'), '2024-03-05 00:00:00 +0100 CET', 'time.Time'),
    ('mustToDate', ('2006  01', '2024 01'), '2024-01-01 00:00:00 +0100 CET', 'time.Time'),
    ('unixEpoch', (dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC),), '1709647629', 'string'),
    ('unixEpoch', (dt.datetime(2009, 11, 10, 23, 0, 0, 0, tzinfo=fixed_zone(-18000)),), '1257912000', 'string'),
    ('unixEpoch', (dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),), '-1', 'string'),
    ('unixEpoch', (dt.datetime(1, 1, 1, 0, 0, 0, 0, tzinfo=UTC),), '-62135596800', 'string'),
]
# --- end of helm table PARIS_CASES
# --- helm table PARIS_ERRORS
PARIS_ERRORS = [
    ('mustDateModify', ('5x', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: unknown unit "x" in duration "5x"'),
    ('mustDateModify', ('1', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: missing unit in duration "1"'),
    ('mustDateModify', ('', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: invalid duration ""'),
    ('mustDateModify', ('1.5.h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: missing unit in duration "1.5.h"'),
    ('mustDateModify', ('9999999999h', dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)), 'time: invalid duration "9999999999h"'),
    ('mustToDate', ('2006-01-02', 'bad'), 'parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006"'),
    ('mustToDate', ('2006-01-02', '2024-02-30'), 'parsing time "2024-02-30": day out of range'),
    ('mustToDate', ('2006-01-02', '2024-13-01'), 'parsing time "2024-13-01": month out of range'),
    ('mustToDate', ('2006-01-02', '2024-01-01x'), 'parsing time "2024-01-01x": extra text: "x"'),
    ('mustToDate', ('15:04', '25:00'), 'parsing time "25:00": hour out of range'),
    ('mustToDate', ('2006-01-02 MST', '2024-01-01 XY'), 'parsing time "2024-01-01 XY" as "2006-01-02 MST": cannot parse "XY" as "MST"'),
    ('mustToDate', ('Jan', 'Foo'), 'parsing time "Foo" as "Jan": cannot parse "Foo" as "Jan"'),
    ('mustToDate', ('2006 002', '2023 366'), 'parsing time "2023 366": day-of-year out of range'),
    ('mustToDate', ('2006-01-02 002', '2024-01-05 006'), 'parsing time "2024-01-05 006": day-of-year does not match day'),
    ('mustToDate', ('-07:00', '+25:00'), 'parsing time "+25:00": time zone offset hour out of range'),
]
# --- end of helm table PARIS_ERRORS



CASES_BY_ZONE = [("UTC", *row) for row in CASES] + [("Europe/Paris", *row) for row in PARIS_CASES]
ERRORS_BY_ZONE = [("UTC", *row) for row in ERRORS] + [("Europe/Paris", *row) for row in PARIS_ERRORS]


@pytest.mark.parametrize(("zone", "name", "args", "printed", "type_name"), CASES_BY_ZONE)
def test_result_matches_helm(monkeypatch: pytest.MonkeyPatch, zone: str, name: str, args: tuple[Any, ...],
                             printed: str, type_name: str) -> None:
    monkeypatch.setenv("TZ", zone)
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("zone", "name", "args", "message"), ERRORS_BY_ZONE)
def test_error_matches_helm(monkeypatch: pytest.MonkeyPatch, zone: str, name: str, args: tuple[Any, ...],
                            message: str) -> None:
    monkeypatch.setenv("TZ", zone)
    assert_error(REGISTRY[name].fn, args, message)


def test_now_is_the_current_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    now = REGISTRY["now"].fn()
    assert now.utcoffset() == dt.timedelta(hours=9) and now.tzname() == "JST"
    assert abs(now - dt.datetime.now(UTC)) < dt.timedelta(seconds=5)
    assert REGISTRY["ago"].fn(now) == "0s" and REGISTRY["durationRound"].fn(now) == "0s"
    assert REGISTRY["ago"].fn(REGISTRY["dateModify"].fn("-90m", now)) == "1h30m0s"


def test_values_that_are_not_times_mean_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    this_year = str(dt.datetime.now(UTC).year)
    # A float from values.yaml, a string or nil: Sprig silently formats the current time.
    for value in (1.5, "2020-01-01", None, True):
        assert REGISTRY["date"].fn("2006", value) == this_year
    assert REGISTRY["htmlDate"].fn(None)[:4] == this_year


@pytest.mark.parametrize(("tz", "zone"), [("", "UTC"), ("Nowhere/Land", "UTC"), ("Europe/Paris", "CET")])
def test_local_zone_follows_tz_like_go(monkeypatch: pytest.MonkeyPatch, tz: str, zone: str) -> None:
    monkeypatch.setenv("TZ", tz)
    assert REGISTRY["date"].fn("MST", 0) == zone


def test_unparsable_dates_are_gos_zero_time() -> None:
    assert REGISTRY["toDate"].fn("2006-01-02", "bad") == dt.datetime(1, 1, 1, tzinfo=UTC)
