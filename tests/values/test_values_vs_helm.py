"""Differential tests: the values each chart's templates see, helmlite vs the real Helm binary.

Helm renders ``{{ toJson .Values }}`` in every chart of a small tree; helmlite computes the
same through ValueOptions.merge → coalesce_values → scoped_values. Numbers are compared by
value (Helm turns every number into a float64); the deliberate differences (issue #32132,
null for a whole subchart) are tested in test_coalesce_values.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helmlite.chart.model import Chart, ChartMetadata
from helmlite.values.coalesce import coalesce_values, scoped_values
from helmlite.values.options import ValueOptions
from helmlite.values.yamlio import HELM_LINE_WIDTH, dump_yaml, load_values

pytestmark = pytest.mark.helm

TEMPLATE = "{{ toJson .Values }}\n"


def normalize(value: Any) -> Any:
    """Type-tagged form, so that True and 1 (equal in Python) still differ."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return ("number", float(value))


def write_chart(root: Path, name: str, values: str, subcharts: dict[str, str] | None = None) -> Path:
    chart_dir = root / name
    (chart_dir / "templates").mkdir(parents=True)
    (chart_dir / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    (chart_dir / "values.yaml").write_text(values)
    (chart_dir / "templates" / "values.yaml").write_text(TEMPLATE)
    for sub_name, sub_values in (subcharts or {}).items():
        write_chart(chart_dir / "charts", sub_name, sub_values)
    return chart_dir


def model_chart(chart_dir: Path) -> Chart:
    chart = Chart(
        metadata=ChartMetadata(name=chart_dir.name, version="0.1.0"),
        values=load_values((chart_dir / "values.yaml").read_bytes(), "values.yaml"),
    )
    charts = chart_dir / "charts"
    for sub_dir in sorted(charts.iterdir()) if charts.is_dir() else ():
        chart.add_dependency(model_chart(sub_dir))
    return chart


def helm_values(helm_bin: str, chart_dir: Path, args: list[str], home: Path) -> dict[str, Any]:
    env = {**os.environ, **{var: str(home / var) for var in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")}}
    result = subprocess.run(
        [helm_bin, "template", "x", str(chart_dir), *args], capture_output=True, text=True, env=env, cwd=home
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = {}
    for document in result.stdout.split("\n---\n"):
        lines = [line for line in document.splitlines() if line.strip() and line.strip() != "---"]
        source = next(line for line in lines if line.startswith("# Source: "))
        path = source.removeprefix("# Source: ").removesuffix("/templates/values.yaml")
        seen[path] = json.loads("\n".join(line for line in lines if not line.startswith("#")))
    return seen


def helmlite_values(chart_dir: Path, options: ValueOptions) -> dict[str, Any]:
    chart = model_chart(chart_dir)
    values = coalesce_values(chart, options.merge(), warn=lambda _: None)
    return {node.full_path(): scoped_values(values, node) for node in chart.walk()}


def compare(helm_bin: str, tmp_path: Path, chart_dir: Path, args: list[str], options: ValueOptions) -> None:
    assert normalize(helmlite_values(chart_dir, options)) == normalize(helm_values(helm_bin, chart_dir, args, tmp_path))


YAML_DIALECT = """\
on: a
yes: b
y: c
n: d
no: e
off: f
1: int
1.5: flt
0x10: hex
2001-12-14: date
1e6: exp
vy: y
vn: n
vYes: Yes
vtRUE: tRUE
vdate: 2001-12-14
vtime: 2001-12-14T21:59:43.10-05:00
voct: 0o17
voct2: 017
vhex: 0x1F
vbin: 0b101
vund: 1_000
vbig: 1000000
vexp: 1e3
vexp2: 1.5e3
vsexa: 190:20:30
v08: 08
eq: =
vbinary: !!binary aGVsbG8=
vcustom: !custom 5
flow: {x: 1, y: 2}
base: &b {p: 1, q: 2}
merged:
  <<: *b
  q: 3
dup: 1
dup: 2
---
second: document
dup: 3
"""


def test_yaml_dialect(helm_bin: str, tmp_path: Path) -> None:
    chart_dir = write_chart(tmp_path / "charts", "c", "{}\n")
    values_file = tmp_path / "dialect.yaml"
    values_file.write_text(YAML_DIALECT)
    compare(helm_bin, tmp_path, chart_dir, ["-f", str(values_file)], ValueOptions(value_files=(str(values_file),)))


SET_EXPRESSIONS = [
    "name1=value1,name2=value2,",
    "name1=,name2=value2",
    "outer.name2=",
    "a=-5,b=+5,g=0,f=007,e=1.5,c=1e+06,d=0x10,k=9223372036854775808",
    "h=TRUE,fa=false,i=Null",
    "l1={value1,value2},l2={1021,902},l3={}",
    "list[0]=foo,list[3]=bar",
    "nested[1][1]=1",
    "objs[0].foo=bar,objs[0].hello=world,objs[2].x=y",
    "noval[0]",
    "esc\\.key=1,x=one\\,two,w=a\\=b",
    "deep.a.b.c.d=e",
]


def test_set_grammar(helm_bin: str, tmp_path: Path) -> None:
    chart_dir = write_chart(tmp_path / "charts", "c", "{}\n")
    args = [arg for expr in SET_EXPRESSIONS for arg in ("--set", expr)]
    compare(helm_bin, tmp_path, chart_dir, args, ValueOptions(set_values=tuple(SET_EXPRESSIONS)))


def test_flag_families_and_precedence(helm_bin: str, tmp_path: Path) -> None:
    chart_dir = write_chart(tmp_path / "charts", "c", "{}\n")
    first = tmp_path / "first.yaml"
    first.write_text("a: file1\nb: file1\nc: file1\nd: file1\ne: file1\nf: file1\nlist: [3]\nm: {x: 1, y: 1}\n")
    second = tmp_path / "second.yaml"
    second.write_text("b: file2\nc: file2\nd: file2\ne: file2\nf: file2\nm: {y: 2}\n")
    content = tmp_path / "content.txt"
    content.write_text("from a file\nline 2\n")
    options = ValueOptions(
        value_files=(str(first), str(second)),
        json_values=('c="json",j={"x":[1,"2",null]},je=', '{"whole": {"k": true}}'),
        set_values=("d=set,e=set,list[1]=9",),
        string_values=("e=string,s=1",),
        file_values=(f"f={content}",),
        literal_values=("lit=a,b=c{d}\\x",),
    )
    args = [
        "--set-literal", options.literal_values[0],
        "--set-file", options.file_values[0],
        "--set-string", options.string_values[0],
        "--set", options.set_values[0],
        "--set-json", options.json_values[0],
        "--set-json", options.json_values[1],
        "-f", str(first),
        "-f", str(second),
    ]  # fmt: skip
    compare(helm_bin, tmp_path, chart_dir, args, options)


PARENT_VALUES = """\
name: parent
topmap: {a: 1, b: 2}
global:
  g1: parent
  tree: {l0: parent}
sub:
  fromParent: yes
  resources:
    requests: {cpu: 100m}
"""
SUB_VALUES = """\
fromParent: no
resources:
  limits: {cpu: 200m, memory: 1Gi}
  requests: {cpu: 50m, memory: 64Mi}
global:
  g1: sub
  g2: sub
  tree: {l1: sub}
list: [1, 2]
x: 1
"""


@pytest.mark.parametrize(
    "sets",
    [
        [],
        ["topmap.b=null", "u=null", "global.g3=null", "global.g1=user"],
        ["sub.resources.limits.cpu=null", "sub.x=null", "sub.list[1]=9"],
        ["sub.global.g2=user", "sub.global.g1=ignored", "global.tree.l2=user"],
        ["sub.resources.requests=null", "sub.extra.deep=1"],
    ],
)
def test_coalescing_tree(helm_bin: str, tmp_path: Path, sets: list[str]) -> None:
    chart_dir = write_chart(tmp_path / "charts", "parent", PARENT_VALUES, {"sub": SUB_VALUES})
    args = [arg for expr in sets for arg in ("--set", expr)]
    compare(helm_bin, tmp_path, chart_dir, args, ValueOptions(set_values=tuple(sets)))


TO_YAML_VALUES = """\
b: 1
a10: 1
a9: 2
Zfoo: 3
_foo: 4
a-b: 5
a.b: 6
a01: 7
a1: 8
B: 9
"1": 11
"10": 12
"2": 13
strings: ["4.5", "y", "", "2001-12-14", "=", "1:30", "a\\nb", "  lead", "x: y", "*star", "é", "null", "0o17", "1e3",
          "a\\nb\\n", "trail \\nx", "#hash", "tab\\there", "08", "0x1F", "true", "Yes", "-", "@at", "a'b", 'say "hi"',
          "1_000", ".5", "~", "long long long long long long long long long long long long long long long long long long long"]
numbers: [0, -1, 1000000, 1.5]
nested: {list: [{k: v, j: [1, 2]}], empty: {}, none: [], "null": null}
"""


def test_dump_yaml_is_helms_to_yaml(helm_bin: str, tmp_path: Path) -> None:
    chart_dir = write_chart(tmp_path / "charts", "c", TO_YAML_VALUES)
    (chart_dir / "templates" / "values.yaml").write_text("{{ toYaml .Values }}\n")
    env = {**os.environ, **{var: str(tmp_path / var) for var in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")}}
    result = subprocess.run([helm_bin, "template", "x", str(chart_dir)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    rendered = result.stdout.split("# Source: c/templates/values.yaml\n", 1)[1]
    assert dump_yaml(coalesce_values(model_chart(chart_dir), {}), width=HELM_LINE_WIDTH) == rendered
