"""Chart repositories: the index (``index``), the client (``client``, ``search``, ``resolve``)
and the server (``server``).

Only the index API is re-exported here, lazily (PEP 562): ``template`` of a local chart
imports ``helmlite.repo.resolve`` for its option types and must not load the index code
(YAML, tarfile, gzip, hashlib) it does not use. The client modules import ``requests`` lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmlite.lazyexports import lazy_exports

__all__ = [
    "INDEX_API_VERSION",
    "IndexFile",
    "IndexLoadError",
    "RepoError",
    "chart_entry_from_archive",
    "index_directory",
]

if TYPE_CHECKING:
    from helmlite.repo.index import (
        INDEX_API_VERSION,
        IndexFile,
        IndexLoadError,
        RepoError,
        chart_entry_from_archive,
        index_directory,
    )

__getattr__ = lazy_exports(__name__, {"helmlite.repo.index": tuple(__all__)})
