"""What the release commands print, and the flags and configuration they share.

The status block (``install``, ``upgrade``, ``rollback --dry-run``, ``status``, ``get all``),
the ``list`` and ``history`` tables and their ``-o json|yaml`` forms, byte for byte as Helm
v4 prints them: Go's time layouts (``time.ANSIC`` for LAST DEPLOYED and history's UPDATED,
``Time.String()`` for list's UPDATED), ``encoding/json``'s compact output with struct key
order and HTML escaping, and ``sigs.k8s.io/yaml``-style YAML with sorted keys.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import click

from helmlite.output import Output

if TYPE_CHECKING:
    from helmlite.actions.action import Config
    from helmlite.release.model import Release, Timestamp

__all__ = [
    "OptionalValueCommand",
    "ansic",
    "driver_option",
    "go_json",
    "go_time_string",
    "history_rows",
    "list_rows",
    "output_option",
    "print_history",
    "print_list",
    "print_resources",
    "print_status",
    "release_config",
    "release_object",
    "timeout_option",
    "write_data",
]

F = TypeVar("F", bound=Callable[..., Any])

_GO_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


# --- flags and configuration ---------------------------------------------------------------


class OptionalValueCommand(click.Command):
    """A command whose ``optional_values`` flags take a value only as ``--flag=value``, like
    pflag's ``NoOptDefVal``: a bare ``--dry-run`` means ``--dry-run=client`` and never
    swallows the next argument (click would read ``--dry-run NAME`` as a value)."""

    optional_values: ClassVar[dict[str, str]] = {"--dry-run": "client", "--wait": "watcher"}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten: list[str] = []
        for arg in args:
            if arg == "--":
                rewritten.extend(args[len(rewritten):])
                break
            rewritten.append(f"{arg}={self.optional_values[arg]}" if arg in self.optional_values else arg)
        return super().parse_args(ctx, rewritten)


def output_option(f: F) -> F:
    """``-o/--output table|json|yaml`` (Helm's ``bindOutputFlag``)."""
    return click.option("-o", "--output", "output_format", type=click.Choice(["table", "json", "yaml"]),
                        default="table", show_default=True,
                        help="prints the output in the specified format")(f)


def driver_option(f: F) -> F:
    """``--driver`` (``HELMLITE_DRIVER``): where release records are kept, as ``HELM_DRIVER``."""
    return click.option("--driver", default=None, metavar="DRIVER",
                        help="release storage: secret (default), configmap, memory or sql "
                             "(env HELMLITE_DRIVER; sql reads HELMLITE_DRIVER_SQL_CONNECTION_STRING)")(f)


def timeout_option(f: F) -> F:
    """``--timeout`` (Go duration, default 5m0s)."""
    from helmlite.cli.pull import DURATION

    return click.option("--timeout", type=DURATION, default="5m0s", show_default=True,
                        help="time to wait for any individual Kubernetes operation (like Jobs for hooks)")(f)


def release_config(driver: str | None, *, history_max: int | None = None, output: Output | None = None) -> Config:
    """The action Config of a release command: the backend and namespace of the global flags,
    the release driver of ``--driver``/``HELMLITE_DRIVER``, ``--history-max``/``HELMLITE_MAX_HISTORY``."""
    from helmlite.actions.action import Config
    from helmlite.backends import get_backend
    from helmlite.cli.options import settings
    from helmlite.release.history import DEFAULT_MAX_HISTORY

    s = settings()
    if history_max is None:
        history_max = int(os.environ.get("HELMLITE_MAX_HISTORY") or DEFAULT_MAX_HISTORY)
    return Config(
        output=output or Output(debug=s.debug),
        backend=get_backend(s.backend, cluster=s.cluster or None, kube=s.kube_connection()),
        namespace=s.release_namespace(),
        driver=driver if driver is not None else os.environ.get("HELMLITE_DRIVER", ""),
        history_max=history_max,
    )


# --- encodings and times -------------------------------------------------------------------


def go_json(obj: Any) -> str:
    """Go's ``json.NewEncoder(out).Encode(obj)``: compact, keys in the given order, ``<>&``
    escaped, one trailing newline."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    for char, escape in _GO_HTML_ESCAPES.items():
        text = text.replace(char, escape)
    return text + "\n"


def write_data(output: Output, obj: Any, fmt: str) -> None:
    """``-o json`` (Go's encoder) or ``-o yaml`` (sorted keys, Helm's YAML style)."""
    if fmt == "json":
        output.write(go_json(obj))
    else:
        from helmlite.values.yamlio import dump_yaml

        output.write(dump_yaml(obj))


def ansic(stamp: Timestamp, *, local: bool = False) -> str:
    """Go's ``time.ANSIC`` (``Mon Jan  2 15:04:05 2006``), in the recorded zone or the local one."""
    moment = stamp.to_datetime()
    if local:
        moment = moment.astimezone()
    return f"{moment:%a %b} {moment.day:2d} {moment:%H:%M:%S %Y}"


def go_time_string(stamp: Timestamp) -> str:
    """Go's ``Time.String()`` (``2026-01-01 00:00:05.5 +0000 UTC``) in the recorded zone."""
    moment = stamp.to_datetime()
    nanos = stamp.unix_nanos % 1_000_000_000
    fraction = ("." + f"{nanos:09d}".rstrip("0")) if nanos else ""
    offset = stamp.utc_offset
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    numeric = f"{sign}{hours:02d}{minutes:02d}"
    zone = "UTC" if offset == 0 else numeric
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction} {numeric} {zone}"


def _chart(rel: Release) -> str:
    return f"{rel.chart_name}-{rel.chart_version}" if rel.chart_metadata else "MISSING"


def _app_version(rel: Release) -> str:
    return rel.app_version if rel.chart_metadata else "MISSING"


# --- status ------------------------------------------------------------------------------


def release_object(rel: Release, *, with_chart: bool = True) -> dict[str, Any]:
    """The release as ``-o json|yaml`` shows it: Helm's record JSON (``status`` drops the chart)."""
    obj = rel.to_json()
    if not with_chart:
        obj.pop("chart", None)
    return obj


def print_status(
    output: Output,
    rel: Release,
    *,
    show_metadata: bool = False,
    debug: bool = False,
    hide_notes: bool = False,
    resources: Sequence[tuple[str, list[dict[str, Any]]]] = (),
    now: float = 0.0,
    computed: dict[str, Any] | None = None,
    show_manifest: bool | None = None,
) -> None:
    """Helm's ``statusPrinter.WriteTable``: NAME … DESCRIPTION, RESOURCES, TEST SUITE, the
    values (``debug``), HOOKS and MANIFEST (``show_manifest``; by default for dry runs and
    ``debug``, as Helm), NOTES."""
    from helmlite.values.yamlio import dump_yaml

    lines = [f"NAME: {rel.name}"]
    if rel.info.last_deployed is not None:
        lines.append(f"LAST DEPLOYED: {ansic(rel.info.last_deployed, local=True)}")
    lines += [f"NAMESPACE: {rel.namespace}", f"STATUS: {rel.status.value}", f"REVISION: {rel.version}"]
    if show_metadata:
        lines += [f"CHART: {rel.chart_name}", f"VERSION: {rel.chart_version}", f"APP_VERSION: {rel.app_version}"]
    lines.append(f"DESCRIPTION: {rel.info.description}")
    output.write("\n".join(lines) + "\n")
    if resources:
        output.write("RESOURCES:\n")
        print_resources(output, resources, now)
        output.write("\n")
    tests = [h for h in rel.hooks if "test" in h.events]
    if not tests:
        output.write("TEST SUITE: None\n")
    for hook in tests:
        run = hook.last_run
        if run.started_at is None:
            continue
        completed = ansic(run.completed_at, local=True) if run.completed_at else "Mon Jan  1 00:00:00 0001"
        output.write(
            f"TEST SUITE:     {hook.name}\nLast Started:   {ansic(run.started_at, local=True)}\n"
            f"Last Completed: {completed}\nPhase:          {run.phase.value}\n"
        )
    if debug:
        output.write("USER-SUPPLIED VALUES:\n" + (dump_yaml(rel.config) if rel.config else "{}\n") + "\n")
        output.write("COMPUTED VALUES:\n" + dump_yaml(computed or {}) + "\n")
    if show_manifest is None:
        show_manifest = debug or rel.info.description.lower() == "dry run complete"
    if show_manifest:
        output.write("HOOKS:\n")
        for hook in rel.hooks:
            output.write(f"---\n# Source: {hook.path}\n{hook.manifest}\n")
        output.write(f"MANIFEST:\n{rel.manifest}\n")
    if not hide_notes and rel.info.notes:
        output.write(f"NOTES:\n{rel.info.notes.strip()}\n")


def print_resources(output: Output, groups: Sequence[tuple[str, list[dict[str, Any]]]], now: float) -> None:
    """``==> v1/Service`` groups, each the table ``kubectl get`` would print for the objects
    (the API server's columns, ages relative to the cluster's time ``now``)."""
    from helmlite.cluster.kinds import Kind, KindRegistry
    from helmlite.cluster.printers import TableBlock, format_tables, table

    registry = KindRegistry()
    for key, objects in groups:
        output.write(f"==> {key}\n")
        group, _, version = str(objects[0].get("apiVersion", "")).rpartition("/")
        kind_name = str(objects[0].get("kind", ""))
        # A custom kind prints NAME AGE, as the API server does for a CRD without printer columns.
        kind = registry.get(group, kind_name) or Kind(group, kind_name, (version,), plural="", namespaced=True,
                                                       builtin=False)
        output.write(format_tables([TableBlock(table(kind, objects, now=now), kind_prefix="")]))
        output.write("\n")


# --- list and history ----------------------------------------------------------------------


def list_rows(releases: Sequence[Release], time_format: str = "") -> list[dict[str, str]]:
    """``list``'s elements, with Helm's JSON keys (``revision`` is a string, as in Helm)."""
    from helmlite.gofmt import go_time_format

    rows = []
    for rel in releases:
        stamp = rel.info.last_deployed
        if stamp is None:
            updated = "-"
        elif time_format:
            updated = go_time_format(time_format, stamp.to_datetime())
        else:
            updated = go_time_string(stamp)
        rows.append({
            "name": rel.name,
            "namespace": rel.namespace,
            "revision": str(rel.version),
            "updated": updated,
            "status": rel.status.value,
            "chart": _chart(rel),
            "app_version": _app_version(rel),
        })
    return rows


def print_list(output: Output, releases: Sequence[Release], fmt: str, *, short: bool = False,
               no_headers: bool = False, time_format: str = "") -> None:
    """``list`` in every output form (``-q`` prints names only)."""
    if short:
        names = [rel.name for rel in releases]
        if fmt == "table":
            output.write("".join(f"{name}\n" for name in names))
        else:
            write_data(output, names, fmt)
        return
    rows = list_rows(releases, time_format)
    if fmt != "table":
        write_data(output, rows, fmt)
        return
    headers = ("NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION")
    output.table(headers, [tuple(row.values()) for row in rows], no_headers=no_headers)


def history_rows(releases: Sequence[Release]) -> list[dict[str, Any]]:
    """``history``'s elements with Helm's JSON keys; ``updated`` is RFC3339Nano, and a rollback
    carries ``rollback_revision`` whatever the flags (as Helm v4 prints it)."""
    rows = []
    for rel in releases:
        row: dict[str, Any] = {
            "revision": rel.version,
            "updated": rel.info.last_deployed.format() if rel.info.last_deployed else "0001-01-01T00:00:00Z",
            "status": rel.status.value,
            "chart": _chart(rel),
            "app_version": _app_version(rel),
        }
        if rel.info.rollback_revision:
            row["rollback_revision"] = rel.info.rollback_revision
        row["description"] = rel.info.description
        rows.append(row)
    return rows


def print_history(output: Output, releases: Sequence[Release], fmt: str, *, rollback_revision: bool = False) -> None:
    """``history``: REVISION UPDATED STATUS CHART APP VERSION [ROLLBACK] DESCRIPTION."""
    if fmt != "table":
        write_data(output, history_rows(releases), fmt)
        return
    headers = ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
    if rollback_revision:
        headers.append("ROLLBACK")
    headers.append("DESCRIPTION")
    rows = []
    for rel in releases:
        updated = ansic(rel.info.last_deployed) if rel.info.last_deployed else "Mon Jan  1 00:00:00 0001"
        row: list[Any] = [rel.version, updated, rel.status.value, _chart(rel), _app_version(rel)]
        if rollback_revision:
            row.append(rel.info.rollback_revision or "")
        row.append(rel.info.description)
        rows.append(row)
    output.table(headers, rows)
