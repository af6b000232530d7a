from __future__ import annotations

from helmlite.cli.main import run

if __name__ == "__main__":
    run()
