"""What both backends' ``ObjectClient`` adapters (the Secret/ConfigMap release drivers' view of
a cluster, ``helmlite.release.storage.objects``) share: error translation and selectors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from helmlite.backends.base import (
    ResourceConflict,
    ResourceError,
    ResourceExists,
    ResourceNotFound,
    UnknownKind,
)
from helmlite.release.storage.objects import (
    ObjectClientError,
    ObjectConflict,
    ObjectExists,
    ObjectNotFound,
)

__all__ = ["equality_selector", "storage_errors"]


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise the backend errors of the block as the drivers' ObjectClient errors, keeping the
    API server's message: AlreadyExists → ObjectExists, NotFound → ObjectNotFound, a stale
    ``resourceVersion`` → ObjectConflict, anything else (an unknown kind, an invalid object)
    → ObjectClientError."""
    try:
        yield
    except UnknownKind as exc:
        # Not a missing object: the drivers must not read it as "no such record".
        raise ObjectClientError(str(exc)) from None
    except ResourceExists as exc:
        raise ObjectExists(str(exc)) from None
    except ResourceNotFound as exc:
        raise ObjectNotFound(str(exc)) from None
    except ResourceConflict as exc:
        raise ObjectConflict(str(exc)) from None
    except ResourceError as exc:
        raise ObjectClientError(str(exc)) from None


def equality_selector(labels: Mapping[str, str]) -> str:
    """The label selector string requiring every pair of ``labels`` (``name=web,owner=helm``)."""
    return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))
