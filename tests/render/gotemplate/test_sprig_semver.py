"""Sprig's semver functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.gofmt import go_type
from helmlite.render.gotemplate.funcs import sprig_semver  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcspec import REGISTRY

# --- helm table CASES
CASES = [
    ('semver', ('1.2.3',), '1.2.3', '*semver.Version'),
    ('semver', ('v1.2',), '1.2.0', '*semver.Version'),
    ('semver', ('01.2.3',), '1.2.3', '*semver.Version'),
    ('semver', ('1.2.3-beta.1+b5',), '1.2.3-beta.1+b5', '*semver.Version'),
    ('semver', ('1.2.3+01',), '1.2.3+01', '*semver.Version'),
    ('semverCompare', ('>=1.2', '1.3.0'), 'true', 'bool'),
    ('semverCompare', ('>=1.21', '1.21.0-eks-123'), 'false', 'bool'),
    ('semverCompare', ('>=1.21-0', 'v1.21.0-eks-123'), 'true', 'bool'),
    ('semverCompare', ('^1.20-0', 'v1.21.5-gke.1'), 'true', 'bool'),
    ('semverCompare', ('1 - 2', '1.5.0'), 'true', 'bool'),
    ('semverCompare', ('>1.0 <2.0 || 3.x', '3.1.0'), 'true', 'bool'),
    ('semverCompare', ('~1.2.3', '1.2.9'), 'true', 'bool'),
    ('semverCompare', ('>= 1.2', '1.2.0'), 'true', 'bool'),
    ('semverCompare', ('=>1.2', '1.2.0'), 'true', 'bool'),
    ('semverCompare', ('<1.25.0-0', 'v1.37.0'), 'false', 'bool'),
    ('semverCompare', ('>=1.16-0', 'v1.37.0'), 'true', 'bool'),
    ('semverCompare', ('*', '1.0.0-rc1'), 'false', 'bool'),
    ('semverCompare', ('!=1.2.3', '1.2.4'), 'true', 'bool'),
    ('semverCompare', ('^0.2.3', '0.3.0'), 'false', 'bool'),
    ('semverCompare', ('1.2.x', '1.2.9'), 'true', 'bool'),
    ('semverCompare', ('>=1.0.0, <2.0.0', '1.5.0'), 'true', 'bool'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('semver', ('',), 'invalid semantic version'),
    ('semver', ('x',), 'invalid semantic version'),
    ('semver', ('1.2.3-01',), 'version segment starts with 0'),
    ('semver', ('1.2.3+a..b',), 'invalid semantic version'),
    ('semver', ('1.2.3.4',), 'invalid semantic version'),
    ('semver', ('1.2.3-',), 'invalid semantic version'),
    ('semver', ('v',), 'invalid semantic version'),
    ('semver', ('V1.2.3',), 'invalid semantic version'),
    ('semver', ('1.2.3-a_b',), 'invalid semantic version'),
    ('semver', ('99999999999999999999.1.2',), 'error parsing version segment: strconv.ParseUint: parsing "99999999999999999999": value out of range'),
    ('semver', ('1.2.3-0a.01',), 'version segment starts with 0'),
    ('semver', (' 1.2.3',), 'invalid semantic version'),
    ('semver', ('1.-2',), 'invalid semantic version'),
    ('semver', ('vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv',), 'version string is too long (max 256 bytes)'),
    ('semverCompare', ('foo', '1.0.0'), 'improper constraint: "foo"'),
    ('semverCompare', ('>=1.0', 'bad'), 'invalid semantic version'),
    ('semverCompare', ('', '1.0.0'), 'improper constraint: ""'),
    ('semverCompare', ('>=1.0', ''), 'invalid semantic version'),
    ('semverCompare', ('foo', 'bad'), 'improper constraint: "foo"'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)


def test_versions_answer_masterminds_methods() -> None:
    version = REGISTRY["semver"].fn("v1.2.3-rc.1+build")
    assert (version.Major(), version.Minor(), version.Patch()) == (1, 2, 3)
    assert go_type(version.Major()) == "uint64" and go_type(version) == "*semver.Version"
    assert (version.Prerelease(), version.Metadata(), version.Original()) == ("rc.1", "build", "v1.2.3-rc.1+build")
    other = REGISTRY["semver"].fn("1.3.0")
    assert version.Compare(other) == -1 and version.LessThan(other) and not version.GreaterThan(other)
    # The Inc methods return a semver.Version value, keeping a leading "v" in Original().
    bumped = version.IncPatch()
    assert (str(bumped), bumped.Original(), go_type(bumped)) == ("1.2.3", "v1.2.3", "semver.Version")
    assert str(other.IncPatch()) == "1.3.1" and str(other.IncMinor()) == "1.4.0" and str(other.IncMajor()) == "2.0.0"
