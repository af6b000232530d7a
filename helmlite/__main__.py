from __future__ import annotations

from helmlite.entry import run

if __name__ == "__main__":
    run()
