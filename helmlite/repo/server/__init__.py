"""The chart repository server behind ``helmlite serve``.

- ``storage``: ``RepositorySet``/``ChartStore`` — packages on disk, the index in memory,
  crash recovery; no web framework involved.
- ``auth``: ``AuthPolicy`` — Basic, bearer and anonymous-read rules.
- ``app``: ``create_app`` — the Starlette application (imports Starlette).
- ``page``, ``provenance``: the HTML page and provenance-file checks.

Nothing is re-exported here, so importing ``storage`` or ``auth`` never pulls in Starlette.
"""
