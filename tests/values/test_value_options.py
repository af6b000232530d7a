"""ValueOptions.merge: Helm's order by flag type (-f, --set-json, --set, --set-string, --set-file, --set-literal)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from helmlite.errors import SetParseError, ValuesError
from helmlite.values.options import ValueOptions


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_no_flags_give_empty_values() -> None:
    assert ValueOptions().merge() == {}


def test_options_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ValueOptions().value_files = ("x",)  # type: ignore[misc]


def test_precedence_is_by_flag_type(tmp_path: Path) -> None:
    first = write(tmp_path, "first.yaml", "a: file1\nb: file1\nc: file1\nd: file1\ne: file1\nf: file1\ng: file1\n")
    second = write(tmp_path, "second.yaml", "b: file2\nc: file2\nd: file2\ne: file2\nf: file2\ng: file2\n")
    content = write(tmp_path, "content.txt", "from-file")
    options = ValueOptions(
        value_files=(first, second),
        json_values=('c="json",d="json",e="json",f="json",g="json"',),
        set_values=("d=set,e=set,f=set,g=set",),
        string_values=("e=string,f=string,g=string",),
        file_values=(f"f={content},g={content}",),
        literal_values=("g=literal",),
    )
    assert options.merge() == {
        "a": "file1",
        "b": "file2",
        "c": "json",
        "d": "set",
        "e": "string",
        "f": "from-file",
        "g": "literal",
    }


def test_later_flags_of_one_type_win(tmp_path: Path) -> None:
    options = ValueOptions(set_values=("a=1,b=1", "b=2"), string_values=("c=1", "c=2"))
    assert options.merge() == {"a": 1, "b": 2, "c": "2"}


def test_value_files_merge_in_order(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "m: {x: 1, z: 1}\nl: [1, 2]\ns: one\n")
    second = write(tmp_path, "b.yaml", "m: {x: 2}\nl: [3]\nnew: true\ns: null\n")
    assert ValueOptions(value_files=(first, second)).merge() == {"m": {"x": 2, "z": 1}, "l": [3], "new": True, "s": None}


def test_set_writes_into_the_lists_of_value_files(tmp_path: Path) -> None:
    path = write(tmp_path, "v.yaml", "b: [3]\n")
    assert ValueOptions(value_files=(path,), set_values=("b[1]=9",)).merge() == {"b": [3, 9]}


def test_whole_json_object_merges_like_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "v.yaml", "m: {a: 1}\n")
    options = ValueOptions(value_files=(path,), json_values=('{"m": {"b": 2}, "top": true}', "m.c=3"))
    assert options.merge() == {"m": {"a": 1, "b": 2, "c": 3}, "top": True}


def test_dash_reads_standard_input(tmp_path: Path) -> None:
    options = ValueOptions(value_files=("-",), set_values=("b=2",))
    assert options.merge(stdin=io.StringIO("a: 1\nb: 1\n")) == {"a": 1, "b": 2}
    assert ValueOptions(file_values=("k=-",)).merge(stdin=io.StringIO("text\n")) == {"k": "text\n"}


def test_set_file_keeps_the_exact_content(tmp_path: Path) -> None:
    path = tmp_path / "script.sh"
    path.write_bytes(b"#!/bin/sh\necho 'a, b'\n")
    assert ValueOptions(file_values=(f"script={path}",)).merge() == {"script": "#!/bin/sh\necho 'a, b'\n"}


def test_missing_value_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    with pytest.raises(ValuesError) as info:
        ValueOptions(value_files=(missing,)).merge()
    assert str(info.value) == f"open {missing}: no such file or directory"


def test_value_file_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValuesError, match=f"^open {tmp_path}: is a directory$"):
        ValueOptions(value_files=(str(tmp_path),)).merge()


@pytest.mark.parametrize("url", ["https://example.com/values.yaml", "HTTP://example.com/v.yaml"])
def test_urls_are_not_supported_yet(url: str) -> None:
    with pytest.raises(ValuesError, match="reading values from a URL is not supported yet"):
        ValueOptions(value_files=(url,)).merge()


def test_invalid_value_file_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "a: [1\n")
    with pytest.raises(ValuesError) as raised:
        ValueOptions(value_files=(path,)).merge()
    assert str(raised.value) == (
        f"failed to parse {path}: cannot unmarshal yaml document: error converting YAML to JSON: "
        "yaml: line 1: did not find expected ',' or ']'"
    )
    listing = write(tmp_path, "list.yaml", "- 1\n")
    with pytest.raises(ValuesError, match=f"^failed to parse {listing}: values must be a map of keys to values, got list$"):
        ValueOptions(value_files=(listing,)).merge()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ValueOptions(set_values=("name1",)), 'failed parsing --set data: key "name1" has no value'),
        (ValueOptions(string_values=("a[-1]=x",)), "failed parsing --set-string data: negative -1 index not allowed"),
        (ValueOptions(json_values=("a=notjson",)), "failed parsing --set-json data a=notjson: invalid JSON value: "),
        (ValueOptions(literal_values=("name",)), 'failed parsing --set-literal data: key "name" has no value'),
        (
            ValueOptions(file_values=("k=/nonexistent/file",)),
            "failed parsing --set-file data: open /nonexistent/file: no such file or directory",
        ),
        (
            ValueOptions(file_values=("k=https://example.com/x",)),
            "failed parsing --set-file data: https://example.com/x: reading values from a URL is not supported yet",
        ),
    ],
)
def test_expression_errors_name_the_flag(options: ValueOptions, message: str) -> None:
    with pytest.raises(SetParseError) as info:
        options.merge()
    assert str(info.value).startswith(message)
