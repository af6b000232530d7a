from __future__ import annotations

from helmlite.cli.main import main

if __name__ == "__main__":
    main()
