"""``python -P -m helmlite.commandserver NAME``: what a client runs to start a server (NAME: the
abstract socket name without its leading NUL)."""

from __future__ import annotations

import sys

from helmlite.commandserver.server import serve_forever

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python -P -m helmlite.commandserver NAME\n")
        sys.exit(2)
    sys.exit(serve_forever(sys.argv[1]))
