"""The native template dialect: Jinja2 (sandboxed) with Helm's objects, functions and ``define``.

See docs/templates.md for the dialect, side by side with Helm's Go-template syntax.
"""

from jinja2 import Undefined

from helmlite.gofmt import register_nil_type

# A missing key (Jinja's Undefined) is Go's nil wherever values are printed or compared.
register_nil_type(Undefined)
