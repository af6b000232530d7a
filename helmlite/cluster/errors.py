"""Errors of the simulated Kubernetes API, shaped like the API server's ``metav1.Status``.

Every error carries Kubernetes' ``reason`` and HTTP ``code`` and renders the exact message a
real API server would send, so the CLI can print it and the later HTTP facade can serve
``to_status()`` unchanged. The tree (it hangs under ``helmlite.errors.HelmliteError``):

    ApiError                       reason / code / to_status()
    ├── NotFoundError              404 NotFound       deployments.apps "web" not found
    │   └── NoKindMatchError       404 NotFound       no matches for kind "X" in version "g/v"
    ├── AlreadyExistsError         409 AlreadyExists  deployments.apps "web" already exists
    ├── ConflictError              409 Conflict       stale resourceVersion, SSA field conflicts
    ├── InvalidError               422 Invalid        Deployment.apps "web" is invalid: <causes>
    ├── ForbiddenError             403 Forbidden      pods "p" is forbidden: <reason>
    ├── BadRequestError            400 BadRequest     malformed requests and selectors
    ├── MethodNotAllowedError      405 MethodNotAllowed
    ├── RequestRejectedError       422 Invalid        the server rejected our request … (a failing JSON patch)
    ├── RequestEntityTooLargeError 413 RequestEntityTooLarge  too many JSON patch operations
    ├── UnsupportedMediaTypeError  415 UnsupportedMediaType   a body or patch type the resource cannot take
    └── UnclassifiedError          500 (no reason)    an error the API server passes on without a Status
    SimulatorError                 (not an API error) controllers that never settle, a busy or
                                   unreadable cluster file
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from helmlite.errors import HelmliteError

__all__ = [
    "ApiError",
    "NotFoundError",
    "NoKindMatchError",
    "AlreadyExistsError",
    "ConflictError",
    "InvalidError",
    "ForbiddenError",
    "BadRequestError",
    "MethodNotAllowedError",
    "RequestRejectedError",
    "RequestEntityTooLargeError",
    "UnsupportedMediaTypeError",
    "UnclassifiedError",
    "FieldError",
    "SimulatorError",
    "qualified_resource",
]


def qualified_resource(plural: str, group: str) -> str:
    """``deployments.apps`` / ``pods``: how the API server names a resource in messages."""
    return f"{plural}.{group}" if group else plural


def _qualified_kind(kind: str, group: str) -> str:
    return f"{kind}.{group}" if group else kind


class ApiError(HelmliteError):
    """An error the Kubernetes API would return; ``str(err)`` is the Status message."""

    reason: str = "InternalError"
    code: int = 500

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_status(self) -> dict[str, Any]:
        """The ``metav1.Status`` object the API server would send for this error."""
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            status["details"] = self.details
        return status


class NotFoundError(ApiError):
    """The object (or its namespace) does not exist."""

    reason = "NotFound"
    code = 404

    @classmethod
    def for_object(cls, plural: str, group: str, name: str) -> NotFoundError:
        """``deployments.apps "web" not found`` (apimachinery ``NewNotFound``)."""
        return cls(
            f'{qualified_resource(plural, group)} "{name}" not found',
            details={"name": name, "group": group, "kind": plural},
        )


class NoKindMatchError(NotFoundError):
    """A kind no built-in type or CustomResourceDefinition defines."""

    def __init__(self, kind: str, api_version: str) -> None:
        super().__init__(f'no matches for kind "{kind}" in version "{api_version}"')
        self.kind = kind
        self.api_version = api_version


class AlreadyExistsError(ApiError):
    """Create of a name that is taken."""

    reason = "AlreadyExists"
    code = 409

    @classmethod
    def for_object(cls, plural: str, group: str, name: str) -> AlreadyExistsError:
        """``deployments.apps "web" already exists`` (apimachinery ``NewAlreadyExists``)."""
        return cls(
            f'{qualified_resource(plural, group)} "{name}" already exists',
            details={"name": name, "group": group, "kind": plural},
        )


class ConflictError(ApiError):
    """A write based on a stale resourceVersion, or a server-side apply field conflict."""

    reason = "Conflict"
    code = 409

    @classmethod
    def for_object(cls, plural: str, group: str, name: str, why: str) -> ConflictError:
        """``Operation cannot be fulfilled on deployments.apps "web": <why>``."""
        return cls(
            f'Operation cannot be fulfilled on {qualified_resource(plural, group)} "{name}": {why}',
            details={"name": name, "group": group, "kind": plural},
        )


@dataclass(frozen=True)
class FieldError:
    """One ``field.Error`` of apimachinery: renders as ``<field>: <Type>[: <value>][: <detail>]``.

    ``value`` is the offending value already rendered the way Go's ``%q``/``%v``/``%#v`` would
    print it (see ``validation.go_repr``); it is ignored for types that print no value.
    """

    type: str
    field: str
    value: str = ""
    detail: str = ""

    # apimachinery field.ErrorType → (String(), CauseType)
    _TYPES: ClassVar[dict[str, tuple[str, str]]] = {
        "Invalid": ("Invalid value", "FieldValueInvalid"),
        "Required": ("Required value", "FieldValueRequired"),
        "Forbidden": ("Forbidden", "FieldValueForbidden"),
        "NotSupported": ("Unsupported value", "FieldValueNotSupported"),
        "Duplicate": ("Duplicate value", "FieldValueDuplicate"),
        "NotFound": ("Not found", "FieldValueNotFound"),
        "TooLong": ("Too long", "FieldValueTooLong"),
        "TooMany": ("Too many", "FieldValueTooMany"),
    }
    # Types whose ErrorBody omits the bad value.
    _VALUELESS: ClassVar[frozenset[str]] = frozenset({"Required", "Forbidden", "TooLong"})

    def body(self) -> str:
        """``field.Error.ErrorBody()``: the message without the field path."""
        text = self._TYPES[self.type][0]
        if self.type not in self._VALUELESS:
            text += f": {self.value}"
        if self.detail:
            text += f": {self.detail}"
        return text

    def cause_type(self) -> str:
        """The ``StatusCause.reason`` (``FieldValueInvalid``, …)."""
        return self._TYPES[self.type][1]

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


class InvalidError(ApiError):
    """An object that fails validation; ``causes`` lists every field error."""

    reason = "Invalid"
    code = 422

    def __init__(self, kind: str, group: str, name: str, causes: Sequence[FieldError]) -> None:
        # ErrorList.ToAggregate drops duplicate messages and brackets more than one.
        unique: list[str] = []
        for cause in causes:
            text = str(cause)
            if text not in unique:
                unique.append(text)
        aggregate = unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"
        message = f'{_qualified_kind(kind, group)} "{name}" is invalid'
        if unique:
            message += f": {aggregate}"
        super().__init__(
            message,
            details={
                "name": name,
                "group": group,
                "kind": kind,
                "causes": [
                    {"reason": c.cause_type(), "message": c.body(), "field": c.field} for c in causes
                ],
            },
        )
        self.causes = tuple(causes)


class ForbiddenError(ApiError):
    """A request the API server refuses (terminating namespace, immortal namespace, …)."""

    reason = "Forbidden"
    code = 403

    @classmethod
    def for_object(cls, plural: str, group: str, name: str, why: str) -> ForbiddenError:
        """``pods "p" is forbidden: <why>`` (``pods is forbidden: …`` without a name)."""
        resource = qualified_resource(plural, group)
        head = f'{resource} "{name}"' if name else resource
        return cls(
            f"{head} is forbidden: {why}",
            details={"name": name, "group": group, "kind": plural},
        )


class BadRequestError(ApiError):
    """A malformed request: bad selector syntax, unsupported field label, bad body."""

    reason = "BadRequest"
    code = 400


class MethodNotAllowedError(ApiError):
    """A verb the resource does not support (the HTTP facade's 405)."""

    reason = "MethodNotAllowed"
    code = 405


class RequestRejectedError(ApiError):
    """apimachinery ``NewGenericServerResponse(422, …)``: a fixed message, the real cause in
    ``details.causes`` — what the API server answers when a JSON patch does not apply."""

    reason = "Invalid"
    code = 422

    def __init__(self, cause: str) -> None:
        super().__init__("the server rejected our request due to an error in our request",
                         details={"causes": [{"message": cause}]})
        self.cause = cause


class RequestEntityTooLargeError(ApiError):
    """A request over one of the API server's size limits (JSON patch operation count)."""

    reason = "RequestEntityTooLarge"
    code = 413


class UnsupportedMediaTypeError(ApiError):
    """A body in a media type the resource does not accept (SMP on a custom resource, …)."""

    reason = "UnsupportedMediaType"
    code = 415

    @classmethod
    def accepting(cls, media_types: Sequence[str], hint: str = "") -> UnsupportedMediaTypeError:
        """apiserver ``negotiation.NewUnsupportedMediaTypeError``; ``hint`` is appended in brackets."""
        message = ("the body of the request was in an unknown format - accepted media types include: "
                   + ", ".join(media_types))
        return cls(f"{message} ({hint})" if hint else message)


class UnclassifiedError(ApiError):
    """A plain Go error the API server turns into a 500 Status with an empty reason
    (``StatusReasonUnknown``), e.g. a strategic merge patch item without its merge key."""

    reason = ""
    code = 500


class SimulatorError(HelmliteError):
    """The simulator itself cannot proceed: controllers that never settle, a busy cluster file."""
