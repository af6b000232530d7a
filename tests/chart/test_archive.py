"""Reading and extracting untrusted chart archives: every escape, link, device and bomb is refused."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from helmlite.chart import archive
from helmlite.chart.archive import MAX_FILES, build_archive, extract_archive, read_archive
from helmlite.chart.model import ChartFile
from helmlite.errors import ArchiveError, ChartLoadError

CHART_YAML = b"apiVersion: v2\nname: mychart\nversion: 0.1.0\n"


def member(name: str, data: bytes = b"", *, kind: bytes = tarfile.REGTYPE, link: str = "", size: int | None = None):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if size is None else size
    info.mode = 0o644
    return info, data


def make_tgz(*members: tuple[tarfile.TarInfo, bytes], raw_tail: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for info, data in members:
                if info.isreg():
                    tar.addfile(info, io.BytesIO(data))
                else:
                    tar.addfile(info)
        gz.write(raw_tail)
    return buf.getvalue()


def good(*extra: tuple[tarfile.TarInfo, bytes]) -> bytes:
    return make_tgz(member("mychart/Chart.yaml", CHART_YAML), *extra)


def test_reads_files_and_strips_the_top_directory() -> None:
    data = make_tgz(
        member("mychart", kind=tarfile.DIRTYPE),
        member("mychart/Chart.yaml", CHART_YAML),
        member("mychart/templates/cm.yaml", b"\xef\xbb\xbfkind: ConfigMap\n"),
        member("mychart/templates/../values.yaml", b"a: 1\n"),
    )
    files = read_archive(data, "mychart-0.1.0.tgz")
    assert [(f.name, f.data) for f in files] == [
        ("Chart.yaml", CHART_YAML),
        ("templates/cm.yaml", b"kind: ConfigMap\n"),
        ("values.yaml", b"a: 1\n"),
    ]


def test_windows_separators_are_normalised() -> None:
    files = read_archive(make_tgz(member("mychart\\templates\\cm.yaml", b"x")), "win.tgz")
    assert [f.name for f in files] == ["templates/cm.yaml"]


def test_a_repeated_entry_replaces_the_earlier_one() -> None:
    files = read_archive(good(member("mychart/values.yaml", b"a: 1"), member("mychart/values.yaml", b"a: 2")), "x")
    assert [(f.name, f.data) for f in files if f.name == "values.yaml"] == [("values.yaml", b"a: 2")]


UNSAFE = [
    (member("/etc/passwd", b"root"), 'entry "/etc/passwd" has an absolute path'),
    (member("mychart//etc/passwd", b"root"), "has an absolute path"),
    (member("C:/windows/x", b""), "has an absolute path"),
    (member("mychart/C:/windows/x", b""), "has an absolute path"),
    (member("mychart/../../evil.txt", b"x"), 'entry "mychart/../../evil.txt" escapes the chart directory'),
    (member("mychart/templates/../../evil.txt", b"x"), "escapes the chart directory"),
    (member("mychart\\..\\..\\evil.txt", b"x"), "escapes the chart directory"),
    (member("README", b"x"), 'entry "README" is outside the chart directory'),
    (member("Chart.yaml", CHART_YAML), "Chart.yaml is not inside the chart directory"),
    (
        member("mychart/templates/pw", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        "is a symbolic link; links are not allowed",
    ),
    (member("mychart/templates/rel", kind=tarfile.SYMTYPE, link="cm.yaml"), "is a symbolic link"),
    (member("mychart/hard", kind=tarfile.LNKTYPE, link="mychart/Chart.yaml"), "is a hard link; links are not allowed"),
    (member("mychart/dev", kind=tarfile.CHRTYPE), "is a device or FIFO"),
    (member("mychart/blk", kind=tarfile.BLKTYPE), "is a device or FIFO"),
    (member("mychart/fifo", kind=tarfile.FIFOTYPE), "is a device or FIFO"),
]


@pytest.mark.parametrize(("bad", "message"), UNSAFE, ids=[m[0][0].name for m in UNSAFE])
def test_unsafe_entries_are_rejected(bad: tuple[tarfile.TarInfo, bytes], message: str) -> None:
    with pytest.raises(ArchiveError) as err:
        read_archive(good(bad), "evil.tgz")
    assert message in str(err.value)
    assert str(err.value).startswith("evil.tgz: ")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("bad", "message"), UNSAFE, ids=[m[0][0].name for m in UNSAFE])
def test_extraction_writes_nothing_for_unsafe_archives(
    tmp_path: Path, bad: tuple[tarfile.TarInfo, bytes], message: str
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(ArchiveError, match="evil.tgz"):
        extract_archive(good(member("mychart/templates/cm.yaml", b"x"), bad), dest, "evil.tgz")
    assert list(dest.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest"]


def test_not_gzip() -> None:
    with pytest.raises(
        ArchiveError, match="^values.yaml: not a gzip-compressed chart archive \\(it seems to be a YAML"
    ):
        read_archive(b"a: 1\n", "values.yaml")
    with pytest.raises(ArchiveError, match="corrupt chart archive"):
        read_archive(b"\x1f\x8b\x08\x00garbage", "x.tgz")


def test_truncated_and_lying_headers_are_corrupt() -> None:
    whole = good(member("mychart/values.yaml", b"a: 1\n" * 1000))
    raw = gzip.decompress(whole)
    with pytest.raises(ArchiveError, match="corrupt chart archive"):
        read_archive(gzip.compress(raw[:1500]), "x.tgz")
    # A header claiming more data than the stream holds.
    liar = make_tgz(member("mychart/Chart.yaml", CHART_YAML), member("mychart/big", b"x" * 10, size=10))
    liar_raw = bytearray(gzip.decompress(liar))
    liar_raw[1024 + 124 : 1024 + 136] = b"00000100000\x00"  # size field of the 2nd header: 0o100000 bytes
    with pytest.raises(ArchiveError):
        read_archive(gzip.compress(bytes(liar_raw)), "x.tgz")


def test_empty_archive() -> None:
    with pytest.raises(ArchiveError, match="no files in chart archive"):
        read_archive(make_tgz(member("mychart", kind=tarfile.DIRTYPE)), "x.tgz")


def test_too_many_entries() -> None:
    entries = [member(f"mychart/f{i}", b"") for i in range(MAX_FILES)]
    with pytest.raises(ArchiveError, match=f"more than {MAX_FILES} entries"):
        read_archive(good(*entries), "many.tgz")


def test_oversized_compressed_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 100)
    with pytest.raises(ArchiveError, match="archive is larger than the 100-byte limit"):
        read_archive(good(member("mychart/x", os.urandom(500))), "x.tgz")


def test_single_file_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ArchiveError, match='entry "mychart/big" is larger than the 1000-byte file limit'):
        read_archive(good(member("mychart/big", b"0" * 1001)), "x.tgz")


def test_gzip_bomb_is_stopped_while_decompressing() -> None:
    """Six 20 MiB files of zeros (~120 KiB compressed): each header is within limits, the sum is not."""
    chunk = b"\0" * archive.MAX_FILE_BYTES
    bomb = good(*(member(f"mychart/zeros{i}", chunk) for i in range(6)))
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ArchiveError, match="^bomb.tgz: .*larger than the 104857600-byte limit"):
        read_archive(bomb, "bomb.tgz")


def test_budget_is_shared_with_nested_subchart_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    from helmlite.chart.loader import load_archive

    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 3000)
    inner = build_archive(
        "sub", [ChartFile("Chart.yaml", b"name: sub\nversion: 1.0.0\n"), ChartFile("pad", b"x" * 1500)]
    )
    outer = build_archive(
        "top", [ChartFile("Chart.yaml", b"name: top\nversion: 1.0.0\n"), ChartFile("charts/sub.tgz", inner)]
    )
    assert len(inner) < 1500  # the outer archive alone is within the limit ...
    load_archive(outer, "top.tgz")
    outer2 = build_archive(
        "top",
        [
            ChartFile("Chart.yaml", b"name: top\nversion: 1.0.0\n"),
            ChartFile("charts/sub.tgz", inner),
            ChartFile("pad", b"y" * 1500),
        ],
    )
    with pytest.raises(ArchiveError, match="error unpacking subchart sub.tgz in top: sub.tgz: unpacked size exceeds"):
        load_archive(outer2, "top.tgz")  # ... but not together with what its subchart unpacks to


def test_extract_archive(tmp_path: Path) -> None:
    data = good(member("mychart/templates/cm.yaml", b"kind: ConfigMap\n"), member("mychart/values.yaml", b"a: 1\n"))
    chart_dir = extract_archive(data, tmp_path / "out", "mychart-0.1.0.tgz")
    assert chart_dir == tmp_path / "out" / "mychart"
    assert (chart_dir / "templates" / "cm.yaml").read_bytes() == b"kind: ConfigMap\n"
    assert (chart_dir / "values.yaml").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mychart"]  # no staging left behind


def test_extract_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "mychart").mkdir()
    with pytest.raises(ArchiveError, match='a file or directory with the name "mychart" already exists'):
        extract_archive(good(), tmp_path, "x.tgz")
    assert [p.name for p in tmp_path.iterdir()] == ["mychart"]


def test_extract_names_the_directory_after_chart_yaml(tmp_path: Path) -> None:
    data = make_tgz(member("whatever/Chart.yaml", CHART_YAML))
    assert extract_archive(data, tmp_path, "x.tgz").name == "mychart"


def test_extract_validates_chart_yaml(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="Chart.yaml file is missing"):
        extract_archive(make_tgz(member("mychart/values.yaml", b"")), tmp_path, "x.tgz")
    with pytest.raises(ChartLoadError, match='field "name" has invalid value ".."'):
        extract_archive(make_tgz(member("x/Chart.yaml", b"name: ..\nversion: 1.0.0\n")), tmp_path, "x.tgz")
    assert list(tmp_path.iterdir()) == []


def test_extract_rejects_file_directory_conflicts(tmp_path: Path) -> None:
    data = good(member("mychart/a", b"file"), member("mychart/a/b", b"nested"))
    with pytest.raises(ArchiveError, match='entry "a" is both a file and a directory'):
        extract_archive(data, tmp_path, "x.tgz")
    assert list(tmp_path.iterdir()) == []
