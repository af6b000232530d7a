"""Chart.yaml's version check: a regex that must accept exactly what Masterminds ``NewVersion``
(``helmlite.semver.parse_version``) accepts, so chart loading need not import the semver code.
"""

from __future__ import annotations

import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from helmlite.chart.metadata import is_chart_version, parse_metadata
from helmlite.errors import ChartLoadError
from helmlite.semver import parse_version

UINT64_MAX = 2**64 - 1

# Numbers around the edges that matter: zero, leading zeros, Go's uint64 limit.
_NUMBERS = st.one_of(
    st.integers(0, 20).map(str),
    st.integers(0, 3).flatmap(lambda zeros: st.integers(0, 99).map(lambda n: "0" * zeros + str(n))),
    st.integers(UINT64_MAX - 2, UINT64_MAX + 2).map(str),
    st.integers(0, 10**40).map(str),
)
# Identifiers from SemVer's alphabet, a few characters outside it, and lengths that take the
# whole version across Masterminds' 256-character limit.
_IDENTIFIERS = st.one_of(
    _NUMBERS,
    st.text("0123456789azAZ-", min_size=0, max_size=6),
    st.text("0a-_ é\n+v٣", min_size=1, max_size=3),
    st.integers(240, 260).map(lambda length: "a" * length),
)


@st.composite
def _version_like(draw: st.DrawFn) -> str:
    """Strings shaped like versions, each part possibly missing, empty or malformed."""
    text = draw(st.sampled_from(["", "v", "V", "vv"]))
    text += ".".join(draw(st.lists(_NUMBERS, min_size=0, max_size=4)))
    if draw(st.booleans()):
        text += "-" + ".".join(draw(st.lists(_IDENTIFIERS, min_size=1, max_size=3)))
    if draw(st.booleans()):
        text += "+" + ".".join(draw(st.lists(_IDENTIFIERS, min_size=1, max_size=3)))
    return text + draw(st.sampled_from(["", "", "", "\n", " ", ".", "-", "+"]))


_STRINGS = st.one_of(_version_like(), st.text("0123456789.-+vaZ_ \n", max_size=16))


def parses(text: str) -> bool:
    try:
        parse_version(text)
    except ValueError:
        return False
    return True


@settings(max_examples=2000, deadline=None)
@given(_STRINGS)
def test_accepts_exactly_what_parse_version_accepts(text: str) -> None:
    assert is_chart_version(text) == parses(text)


@settings(max_examples=1000, deadline=None)
@given(_version_like())
def test_every_strict_semver_version_within_gos_limits_is_a_chart_version(text: str) -> None:
    if semver.Version.is_valid(text):
        version = semver.Version.parse(text)
        fits = len(text) <= 256 and max(version.major, version.minor, version.patch) <= UINT64_MAX
        assert is_chart_version(text) == fits


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("1.2.3", True),
        ("v1.2", True),
        ("1", True),
        ("01.02.03", True),
        ("1.0.0-rc.1+build.5", True),
        ("1.0.0-alpha-1", True),
        ("1.0.0+build-1.x", True),
        ("1.0.0-0a.00a", True),
        (f"{UINT64_MAX}.0.0", True),
        ("1.0.0-" + "a" * 250, True),  # 256 characters
        ("1.0.0-" + "a" * 251, False),  # Masterminds' MaxVersionLen is 256
        (f"{UINT64_MAX + 1}.0.0", False),
        ("1.0.0-01", False),  # a numeric prerelease identifier has no leading zero
        ("1.0.0-", False),
        ("1.0.0+", False),
        ("1.0.0-a..b", False),
        ("1.2.3.4", False),
        ("V1.2.3", False),
        ("1.2.3\n", False),
        ("١.2.3", False),  # Arabic-Indic digit one: Go's parser takes ASCII digits only
        ("", False),
    ],
)
def test_chart_version_table(text: str, accepted: bool) -> None:
    assert is_chart_version(text) is accepted
    assert parses(text) is accepted


def test_an_invalid_version_keeps_its_error_message() -> None:
    with pytest.raises(ChartLoadError) as error:
        parse_metadata(b"name: x\nversion: 1.0.0-01\n", "mychart/Chart.yaml")
    assert str(error.value) == 'mychart/Chart.yaml: field "version" has invalid value "1.0.0-01": not a SemVer version'
