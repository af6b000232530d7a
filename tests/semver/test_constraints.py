"""Constraint behaviour, tabled from Masterminds/semver v3.5.0's constraints_test.go.

Each table names the Go test it comes from; rows keep the Go order so a diff against the
upstream file is easy to read.
"""

from __future__ import annotations

import pytest
import semver

from helmlite.errors import ConstraintError
from helmlite.semver import Constraint, newest_matching, satisfies

# TestConstraintsCheck: NewConstraint(constraint).Check(NewVersion(version)).
CONSTRAINTS_CHECK = [
    ("*", "1.2.3", True),
    ("~0.0.0", "1.2.3", True),
    ("0.x.x", "1.2.3", False),
    ("0.0.x", "1.2.3", False),
    ("0.0.0", "1.2.3", False),
    ("*", "1.2.3", True),
    ("^0.0.0", "1.2.3", False),
    ("= 2.0", "1.2.3", False),
    ("= 2.0", "2.0.0", True),
    ("4.1", "4.1.0", True),
    ("4.1.x", "4.1.3", True),
    ("1.x", "1.4", True),
    ("!=4.1", "4.1.0", False),
    ("!=4.1-alpha", "4.1.0-alpha", False),
    ("!=4.1-alpha", "4.1.1-alpha", False),
    ("!=4.1-alpha", "4.1.0", True),
    ("!=4.1", "5.1.0", True),
    ("!=4.x", "5.1.0", True),
    ("!=4.x", "4.1.0", False),
    ("!=4.1.x", "4.2.0", True),
    ("!=4.2.x", "4.2.3", False),
    (">1.1", "4.1.0", True),
    (">1.1", "1.1.0", False),
    ("<1.1", "0.1.0", True),
    ("<1.1", "1.1.0", False),
    ("<1.1", "1.1.1", False),
    ("<1.x", "1.1.1", False),
    ("<1.x", "0.1.1", True),
    ("<1.x", "2.0.0", False),
    ("<1.1.x", "1.2.1", False),
    ("<1.1.x", "1.1.500", False),
    ("<1.1.x", "1.0.500", True),
    ("<1.2.x", "1.1.1", True),
    (">=1.1", "4.1.0", True),
    (">=1.1", "4.1.0-beta", False),
    (">=1.1", "1.1.0", True),
    (">=1.1", "0.0.9", False),
    ("<=1.1", "0.1.0", True),
    ("<=1.1", "0.1.0-alpha", False),
    ("<=1.1-a", "0.1.0-alpha", True),
    ("<=1.1", "1.1.0", True),
    ("<=1.x", "1.1.0", True),
    ("<=2.x", "3.0.0", False),
    ("<=1.1", "1.1.1", True),
    ("<=1.1.x", "1.2.500", False),
    ("<=4.5", "3.4.0", True),
    ("<=4.5", "3.7.0", True),
    ("<=4.5", "4.6.3", False),
    (">1.1, <2", "1.1.1", False),
    (">1.1, <2", "1.2.1", True),
    (">1.1, <3", "4.3.2", False),
    (">=1.1, <2, !=1.2.3", "1.2.3", False),
    (">1.1 <2", "1.1.1", False),
    (">1.1 <2", "1.2.1", True),
    (">1.1    <3", "4.3.2", False),
    (">=1.1    <2    !=1.2.3", "1.2.3", False),
    (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", True),
    (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", False),
    (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", True),
    (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", False),
    (">=1.1 <2 !=1.2.3", "1.2.3", False),
    (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", True),
    (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", False),
    (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", True),
    (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", False),
    ("> 1.1, <     2", "1.1.1", False),
    (">   1.1, <2", "1.2.1", True),
    (">1.1, <  3", "4.3.2", False),
    (">= 1.1, <     2, !=1.2.3", "1.2.3", False),
    ("> 1.1 < 2", "1.1.1", False),
    (">1.1 < 2", "1.2.1", True),
    ("> 1.1    <3", "4.3.2", False),
    (">=1.1    < 2    != 1.2.3", "1.2.3", False),
    (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", True),
    (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", False),
    (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", True),
    (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", False),
    (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", False),
    (">= 1.1 <2 != 1.2.3", "1.2.3", False),
    (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", True),
    (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", False),
    (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", True),
    (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", False),
    (">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", True),
    (">= 1.0.0  <= 2.0.0-beta", "1.0.1", True),
    (">= 1.0.0  <= 2.0.0-beta", "3.0.0", False),
    (">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", True),
    (">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", False),
    (">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3", "1.0.1-beta", True),
    (">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3", "1.0.1-beta", False),
    (">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", True),
    ("1.1 - 2", "1.1.1", True),
    ("1.5.0 - 4.5", "3.7.0", True),
    ("1.1-3", "4.3.2", False),
    ("^1.1", "1.1.1", True),
    ("^1.1", "4.3.2", False),
    ("^1.x", "1.1.1", True),
    ("^2.x", "1.1.1", False),
    ("^1.x", "2.1.1", False),
    ("^1.x", "1.1.1-beta1", False),
    ("^1.1.2-alpha", "1.2.1-beta1", True),
    ("^1.2.x-alpha", "1.1.1-beta1", False),
    ("^0.0.1", "0.0.1", True),
    ("^0.0.1", "0.3.1", False),
    ("~*", "2.1.1", True),
    ("~1", "2.1.1", False),
    ("~1", "1.3.5", True),
    ("~1", "1.4", True),
    ("~1.x", "2.1.1", False),
    ("~1.x", "1.3.5", True),
    ("~1.x", "1.4", True),
    ("~1.1", "1.1.1", True),
    ("~1.1", "1.1.1-alpha", False),
    ("~1.1-alpha", "1.1.1-beta", True),
    ("~1.1.1-beta", "1.1.1-alpha", False),
    ("~1.1.1-beta", "1.1.1", True),
    ("~1.2.3", "1.2.5", True),
    ("~1.2.3", "1.2.2", False),
    ("~1.2.3", "1.3.2", False),
    ("~1.1", "1.2.3", False),
    ("~1.3", "2.4.5", False),
    # Ranges work together with other constraints ANDed to them.
    ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", True),
    ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", True),
]

# TestConstraintCheck: one comparison, checked with the prerelease rule of its own group.
# Its three rows for the empty string are covered by test_empty_constraint_means_any_release.
SINGLE_TERM_CHECK = [
    ("=2.0.0", "1.2.3", False),
    ("=2.0.0", "2.0.0", True),
    ("=2.0", "1.2.3", False),
    ("=2.0", "2.0.0", True),
    ("=2.0", "2.0.1", True),
    ("4.1", "4.1.0", True),
    ("!=4.1.0", "4.1.0", False),
    ("!=4.1.0", "4.1.1", True),
    ("!=4.1", "4.1.0", False),
    ("!=4.1", "4.1.1", False),
    ("!=4.1", "5.1.0-alpha.1", False),
    ("!=4.1.0", "5.1.0-alpha.1", False),
    ("!=4.1-alpha", "4.1.0", True),
    ("!=4.1", "5.1.0", True),
    ("<11", "0.1.0", True),
    ("<11", "11.1.0", False),
    ("<1.1", "0.1.0", True),
    ("<1.1", "1.1.0", False),
    ("<1.1", "1.1.1", False),
    ("<=11", "1.2.3", True),
    ("<=11", "12.2.3", False),
    ("<=11", "11.2.3", True),
    ("<=1.1", "1.2.3", False),
    ("<=1.1", "0.1.0", True),
    ("<=1.1", "1.1.0", True),
    ("<=1.1", "1.1.1", True),
    (">1.1", "4.1.0", True),
    (">1.1", "1.1.0", False),
    (">0", "0", False),
    (">0", "1", True),
    (">0", "0.0.1-alpha", False),
    (">0.0", "0.0.1-alpha", False),
    (">0-0", "0.0.1-alpha", False),
    (">0.0-0", "0.0.1-alpha", False),
    (">0", "0.0.0-alpha", False),
    (">0-0", "0.0.0-alpha", False),
    (">0.0.0-0", "0.0.0-alpha", True),
    (">1.2.3-alpha.1", "1.2.3-alpha.2", True),
    (">1.2.3-alpha.1", "1.3.3-alpha.2", True),
    (">11", "11.1.0", False),
    (">11.1", "11.1.0", False),
    (">11.1", "11.1.1", False),
    (">11.1", "11.2.1", True),
    (">=11", "11.1.2", True),
    (">=11.1", "11.1.2", True),
    (">=11.1", "11.0.2", False),
    (">=1.1", "4.1.0", True),
    (">=1.1", "1.1.0", True),
    (">=1.1", "0.0.9", False),
    (">=0", "0.0.1-alpha", False),
    (">=0.0", "0.0.1-alpha", False),
    (">=0-0", "0.0.1-alpha", True),
    (">=0.0-0", "0.0.1-alpha", True),
    (">=0", "0.0.0-alpha", False),
    (">=0-0", "0.0.0-alpha", True),
    (">=0.0.0-0", "0.0.0-alpha", True),
    (">=0.0.0-0", "1.2.3", True),
    (">=0.0.0-0", "3.4.5-beta.1", True),
    ("<0", "0.0.0-alpha", False),
    ("<0-z", "0.0.0-alpha", True),
    (">=0", "0", True),
    ("=0", "1", False),
    ("*", "1", True),
    ("*", "4.5.6", True),
    ("*", "1.2.3-alpha.1", False),
    ("*-0", "1.2.3-alpha.1", True),
    ("2.*", "1", False),
    ("2.*", "3.4.5", False),
    ("2.*", "2.1.1", True),
    ("2.1.*", "2.1.1", True),
    ("2.1.*", "2.2.1", False),
    ("2", "1", False),
    ("2", "3.4.5", False),
    ("2", "2.1.1", True),
    ("2.1", "2.1.1", True),
    ("2.1", "2.2.1", False),
    ("~1.2.3", "1.2.4", True),
    ("~1.2.3", "1.3.4", False),
    ("~1.2", "1.2.4", True),
    ("~1.2", "1.3.4", False),
    ("~1", "1.2.4", True),
    ("~1", "2.3.4", False),
    ("~0.2.3", "0.2.5", True),
    ("~0.2.3", "0.3.5", False),
    ("~1.2.3-beta.2", "1.2.3-beta.4", True),
    # Unlike npm, a prerelease of a later release in range matches too.
    ("~1.2.3-beta.2", "1.2.4-beta.2", True),
    ("~1.2.3-beta.2", "1.3.4-beta.2", False),
    ("^1.2.3", "1.8.9", True),
    ("^1.2.3", "2.8.9", False),
    ("^1.2.3", "1.2.1", False),
    ("^1.1.0", "2.1.0", False),
    ("^1.2.0", "2.2.1", False),
    ("^1.2.0", "1.2.1-alpha.1", False),
    ("^1.2.0-alpha.0", "1.2.1-alpha.1", True),
    ("^1.2.0-alpha.0", "1.2.1-alpha.0", True),
    ("^1.2.0-alpha.2", "1.2.0-alpha.1", False),
    ("^1.2", "1.8.9", True),
    ("^1.2", "2.8.9", False),
    ("^1", "1.8.9", True),
    ("^1", "2.8.9", False),
    ("^0.2.3", "0.2.5", True),
    ("^0.2.3", "0.5.6", False),
    ("^0.2", "0.2.5", True),
    ("^0.2", "0.5.6", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^0.0", "0.0.3", True),
    ("^0.0", "0.1.4", False),
    ("^0.0", "1.0.4", False),
    ("^0", "0.2.3", True),
    ("^0", "1.1.4", False),
    ("^0.2.3-beta.2", "0.2.3-beta.4", True),
    ("^0.2.3-beta.2", "0.2.4-beta.2", True),
    ("^0.2.3-beta.2", "0.3.4-beta.2", False),
    ("^0.2.3-beta.2", "0.2.3-beta.2", True),
]

# TestConstraintsValidate: Validate's verdict, which is always Check's.
CONSTRAINTS_VALIDATE = [
    ("*", "1.2.3", True),
    ("~0.0.0", "1.2.3", True),
    ("= 2.0", "1.2.3", False),
    ("= 2.0", "2.0.0", True),
    ("4.1", "4.1.0", True),
    ("4.1.x", "4.1.3", True),
    ("1.x", "1.4", True),
    ("!=4.1", "4.1.0", False),
    ("!=4.1", "5.1.0", True),
    ("!=4.x", "5.1.0", True),
    ("!=4.x", "4.1.0", False),
    ("!=4.1.x", "4.2.0", True),
    ("!=4.2.x", "4.2.3", False),
    (">1.1", "4.1.0", True),
    (">1.1", "1.1.0", False),
    ("<1.1", "0.1.0", True),
    ("<1.1", "1.1.0", False),
    ("<1.1", "1.1.1", False),
    ("<1.x", "1.1.1", False),
    ("<2.x", "1.1.1", True),
    ("<1.x", "2.1.1", False),
    ("<1.1.x", "1.2.1", False),
    ("<1.1.x", "1.1.500", False),
    ("<1.2.x", "1.1.1", True),
    (">=1.1", "4.1.0", True),
    (">=1.1", "1.1.0", True),
    (">=1.1", "0.0.9", False),
    ("<=1.1", "0.1.0", True),
    ("<=1.1", "1.1.0", True),
    ("<=1.x", "1.1.0", True),
    ("<=2.x", "3.1.0", False),
    ("<=1.1", "1.1.1", True),
    ("<=1.1.x", "1.2.500", False),
    (">1.1, <2", "1.1.1", False),
    (">1.1, <2", "1.2.1", True),
    (">1.1, <3", "4.3.2", False),
    (">=1.1, <2, !=1.2.3", "1.2.3", False),
    (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", False),
    (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", True),
    (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", True),
    (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", False),
    (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", False),
    ("1.1 - 2", "1.1.1", True),
    ("1.1-3", "4.3.2", False),
    ("^1.1", "1.1.1", True),
    ("^1.1", "1.1.1-alpha", False),
    ("^1.1.1-alpha", "1.1.1-beta", True),
    ("^1.1.1-beta", "1.1.1-alpha", False),
    ("^1.1", "4.3.2", False),
    ("^1.x", "1.1.1", True),
    ("^2.x", "1.1.1", False),
    ("^1.x", "2.1.1", False),
    ("^0.0.1", "0.1.3", False),
    ("^0.0.1", "0.0.1", True),
    ("~*", "2.1.1", True),
    ("~1", "2.1.1", False),
    ("~1", "1.3.5", True),
    ("~1", "1.3.5-beta", False),
    ("~1.x", "2.1.1", False),
    ("~1.x", "1.3.5", True),
    ("~1.x", "1.3.5-beta", False),
    ("~1.3.6-alpha", "1.3.5-beta", False),
    ("~1.3.5-alpha", "1.3.5-beta", True),
    ("~1.3.5-beta", "1.3.5-alpha", False),
    ("~1.x", "1.4", True),
    ("~1.1", "1.1.1", True),
    ("~1.2.3", "1.2.5", True),
    ("~1.2.3", "1.2.2", False),
    ("~1.2.3", "1.3.2", False),
    ("~1.1", "1.2.3", False),
    ("~1.3", "2.4.5", False),
]

# TestConstraintsValidate's message table: every row is a failed check.
VALIDATE_FAILURES = [
    ("!= 1.2.5, ^2, <= 1.1.x", "1.2.3"),
    ("2.x", "1.2.3"),
    ("2", "1.2.3"),
    ("= 2.0", "1.2.3"),
    ("!=4.1", "4.1.0"),
    ("!=4.x", "4.1.0"),
    ("!=4.2.x", "4.2.3"),
    (">1.1", "1.1.0"),
    ("<1.1", "1.1.0"),
    ("<1.1", "1.1.1"),
    ("<1.x", "2.1.1"),
    ("<1.1.x", "1.2.1"),
    (">=1.1", "0.0.9"),
    ("<=2.x", "3.1.0"),
    ("<=1.1", "1.2.1"),
    ("<=1.1.x", "1.2.500"),
    (">1.1, <3", "4.3.2"),
    (">=1.1, <2, !=1.2.3", "1.2.3"),
    (">=1.1, <2, !=1.2.3 || > 3", "3.0.0"),
    (">=1.1, <2, !=1.2.3 || > 3", "1.2.3"),
    ("1.1 - 3", "4.3.2"),
    ("^1.1", "4.3.2"),
    ("^1.12.7", "1.6.6"),
    ("^2.x", "1.1.1"),
    ("^1.x", "2.1.1"),
    ("^0.2", "0.3.0"),
    ("^0.2", "0.1.1"),
    ("^0.0.3", "0.1.1"),
    ("^0.0.3", "0.0.4"),
    ("^0.0.3", "0.0.2"),
    ("~1", "2.1.2"),
    ("~1.x", "2.1.1"),
    ("~1.2.3", "1.2.2"),
    ("~1.2.3", "1.3.2"),
    ("~1.1", "1.2.3"),
    ("~1.3", "2.4.5"),
    ("> 1.2.3", "1.2.3-beta.1"),
]

# TestNewConstraint and TestParseConstraint: which strings NewConstraint accepts.
VALID_CONSTRAINTS = [
    ">= 1.1",
    ">40.50.60, < 50.70",
    "2.0",
    "v2.3.5-20161202202307-sha.e8fc5e5",
    ">= 1.2.3 < 2.0",
    ">= 1.2.3 < 2.0 || => 3.0 < 4",
    ">= 1.2.3, < 2.0",
    ">= 1.2.3, < 2.0 || => 3.0, < 4",
    "3 - 4 || => 3.0, < 4",
    "12.3.34 ~1.2.3",
    "1.0.0 - 2.0.0, <=2.0.0",
    ">= 1.2",
    "1.0",
    "<= 1.2",
    "=< 1.2",
    "=> 1.2",
    "v1.2",
    "=1.5",
    "> 1.3",
    "< 1.4.1",
    "< 40.50.10",
]
INVALID_CONSTRAINTS = [
    ">= bar",
    "BAR >= 1.2.3",
    "12.3.4.1234",
    "12.23.4.1234",
    "12.3.34.1234",
    "12.3.34~ 1.2.3",
    "foo",
]


@pytest.mark.parametrize(("constraint", "version", "expected"), CONSTRAINTS_CHECK)
def test_constraints_check(constraint: str, version: str, expected: bool) -> None:
    assert Constraint.parse(constraint).check(version) is expected


def test_constraints_check_table_is_complete() -> None:
    assert len(CONSTRAINTS_CHECK) == 126


@pytest.mark.parametrize(("constraint", "version", "expected"), SINGLE_TERM_CHECK)
def test_single_term_check(constraint: str, version: str, expected: bool) -> None:
    assert Constraint.parse(constraint).check(version) is expected


@pytest.mark.parametrize(("constraint", "version", "expected"), CONSTRAINTS_VALIDATE)
def test_constraints_validate(constraint: str, version: str, expected: bool) -> None:
    assert Constraint.parse(constraint).check(version) is expected


@pytest.mark.parametrize(("constraint", "version"), VALIDATE_FAILURES)
def test_validate_failures(constraint: str, version: str) -> None:
    assert Constraint.parse(constraint).check(version) is False


@pytest.mark.parametrize("constraint", VALID_CONSTRAINTS)
def test_valid_constraint_keeps_its_text(constraint: str) -> None:
    assert str(Constraint.parse(constraint)) == constraint


@pytest.mark.parametrize("constraint", INVALID_CONSTRAINTS)
def test_invalid_constraint_names_the_text(constraint: str) -> None:
    with pytest.raises(ConstraintError) as excinfo:
        Constraint.parse(constraint)
    message = str(excinfo.value)
    assert repr(constraint) in message
    assert "\n" not in message


# TestRewriteRange: a hyphen range means the same as its ">=, <=" rewrite.
@pytest.mark.parametrize(
    ("hyphenated", "rewritten"),
    [
        ("2 - 3", ">= 2, <= 3"),
        ("2 - 3, 2 - 3", ">= 2, <= 3, >= 2, <= 3"),
        ("2 - 3, 4.0.0 - 5.1", ">= 2, <= 3, >= 4.0.0, <= 5.1"),
        ("2 - 3 4.0.0 - 5.1", ">= 2, <= 3 >= 4.0.0, <= 5.1"),
        ("1.0.0 - 2.0.0 <=2.0.0", ">= 1.0.0, <= 2.0.0 <=2.0.0"),
        ("1.2 - 1.4.5", ">=1.2 <=1.4.5"),
    ],
)
def test_hyphen_range_equals_its_rewrite(hyphenated: str, rewritten: str) -> None:
    versions = ["1.9.9", "2.0.0", "2.5.0", "3.0.0", "3.9.9", "4.0.0", "4.5.0", "5.1.9", "5.2.0",
                "1.2.0", "1.4.5", "1.4.6", "1.0.0", "1.5.0"]
    hyphen, plain = Constraint.parse(hyphenated), Constraint.parse(rewritten)
    assert [hyphen.check(v) for v in versions] == [plain.check(v) for v in versions]


# The semantics the README promises, spelled out as ranges.
@pytest.mark.parametrize(
    ("constraint", "matching", "not_matching"),
    [
        ("^0.2.3", ["0.2.3", "0.2.99"], ["0.2.2", "0.3.0", "1.0.0"]),
        ("^0.0.3", ["0.0.3"], ["0.0.2", "0.0.4", "0.1.0"]),
        ("^0", ["0.0.0", "0.99.99"], ["1.0.0"]),
        ("^1.2", ["1.2.0", "1.99.0"], ["1.1.9", "2.0.0"]),
        ("~1", ["1.0.0", "1.99.0"], ["0.9.9", "2.0.0"]),
        ("~1.2", ["1.2.0", "1.2.99"], ["1.1.9", "1.3.0"]),
        ("~>1.2.3", ["1.2.3", "1.2.9"], ["1.2.2", "1.3.0"]),
        ("1.2 - 1.4.5", ["1.2.0", "1.4.5"], ["1.1.9", "1.4.6"]),
        ("v1.2.x", ["1.2.0", "1.2.7"], ["1.3.0"]),
        ("1.X", ["1.0.0", "1.9.0"], ["2.0.0"]),
        ("=1.2.3+build.1", ["1.2.3", "1.2.3+build.2"], ["1.2.4"]),
        (">=0-0", ["0.0.1-alpha", "3.0.0-rc.1", "3.0.0"], []),
        ("^1.2.3-beta", ["1.2.3-beta.2", "1.3.0-alpha", "1.2.3"], ["1.2.3-alpha", "2.0.0-alpha"]),
    ],
)
def test_documented_ranges(constraint: str, matching: list[str], not_matching: list[str]) -> None:
    parsed = Constraint.parse(constraint)
    assert [v for v in matching + not_matching if parsed.check(v)] == matching


def test_prerelease_in_one_term_opens_the_whole_and_group() -> None:
    # Masterminds v3.4+: the group admits prereleases if any of its terms names one.
    assert Constraint.parse(">=1.0.0 <2.0.0-0").check("1.5.0-beta") is True
    assert Constraint.parse(">=1.0.0 <2.0.0 || >=3.0.0-0").check("1.5.0-beta") is False


# Behaviour read from constraints.go itself, not from its tests.
@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        ("!=*", "0.0.0", False),  # "!=*" falls through to "not equal to 0.0.0"
        ("!=*", "1.0.0", True),
        ("<=*", "0.0.7", True),  # "<=*" keeps major and minor at 0
        ("<=*", "0.1.0", False),
        ("^*", "0.0.0", True),  # "^*" behaves as "^0.0.0", not as "any"
        ("^*", "1.0.0", False),
        (">*", "0.0.1", True),
        ("x.9", "5.0.0", True),  # numbers after a wildcard are ignored
        ("1.x.9", "1.5.0", True),
        ("01.2.3", "1.2.3", True),  # leading zeros are coerced, as NewVersion does
        ("1 - 2<3", "2.5.0", True),  # the rewritten range ends in a space, so "<3" may follow
        (">=1.0.0,<2.0.0", "1.5.0", True),
        (">=1.0.0 ,  <2.0.0", "2.0.0", False),
        ("1 || 2", "2.5.0", True),
        ("1|| 2 - 3", "2.5.0", True),
        ("1 || 2 - 3", "5.0.0", False),
        ("\t>=1.0.0\n", "1.0.0", True),
    ],
)
def test_masterminds_corner_cases(constraint: str, version: str, expected: bool) -> None:
    assert Constraint.parse(constraint).check(version) is expected


@pytest.mark.parametrize(
    "constraint",
    [
        "",
        "   ",
        ">=1 2 - 3",  # the range rewrite glues "2 - 3" to ">=1"
        "1 ||2 - 3",  # ... and swallows a "||" glued to a range
        "1||2 - 3",  # Helm misreads this one as ">=1 || 2, <=3": refused here
        "1 - 2v3",  # Helm misreads this one as ">=1, <=2 v3": refused here
        "1 -2",
        "1 - ",
        "- 2",
        "1 ||",
        "|| 1",
        "1 | 2",
        "1,",
        ",1",
        "1,,2",
        ">1<2",
        "> =1",
        "==1",
        "!1",
        "~ >1",
        ">=",
        "V1.2.3",
        "1.2.3-",
        "1.2.3-alpha..1",
        "1.2.3-01",
        "1.2.3+",
        "1x",
        "1.*x",
        "18446744073709551616",
        "1.2.3\v",
        ">=1.0.0\u00a0<2",
        "1" * 513,
        " || ".join(["1"] * 33),
    ],
)
def test_rejected_constraints(constraint: str) -> None:
    with pytest.raises(ConstraintError, match="^invalid version constraint '"):
        Constraint.parse(constraint)


def test_limits_are_inclusive() -> None:
    assert Constraint.parse(" || ".join(["1"] * 32)).check("1.0.0") is True
    assert Constraint.parse("1" + " " * 511).check("1.0.0") is True


def test_long_constraint_error_stays_short() -> None:
    with pytest.raises(ConstraintError) as excinfo:
        Constraint.parse("1" * 100_000)
    assert len(str(excinfo.value)) < 200


def test_parse_is_cached() -> None:
    assert Constraint.parse("^1.2.3 || ~2.0") is Constraint.parse("^1.2.3 || ~2.0")


def test_check_accepts_a_parsed_version() -> None:
    assert Constraint.parse("^1.2").check(semver.Version(1, 9, 0)) is True


def test_check_rejects_an_unparsable_version_string() -> None:
    with pytest.raises(ConstraintError, match="invalid semantic version 'latest'"):
        Constraint.parse("*").check("latest")


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        (">=1.21.0-0", "v1.29.3+k3s1", True),  # a kubeVersion check, k3s style
        (">=1.21.0", "1.29.0-eks-1234", False),
        ("^1.2.0", "1.3", True),
        ("^1.2.0", "not-a-version", False),
        ("^1.2.0", "", False),
    ],
)
def test_satisfies(constraint: str, version: str, expected: bool) -> None:
    assert satisfies(constraint, version) is expected


def test_satisfies_rejects_a_bad_constraint() -> None:
    with pytest.raises(ConstraintError, match="'>= bar'"):
        satisfies(">= bar", "1.0.0")


INDEX_VERSIONS = [
    "0.9.0",
    "1.2.0",
    "1.10.0",
    "1.11.0-rc.1",
    "2.0.0-beta.1",
    "1.10.0+build.7",
    "latest",
]


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("", "1.10.0"),  # newest release; prereleases and "latest" are skipped
        ("^1.2", "1.10.0"),  # newest 1.x, not the lexically largest
        ("1.10.0+build.7", "1.10.0+build.7"),  # the exact string beats "1.10.0"
        ("1.11.0-rc.1", "1.11.0-rc.1"),
        (">=1.0.0-0", "2.0.0-beta.1"),
        ("~0.9", "0.9.0"),
        ("^3", None),
        ("<0.1", None),
    ],
)
def test_newest_matching(constraint: str, expected: str | None) -> None:
    assert newest_matching(constraint, INDEX_VERSIONS) == expected


def test_newest_matching_prefers_exact_string_over_newer_match() -> None:
    assert newest_matching("1.0", ["1.0.5", "1.0"]) == "1.0"


def test_newest_matching_accepts_any_iterable() -> None:
    assert newest_matching("^1", (v for v in ["1.0.0", "1.1.0"])) == "1.1.0"


def test_newest_matching_rejects_a_bad_constraint_even_with_an_exact_entry() -> None:
    with pytest.raises(ConstraintError):
        newest_matching("1.0.0_final", ["1.0.0_final"])


@pytest.mark.parametrize(
    ("version", "expected"), [("1", True), ("4.5.6", True), ("1.2.3-alpha.1", False)]
)
def test_empty_constraint_means_any_release(version: str, expected: bool) -> None:
    # TestConstraintCheck's rows for "": Helm resolves an empty version to "*".
    assert (newest_matching("", [version]) == version) is expected
