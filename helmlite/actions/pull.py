"""``pull``: download a chart package from a repository, verify it, optionally unpack it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helmlite.output import Output
from helmlite.repo.index import RepoError, atomic_write
from helmlite.repo.resolve import ChartPathOptions, download_chart, locate

__all__ = ["Pull"]


@dataclass
class Pull:
    """Options of ``pull``: where to put the package and whether to unpack it."""

    output: Output
    options: ChartPathOptions = field(default_factory=ChartPathOptions)
    destination: Path = Path(".")
    untar: bool = False
    untardir: str = "."

    def run(self, ref: str) -> Path:
        """Download ``ref`` (``repo/chart``, a URL, or a name with ``--repo``).

        The package's sha256 must equal the index digest (Helm does not check). Returns the
        saved ``.tgz`` or, with ``untar``, the unpacked chart directory (``untardir`` is
        relative to ``destination``). Raises RepoError, DownloadError, DigestMismatchError,
        ArchiveError (unsafe archive) or ChartLoadError.
        """
        from helmlite.chart.archive import extract_archive

        location = locate(ref, self.options, warn=self.output.warn)
        data = download_chart(location, timeout=self.options.timeout, warn=self.output.warn)
        if not self.untar:
            self.destination.mkdir(parents=True, exist_ok=True)
            target = self.destination / location.file_name()
            atomic_write(target, data)
            return target
        untar_root = Path(self.untardir)
        if not untar_root.is_absolute():
            untar_root = self.destination / untar_root
        existing = untar_root / location.name
        if location.name and (existing.exists() or existing.is_symlink()):
            raise RepoError(f"failed to untar: a file or directory with the name {existing} already exists")
        return extract_archive(data, untar_root, location.file_name())

