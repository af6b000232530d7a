"""The native template dialect: Jinja2 (sandboxed) with Helm's objects, functions and ``define``.

See docs/templates.md for the dialect, side by side with Helm's Go-template syntax.
"""
