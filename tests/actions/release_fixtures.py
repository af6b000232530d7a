"""Helpers shared by the release-engine tests (importable as ``release_fixtures``)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from helmlite.actions.action import Config
from helmlite.backends.base import Backend

ChartFactory = Callable[..., Path]
# ``inject_fault(spec)``: add a simulator fault to the cluster under test (conftest's fixture).
FaultInjector = Callable[[Mapping[str, Any]], None]
# ``wait_seconds(virtual)``: a wait timeout of that many cluster seconds, as the backend counts it.
WaitSeconds = Callable[[float], float]
# Pods of the image nginx:broken never pull (ImagePullBackOff).
BROKEN_IMAGES: Mapping[str, Any] = {"kind": "image-pull", "image": "nginx:broken"}

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}-web
spec:
  replicas: {{ Values.replicas }}
  selector:
    matchLabels:
      app: {{ Values.selector }}
  template:
    metadata:
      labels:
        app: {{ Values.selector }}
    spec:
      containers:
        - name: web
          image: {{ Values.image }}
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-config
data:
  greeting: {{ Values.greeting | quote }}
"""


def history(config: Config, name: str) -> list[tuple[int, str, str]]:
    """``(revision, status, description)`` of every revision of ``name``."""
    with config.reading() as storage:
        return [(r.version, r.status.value, r.info.description) for r in storage.history(name)]


def live(backend: Backend, api_version: str, kind: str, name: str, namespace: str = "default") -> dict[str, Any] | None:
    from helmlite.backends.base import ResourceRef

    with backend.session() as session:
        return session.get(ResourceRef(api_version, kind, namespace, name))


def stderr_of(config: Config) -> str:
    """What an action wrote to the config's stderr (a StringIO in these tests)."""
    stream = config.output.stderr
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()
