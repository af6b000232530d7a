"""Chart repositories: the index (``index``), the client (``client``, ``search``, ``resolve``)
and the server (``server``).

Only the index API is re-exported here; the client modules import ``requests`` lazily, so
importing this package stays cheap.
"""

from __future__ import annotations

from helmlite.repo.index import (
    INDEX_API_VERSION,
    IndexFile,
    IndexLoadError,
    RepoError,
    chart_entry_from_archive,
    index_directory,
)

__all__ = [
    "INDEX_API_VERSION",
    "IndexFile",
    "IndexLoadError",
    "RepoError",
    "chart_entry_from_archive",
    "index_directory",
]
