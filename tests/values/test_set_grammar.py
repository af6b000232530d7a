"""The --set family's grammar (helm-behaviour.md §3.2; cases after Helm's pkg/strvals tests)."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.errors import SetParseError, ValuesError
from helmlite.values.strvals import (
    MAX_INDEX,
    MAX_NESTED_NAME_LEVEL,
    parse_set,
    parse_set_file,
    parse_set_json,
    parse_set_literal,
    parse_set_string,
)

NESTING_ERROR = (
    f"value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
)
TOO_DEEP_KEY = ".".join(f"name{i}" for i in range(1, MAX_NESTED_NAME_LEVEL + 3)) + "=value"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # §3.2, row by row
        ("name1=value1,name2=value2,", {"name1": "value1", "name2": "value2"}),
        ("name1=,name2=value2", {"name1": "", "name2": "value2"}),
        ("name1.name2=", {"name1": {"name2": ""}}),
        ("a=-5,b=+5,g=0", {"a": -5, "b": 5, "g": 0}),
        ("f=007", {"f": "007"}),
        ("leading_zeros=00009", {"leading_zeros": "00009"}),
        ("e=1.5", {"e": "1.5"}),
        ("c=1e+06", {"c": "1e+06"}),
        ("d=0x10", {"d": "0x10"}),
        ("k=9223372036854775808", {"k": "9223372036854775808"}),
        ("k=9223372036854775807", {"k": 9223372036854775807}),
        ("k=-9223372036854775808", {"k": -9223372036854775808}),
        ("h=TRUE", {"h": True}),
        ("f=false", {"f": False}),
        ("i=Null", {"i": None}),
        ("name1=null,f=false,t=true", {"name1": None, "f": False, "t": True}),
        ("name1={value1,value2}", {"name1": ["value1", "value2"]}),
        ("name1={1021,902}", {"name1": [1021, 902]}),
        ("list[0]=foo,list[3]=bar", {"list": ["foo", None, None, "bar"]}),
        ("nested[1][1]=1", {"nested": [None, [None, 1]]}),
        ("list[0].foo=bar,list[0].hello=world", {"list": [{"foo": "bar", "hello": "world"}]}),
        ("noval[0]", {"noval": []}),
        ("noval[0]=", {"noval": [""]}),
        (f"list[{MAX_INDEX}]=x", {"list": [None] * MAX_INDEX + ["x"]}),
        # escapes: a backslash takes the next character literally, in keys and values
        ("a\\.b=1", {"a.b": 1}),
        ("x=one\\,two", {"x": "one,two"}),
        ("x=a\\=b", {"x": "a=b"}),
        ("name1=one\\,two,name2=three\\,four", {"name1": "one,two", "name2": "three,four"}),
        ("a\\[0\\]=x", {"a[0]": "x"}),
        ("a=b\\", {"a": "b"}),
        # more of Helm's TestParseSet
        ("name1=value1", {"name1": "value1"}),
        ("long_int=1234567890", {"long_int": 1234567890}),
        ("name1=one two three,name2=three two one", {"name1": "one two three", "name2": "three two one"}),
        ("outer.inner=value", {"outer": {"inner": "value"}}),
        ("outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}}),
        ("outer.inner1=value,outer.middle.inner=value", {"outer": {"inner1": "value", "middle": {"inner": "value"}}}),
        ("name1={value1,value2},name2={value1,value2}", {"name1": ["value1", "value2"], "name2": ["value1", "value2"]}),
        ("name1.name2={value1,value2}", {"name1": {"name2": ["value1", "value2"]}}),
        ("list[0]=foo,list[1]=bar,", {"list": ["foo", "bar"]}),
        ("nested[0][0]=1", {"nested": [[1]]}),
        ("name1.name2[1].foo=bar,name1.name2[0].foo=bar", {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
        ("name1.name2[1].foo=bar", {"name1": {"name2": [None, {"foo": "bar"}]}}),
        # corners that Helm accepts silently
        ("a.", {}),
        ("=x", {}),
        ("a={}", {"a": [""]}),
        ("a={1}b=2", {"a": [1], "b": 2}),
        ("a.b=1,a=2", {"a": 2}),
        ("", {}),
    ],
)
def test_parse_set(expr: str, expected: dict[str, Any]) -> None:
    assert parse_set(expr) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("name1=value1,,,,name2=value2,", 'key "" has no value (cannot end with ,)'),
        ("name1,name2=", 'key "name1" has no value (cannot end with ,)'),
        ("name1,name2=value2", 'key "name1" has no value (cannot end with ,)'),
        ("name1", 'key "name1" has no value'),
        ("name1.name2", 'key "name2" has no value'),
        ("name1.name2,name1.name3", 'key "name2" has no value (cannot end with ,)'),
        ("name1.=name2", 'key map "name1" has no value'),
        ("name1.,name2", 'key "" has no value (cannot end with ,)'),
        ("name1={1021,902", "list must terminate with '}'"),
        ("list[-1]=x", "negative -1 index not allowed"),
        ("list[0].foo=bar,list[-30].hello=world", "negative -30 index not allowed"),
        (f"list[{MAX_INDEX + 1}]=x", f"index of {MAX_INDEX + 1} is greater than maximum supported index of {MAX_INDEX}"),
        ("illegal[0]name.foo=bar", 'unexpected data at end of array index: "name"'),
        ("a[x]=1", 'error parsing index: "x" is not an integer'),
        ("a[1", "error parsing index: missing ']'"),
        ("a=1,a.b=2", 'unable to parse key: "a" holds a int, not a map'),
        ("a[0]=1,a.b=2", 'unable to parse key: "a" holds a list, not a map'),
        ("a=x,a[0]=1", 'unable to parse key: "a" holds a str, not a list'),
        ("]={}].", 'unable to parse key: "]" holds a list, not a map'),
        (TOO_DEEP_KEY, NESTING_ERROR),
        ("a" + "[0]" * (MAX_NESTED_NAME_LEVEL + 1) + "=1", NESTING_ERROR),
    ],
)
def test_parse_set_errors(expr: str, message: str) -> None:
    with pytest.raises(SetParseError) as info:
        parse_set(expr)
    assert str(info.value) == message


def test_nesting_at_the_limit_is_allowed() -> None:
    names = [f"n{i}" for i in range(MAX_NESTED_NAME_LEVEL + 1)]
    expected: Any = "v"
    for name in reversed(names):
        expected = {name: expected}
    assert parse_set(".".join(names) + "=v") == expected
    nested: Any = 1
    for _ in range(MAX_NESTED_NAME_LEVEL):
        nested = [nested]
    assert parse_set("a" + "[0]" * MAX_NESTED_NAME_LEVEL + "=1") == {"a": nested}


@pytest.mark.parametrize(
    ("existing", "expr", "expected"),
    [
        (
            {"outer": {"inner1": "overwrite", "inner2": "value2"}},
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
            {"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}},
        ),
        ({"b": [3]}, "b[1]=9", {"b": [3, 9]}),
        (
            {"listOuter": [[[{"exited": "old"}]]]},
            "listOuter[0][1][0].type=listValue,listOuter[0][0][1].status=alive",
            {"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]},
        ),
        ({"a": None}, "a.b=1", {"a": {"b": 1}}),  # Helm fails here; a null is treated as absent
        ({"a": None}, "a[1]=x", {"a": [None, "x"]}),
        ({"a": ["s"]}, "a[0].k=v", {"a": [{"k": "v"}]}),
    ],
)
def test_parse_set_into_existing_values(existing: dict[str, Any], expr: str, expected: dict[str, Any]) -> None:
    result = parse_set(expr, existing)
    assert result is existing
    assert existing == expected


def test_parse_into_twice_builds_nested_lists() -> None:
    values: dict[str, Any] = {}
    parse_set("listOuter[0][0].type=listValue", values)
    parse_set("listOuter[1][0].status=alive", values)
    assert values == {"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("a=1,b=true,c=null", {"a": "1", "b": "true", "c": "null"}),
        ("long_int_string=1234567890,zero=0", {"long_int_string": "1234567890", "zero": "0"}),
        ("l={1,true}", {"l": ["1", "true"]}),
        ("x=one\\,two", {"x": "one,two"}),
    ],
)
def test_parse_set_string(expr: str, expected: dict[str, Any]) -> None:
    assert parse_set_string(expr) == expected


def test_parse_set_string_into() -> None:
    values = {"outer": {"inner1": "overwrite", "inner2": "value2"}}
    parse_set_string("outer.inner1=1,outer.inner3=3", values)
    assert values == {"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}}


@pytest.mark.parametrize(
    ("expr", "existing", "expected"),
    [
        ('a={"x":1},b=[1,"2"],c=', {}, {"a": {"x": 1}, "b": [1, "2"], "c": None}),
        ('{"top":true}', {"top": False, "o": 1}, {"top": True, "o": 1}),
        ('  {"n": {"b": 2}}  ', {"n": {"a": 1}}, {"n": {"a": 1, "b": 2}}),
        ('a={"x":1} , b=2', {}, {"a": {"x": 1}, " b": 2}),
        ("a=  ,b=1", {}, {"a": None, "b": 1}),
        ('a="1",b=1.5,c=true,d="true",e=null', {}, {"a": "1", "b": 1.5, "c": True, "d": "true", "e": None}),
        (
            'outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null',
            {"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2"}},
            {"outer": {"inner1": None, "inner2": "value2", "inner3": {"aa": "1", "bb": 2, "cc": [1, None, 3]}}},
        ),
        ('l[1]={"k":"v"}', {"l": ["a"]}, {"l": ["a", {"k": "v"}]}),
    ],
)
def test_parse_set_json(expr: str, existing: dict[str, Any], expected: dict[str, Any]) -> None:
    assert parse_set_json(expr, existing) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("a=notjson", "invalid JSON value: Expecting value"),
        ("a=NaN", "invalid JSON value: NaN is not valid JSON"),
        ("a=Infinity", "invalid JSON value: Infinity is not valid JSON"),
        ("{bad", "invalid JSON value: Expecting property name"),
        ('{"a":1} x', 'unexpected data after the JSON object: "x"'),
        ("a=1x", 'key "x" has no value'),
        ("a=" + "[" * 200 + "]" * 200, "JSON value nested deeper than 150 levels"),
        ("a=" + "[" * 5000 + "]" * 5000, "JSON value nested deeper than 150 levels"),
    ],
)
def test_parse_set_json_errors(expr: str, message: str) -> None:
    with pytest.raises(SetParseError) as info:
        parse_set_json(expr)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("lit=a,b=c{d}", {"lit": "a,b=c{d}"}),
        ("name=", {"name": ""}),
        ("boolean=true,zero=0", {"boolean": "true,zero=0"}),
        ("name1=value,,,tail", {"name1": "value,,,tail"}),
        ("name={value1,value2}", {"name": "{value1,value2}"}),
        ("name=val\\val", {"name": "val\\val"}),
        ("name=val\\\\val", {"name": "val\\\\val"}),
        ("]={}].", {"]": "{}]."}),
        ("outer.inner=value", {"outer": {"inner": "value"}}),
        ("list[3]=bar", {"list": [None, None, None, "bar"]}),
        ("nested[1][1]=1", {"nested": [None, [None, "1"]]}),
        ("name1.name2[1].foo=bar", {"name1": {"name2": [None, {"foo": "bar"}]}}),
        ("a,b.c=x=y", {"a,b": {"c": "x=y"}}),
        ("noval[0]", {"noval": []}),
    ],
)
def test_parse_set_literal(expr: str, expected: dict[str, Any]) -> None:
    assert parse_set_literal(expr) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("name", 'key "name" has no value'),
        ("name1.name2", 'key "name2" has no value'),
        ("name1.=name2", 'key map "name1" has no value'),
        ("name1.,name2", 'key ",name2" has no value'),
        ("list[-30].hello=world", "negative -30 index not allowed"),
        ("illegal[0]name.foo=bar", 'unexpected data at end of array index: "name"'),
        (TOO_DEEP_KEY, NESTING_ERROR),
    ],
)
def test_parse_set_literal_errors(expr: str, message: str) -> None:
    with pytest.raises(SetParseError) as info:
        parse_set_literal(expr)
    assert str(info.value) == message


def test_parse_set_literal_into() -> None:
    values = {"outer": {"inner1": "overwrite", "inner2": "value2"}}
    parse_set_literal("outer.inner1=value1,outer.inner3=value3", values)
    assert values == {"outer": {"inner1": "value1,outer.inner3=value3", "inner2": "value2"}}


def test_parse_set_file_reads_each_value_as_a_path() -> None:
    read: list[str] = []

    def read_file(path: str) -> str:
        read.append(path)
        return f"content of {path}"

    values = parse_set_file("k=path1,l={p,q},m[1]=r,e=", read_file=read_file)
    assert values == {
        "k": "content of path1",
        "l": ["content of p", "content of q"],
        "m": [None, "content of r"],
        "e": "",
    }
    assert read == ["path1", "p", "q", "r"]


def test_parse_set_file_default_reader(tmp_path: Any) -> None:
    path = tmp_path / "cert.pem"
    path.write_bytes(b"line1\nline2\n\xff")
    assert parse_set_file(f"cert={path}") == {"cert": "line1\nline2\n\ufffd"}
    with pytest.raises(ValuesError, match=f"^open {tmp_path}/missing: no such file or directory$"):
        parse_set_file(f"k={tmp_path}/missing")
