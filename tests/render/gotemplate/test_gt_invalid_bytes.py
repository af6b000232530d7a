"""Quoting Go strings that hold bytes that are not UTF-8 (issue #6).

``.Files.Get`` of a binary file gives a Go string of raw bytes; helmlite carries each such
byte as a surrogate escape (U+DC80 + byte). Go's ``strconv.Quote`` (``quote``, ``printf "%q"``,
``%#v``) writes each one as ``\\xff``, which is also a valid YAML escape, so Helm renders these
templates. Expected outputs were printed by the real ``helm template`` (v4.3.1) for the same
templates and files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FILES = {
    "ff.bin": b"\xff",
    "ffb.bin": b"\xffb",
    "mixed.bin": b'a\xffb\xc3\xa9\xed\xa0\x80\xe2\x82z"\n',  # valid é, an encoded surrogate, a cut rune
    "cut.bin": b"\x80\xbf\xf0\x9f\x98",
}
MIXED_QUOTED = '"a\\xffbé\\xed\\xa0\\x80\\xe2\\x82z\\"\\n"'

CASES = [
    ('{{ .Files.Get "ff.bin" | quote }}', '"\\xff"'),
    ('{{ .Files.Get "mixed.bin" | quote }}', MIXED_QUOTED),
    ('{{ printf "%q" (.Files.Get "mixed.bin") }}', MIXED_QUOTED),
    ('{{ printf "%#v" (.Files.Get "mixed.bin") }}', MIXED_QUOTED),
    # Width and precision count runes; each invalid byte is one.
    ('{{ printf "%10q|" (.Files.Get "ff.bin") }}', '    "\\xff"|'),
    ('{{ printf "%-8q|" (.Files.Get "ff.bin") }}', '"\\xff"  |'),
    ('{{ printf "%.1q" (.Files.Get "ffb.bin") }}', '"\\xff"'),
    ('{{ quote (.Files.Get "ff.bin") "x" }}', '"\\xff" "x"'),
    ('{{ .Files.Get "cut.bin" | quote }}', '"\\x80\\xbf\\xf0\\x9f\\x98"'),
    # The quoted text is plain ASCII: six bytes.
    ('{{ .Files.Get "ff.bin" | quote | len }}', "6"),
    # squote does not escape: the raw bytes, seen through b64enc.
    ('{{ .Files.Get "mixed.bin" | squote | b64enc }}', "J2H/YsOp7aCA4oJ6Igon"),
]


@pytest.mark.parametrize(("template", "expected"), CASES, ids=[case[0] for case in CASES])
def test_quotes_invalid_bytes_as_go_does(template: str, expected: str, make_chart: Any, render: Any) -> None:
    chart = make_chart("c", {"t.yaml": template}, engine=None, files=FILES)
    assert render(chart)["c/templates/t.yaml"] == expected


# A string literal's \x escapes are bytes too; the template parser still turns an invalid one
# into U+FFFD (helmlite/render/gotemplate/parser.py, go_unquote), so these wait for that fix.
LITERAL_CASES = [
    ('{{ "\\xff" | quote }}', '"\\xff"'),
    ('{{ "a\\xffb\\u00e9" | quote }}', '"a\\xffbé"'),
    ('{{ printf "%q" "\\xc3" }}', '"\\xc3"'),
    ('{{ "\\x80\\xbf\\xf0\\x9f\\x98" | quote }}', '"\\x80\\xbf\\xf0\\x9f\\x98"'),
    ('{{ "\\xff" | quote | len }}', "6"),
]


@pytest.mark.parametrize(("template", "expected"), LITERAL_CASES, ids=[case[0] for case in LITERAL_CASES])
def test_quotes_invalid_bytes_of_string_literals(template: str, expected: str, make_chart: Any, render: Any) -> None:
    chart = make_chart("c", {"t.yaml": template}, engine=None)
    assert render(chart)["c/templates/t.yaml"] == expected


def test_template_writes_the_quoted_bytes_as_helm_does(cli: Any, tmp_path: Path) -> None:
    chart = tmp_path / "q"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: q\nversion: 0.1.0\n")
    (chart / "mixed.bin").write_bytes(FILES["mixed.bin"])
    (chart / "templates" / "cm.yaml").write_text(
        'a: {{ .Files.Get "mixed.bin" | quote }}\nb: {{ printf "%q" (.Files.Get "mixed.bin") }}\n')

    result = cli("template", str(chart))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"---\n# Source: q/templates/cm.yaml\na: {MIXED_QUOTED}\nb: {MIXED_QUOTED}\n"
