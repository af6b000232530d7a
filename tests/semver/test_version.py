"""Version parsing and ordering, tabled from Masterminds/semver v3.5.0's version_test.go."""

from __future__ import annotations

import pytest

from helmlite.errors import ConstraintError
from helmlite.semver import is_strict_semver, parse_version, sort_key

# TestNewVersion "With loose NewVersion" (the default Helm runs with): version, valid?
NEW_VERSION = [
    ("1.2.3", True),
    ("1.2.3-alpha.01", False),
    ("1.2.3+test.01", True),
    ("1.2.3-alpha.-1", True),
    ("v1.2.3", True),
    ("1.0", True),
    ("v1.0", True),
    ("1", True),
    ("v1", True),
    ("1.2.beta", False),
    ("v1.2.beta", False),
    ("foo", False),
    ("1.2-5", True),
    ("v1.2-5", True),
    ("1.2-beta.5", True),
    ("v1.2-beta.5", True),
    ("\n1.2", False),
    ("\nv1.2", False),
    ("1.2.0-x.Y.0+metadata", True),
    ("v1.2.0-x.Y.0+metadata", True),
    ("1.2.0-x.Y.0+metadata-width-hypen", True),
    ("v1.2.0-x.Y.0+metadata-width-hypen", True),
    ("1.2.3-rc1-with-hypen", True),
    ("v1.2.3-rc1-with-hypen", True),
    ("1.2.3.4", False),
    ("v1.2.3.4", False),
    ("1.2.2147483648", True),
    ("1.2147483648.3", True),
    ("2147483648.3.0", True),
    ("12.3.4.1234", False),
    ("12.23.4.1234", False),
    ("12.3.34.1234", False),
    ("20221209-update-renovatejson-v4", True),
    ("1.1.2+.123", False),
    ("1.0.0-alpha_beta", False),
    ("1.0.0-alpha..", False),
    ("1.0.0-alpha..1", False),
    ("9.8.7+meta+meta", False),
    ("1.2.31----RC-SNAPSHOT.12.09.1--.12+788", False),
    ("01.1.1", True),
    ("1.01.1", True),
    ("1.1.01", True),
]

# TestStrictNewVersion: version, valid?
STRICT_NEW_VERSION = [
    ("1.2.3", True),
    ("1.2.3-alpha.01", False),
    ("1.2.3+test.01", True),
    ("1.2.3-alpha.-1", True),
    ("v1.2.3", False),
    ("1.0", False),
    ("v1.0", False),
    ("1", False),
    ("v1", False),
    ("1.2", False),
    ("1.2.beta", False),
    ("v1.2.beta", False),
    ("foo", False),
    ("1.2-5", False),
    ("v1.2-5", False),
    ("1.2-beta.5", False),
    ("v1.2-beta.5", False),
    ("\n1.2", False),
    ("\nv1.2", False),
    ("1.2.0-x.Y.0+metadata", True),
    ("v1.2.0-x.Y.0+metadata", False),
    ("1.2.0-x.Y.0+metadata-width-hypen", True),
    ("v1.2.0-x.Y.0+metadata-width-hypen", False),
    ("1.2.3-rc1-with-hypen", True),
    ("v1.2.3-rc1-with-hypen", False),
    ("1.2.3.4", False),
    ("v1.2.3.4", False),
    ("1.2.2147483648", True),
    ("1.2147483648.3", True),
    ("2147483648.3.0", True),
    ("20221209-update-renovatejson-v4", False),
    ("1.1.2+.123", False),
    ("1.0.0-alpha_beta", False),
    ("1.0.0-alpha..", False),
    ("1.0.0-alpha..1", False),
    ("01.1.1", False),
    ("1.01.1", False),
    ("1.1.01", False),
    ("9.8.7+meta+meta", False),
    ("1.2.31----RC-SNAPSHOT.12.09.1--.12+788", False),
    ("1.2.3-0123", False),
    ("1.2.3-0123.0123", False),
    ("+invalid", False),
    ("-invalid", False),
    ("-invalid.01", False),
    ("alpha+beta", False),
    ("1.2.3-alpha_beta+foo", False),
    ("1.0.0-alpha..1", False),
]

# TestCoerceString: what a lenient parse normalises to.
COERCE_STRING = [
    ("1.2.3", "1.2.3"),
    ("v1.2.3", "1.2.3"),
    ("1.0", "1.0.0"),
    ("v1.0", "1.0.0"),
    ("1", "1.0.0"),
    ("v1", "1.0.0"),
    ("1.2-5", "1.2.0-5"),
    ("v1.2-5", "1.2.0-5"),
    ("1.2-beta.5", "1.2.0-beta.5"),
    ("v1.2-beta.5", "1.2.0-beta.5"),
    ("1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
    ("v1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
    ("1.2.0-x.Y.0+metadata-width-hypen", "1.2.0-x.Y.0+metadata-width-hypen"),
    ("v1.2.0-x.Y.0+metadata-width-hypen", "1.2.0-x.Y.0+metadata-width-hypen"),
    ("1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
    ("v1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
    ("01.02.003", "1.2.3"),
]

# TestCompare, plus the ordering rows of TestLessThan/TestGreaterThan: v1, v2, sign.
COMPARE = [
    ("1.2.3", "1.5.1", -1),
    ("2.2.3", "1.5.1", 1),
    ("2.2.3", "2.2.2", 1),
    ("3.2-beta", "3.2-beta", 0),
    ("1.3", "1.1.4", 1),
    ("4.2", "4.2-beta", 1),
    ("4.2-beta", "4.2", -1),
    ("4.2-alpha", "4.2-beta", -1),
    ("4.2-alpha", "4.2-alpha", 0),
    ("4.2-beta.2", "4.2-beta.1", 1),
    ("4.2-beta2", "4.2-beta1", 1),
    ("4.2-beta", "4.2-beta.2", -1),
    ("4.2-beta", "4.2-beta.foo", -1),
    ("4.2-beta.2", "4.2-beta", 1),
    ("4.2-beta.foo", "4.2-beta", 1),
    ("1.2+bar", "1.2+baz", 0),
    ("1.0.0-beta.4", "1.0.0-beta.-2", -1),
    ("1.0.0-beta.-2", "1.0.0-beta.-3", -1),
    ("1.0.0-beta.-3", "1.0.0-beta.5", 1),
    ("3.2.0-beta.1", "3.2.0-beta.5", -1),
    ("3.2-beta.4", "3.2-beta.2", 1),
    ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.103", -1),
    ("7.43.0-SNAPSHOT.FOO", "7.43.0-SNAPSHOT.103", 1),
    ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.BAR", -1),
]


@pytest.mark.parametrize(("text", "valid"), NEW_VERSION)
def test_new_version(text: str, valid: bool) -> None:
    if valid:
        parse_version(text)
    else:
        with pytest.raises(ConstraintError):
            parse_version(text)


@pytest.mark.parametrize(("text", "valid"), STRICT_NEW_VERSION)
def test_strict_new_version(text: str, valid: bool) -> None:
    assert is_strict_semver(text) is valid


@pytest.mark.parametrize(("text", "expected"), COERCE_STRING)
def test_coerce_string(text: str, expected: str) -> None:
    assert str(parse_version(text)) == expected


@pytest.mark.parametrize(("first", "second", "sign"), COMPARE)
def test_compare(first: str, second: str, sign: int) -> None:
    assert parse_version(first).compare(parse_version(second)) == sign


def test_parts() -> None:
    version = parse_version("1.2.3-beta.1+build.123")
    assert (version.major, version.minor, version.patch) == (1, 2, 3)
    assert (version.prerelease, version.build) == ("beta.1", "build.123")


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("18446744073709551615.0.0", True),  # numbers are uint64 in Go
        ("18446744073709551616.0.0", False),
        ("0.0.18446744073709551616", False),
        ("", False),
        ("v", False),
        ("V1.2.3", False),  # only a lowercase v prefix
        ("1.", False),
        ("1..2", False),
        (" 1.2.3", False),
        ("1.2.3 ", False),
        ("١.٢.٣", False),  # non-ASCII digits
        ("1.2.3-" + "a" * 251, False),  # longer than 256 characters
        ("1.2.3-" + "a" * 250, True),
    ],
)
def test_new_version_edges(text: str, valid: bool) -> None:
    if valid:
        parse_version(text)
    else:
        with pytest.raises(ConstraintError):
            parse_version(text)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("0.0.0", True),
        ("18446744073709551615.0.0", True),
        ("18446744073709551616.0.0", False),
        ("", False),
        ("1..3", False),
        ("1.2.3+", False),
        ("1.2.3-", False),
        ("1.2.3-" + "a" * 251, False),
        ("1.2.3-" + "a" * 250, True),
    ],
)
def test_strict_edges(text: str, valid: bool) -> None:
    assert is_strict_semver(text) is valid


def test_parse_error_message() -> None:
    with pytest.raises(ConstraintError, match=r"^invalid semantic version 'x'$"):
        parse_version("x")


def test_sort_key_orders_newest_first() -> None:
    versions = [
        "1.0.0",
        "1.10.0",
        "1.2.0",
        "1.10.0-rc.1",
        "v2.0",
        "0.9.9",
        "1.10.0-rc.10",
        "1.10.0-rc.2",
    ]
    assert sorted(versions, key=sort_key, reverse=True) == [
        "v2.0",
        "1.10.0",
        "1.10.0-rc.10",
        "1.10.0-rc.2",
        "1.10.0-rc.1",
        "1.2.0",
        "1.0.0",
        "0.9.9",
    ]


def test_sort_key_ignores_build_metadata() -> None:
    assert sort_key("1.0.0+b") == sort_key("1.0.0+a")
    # A stable sort keeps the input order of versions that differ only in metadata.
    assert sorted(["1.0.0+b", "1.0.0+a"], key=sort_key) == ["1.0.0+b", "1.0.0+a"]


def test_sort_key_rejects_a_non_version() -> None:
    with pytest.raises(ConstraintError):
        sort_key("latest")
