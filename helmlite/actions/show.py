"""``show chart|values|readme|crds|all``: a chart's information, byte for byte as Helm prints it."""

from __future__ import annotations

from dataclasses import dataclass

from helmlite.chart.model import Chart

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
        """Return the text ``helm show <kind>`` prints for the chart at ``chart_path``."""
        from helmlite.chart.loader import load_chart
        from helmlite.values.yamlio import dump_yaml

        chart = load_chart(chart_path)
        chart_yaml = dump_yaml(chart.metadata.to_dict()) + "\n"
        values = chart.raw_file("values.yaml")
        readme = find_readme(chart)
        crds = "".join(f"---\n{f.data.decode('utf-8')}\n" for sub in chart.walk() for f in sub.crd_files())
        if self.kind == "chart":
            return chart_yaml
        if self.kind == "values":
            return _text(values) + "\n" if values is not None else ""
        if self.kind == "readme":
            return _text(readme) + "\n" if readme is not None else ""
        if self.kind == "crds":
            return crds
        parts = [chart_yaml]
        if values is not None:
            parts.append(f"---\n{_text(values)}\n")
        if readme is not None:
            parts.append(f"---\n{_text(readme)}\n")
        parts.append(crds)
        return "".join(parts)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
