"""``show chart|values|readme|crds|all``: a chart's information, byte for byte as Helm prints it."""

from __future__ import annotations

from dataclasses import dataclass

from helmlite.chart.model import Chart
from helmlite.errors import ChartLoadError

__all__ = ["SHOW_KINDS", "Show", "find_readme"]

SHOW_KINDS = ("all", "chart", "values", "readme", "crds")
_README_NAMES = ("readme.md", "readme.txt", "readme")


def find_readme(chart: Chart) -> bytes | None:
    """The chart's README (Helm matches README.md / README.txt / README case-insensitively)."""
    for f in chart.files:
        if "/" not in f.name and f.name.lower() in _README_NAMES:
            return f.data
    return None


@dataclass
class Show:
    kind: str

    def run(self, chart_path: str) -> str:
        """Return the text ``helm show <kind>`` prints for the chart at ``chart_path``.

        Raises ChartLoadError when Chart.yaml is to be printed and go-yaml cannot write it (see
        ``_chart_yaml``). Helm fails then for every kind; helmlite still shows the values, the
        README and the CRDs, which do not need it.
        """
        from helmlite.chart.loader import load_chart

        chart = load_chart(chart_path)
        values = chart.raw_file("values.yaml")
        readme = find_readme(chart)
        crds = "".join(f"---\n{f.data.decode('utf-8')}\n" for sub in chart.walk() for f in sub.crd_files())
        if self.kind == "chart":
            return _chart_yaml(chart, chart_path)
        if self.kind == "values":
            return _text(values) + "\n" if values is not None else ""
        if self.kind == "readme":
            return _text(readme) + "\n" if readme is not None else ""
        if self.kind == "crds":
            return crds
        parts = [_chart_yaml(chart, chart_path)]
        if values is not None:
            parts.append(f"---\n{_text(values)}\n")
        if readme is not None:
            parts.append(f"---\n{_text(readme)}\n")
        parts.append(crds)
        return "".join(parts)


def _chart_yaml(chart: Chart, chart_path: str) -> str:
    """The chart's metadata as Helm's ``show chart`` writes it (go-yaml, then a blank line).

    Raises ChartLoadError where Helm fails too: the loader strips control characters from the
    fields Helm sanitises, but not from annotations (or a key), and go-yaml refuses them.
    """
    from helmlite.values.yamlio import dump_yaml

    metadata = chart.metadata.to_dict()
    try:
        return dump_yaml(metadata) + "\n"
    except ValueError as exc:
        field = next((key for key, value in metadata.items() if not _writable(value)), None)
        where = f"Chart.yaml of {chart_path}" + (f", field {field!r}," if field is not None else "")
        raise ChartLoadError(
            f"{where} cannot be printed as YAML ({exc}): remove the control characters (U+007F-U+009F, "
            "U+FFFE, U+FFFF) from its values and line breaks (U+0085) from its keys"
        ) from None


def _writable(value: object) -> bool:
    from helmlite.values.yamlio import dump_yaml

    try:
        dump_yaml(value)
    except ValueError:
        return False
    return True


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
