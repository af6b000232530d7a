"""Command-line interface: click commands that parse flags, call one action, print via Output."""
