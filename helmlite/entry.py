"""The ``helmlite`` executable: a warm command server's child runs the command when it can,
else this process does (see helmlite/commandserver)."""

from __future__ import annotations

import os
import sys

__all__ = ["run"]


def run() -> None:
    """Run ``helmlite`` with ``sys.argv`` and exit with its status."""
    from helmlite.commandserver.client import serve

    code = serve(sys.argv[1:])
    if code is None:
        from helmlite.cli.main import run as run_in_process

        run_in_process()
    sys.stderr.flush()
    os._exit(code)
