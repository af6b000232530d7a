"""helmlite.cluster: the embedded Kubernetes simulator's API machinery.

``Cluster`` is the entry point (``Cluster.in_memory()`` / ``Cluster.open(path)``); its
``store`` is the API server (CRUD, server-side apply, merge patch, deletion with
propagation), ``clock`` the virtual clock, ``events`` the event recorder. Controllers plug in
through ``helmlite.cluster.controllers``. See docs/simulator.md for the architecture.
"""

from __future__ import annotations

from helmlite.cluster.clock import EPOCH, VirtualClock, format_time, parse_time
from helmlite.cluster.cluster import Cluster
from helmlite.cluster.errors import (
    AlreadyExistsError,
    ApiError,
    BadRequestError,
    ConflictError,
    FieldError,
    ForbiddenError,
    InvalidError,
    MethodNotAllowedError,
    NoKindMatchError,
    NotFoundError,
    SimulatorError,
)
from helmlite.cluster.events import EventRecorder
from helmlite.cluster.kinds import BUILTIN_KINDS, Kind, KindRegistry
from helmlite.cluster.selectors import FieldSelector, LabelSelector
from helmlite.cluster.store import (
    DEFAULT_FIELD_MANAGER,
    ObjectStore,
    WatchEvent,
    copy_object,
)

__all__ = [
    "Cluster",
    "ObjectStore",
    "WatchEvent",
    "VirtualClock",
    "EventRecorder",
    "Kind",
    "KindRegistry",
    "BUILTIN_KINDS",
    "LabelSelector",
    "FieldSelector",
    "copy_object",
    "format_time",
    "parse_time",
    "EPOCH",
    "DEFAULT_FIELD_MANAGER",
    "ApiError",
    "NotFoundError",
    "NoKindMatchError",
    "AlreadyExistsError",
    "ConflictError",
    "InvalidError",
    "ForbiddenError",
    "BadRequestError",
    "MethodNotAllowedError",
    "FieldError",
    "SimulatorError",
]
