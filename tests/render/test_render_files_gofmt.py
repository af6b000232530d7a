"""``Files`` globbing (gobwas rules) and Go-style printing of values."""

from __future__ import annotations

import datetime as dt

import pytest

from helmlite.render.files import Files
from helmlite.gofmt import go_float, go_quote, go_str, go_time_format, sprint, sprintf

TREE = Files(
    (name, b"")
    for name in ("files/a.txt", "files/sub/b.txt", "files/sub/deep/c.conf", "other/d.txt", "files/[x].txt")
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("files/*", ["files/[x].txt", "files/a.txt"]),
        ("files/**", ["files/[x].txt", "files/a.txt", "files/sub/b.txt", "files/sub/deep/c.conf"]),
        ("**.txt", ["files/[x].txt", "files/a.txt", "files/sub/b.txt", "other/d.txt"]),
        ("files/**/*.txt", ["files/sub/b.txt"]),
        ("files/{a,sub/b}.txt", ["files/a.txt", "files/sub/b.txt"]),
        ("files/?.txt", ["files/a.txt"]),
        ("files/[ab].txt", ["files/a.txt"]),
        ("files/[!a].txt", []),
        ("files/\\[x\\].txt", ["files/[x].txt"]),
        ("*/d.txt", ["other/d.txt"]),
        ("files/[", sorted(TREE)),  # invalid pattern: Helm falls back to "**"
        ("nomatch", []),
    ],
)
def test_glob(pattern: str, expected: list[str]) -> None:
    assert list(TREE.Glob(pattern)) == expected


def test_files_methods() -> None:
    files = Files([("b.txt", b"bee"), ("a.txt", "l1\nl2\n".encode()), ("bin", b"\xff")])
    assert list(files) == ["a.txt", "b.txt", "bin"]
    assert files.Get("a.txt") == "l1\nl2\n" and files.Get("x") == ""
    assert files.Get("bin") == "\ufffd" and files.GetBytes("bin") == b"\xff" and files.GetBytes("x") == b""
    assert files.Lines("a.txt") == ["l1", "l2"] and files.Lines("b.txt") == ["bee"] and files.Lines("x") == []
    assert files.Glob("*.txt").AsConfig() == "a.txt: |\n  l1\n  l2\nb.txt: bee"
    assert files.Glob("b*").AsSecrets() == "b.txt: YmVl\nbin: /w=="
    assert Files().AsConfig() == "{}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"), (100000.0, "100000"), (1000000.0, "1e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"),
        (1e21, "1e+21"), (3.0, "3"), (-0.5, "-0.5"), (123456789.0, "1.23456789e+08"), (1234567.5, "1.2345675e+06"),
        (100000.5, "100000.5"), (-0.0, "-0"), (float("inf"), "+Inf"), (float("nan"), "NaN"),
    ],
)  # fmt: skip
def test_go_float(value: float, expected: str) -> None:
    assert go_float(value) == expected


def test_go_str_and_quote() -> None:
    assert go_str({"b": [1, None, True], "a": {"x": 1.5}}) == "map[a:map[x:1.5] b:[1 <nil> true]]"
    assert go_str(None) == "<nil>" and go_str(b"hi") == "hi" and go_str(False) == "false"
    assert go_quote('a"b\\c\n\t\x01é\u00a0') == '"a\\"b\\\\c\\n\\t\\x01é\\u00a0"'


def test_sprintf_and_sprint() -> None:
    args = ["s", 42, {"b": 2, "a": 1}, 'q"x', True, 255, 3.14159, 7, "ab", 5, 8, 5, 1234.5678, 65]
    out = sprintf("%s|%d|%v|%q|%t|%x|%5.2f|%05d|%-4s|%+d|%o|%b|%e|%c|%%", args)
    assert out == 's|42|map[a:1 b:2]|"q\\"x"|true|ff| 3.14|00007|ab  |+5|10|101|1.234568e+03|A|%'
    assert sprintf("%d|%s|%v", [80.0, 80, None], lenient=True) == "80|80|<nil>"
    assert sprintf("%d|%s|%v", [80.0, 80, None]) == "%!d(float64=80)|%!s(int=80)|<nil>"
    assert sprintf("%T %T %T %T", [1, 1.5, "s", None]) == "int float64 string <nil>"
    assert sprintf("%x %X", ["hi", "hi"]) == "6869 6869"
    assert sprint(["a", 1, 2, "b"]) == "a1 2b" and sprint([1, "a"]) == "1a"


def test_go_time_format() -> None:
    moment = dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    assert go_time_format("2006-01-02T15:04:05Z07:00", moment) == "2024-03-05T14:07:09-07:00"
    assert go_time_format("Mon Jan _2 3:04PM .000 .999 -0700 002", moment) == "Tue Mar  5 2:07PM .123 .123 -0700 065"
    utc = moment.astimezone(dt.timezone.utc)
    assert go_time_format("2006-01-02T15:04:05Z07:00 January Monday 06 pm", utc) == "2024-03-05T21:07:09Z March Tuesday 24 pm"
