"""helmlite.chart: the chart model, loading (directories, archives, .helmignore), packaging and
dependency processing.

The public names below are re-exported lazily (PEP 562), so importing ``helmlite.chart.model``
does not pull in YAML parsing or tarfile handling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmlite.lazyexports import lazy_exports

__all__ = [
    "Chart",
    "ChartFile",
    "ChartMetadata",
    "Dependency",
    "ImportValue",
    "Lock",
    "Maintainer",
    "IgnoreRules",
    "DEFAULT_HELMIGNORE",
    "load_chart",
    "load_dir",
    "load_archive",
    "load_files",
    "parse_metadata",
    "parse_requirements",
    "parse_lock",
    "read_archive",
    "extract_archive",
    "package_chart",
    "process_dependencies",
    "check_dependencies_present",
    "dependency_status",
]

_HOMES = {
    "helmlite.chart.model": ("Chart", "ChartFile", "ChartMetadata", "Dependency", "ImportValue", "Lock", "Maintainer"),
    "helmlite.chart.helmignore": ("IgnoreRules", "DEFAULT_HELMIGNORE"),
    "helmlite.chart.loader": ("load_chart", "load_dir", "load_archive", "load_files"),
    "helmlite.chart.metadata": ("parse_metadata", "parse_requirements", "parse_lock"),
    "helmlite.chart.archive": ("read_archive", "extract_archive", "package_chart"),
    "helmlite.chart.dependencies": ("process_dependencies", "check_dependencies_present", "dependency_status"),
}
__getattr__ = lazy_exports(__name__, _HOMES)

if TYPE_CHECKING:
    from helmlite.chart.archive import extract_archive, package_chart, read_archive
    from helmlite.chart.dependencies import check_dependencies_present, dependency_status, process_dependencies
    from helmlite.chart.helmignore import DEFAULT_HELMIGNORE, IgnoreRules
    from helmlite.chart.loader import load_archive, load_chart, load_dir, load_files
    from helmlite.chart.metadata import parse_lock, parse_metadata, parse_requirements
    from helmlite.chart.model import Chart, ChartFile, ChartMetadata, Dependency, ImportValue, Lock, Maintainer
