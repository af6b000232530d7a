"""The simulated cluster served as a Kubernetes API (``helmlite cluster serve``).

``ServedCluster`` keeps the cluster in memory, in step with its file and the wall clock;
``ApiServerApp`` is the ASGI application kubectl, Helm and client libraries talk to;
``serve`` runs it with uvicorn.
"""

from __future__ import annotations

from helmlite.apiserver.app import ApiServerApp
from helmlite.apiserver.server import (
    DEFAULT_ADDRESS,
    ApiServerError,
    ServeOptions,
    serve,
)
from helmlite.apiserver.state import ServedCluster

__all__ = ["DEFAULT_ADDRESS", "ApiServerApp", "ApiServerError", "ServeOptions", "ServedCluster", "serve"]
