"""Rendering: dialect dispatch (jinja2, gotemplate) and manifest assembly."""
