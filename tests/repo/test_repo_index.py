"""The repository index: Helm's reading rules, Helm's bytes, and incremental ``repo index``."""

from __future__ import annotations

import concurrent.futures
import gzip
import io
import json
import os
import re
import shutil
import tarfile
from pathlib import Path

import pytest
import yaml
from repo_fixtures import helm_env, make_chart, package, run_helm  # noqa: F401 - fixtures

from helmlite.errors import ArchiveError, ChartLoadError
from helmlite.repo import index as index_module
from helmlite.repo.index import (
    INDEX_CACHE_FILE,
    IndexFile,
    IndexLoadError,
    RepoError,
    chart_entry_from_archive,
    index_directory,
    rfc3339_nano,
    url_join,
)

RICH_EXTRA = """\
kubeVersion: ">=1.20.0-0"
home: https://example.com
icon: https://example.com/icon.png
keywords: [web, "true", "1.10"]
sources: [https://github.com/x/y]
deprecated: true
maintainers:
- name: Jane Doe
  email: jane@example.com
- name: Zoë
dependencies:
- name: sub
  version: ~0.1.0
  repository: https://charts.example.com
  condition: sub.enabled
  tags: [a, b]
  alias: s
  import-values:
  - data
  - child: x
    parent: y
- name: other
  version: 1.0.0
"""
LONG_DESCRIPTION = ("A rich chart with a very long description that goes well beyond eighty columns, "
                    "with & <html> characters and \"quotes\"")


def normalise(text: str) -> str:
    """Timestamps differ between two runs; everything else must not."""
    return re.sub(r'"?(created|generated)"?: "[^"]+"', r"\1: T", text)


def _repo_dir(tmp_path: Path) -> Path:
    src, repo = tmp_path / "src", tmp_path / "repo"
    chart = make_chart(src, "mychart")
    package(chart, repo)
    package(chart, repo, version="0.2.0", app_version="1.17.0")
    package(chart, repo, version="0.3.0-rc.1")
    rich = make_chart(src, "richchart", "1.3.0-rc.1", app_version="2.0", description=LONG_DESCRIPTION,
                      extra=RICH_EXTRA)
    package(rich, repo / "sub")
    return repo


class _CountingReads:
    """Counts chart_entry_from_archive calls (the sequential, in-process path)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = index_module.chart_entry_from_archive

        def counting(archive, source):  # type: ignore[no-untyped-def]
            self.paths.append(source)
            return real(archive, source)

        monkeypatch.setattr(index_module, "chart_entry_from_archive", counting)


# --- reading ------------------------------------------------------------------------------------


def test_minimal_index_loads() -> None:
    index = IndexFile.load(b"apiVersion: v1\nentries: {}\n", "index.yaml")
    assert index.api_version == "v1" and index.entries == {}


@pytest.mark.parametrize("data, message", [
    (b"", "empty index.yaml file"),
    (b"  \n", "empty index.yaml file"),
    (b"entries: {}\n", "no API version specified"),
    (b"apiVersion: v1\nentries: {}\nfoo: 1\n", 'unknown field "foo"'),
    (b"apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    bogus: x\n", 'unknown field "bogus"'),
    (b"apiVersion: v1\nentries: [1]\n", "entries must be a mapping"),
    (b"- 1\n", "not a mapping"),
    (b"apiVersion: v1\nentries: {a: [\n", "invalid index"),
])
def test_invalid_indexes_fail_like_helm(data: bytes, message: str) -> None:
    with pytest.raises(IndexLoadError, match=re.escape(message)):
        IndexFile.load(data, "index.yaml")


def test_json_index_is_read_leniently() -> None:
    doc = {"apiVersion": "v1", "entries": {"a": [{"name": "a", "version": "1.0.0", "future": 1, "urls": ["a.tgz"]}]},
           "somethingNew": True}
    index = IndexFile.load(json.dumps(doc).encode(), "index.yaml")
    assert index.entries["a"][0] == {"name": "a", "version": "1.0.0", "urls": ["a.tgz"], "apiVersion": "v1"}


def test_invalid_entries_are_skipped_with_a_warning() -> None:
    data = b"""\
apiVersion: v1
entries:
  a:
  - name: a
    version: 1.0.0
  - name: a
    version: not-a-version
  -
  - version: 2.0.0
  - name: a
    version: 3.0.0
    annotations: {count: 1}
  - name: a
    version: 4.0.0
    type: plugin
"""
    warnings: list[str] = []
    index = IndexFile.load(data, "idx", warn=warnings.append)
    assert [e["version"] for e in index.entries["a"]] == ["1.0.0"]
    assert len(warnings) == 5
    assert all(w.startswith('skipping loading invalid entry for chart "a"') for w in warnings)
    assert any("not-a-version" in w for w in warnings)


def test_loading_sorts_newest_first_and_keeps_text_timestamps() -> None:
    data = b"""\
apiVersion: v1
entries:
  z:
  - {name: z, version: 1.0.0, created: 2020-01-01T00:00:00Z}
  - {name: z, version: 1.10.0}
  - {name: z, version: 1.2.0-rc.1}
  - {name: z, version: 1.2.0}
generated: 2020-01-01T00:00:00Z
"""
    index = IndexFile.load(data, "idx")
    assert [e["version"] for e in index.entries["z"]] == ["1.10.0", "1.2.0", "1.2.0-rc.1", "1.0.0"]
    assert index.entries["z"][-1]["created"] == "2020-01-01T00:00:00Z"
    assert index.generated == "2020-01-01T00:00:00Z"
    # An entry without apiVersion is a v1 chart, as Helm's loader assumes.
    assert index.entries["z"][0]["apiVersion"] == "v1"


def test_scalars_in_string_fields_become_go_strings() -> None:
    data = b"apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, appVersion: 1.10, description: yes}\n"
    entry = IndexFile.load(data, "idx").entries["a"][0]
    assert (entry["appVersion"], entry["description"]) == ("1.1", "true")


def test_oversized_index_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "MAX_INDEX_BYTES", 100)
    with pytest.raises(IndexLoadError, match="larger than"):
        IndexFile.load(b"apiVersion: v1\n" + b"#" * 200, "idx")


# --- the model ----------------------------------------------------------------------------------


def test_add_builds_helm_urls_and_created() -> None:
    index = IndexFile.new()
    meta = {"name": "a", "version": "1.0.0", "apiVersion": "v2"}
    rel = index.add(meta, "a-1.0.0.tgz", "", "d1")
    assert rel["urls"] == ["a-1.0.0.tgz"]
    absolute = index.add(dict(meta, version="1.1.0"), "sub/a-1.1.0.tgz", "https://h/charts/", "d2")
    assert absolute["urls"] == ["https://h/charts/a-1.1.0.tgz"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", absolute["created"])
    with pytest.raises(RepoError, match="validate failed for x.tgz"):
        index.add({"name": "a", "version": "nope"}, "x.tgz", "", "d")


def test_has_remove_get() -> None:
    index = IndexFile.new()
    for version in ("1.0.0", "1.1.0", "2.0.0-beta.1", "v1.2"):
        index.add({"name": "a", "version": version}, f"a-{version}.tgz", "", "d")
    index.sort_entries()
    assert index.has("a", "1.0.0") and index.has("a", "1.2.0") and not index.has("a", "3.0.0")
    assert index.get("a")["version"] == "v1.2"
    assert index.get("a", devel=True)["version"] == "2.0.0-beta.1"
    assert index.get("a", "~1.0")["version"] == "1.0.0"
    assert index.get("a", "1.1.0")["version"] == "1.1.0"
    assert index.get("a", ">5") is None and index.get("nope") is None
    assert index.remove("a", "1.1.0") and not index.has("a", "1.1.0")
    assert not index.remove("a", "1.1.0")
    for version in ("1.0.0", "2.0.0-beta.1", "v1.2"):
        index.remove("a", version)
    assert "a" not in index.entries


def test_merge_keeps_existing_versions() -> None:
    ours, theirs = IndexFile.new(), IndexFile.new()
    ours.add({"name": "a", "version": "1.0.0", "appVersion": "new"}, "a.tgz", "", "d", created="2024-01-01T00:00:00Z")
    theirs.add({"name": "a", "version": "1.0", "appVersion": "old"}, "old/a.tgz", "", "x")
    theirs.add({"name": "a", "version": "0.9.0"}, "old/a-0.9.0.tgz", "", "y")
    theirs.add({"name": "b", "version": "1.0.0"}, "b.tgz", "", "z")
    ours.merge(theirs)
    ours.sort_entries()
    assert [(e["version"], e.get("appVersion")) for e in ours.entries["a"]] == [("1.0.0", "new"), ("0.9.0", None)]
    assert ours.entries["a"][1]["urls"] == ["old/a-0.9.0.tgz"]
    assert list(ours.entries) == ["a", "b"]


def test_yaml_and_json_round_trip(tmp_path: Path) -> None:
    index = index_directory(_repo_dir(tmp_path))
    for text in (index.to_yaml(), index.to_json()):
        again = IndexFile.load(text.encode(), "x")
        assert again.to_yaml() == index.to_yaml()
        assert again.to_json() == index.to_json()


def test_fast_yaml_equals_a_full_rendering_for_awkward_values() -> None:
    """to_yaml writes common values itself; values that YAML would quote (numbers, booleans,
    dates, binary-looking digests) must come out as the YAML library writes them."""
    from helmlite.values.yamlio import dump_yaml

    index = IndexFile(generated="2026-01-01T00:00:00Z")
    base = {"name": "c", "apiVersion": "v2", "description": "uses helmlitedigestplaceholder " * 4}
    rows = [("1.10", "1" * 64, "y"), ("2001-12-14", "12e" + "3" * 61, "n.tgz"), ("1.0.0", "0b" + "01" * 31, "c.tgz"),
            ("1.0.1", "ab" * 32, "https://h:80/c-1.0.1.tgz"), ("1.0.2+b.1", "cd" * 32, "a b.tgz")]
    for version, digest, url in rows:
        index.add(dict(base, version=version), url, "", digest, created="2020-01-01T00:00:00Z")
        index.add(dict(base, name="d", description="plain", version=version), url, "", digest)
    index.sort_entries()
    full = {"apiVersion": "v1", "entries": index.entries, "generated": index.generated}
    assert index.to_yaml() == dump_yaml(full, width=80)


# Values for generated entries: words the quick writer handles, and words that need quoting,
# escaping, folding or a block, or that read back as another type.
_NICE_WORDS = ["word", "Chart", "café", "naïve—dash", "https://example.com/a?b=c#d", "x,y", "[b]", "a.b", "1.2.3",
               "2.5", "yes", "long" * 6, "it's", 'say"q"', "x:y", "e%20", "v1", "3", "k8s", "1password", "~0.1.0",
               "^1.2", "<2.0", "=1.0", "/x", "_y", ">=1.20.0-0"]
_AWKWARD_WORDS = ["yes", "No", "null", "~", "1.0", "0.1.0-rc.1", "x: y", "#tag", "a #b", "-x", "- y", "?q", "{c}",
                  "'s", '"q"', "%p", "@a", "`b", "|p", ">g", "!t", "&a", "*s", "=", "<<", ".5", "...", "---",
                  "tab\there", "two\nlines", "\u2028", "😀", "\u0085", "\ufeff", "", " ", "0x1F", "0o17", "1e3",
                  "1_000", "12:30", "2024-01-01", "2026-11-22T05:53:51.123Z", "0b1010", "007", "09", "1.", "+1",
                  "back\\slash", "end:", "sp ", " lead", "mid  two", "1pw-1.0.0.tgz", "a" * 130]


# Words that never start a value the quick reader gives up on (some make libyaml single-quote it).
_READABLE_WORDS = [w for w in _NICE_WORDS if (w[0].isalpha() or w[0] in "~^<=/_>") and w != "yes"] + ["x: y"]


def _generated_entries(seed: int, count: int, awkward: float, nice: list[str] = _NICE_WORDS) -> IndexFile:
    """An index of ``count`` random entries; ``awkward`` is the share of words from the awkward list."""
    import random

    rng = random.Random(seed)

    def text() -> str:
        words = [rng.choice(_AWKWARD_WORDS if rng.random() < awkward else nice)
                 for _ in range(rng.choice([1, 1, 2, 5, 12, 30]))]
        return rng.choice([" ", " ", "  ", "\n"]).join(words)

    def strings(most: int) -> list[str]:
        return [text() for _ in range(rng.randint(1, most))]

    index = IndexFile(generated="2026-11-22T06:00:11.123Z")
    for i in range(count):
        entry: dict[str, object] = {
            "name": f"c{i % 7}", "apiVersion": "v2",
            "version": rng.choice(["1.0.0", "1.0.0-rc.1+b.2", "v1.2", "1.0", f"1.{i}.0"]),
            "urls": [rng.choice([f"c-{i}.tgz", f"https://h/charts/c-{i}.tgz", f"1pw-{i}.tgz", text()])],
            "created": rng.choice(["2026-11-22T05:53:51.123456789Z", "0001-01-01T00:00:00Z", text()]),
            "digest": rng.choice([f"{rng.getrandbits(256):064x}", "1" * 64, "0b" + "1" * 62, "e" * 64]),
        }
        for field in ("description", "appVersion", "home", "icon", "kubeVersion", "type", "condition", "tags"):
            if rng.random() < 0.5:
                entry[field] = text()
        for field in ("keywords", "sources"):
            if rng.random() < 0.4:
                entry[field] = strings(3)
        if rng.random() < 0.4:
            entry["maintainers"] = [{k: text() for k in rng.sample(["name", "email", "url"], rng.randint(0, 3))}
                                    for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.4:
            keys = ["a", "b.io/x", "yes", "1", "k k"] + (["a" * 130] if awkward else [])  # libyaml's "? key" form
            entry["annotations"] = {rng.choice(keys): text()
                                    for _ in range(rng.randint(1, 3))}
        if rng.random() < 0.4:
            entry["dependencies"] = [
                {"name": text(), "repository": rng.choice(["", "https://charts.example.com", "file://../x"]),
                 **({"version": text()} if rng.random() < 0.5 else {}),
                 **({"tags": strings(2)} if rng.random() < 0.3 else {}),
                 **({"enabled": True} if rng.random() < 0.2 else {}),
                 **({"import-values": ["data", {"child": "a", "parent": "b"}]} if rng.random() < 0.2 else {})}
                for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.1:
            entry["deprecated"] = True
        index.entries.setdefault(str(entry["name"]), []).append(entry)
    if rng.random() < 0.5:
        index.extra["annotations"] = {"a": text()}
    return index


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("awkward", [0.0, 0.1, 0.5])
def test_quick_yaml_writer_equals_the_yaml_library(seed: int, awkward: float) -> None:
    """to_yaml writes most values itself; the bytes must be the YAML library's, value by value
    (folded at 80 columns, quoted, escaped, or written as blocks)."""
    from helmlite.values.yamlio import dump_yaml

    index = _generated_entries(seed, 120, awkward)
    full = {"annotations": index.extra.get("annotations"), "apiVersion": "v1", "entries": index.entries,
            "generated": index.generated}
    assert index.to_yaml() == dump_yaml({k: v for k, v in full.items() if v}, width=80)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("awkward", [0.0, 0.1, 0.5])
def test_quick_yaml_reader_agrees_with_the_yaml_library(seed: int, awkward: float) -> None:
    """An index is read line by line when it is made of the shapes to_yaml writes; whatever it
    gives must be what the YAML library reads, and anything it cannot read goes to the library.
    Each document is also tried with one line damaged in a few ways."""
    import random

    rng = random.Random(seed)
    text = _generated_entries(seed, 25, awkward, _READABLE_WORDS).to_yaml()
    lines = text.split("\n")
    damaged = []
    for _ in range(40):
        at = rng.randrange(len(lines) - 1)
        line = lines[at]
        lines_copy = list(lines)
        lines_copy[at] = rng.choice([line + " # c", line.replace(": ", ":  ", 1), "  " + line, line[1:], "",
                                     line + ":", line.replace('"', "'"), "- x", line + "\\", line + " ",
                                     line.replace("- ", "-  ", 1), "\t" + line, line.rstrip(":")])
        damaged.append("\n".join(lines_copy))
    for document in [text, *damaged]:
        data = document.encode("utf-8")
        try:
            expected = yaml.load(data, Loader=index_module._IndexLoader)
        except yaml.YAMLError:
            expected = "not YAML"
        quick = index_module._quick_read(data)
        assert quick is None or quick == expected, document
    if awkward == 0.0:
        assert index_module._quick_read(text.encode("utf-8")) is not None


def test_quick_yaml_reader_reads_blocks_folds_and_quotes() -> None:
    data = b"""\
apiVersion: v1
entries:
  c:
  - annotations:
      artifacthub.io/images: |
        - name: c
          image: c:1.0
      note: |-
        two
          lines
      "yes": "y"
    apiVersion: v2
    created: "2026-11-22T06:00:11.123Z"
    dependencies:
    - name: sub
      repository: ""
      tags:
      - a
    deprecated: true
    description: A long description that goes well beyond eighty columns, so it is
      folded over two lines
    digest: 1c5d6e0f9b3a8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d
    keywords: []
    kubeVersion: '>=1.20.0-0'
    maintainers:
    - email: jane@example.com
      name: Jane
    name: c
    sources:
    - '#hash ''quoted'''
    - 'A long source: it has a colon and goes well beyond eighty columns, so libyaml
      folds it'
    urls:
    - c-1.0.0.tgz
    version: 1.0.0
generated: "2026-11-22T06:00:11.123Z"
"""
    quick = index_module._quick_read(data)
    assert quick is not None
    assert quick == yaml.load(data, Loader=index_module._IndexLoader)
    entry = quick["entries"]["c"][0]
    assert entry["annotations"] == {"artifacthub.io/images": "- name: c\n  image: c:1.0\n", "note": "two\n  lines",
                                    "yes": "y"}
    assert entry["description"].endswith("so it is folded over two lines") and entry["deprecated"] is True
    assert entry["kubeVersion"] == ">=1.20.0-0"
    assert entry["sources"] == ["#hash 'quoted'",
                                "A long source: it has a colon and goes well beyond eighty columns, so libyaml folds it"]


def test_empty_index_serialises_like_helm() -> None:
    index = IndexFile(generated="2026-01-01T00:00:00Z")
    assert index.to_yaml() == 'apiVersion: v1\nentries: {}\ngenerated: "2026-01-01T00:00:00Z"\n'


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    index = index_directory(_repo_dir(tmp_path))
    target = tmp_path / "out" / "index.yaml"
    target.parent.mkdir()
    index.write(target)
    index.write(target, json=True)
    assert json.loads(target.read_text())["apiVersion"] == "v1"
    assert [p.name for p in target.parent.iterdir()] == ["index.yaml"]


@pytest.mark.parametrize("ns, text", [
    (1_700_000_000_123_456_789, "2023-11-14T22:13:20.123456789Z"),
    (1_700_000_000_120_000_000, "2023-11-14T22:13:20.12Z"),
    (1_700_000_000_000_000_000, "2023-11-14T22:13:20Z"),
])
def test_rfc3339_nano_drops_trailing_zeros_like_go(ns: int, text: str) -> None:
    assert rfc3339_nano(ns) == text


@pytest.mark.parametrize("base, paths, joined", [
    ("", ("",), ""),
    ("", ("sub",), "sub"),
    ("https://h/charts/", ("",), "https://h/charts"),
    ("https://h/charts", ("sub", "a.tgz"), "https://h/charts/sub/a.tgz"),
    ("https://h", ("a.tgz",), "https://h/a.tgz"),
])
def test_url_join_is_helms(base: str, paths: tuple[str, ...], joined: str) -> None:
    assert url_join(base, *paths) == joined


# --- packages -----------------------------------------------------------------------------------


def test_chart_entry_from_archive(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, "rich", "1.0.0", extra=RICH_EXTRA)
    archive = package(chart, tmp_path / "out")
    entry, digest = chart_entry_from_archive(archive, archive.name)
    assert digest == __import__("hashlib").sha256(archive.read_bytes()).hexdigest()
    assert entry["name"] == "rich" and entry["version"] == "1.0.0" and entry["apiVersion"] == "v2"
    # Helm keeps repository on every dependency; helmlite's packager quoted "y", so it stays text.
    assert entry["dependencies"][1] == {"name": "other", "version": "1.0.0", "repository": ""}
    assert entry["dependencies"][0]["import-values"] == ["data", {"child": "x", "parent": "y"}]
    assert chart_entry_from_archive(archive.read_bytes(), "bytes") == (entry, digest)


def test_import_values_keep_helms_yaml_types() -> None:
    chart_yaml = (b"apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies:\n- name: b\n  version: 1.0.0\n"
                  b"  repository: file://../b\n  import-values:\n  - child: x\n    parent: y\n")
    entry, _ = chart_entry_from_archive(_tgz([("a/Chart.yaml", chart_yaml)]), "a.tgz")
    assert entry["dependencies"][0]["import-values"] == [{"child": "x", "parent": True}]


def _tgz(members: list[tuple[str, bytes]], tar_format: int = tarfile.USTAR_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tar_format) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue())


def test_only_chart_yaml_is_read(tmp_path: Path) -> None:
    # The rest of this archive is cut off: reading past Chart.yaml would fail.
    data = _tgz([("a/Chart.yaml", b"apiVersion: v2\nname: a\nversion: 1.0.0\n"), ("a/big", os.urandom(200_000))])
    entry, _ = chart_entry_from_archive(data[: len(data) // 2], "cut.tgz")
    assert entry["name"] == "a"


@pytest.mark.parametrize("tar_format", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
def test_long_names_and_pax_headers_are_read(tar_format: int) -> None:
    chart_yaml = b"apiVersion: v2\nname: a\nversion: 1.0.0\ndescription: caf\xc3\xa9\n"
    data = _tgz([("a/templates/" + "x" * 200 + ".yaml", b"x"), ("a/Chart.yaml", chart_yaml)], tar_format)
    entry, _ = chart_entry_from_archive(data, "long.tgz")
    assert (entry["name"], entry["description"]) == ("a", "café")


def test_concatenated_gzip_members_are_read() -> None:
    tar = gzip.decompress(_tgz([("a/Chart.yaml", b"apiVersion: v2\nname: a\nversion: 1.0.0\n")]))
    data = gzip.compress(tar[:512]) + gzip.compress(tar[512:])
    assert chart_entry_from_archive(data, "two.tgz")[0]["name"] == "a"


def test_chart_yaml_must_be_a_regular_file() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("a/Chart.yaml")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ArchiveError, match="not a regular file"):
        chart_entry_from_archive(gzip.compress(buf.getvalue()), "link.tgz")


def test_subchart_chart_yaml_is_not_the_charts(tmp_path: Path) -> None:
    data = _tgz([("a/charts/b/Chart.yaml", b"apiVersion: v2\nname: b\nversion: 9.0.0\n"),
                 ("a/Chart.yaml", b"apiVersion: v2\nname: a\nversion: 1.0.0\n")])
    assert chart_entry_from_archive(data, "x.tgz")[0]["name"] == "a"


def test_decompression_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import helmlite.chart.archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_UNPACKED_BYTES", 100_000)
    data = _tgz([("a/zeros", b"\0" * 300_000), ("a/Chart.yaml", b"apiVersion: v2\nname: a\nversion: 1.0.0\n")])
    with pytest.raises(ArchiveError, match="too large"):
        chart_entry_from_archive(data, "bomb.tgz")


@pytest.mark.parametrize("data, error", [
    (b"not gzip", ArchiveError),
    (_tgz([("a/values.yaml", b"x: 1\n")]), ArchiveError),
    (_tgz([("a/Chart.yaml", b"name: a\n")]), ChartLoadError),
    (gzip.compress(b"garbage" * 100), ArchiveError),
])
def test_invalid_packages_raise(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        chart_entry_from_archive(data, "bad.tgz")


# --- repo index DIR -----------------------------------------------------------------------------


def test_index_directory_layout_and_urls(tmp_path: Path) -> None:
    repo = _repo_dir(tmp_path)
    package(make_chart(tmp_path / "deep", "deep"), repo / "a" / "b")  # Helm's globs stop one level down
    (repo / "junk.tgz").write_bytes(b"not a chart")
    warnings: list[str] = []
    index = index_directory(repo, warn=warnings.append)
    assert list(index.entries) == ["mychart", "richchart"]
    assert [e["version"] for e in index.entries["mychart"]] == ["0.3.0-rc.1", "0.2.0", "0.1.0"]
    assert index.entries["richchart"][0]["urls"] == ["sub/richchart-1.3.0-rc.1.tgz"]
    assert len(warnings) == 1 and warnings[0].startswith("skipping junk.tgz: ")
    with_url = index_directory(repo, url="https://charts.example.com/stable/")
    assert with_url.entries["richchart"][0]["urls"] == ["https://charts.example.com/stable/sub/richchart-1.3.0-rc.1.tgz"]


def test_index_directory_merge(tmp_path: Path) -> None:
    repo = _repo_dir(tmp_path)
    old = IndexFile.new()
    old.add({"name": "mychart", "version": "0.1.0", "appVersion": "stale"}, "old.tgz", "", "x")
    old.add({"name": "mychart", "version": "0.0.1"}, "old/mychart-0.0.1.tgz", "", "y", created="2020-01-01T00:00:00Z")
    old.write(tmp_path / "old.yaml")
    index = index_directory(repo, merge=tmp_path / "old.yaml")
    versions = {e["version"]: e for e in index.entries["mychart"]}
    assert versions["0.1.0"]["appVersion"] == "1.0"  # local wins
    assert versions["0.0.1"]["created"] == "2020-01-01T00:00:00Z"
    assert versions["0.0.1"]["urls"] == ["old/mychart-0.0.1.tgz"]
    missing = tmp_path / "new.yaml"
    index_directory(repo, merge=missing)
    assert yaml.safe_load(missing.read_text())["entries"] == {}


def test_index_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="no such directory"):
        index_directory(tmp_path / "missing")
    (tmp_path / "bad.yaml").write_text("entries: {}\n")
    with pytest.raises(IndexLoadError, match="no API version"):
        index_directory(tmp_path, merge=tmp_path / "bad.yaml")


def test_reindexing_reads_only_new_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo_dir(tmp_path)
    reads = _CountingReads(monkeypatch)
    first = index_directory(repo)
    assert len(reads.paths) == 4
    assert (repo / INDEX_CACHE_FILE).exists()

    reads.paths.clear()
    second = index_directory(repo)
    assert reads.paths == []
    assert normalise(second.to_yaml()) == normalise(first.to_yaml())
    # Unchanged packages keep their creation time: only `generated` moves.
    assert [e["created"] for _, e in second.iter_entries()] == [e["created"] for _, e in first.iter_entries()]

    package(make_chart(tmp_path / "src2", "newchart"), repo)
    reads.paths.clear()
    third = index_directory(repo)
    assert reads.paths == ["newchart-0.1.0.tgz"]
    assert "newchart" in third.entries


def test_touched_package_is_reread_but_keeps_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo_dir(tmp_path)
    first = index_directory(repo)
    reads = _CountingReads(monkeypatch)
    target = repo / "mychart-0.1.0.tgz"
    os.utime(target, ns=(1, 1))
    again = index_directory(repo)
    assert reads.paths == ["mychart-0.1.0.tgz"]
    assert again.get("mychart", "0.1.0")["created"] == first.get("mychart", "0.1.0")["created"]

    # New bytes under the same name are a new package.
    shutil.copy(repo / "mychart-0.2.0.tgz", target)
    changed = index_directory(repo)
    assert changed.get("mychart", "0.2.0") is not None
    assert changed.entries["mychart"][-1]["digest"] == changed.entries["mychart"][-2]["digest"]


def test_changed_url_needs_no_rereading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo_dir(tmp_path)
    index_directory(repo)
    reads = _CountingReads(monkeypatch)
    moved = index_directory(repo, url="https://new.example.com")
    assert reads.paths == []
    assert moved.get("mychart", "0.1.0")["urls"] == ["https://new.example.com/mychart-0.1.0.tgz"]
    assert "https://new.example.com/mychart-0.1.0.tgz" in moved.to_yaml()


@pytest.mark.parametrize("garbage", [b"{not json", b'{"format": 1, "files": {"mychart-0.1.0.tgz": 5}}',
                                     b'{"format": 1, "files": {"mychart-0.1.0.tgz": {"size": 1}}}'])
def test_corrupt_cache_is_rebuilt(tmp_path: Path, garbage: bytes) -> None:
    repo = _repo_dir(tmp_path)
    first = index_directory(repo)
    (repo / INDEX_CACHE_FILE).write_bytes(garbage)
    assert normalise(index_directory(repo).to_yaml()) == normalise(first.to_yaml())


def test_parallel_reading_gives_the_same_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo_dir(tmp_path)
    sequential = index_directory(repo).to_yaml()
    (repo / INDEX_CACHE_FILE).unlink()
    monkeypatch.setattr(index_module, "_PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(index_module.os, "cpu_count", lambda: 2)
    pools: list[object] = []
    real_pool = concurrent.futures.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):  # type: ignore[no-untyped-def]
        pools.append(kwargs)
        return real_pool(*args, **kwargs)

    # index_directory imports the pool class when it needs one.
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting_pool)
    parallel = index_directory(repo).to_yaml()
    assert normalise(parallel) == normalise(sequential)
    assert len(pools) == (1 if __import__("threading").active_count() == 1 else 0)


# --- the real helm --------------------------------------------------------------------------------


@pytest.mark.helm
@pytest.mark.parametrize("url", ["", "https://charts.example.com/stable"])
def test_yaml_and_json_equal_helm_repo_index(helm_bin: str, helm_env: dict[str, str], tmp_path: Path,  # noqa: F811
                                              url: str) -> None:
    repo = _repo_dir(tmp_path)
    flags = ["--url", url] if url else []
    for as_json in (False, True):
        theirs_dir = tmp_path / f"theirs-{as_json}"
        shutil.copytree(repo, theirs_dir)
        result = run_helm(helm_bin, "repo", "index", str(theirs_dir), *flags, *(["--json"] if as_json else []),
                          env=helm_env)
        assert result.returncode == 0, result.stderr
        theirs = (theirs_dir / "index.yaml").read_text()
        index = index_directory(repo, url=url)
        ours = index.to_json() if as_json else index.to_yaml()
        assert normalise(ours) == normalise(theirs)


@pytest.mark.helm
def test_helms_own_index_round_trips_byte_for_byte(helm_bin: str, helm_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    repo = _repo_dir(tmp_path)
    assert run_helm(helm_bin, "repo", "index", str(repo), env=helm_env).returncode == 0
    theirs = (repo / "index.yaml").read_bytes()
    assert IndexFile.load(theirs, "index.yaml").to_yaml().encode() == theirs
    # Read line by line (what makes `repo update` fast), not by the YAML library.
    assert index_module._quick_read(theirs) == yaml.load(theirs, Loader=index_module._IndexLoader)


@pytest.mark.helm
def test_helm_parses_our_index_strictly(helm_bin: str, helm_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    repo = _repo_dir(tmp_path)
    index = index_directory(repo, url="http://127.0.0.1:9/charts")
    config = Path(helm_env["HELM_CONFIG_HOME"])
    cache = Path(helm_env["HELM_CACHE_HOME"]) / "repository"
    config.mkdir(parents=True)
    cache.mkdir(parents=True)
    # A configured repository that is never contacted: search reads only the cached index.
    (config / "repositories.yaml").write_text(
        "apiVersion: \"\"\nrepositories:\n- name: ours\n  url: http://127.0.0.1:9/charts\n")
    for as_json in (False, True):
        index.write(cache / "ours-index.yaml", json=as_json)
        result = run_helm(helm_bin, "search", "repo", "ours/", "--devel", "-l", "-o", "json", env=helm_env)
        assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
        found = {(r["name"], r["version"]) for r in json.loads(result.stdout)}
        assert found == {(f"ours/{n}", e["version"]) for n, e in index.iter_entries()}
