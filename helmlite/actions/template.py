"""``template``: render a chart locally, exactly as ``install --dry-run=client`` would.

Output is Helm's: manifests in install order, then hooks, each as
``---\\n# Source: <chart>/<path>\\n<document>\\n``; CRDs first with ``--include-crds``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmlite.actions.action import RenderConfig, crd_sources, render_release
from helmlite.errors import HelmliteError
from helmlite.repo.resolve import ChartPathOptions
from helmlite.values.options import ValueOptions

__all__ = ["DEFAULT_RELEASE_NAME", "Template", "validate_release_name"]

# `helm template CHART` with no name renders as this release.
DEFAULT_RELEASE_NAME = "release-name"
MAX_RELEASE_NAME_LENGTH = 53
_RELEASE_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Splits the printed stream back into documents for --show-only (pieces keep their trailing newlines).
_DOC_SEPARATOR = re.compile(r"(?m)^---\n")
_SOURCE_RE = re.compile(r"# Source: [^/]+/(.+)")


def validate_release_name(name: str) -> None:
    """Raise HelmliteError with Helm's message unless ``name`` is a valid release name."""
    if not name or len(name) > MAX_RELEASE_NAME_LENGTH or not _RELEASE_NAME_RE.match(name):
        raise HelmliteError(
            f'release name check failed: release name "{name}": invalid release name, must match regex '
            f"{_RELEASE_NAME_RE.pattern} and the length must not be longer than {MAX_RELEASE_NAME_LENGTH}"
        )


@dataclass
class Template:
    """Options of ``helmlite template``; ``run`` returns the text to print."""

    config: RenderConfig
    release_name: str = DEFAULT_RELEASE_NAME
    namespace: str = "default"
    values: ValueOptions = field(default_factory=ValueOptions)
    is_upgrade: bool = False
    include_crds: bool = False
    skip_tests: bool = False
    no_hooks: bool = False
    skip_schema_validation: bool = False
    show_only: tuple[str, ...] = ()
    output_dir: str | None = None
    use_release_name: bool = False
    chart_options: ChartPathOptions = field(default_factory=ChartPathOptions)

    def run(self, chart_path: str, stdin: Any = None) -> str:
        """Render ``chart_path`` and return Helm's ``template`` output.

        ``chart_path`` is a directory or ``.tgz``, or (resolved through ``chart_options``) a
        ``repo/chart`` reference, a chart URL or a chart name with ``--repo``; a downloaded
        package must match its index digest. With ``output_dir`` the documents are written to
        files and the returned text lists them. Raises HelmliteError subclasses for every
        user-facing failure.
        """
        from helmlite.chart.loader import load_chart
        from helmlite.render.context import ReleaseInfo
        from helmlite.render.manifests import format_manifests
        from helmlite.repo.resolve import locate_chart

        validate_release_name(self.release_name)
        chart = load_chart(locate_chart(chart_path, self.chart_options, warn=self.config.output.warn))
        user_values = self.values.merge(stdin)
        release = ReleaseInfo(
            name=self.release_name,
            namespace=self.namespace,
            revision=1,
            is_install=not self.is_upgrade,
            is_upgrade=self.is_upgrade,
        )
        rendered = render_release(
            chart,
            user_values,
            release=release,
            capabilities=self.config.capabilities,
            lookup=self.config.lookup,
            skip_schema_validation=self.skip_schema_validation,
            warn=self.config.output.warn,
        )
        # Helm prints each CRD file as it is, not split into documents like templates.
        crds = crd_sources(chart) if self.include_crds else []
        hooks = [] if self.no_hooks else rendered.hooks
        if self.output_dir is not None:
            return self._write_output_dir(crds, rendered.manifests, hooks)
        text = "".join(_document(path, data) for path, data in crds)
        text += format_manifests(rendered.manifests, hooks, skip_tests=self.skip_tests)
        if self.show_only:
            return _select_documents(text, self.show_only)
        return text

    def _write_output_dir(self, crds: list[tuple[str, str]], manifests: list[Any], hooks: list[Any]) -> str:
        """Helm's ``--output-dir``: documents appended to ``DIR[/RELEASE]/<source path>``."""
        root = Path(self.output_dir or ".")
        if self.use_release_name:
            root = root / self.release_name
        written: set[Path] = set()
        lines = []
        kept_hooks = [h for h in hooks if not (self.skip_tests and "test" in h.events)]
        documents = crds + [(m.name, m.content) for m in manifests] + [(h.path, h.manifest) for h in kept_hooks]
        for path, content in documents:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = "a" if target in written else "w"
            with open(target, mode, encoding="utf-8") as fh:
                fh.write(_document(path, content))
            written.add(target)
            lines.append(f"wrote {target}\n")
        return "".join(lines) + "\n"


def _document(path: str, content: str) -> str:
    return f"---\n# Source: {path}\n{content}\n"


def _select_documents(text: str, patterns: tuple[str, ...]) -> str:
    """``--show-only``: the documents whose source path (after the chart name) matches each glob."""
    pieces = [p for p in _DOC_SEPARATOR.split(text) if p.strip()]
    chosen: list[str] = []
    for pattern in patterns:
        found = False
        for piece in pieces:
            match = _SOURCE_RE.search(piece)
            if match and _glob_match(pattern, match.group(1)):
                chosen.append(piece)
                found = True
        if not found:
            raise HelmliteError(f"could not find template {pattern} in chart")
    return "".join(f"---\n{piece}\n" for piece in chosen)


def _glob_match(pattern: str, path: str) -> bool:
    """Go's ``filepath.Match``; a malformed pattern matches nothing, as in Helm."""
    from helmlite.chart.helmignore import compile_glob

    try:
        return compile_glob(pattern).fullmatch(path) is not None
    except ValueError:
        return False
