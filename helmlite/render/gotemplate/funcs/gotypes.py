"""The Go types Sprig returns beyond ``helmlite.render.gotemplate.gotypes``, and kind tests.

``helmlite.render.gotemplate.gotypes`` holds the types the runtime shares (``Int64``,
``StringList`` = ``[]string``, ``IntList`` = ``[]int``, ``StringMap`` = ``map[string]string``,
``Duration``, ``Values``); they are re-exported here so that Sprig modules import one place.
This module adds what only Sprig functions produce:

=======================  ==========================  =========================================
class                    Go type                     returned by
=======================  ==========================  =========================================
``Uint64(int)``          ``uint64``                  ``(semver …).Major`` / ``.Minor`` /
                                                     ``.Patch``
``SliceOfSlices(list)``  ``[][]interface {}``        ``chunk``
``Certificate``          ``sprig.certificate``       ``genCA``, ``genSignedCert``, … (Go fields
                                                     ``.Cert`` and ``.Key``)
``SemverVersion``        ``*semver.Version``         ``semver`` (Go methods ``.Major``,
                                                     ``.Prerelease``, ``.Compare`` …)
``SemverValue``          ``semver.Version``          ``.IncMajor``, ``.IncMinor``, ``.IncPatch``
=======================  ==========================  =========================================

Like the shared types they name themselves with ``GO_TYPE``/``GO_KIND`` (read by
``helmlite.gofmt.go_type``/``go_kind``), print as Go does through ``__str__``, marshal
to JSON through ``__go_json__``, and declare their Go fields (``GO_FIELDS``, plain attributes)
and methods (``GO_METHODS``, Python methods marked with the runtime's ``go_method``); a struct
with unexported fields lists them in ``GO_UNEXPORTED_FIELDS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from helmlite.gofmt import go_kind, is_nil
from helmlite.render.gotemplate.exec import go_method
from helmlite.render.gotemplate.funcspec import STRING, FuncError, GoType
from helmlite.render.gotemplate.gotypes import Duration, Int64, IntList, StringList, StringMap, Values

if TYPE_CHECKING:
    # Only annotations name it: a SemverVersion wraps a version that ``semver`` already parsed,
    # so this module (imported by every render) never pays for the library itself.
    import semver as _semver

__all__ = [
    "CERTIFICATE", "UINT32",
    "Int64", "Uint64", "Duration", "StringList", "IntList", "StringMap", "Values",
    "SliceOfSlices", "Certificate", "SEMVER_VERSION", "SemverVersion", "SemverValue",
    "is_go_slice", "is_go_map",
]

# Parameter types funcspec does not predefine: derivePassword's counter, genSignedCert's CA.
UINT32 = GoType("uint32")
CERTIFICATE = GoType("sprig.certificate")


class Uint64(int):
    __slots__ = ()
    GO_TYPE: ClassVar[str] = "uint64"
    GO_KIND: ClassVar[str] = "uint64"


class SliceOfSlices(list[Any]):
    __slots__ = ()
    GO_TYPE: ClassVar[str] = "[][]interface {}"
    GO_KIND: ClassVar[str] = "slice"


@dataclass
class Certificate:
    """Sprig's ``certificate`` struct: PEM text in the fields ``Cert`` and ``Key``."""

    GO_TYPE: ClassVar[str] = "sprig.certificate"
    GO_KIND: ClassVar[str] = "struct"
    GO_FIELDS: ClassVar[frozenset[str]] = frozenset(("Cert", "Key"))

    Cert: str
    Key: str

    def __str__(self) -> str:
        # fmt's %v of a struct: its fields in braces, separated by a space.
        return "{" + self.Cert + " " + self.Key + "}"

    def __go_json__(self) -> dict[str, str]:
        return {"Cert": self.Cert, "Key": self.Key}


SEMVER_VERSION = GoType("*semver.Version")


# Masterminds/semver v3's methods on a Version value (Go calls them on a *Version too); the
# others (Original, the comparisons) take a *Version, which text/template cannot make of the
# Version a method returns: ``(semver "1.2.3").IncMajor.Original`` fails with ``can't evaluate
# field Original in type semver.Version``, as it does in Helm.
_VALUE_METHODS = (
    "Major", "Minor", "Patch", "Prerelease", "Metadata", "String", "IncMajor", "IncMinor", "IncPatch",
    "SetPrerelease", "SetMetadata", "MarshalJSON", "MarshalText", "Value",
)  # fmt: skip
_POINTER_METHODS = (
    "Original", "Compare", "Equal", "LessThan", "LessThanEqual", "GreaterThan", "GreaterThanEqual",
)  # fmt: skip
# Masterminds' characters of a prerelease or metadata identifier.
_IDENTIFIER_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


class SemverVersion:
    """A Masterminds ``*semver.Version``: prints normalised (``String()``), keeps ``Original()``.

    Not offered: the methods that decode into the version in place (``Scan``, ``UnmarshalJSON``,
    ``UnmarshalText``), which no template has a use for.
    """

    GO_TYPE: ClassVar[str] = "*semver.Version"
    GO_KIND: ClassVar[str] = "ptr"
    GO_METHODS: ClassVar[frozenset[str]] = frozenset(_VALUE_METHODS + _POINTER_METHODS)
    # The struct's fields, all unexported: text/template refuses them with their own message.
    GO_UNEXPORTED_FIELDS: ClassVar[frozenset[str]] = frozenset(
        ("major", "minor", "patch", "pre", "metadata", "original"))

    __slots__ = ("_version", "_original")

    def __init__(self, version: _semver.Version, original: str) -> None:
        self._version = version
        self._original = original

    @property
    def version(self) -> _semver.Version:
        return self._version

    @go_method()
    def Major(self) -> Uint64:  # noqa: N802 - Go method names
        return Uint64(self._version.major)

    @go_method()
    def Minor(self) -> Uint64:  # noqa: N802
        return Uint64(self._version.minor)

    @go_method()
    def Patch(self) -> Uint64:  # noqa: N802
        return Uint64(self._version.patch)

    @go_method()
    def Prerelease(self) -> str:  # noqa: N802
        return self._version.prerelease or ""

    @go_method()
    def Metadata(self) -> str:  # noqa: N802
        return self._version.build or ""

    @go_method()
    def Original(self) -> str:  # noqa: N802
        return self._original

    @go_method()
    def String(self) -> str:  # noqa: N802
        return str(self._version)

    @go_method(SEMVER_VERSION)
    def Compare(self, other: SemverVersion) -> int:  # noqa: N802
        return int(self._version.compare(other._version))

    @go_method(SEMVER_VERSION)
    def Equal(self, other: SemverVersion) -> bool:  # noqa: N802
        return self.Compare(other) == 0

    @go_method(SEMVER_VERSION)
    def LessThan(self, other: SemverVersion) -> bool:  # noqa: N802
        return self.Compare(other) < 0

    @go_method(SEMVER_VERSION)
    def LessThanEqual(self, other: SemverVersion) -> bool:  # noqa: N802
        return self.Compare(other) <= 0

    @go_method(SEMVER_VERSION)
    def GreaterThan(self, other: SemverVersion) -> bool:  # noqa: N802
        return self.Compare(other) > 0

    @go_method(SEMVER_VERSION)
    def GreaterThanEqual(self, other: SemverVersion) -> bool:  # noqa: N802
        return self.Compare(other) >= 0

    def _next(self, version: _semver.Version) -> SemverValue:
        prefix = "v" if self._original.startswith("v") else ""
        return SemverValue(version, prefix + str(version))

    # The bump methods drop prerelease and build metadata, as Masterminds' Inc* methods do.
    @go_method()
    def IncMajor(self) -> SemverValue:  # noqa: N802
        return self._next(self._version.bump_major())

    @go_method()
    def IncMinor(self) -> SemverValue:  # noqa: N802
        return self._next(self._version.bump_minor())

    @go_method()
    def IncPatch(self) -> SemverValue:  # noqa: N802
        # A prerelease only loses its suffix: 1.2.3-rc.1 is followed by 1.2.3.
        if self._version.prerelease:
            return self._next(self._version.finalize_version())
        return self._next(self._version.bump_patch())

    @go_method(STRING, returns_error=True)
    def SetPrerelease(self, prerelease: str) -> SemverValue:  # noqa: N802
        for part in prerelease.split(".") if prerelease else ():
            if part.isascii() and part.isdigit():
                if len(part) > 1 and part.startswith("0"):
                    raise FuncError("version segment starts with 0")
            elif not part or not _IDENTIFIER_CHARS.issuperset(part):
                raise FuncError("invalid prerelease string")
        return self._next(self._version.replace(prerelease=prerelease or None))

    @go_method(STRING, returns_error=True)
    def SetMetadata(self, metadata: str) -> SemverValue:  # noqa: N802
        if metadata and not all(part and _IDENTIFIER_CHARS.issuperset(part) for part in metadata.split(".")):
            raise FuncError("invalid metadata string")
        return self._next(self._version.replace(build=metadata or None))

    @go_method(returns_error=True)
    def MarshalJSON(self) -> bytes:  # noqa: N802
        return f'"{self.String()}"'.encode()  # a version holds nothing JSON escapes

    @go_method(returns_error=True)
    def MarshalText(self) -> bytes:  # noqa: N802
        return self.String().encode()

    @go_method(returns_error=True)
    def Value(self) -> str:  # noqa: N802 - database/sql/driver.Valuer
        return self.String()

    def __str__(self) -> str:
        return self.String()

    def __go_json__(self) -> str:
        return self.String()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._original!r})"

    def __eq__(self, other: object) -> bool:
        # reflect.DeepEqual follows the pointer and compares every field, the original text too.
        return (type(other) is type(self) and self._original == other._original
                and str(self._version) == str(other._version))

    def __hash__(self) -> int:
        return hash(self._original)


class SemverValue(SemverVersion):
    """A ``semver.Version`` value, as ``.IncMajor``/``.IncMinor``/``.IncPatch`` and
    ``.SetPrerelease``/``.SetMetadata`` return it: only its value methods can be called."""

    __slots__ = ()
    GO_TYPE: ClassVar[str] = "semver.Version"
    GO_KIND: ClassVar[str] = "struct"
    GO_METHODS: ClassVar[frozenset[str]] = frozenset(_VALUE_METHODS)


def is_go_slice(value: Any) -> bool:
    """True when ``reflect`` calls the value's kind a slice (or an array)."""
    return not is_nil(value) and go_kind(value) in ("slice", "array")


def is_go_map(value: Any) -> bool:
    return not is_nil(value) and go_kind(value) == "map"
