"""Loading charts from directories, archives and file lists (Helm's pkg/chart/v2/loader)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helmlite.chart.archive import build_archive
from helmlite.chart.loader import load_archive, load_chart, load_dir, load_files, read_chart_dir
from helmlite.chart.model import Chart, ChartFile
from helmlite.errors import ArchiveError, ChartLoadError

CM = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def chart_yaml(name: str, version: str = "0.1.0", extra: str = "") -> str:
    return f"apiVersion: v2\nname: {name}\nversion: {version}\n{extra}"


def tgz(name: str, files: dict[str, str | bytes]) -> bytes:
    return build_archive(
        name, [ChartFile(n, d.encode() if isinstance(d, str) else d) for n, d in files.items()], mtime=0
    )


# A frobnitz-like chart: the structure Helm's verifyFrobnitz checks, built here.
FROBNITZ = {
    "Chart.yaml": chart_yaml(
        "frobnitz",
        "1.2.3",
        "dependencies:\n- name: alpine\n  version: 0.1.0\n  repository: https://example.com/charts\n"
        "- name: mariner\n  version: 4.3.2\n  repository: https://example.com/charts\n",
    ),
    "Chart.lock": "dependencies:\n- name: alpine\n  version: 0.1.0\n  repository: https://example.com/charts\n"
    "- name: mariner\n  version: 4.3.2\n  repository: https://example.com/charts\n"
    "digest: sha256:0\ngenerated: 2016-09-13T17:25:17.593788787-06:00\n",
    ".helmignore": "ignore/\n",
    "ignore/me.txt": "ignored",
    "INSTALL.txt": "install",
    "LICENSE": "license",
    "README.md": "readme",
    "docs/README.md": "docs",
    "icon.svg": "<svg/>",
    "templates/template.tpl": "{{ .Values.x }}",
    "templates/.dotfile": "never loaded",
    "charts/_ignore_me": "ignored",
    "charts/alpine/Chart.yaml": chart_yaml("alpine"),
    "charts/alpine/README.md": "alpine",
    "charts/alpine/templates/alpine-pod.yaml": CM,
    "charts/alpine/charts/mast1/Chart.yaml": chart_yaml("mast1"),
    "charts/alpine/charts/mast2-0.1.0.tgz": tgz("mast2", {"Chart.yaml": chart_yaml("mast2")}),
    "charts/mariner-4.3.2.tgz": tgz(
        "mariner",
        {
            "Chart.yaml": chart_yaml("mariner", "4.3.2"),
            "charts/albatross-0.1.0.tgz": tgz("albatross", {"Chart.yaml": chart_yaml("albatross")}),
        },
    ),
}


def verify_frobnitz(chart: Chart) -> None:
    assert chart.name == "frobnitz"
    assert [t.name for t in chart.templates] == ["templates/template.tpl"]
    # .helmignore is a file of the chart; Chart.lock, charts/ and ignored paths are not.
    assert sorted(f.name for f in chart.files) == [
        ".helmignore",
        "INSTALL.txt",
        "LICENSE",
        "README.md",
        "docs/README.md",
        "icon.svg",
    ]
    assert [d.name for d in chart.metadata.dependencies] == ["alpine", "mariner"]
    assert chart.lock is not None and [d.name for d in chart.lock.dependencies] == ["alpine", "mariner"]
    alpine, mariner = chart.dependencies
    assert (alpine.name, mariner.name) == ("alpine", "mariner")
    assert alpine.parent is chart
    assert [t.name for t in alpine.templates] == ["templates/alpine-pod.yaml"]
    assert [f.name for f in alpine.files] == ["README.md"]
    assert sorted(d.name for d in alpine.dependencies) == ["mast1", "mast2"]
    assert [d.name for d in mariner.dependencies] == ["albatross"]
    assert mariner.dependencies[0].full_path() == "frobnitz/charts/mariner/charts/albatross"


def test_load_dir(tmp_path: Path) -> None:
    verify_frobnitz(load_chart(write_tree(tmp_path / "frobnitz", FROBNITZ)))


def test_load_archive(tmp_path: Path) -> None:
    files = {k: v for k, v in FROBNITZ.items() if not k.startswith(("ignore/", "templates/.", "charts/_"))}
    path = tmp_path / "frobnitz-1.2.3.tgz"
    path.write_bytes(tgz("frobnitz", files))
    verify_frobnitz(load_chart(path))
    verify_frobnitz(load_chart(str(path)))


def test_helmignore_is_not_applied_to_archives() -> None:
    chart = load_archive(tgz("c", {"Chart.yaml": chart_yaml("c"), ".helmignore": "*.txt\n", "a.txt": "x"}), "c.tgz")
    assert sorted(f.name for f in chart.files) == [".helmignore", "a.txt"]


def test_missing_path() -> None:
    with pytest.raises(ChartLoadError, match='^path "/nonexistent/chart" not found$'):
        load_chart("/nonexistent/chart")


def test_missing_chart_yaml(tmp_path: Path) -> None:
    write_tree(tmp_path / "c", {"values.yaml": "a: 1\n"})
    with pytest.raises(ChartLoadError, match="Chart.yaml file is missing"):
        load_dir(tmp_path / "c")
    with pytest.raises(ChartLoadError, match="^Chart.yaml file is missing$"):
        load_files([ChartFile("README.md", b"")], "")


def test_bad_field_error_names_file_and_field(tmp_path: Path) -> None:
    write_tree(tmp_path / "c", {"Chart.yaml": "apiVersion: v2\nname: c\n"})
    with pytest.raises(ChartLoadError) as err:
        load_chart(tmp_path / "c")
    assert str(err.value) == f'{tmp_path / "c"}/Chart.yaml: field "version" is required'


def test_bom_is_stripped_from_every_file(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    write_tree(
        tmp_path / "c",
        {"Chart.yaml": bom + chart_yaml("c").encode(), "templates/a.yaml": bom + CM, "README.md": bom + b"hi"},
    )
    chart = load_chart(tmp_path / "c")
    assert chart.templates[0].data == CM
    assert chart.raw_file("README.md") == b"hi"


def test_v1_chart_with_requirements_yaml(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "v1",
        {
            "Chart.yaml": "name: v1\nversion: 1.0.0\n",
            "requirements.yaml": "dependencies:\n- name: sub\n  version: 0.1.0\n  repository: https://x\n",
            "requirements.lock": "dependencies:\n- name: sub\n  version: 0.1.0\n  repository: https://x\n"
            "digest: sha256:1\ngenerated: 2020-01-01T00:00:00Z\n",
            "charts/sub/Chart.yaml": "name: sub\nversion: 0.1.0\n",
        },
    )
    chart = load_chart(tmp_path / "v1")
    assert chart.metadata.api_version == "v1"
    assert [d.name for d in chart.metadata.dependencies] == ["sub"]
    assert chart.lock is not None and chart.lock.digest == "sha256:1"
    # Helm keeps v1's requirements files among the chart's Files.
    assert sorted(f.name for f in chart.files) == ["requirements.lock", "requirements.yaml"]
    assert [d.name for d in chart.dependencies] == ["sub"]


def test_v2_chart_with_requirements_yaml_still_gets_its_dependencies() -> None:
    chart = load_files(
        [
            ChartFile("Chart.yaml", chart_yaml("c").encode()),
            ChartFile("requirements.yaml", b"dependencies:\n- name: sub\n"),
        ],
        "",
    )
    assert [d.name for d in chart.metadata.dependencies] == ["sub"]
    assert chart.files == []


def test_classification() -> None:
    chart = load_files(
        [
            ChartFile("Chart.yaml", chart_yaml("c").encode()),
            ChartFile("values.schema.json", b"{}"),
            ChartFile("templates/_helpers.tpl", b""),
            ChartFile("templates/NOTES.txt", b""),
            ChartFile("templates/sub/dir/x.yaml", CM),
            ChartFile("crds/crd.yaml", b"kind: CustomResourceDefinition\n"),
            ChartFile("charts/sub-0.1.0.tgz.prov", b"signature"),
            ChartFile("charts/.hidden/Chart.yaml", b"not: loaded"),
            ChartFile("files/config.ini", b"[x]"),
        ],
        "",
    )
    assert chart.schema == b"{}"
    assert [t.name for t in chart.templates] == [
        "templates/_helpers.tpl",
        "templates/NOTES.txt",
        "templates/sub/dir/x.yaml",
    ]
    assert [f.name for f in chart.files] == ["crds/crd.yaml", "charts/sub-0.1.0.tgz.prov", "files/config.ini"]
    assert [f.name for f in chart.crd_files()] == ["crds/crd.yaml"]
    assert chart.dependencies == []
    assert len(chart.raw) == 9


def test_nested_subcharts_three_levels_deep(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "top",
        {
            "Chart.yaml": chart_yaml("top"),
            "charts/mid/Chart.yaml": chart_yaml("mid"),
            "charts/mid/charts/low/Chart.yaml": chart_yaml("low"),
            "charts/mid/charts/low/templates/cm.yaml": CM,
        },
    )
    top = load_chart(tmp_path / "top")
    low = top.dependencies[0].dependencies[0]
    assert low.full_path() == "top/charts/mid/charts/low"
    assert [t.name for t in low.templates] == ["templates/cm.yaml"]


def test_subchart_errors_say_where(tmp_path: Path) -> None:
    write_tree(tmp_path / "p", {"Chart.yaml": chart_yaml("p"), "charts/bad/Chart.yaml": "name: bad\n"})
    with pytest.raises(
        ChartLoadError, match='^error unpacking subchart bad in p: Chart.yaml: field "version" is required$'
    ):
        load_chart(tmp_path / "p")


@pytest.mark.parametrize(
    ("name", "data", "error", "message"),
    [
        (
            "charts/README.md",
            b"hi",
            ChartLoadError,
            "error unpacking subchart README.md in p: Chart.yaml file is missing",
        ),
        ("charts/x.tgz", b"garbage", ArchiveError, "error unpacking subchart x.tgz in p: x.tgz: not a gzip"),
    ],
)
def test_junk_in_charts_dir(name: str, data: bytes, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        load_files([ChartFile("Chart.yaml", chart_yaml("p").encode()), ChartFile(name, data)], "")


def test_dir_loader_ignores_template_dotfiles_and_helmignored_paths(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "c",
        {
            "Chart.yaml": chart_yaml("c"),
            ".helmignore": "*.bak\nsecrets/\n/top-only.txt\n",
            "templates/.swap": "x",
            "templates/cm.yaml": CM,
            "templates/cm.yaml.bak": "x",
            "secrets/key": "x",
            "top-only.txt": "x",
            "docs/top-only.txt": "kept",
            "charts/sub/templates/.not-default-ignored": "kept: the default rule is anchored at the root",
            "charts/sub/Chart.yaml": chart_yaml("sub"),
        },
    )
    names = [f.name for f in read_chart_dir(tmp_path / "c")]
    assert names == [
        ".helmignore",
        "Chart.yaml",
        "charts/sub/Chart.yaml",
        "charts/sub/templates/.not-default-ignored",
        "docs/top-only.txt",
        "templates/cm.yaml",
    ]


def test_bad_helmignore(tmp_path: Path) -> None:
    write_tree(tmp_path / "c", {"Chart.yaml": chart_yaml("c"), ".helmignore": "a/**/b\n"})
    with pytest.raises(ChartLoadError, match=r"\.helmignore: line 1: double-star"):
        load_chart(tmp_path / "c")


def test_symlinks_inside_the_chart_are_followed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", {"Chart.yaml": chart_yaml("c"), "shared/cm.yaml": CM})
    (root / "templates").mkdir()
    os.symlink("../shared/cm.yaml", root / "templates" / "cm.yaml")
    os.symlink("shared", root / "linked")
    chart = load_chart(root)
    assert [t.data for t in chart.templates] == [CM]
    assert sorted(f.name for f in chart.files) == ["linked/cm.yaml", "shared/cm.yaml"]


@pytest.mark.parametrize("target", ["/etc/passwd", "../outside.txt", "/"])
def test_symlinks_leaving_the_chart_are_rejected(tmp_path: Path, target: str) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    root = write_tree(tmp_path / "c", {"Chart.yaml": chart_yaml("c")})
    os.symlink(target, root / "leak")
    with pytest.raises(ChartLoadError, match='"leak" is a symlink that points outside the chart directory'):
        load_chart(root)


def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", {"Chart.yaml": chart_yaml("c")})
    (root / "d").mkdir()
    os.symlink("..", root / "d" / "up")
    with pytest.raises(ChartLoadError, match='"d/up" is a symlink loop'):
        load_chart(root)
    os.unlink(root / "d" / "up")
    os.symlink("missing", root / "dangling")
    with pytest.raises(ChartLoadError, match='"dangling" is a broken symlink'):
        load_chart(root)
    (root / ".helmignore").write_text("dangling\n")
    assert load_chart(root).name == "c"  # .helmignore is respected before the link is checked


def test_irregular_files_are_rejected(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", {"Chart.yaml": chart_yaml("c")})
    os.mkfifo(root / "pipe")
    with pytest.raises(ChartLoadError, match='"pipe" is not a regular file'):
        load_chart(root)


def test_loading_a_thousand_templates(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"Chart.yaml": chart_yaml("big"), ".helmignore": "*.bak\n*.swp\n.git/\n"}
    files.update({f"templates/t{i:04d}.yaml": CM for i in range(1000)})
    root = write_tree(tmp_path / "big", files)
    chart = load_chart(root)
    assert len(chart.templates) == 1000
    assert sorted(f.name for f in chart.templates)[7] == "templates/t0007.yaml"


def test_values_are_parsed_and_their_raw_bytes_kept(tmp_path: Path) -> None:
    raw = b"# defaults\nimage:\n  tag: 1.10\nflag: y\n---\nextra: 1\n"
    chart = load_chart(write_tree(tmp_path / "c", {"Chart.yaml": chart_yaml("c"), "values.yaml": raw}))
    # Helm's dialect: several documents merge, and y is a boolean.
    assert chart.values == {"image": {"tag": 1.1}, "flag": True, "extra": 1}
    assert chart.raw_file("values.yaml") == raw
    assert "values.yaml" not in [f.name for f in chart.files]


def test_bad_values_yaml_names_the_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "c",
        {"Chart.yaml": chart_yaml("c"), "charts/sub/Chart.yaml": chart_yaml("sub"), "charts/sub/values.yaml": "a: [\n"},
    )
    # Helm v4.3.1's message, word for word.
    with pytest.raises(ChartLoadError, match=r"^error unpacking subchart sub in c: cannot load values.yaml: cannot "
                       r"unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected "
                       r"node content$"):
        load_chart(tmp_path / "c")
    write_tree(tmp_path / "d", {"Chart.yaml": chart_yaml("d"), "values.yaml": "- a list\n"})
    with pytest.raises(ChartLoadError, match=r"^cannot load values.yaml: values must be a map of keys to values, "
                       r"got list$"):
        load_chart(tmp_path / "d")
