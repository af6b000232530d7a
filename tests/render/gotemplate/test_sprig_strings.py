"""Sprig's string functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_strings  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcs.gotypes import Int64, StringList
from helmlite.render.gotemplate.funcs.sprig_strings import go_bytes
from helmlite.render.gotemplate.funcspec import REGISTRY

# --- helm table CASES
CASES = [
    ('hello', (), 'Hello!', 'string'),
    ('trim', ('  a b \t\n',), 'a b', 'string'),
    ('trim', ('\xa0x\u2003',), 'x', 'string'),
    ('trim', ('\x1cx\x1c',), '\x1cx\x1c', 'string'),
    ('trim', ('',), '', 'string'),
    ('trimAll', ('$', '$$5.00$'), '5.00', 'string'),
    ('trimAll', ('', ' a '), ' a ', 'string'),
    ('trimAll', ('ab', 'abcba'), 'c', 'string'),
    ('trimall', ('-', '--x--'), 'x', 'string'),
    ('trimPrefix', ('-', '--x'), '-x', 'string'),
    ('trimSuffix', ('-', 'a--'), 'a-', 'string'),
    ('trimSuffix', ('', 'a'), 'a', 'string'),
    ('trimPrefix', ('x', 'abc'), 'abc', 'string'),
    ('upper', ('hello ß ǆ ﬁ',), 'HELLO ß Ǆ ﬁ', 'string'),
    ('lower', ('HELLO İ Σ',), 'hello i σ', 'string'),
    ('upper', ('',), '', 'string'),
    ('title', ("hello world-foo_bar 3rd élan o'neil",), "Hello World-Foo_bar 3rd Élan O'Neil", 'string'),
    ('title', ('ǆemal ßa',), 'ǅemal ßa', 'string'),
    ('untitle', ('Hello World  FOO\tBar',), 'hello world  fOO\tbar', 'string'),
    ('substr', (1, 3, 'abcdef'), 'bc', 'string'),
    ('substr', (2, -1, 'abcdef'), 'cdef', 'string'),
    ('substr', (-1, 2, 'abcdef'), 'ab', 'string'),
    ('substr', (2, 99, 'abcdef'), 'cdef', 'string'),
    ('substr', (0, 2, 'héllo'), 'h�', 'string'),
    ('repeat', (3, 'ab'), 'ababab', 'string'),
    ('repeat', (0, 'ab'), '', 'string'),
    ('nospace', ('a b\tc\nd',), 'abcd', 'string'),
    ('nospace', ('é x',), 'Ã©x', 'string'),
    ('nospace', ('héllo',), 'héllo', 'string'),
    ('nospace', ('',), '', 'string'),
    ('trunc', (3, 'hello'), 'hel', 'string'),
    ('trunc', (-3, 'hello'), 'llo', 'string'),
    ('trunc', (10, 'hello'), 'hello', 'string'),
    ('trunc', (-10, 'hello'), 'hello', 'string'),
    ('trunc', (0, 'hello'), '', 'string'),
    ('trunc', (-5, 'hello'), 'hello', 'string'),
    ('trunc', (2, 'héllo'), 'h�', 'string'),
    ('abbrev', (5, 'hello world'), 'he...', 'string'),
    ('abbrev', (3, 'hello world'), 'hello world', 'string'),
    ('abbrev', (20, 'hello world'), 'hello world', 'string'),
    ('abbrev', (4, 'hello world'), 'h...', 'string'),
    ('abbrev', (5, ''), '', 'string'),
    ('abbrevboth', (5, 10, '1234 5678 9123'), '...5678...', 'string'),
    ('abbrevboth', (0, 4, 'hello world'), 'h...', 'string'),
    ('abbrevboth', (1, 6, 'hello world'), 'hello world', 'string'),
    ('abbrevboth', (3, 7, 'abcdefghijklmno'), 'abcd...', 'string'),
    ('abbrevboth', (10, 8, 'abcdefghijklmno'), '...klmno', 'string'),
    ('abbrevboth', (20, 10, 'abcdefghijklmnopqrst'), '...nopqrst', 'string'),
    ('initials', ('hello big world',), 'hbw', 'string'),
    ('initials', ('  élan vital',), 'Ãv', 'string'),
    ('initials', ('',), '', 'string'),
    ('swapcase', ('Hello World ǅx',), 'hELLO wORLD ǆX', 'string'),
    ('swapcase', ('this Is A.test',), 'THIS iS a.TEST', 'string'),
    ('snakecase', ('FirstName',), 'first_name', 'string'),
    ('snakecase', ('HTTPServer',), 'http_server', 'string'),
    ('snakecase', ('NoHTTPS',), 'no_https', 'string'),
    ('snakecase', ('GO PATH',), 'go_path', 'string'),
    ('snakecase', ('http2xx',), 'http_2xx', 'string'),
    ('snakecase', ('HTTP20xOK',), 'http_20x_ok', 'string'),
    ('snakecase', ('Bld4Floor3rd',), 'bld4_floor_3rd', 'string'),
    ('snakecase', ('a.b,C!D',), 'a.b,c!d', 'string'),
    ('snakecase', ('A1',), 'a1', 'string'),
    ('snakecase', ('A1b',), 'a_1b', 'string'),
    ('snakecase', ('x1 2y',), 'x1_2y', 'string'),
    ('snakecase', ('  lead',), '__lead', 'string'),
    ('snakecase', ('ÉcoleNormale',), 'école_normale', 'string'),
    ('snakecase', ('中文Test',), '中文_test', 'string'),
    ('kebabcase', ('FirstName',), 'first-name', 'string'),
    ('kebabcase', ('some_words here',), 'some-words-here', 'string'),
    ('kebabcase', ('HTTP20xOK',), 'http-20x-ok', 'string'),
    ('camelcase', ('http_server',), 'HttpServer', 'string'),
    ('camelcase', ('_complex__case_',), '_Complex_Case_', 'string'),
    ('camelcase', ('some words',), 'SomeWords', 'string'),
    ('camelcase', ('GOLANG_IS_GREAT',), 'GolangIsGreat', 'string'),
    ('camelcase', ('a',), 'A', 'string'),
    ('camelcase', ('__',), '___', 'string'),
    ('camelcase', ('HelloWorld',), 'HelloWorld', 'string'),
    ('camelcase', ('hello-world-x',), 'HelloWorldX', 'string'),
    ('camelcase', ('ABC def',), 'AbcDef', 'string'),
    ('wrap', (5, 'hello world foo bar'), 'hello\nworld\nfoo\nbar', 'string'),
    ('wrap', (3, 'abcdefgh ij'), 'abcdefgh\nij', 'string'),
    ('wrap', (0, 'a b'), 'a\nb', 'string'),
    ('wrap', (10, '  leading spaces and more words'), 'leading\nspaces and\nmore words', 'string'),
    ('wrap', (4, 'hello'), 'hello', 'string'),
    ('wrapWith', (5, '\t', 'Hello World'), 'Hello\tWorld', 'string'),
    ('wrapWith', (3, '|', 'abcdefgh ij'), 'abc|def|gh|ij', 'string'),
    ('wrapWith', (5, '', 'hello world'), 'hello\nworld', 'string'),
    ('contains', ('cat', 'catch'), 'true', 'bool'),
    ('contains', ('', 'x'), 'true', 'bool'),
    ('hasPrefix', ('ca', 'cat'), 'true', 'bool'),
    ('hasSuffix', ('at', 'cat'), 'true', 'bool'),
    ('hasSuffix', ('x', 'cat'), 'false', 'bool'),
    ('quote', ('a',), '"a"', 'string'),
    ('quote', ('a"b\n\t\\é\x01',), '"a\\"b\\n\\t\\\\é\\x01"', 'string'),
    ('quote', (None,), '', 'string'),
    ('quote', (1, 2), '"1" "2"', 'string'),
    ('quote', (1000000.0, 2.5, True, None, 'x'), '"1e+06" "2.5" "true" "x"', 'string'),
    ('quote', ([1, 'a'],), '"[1 a]"', 'string'),
    ('quote', ({'a': 1},), '"map[a:1]"', 'string'),
    ('quote', (), '', 'string'),
    ('squote', ('a',), "'a'", 'string'),
    ('squote', ('a\'b"',), '\'a\'b"\'', 'string'),
    ('squote', (None, 1, 15000000.0), "'1' '1.5e+07'", 'string'),
    ('squote', (), '', 'string'),
    ('cat', ('a', 1, None, 2.5, True), 'a 1 2.5 true', 'string'),
    ('cat', (), '', 'string'),
    ('cat', (None,), '', 'string'),
    ('cat', ([1, 2], {'b': None}), '[1 2] map[b:<nil>]', 'string'),
    ('indent', (2, 'a\nb\n\nc'), '  a\n  b\n  \n  c', 'string'),
    ('indent', (0, 'a'), 'a', 'string'),
    ('nindent', (4, 'a\nb'), '\n    a\n    b', 'string'),
    ('indent', (2, ''), '  ', 'string'),
    ('replace', ('a', 'b', 'banana'), 'bbnbnb', 'string'),
    ('replace', ('', '-', 'abc'), '-a-b-c-', 'string'),
    ('replace', ('x', 'y', ''), '', 'string'),
    ('plural', ('one', 'many', 1), 'one', 'string'),
    ('plural', ('one', 'many', 2), 'many', 'string'),
    ('plural', ('one', 'many', 0), 'many', 'string'),
    ('toString', (1,), '1', 'string'),
    ('toString', (1000000.0,), '1e+06', 'string'),
    ('toString', (80.0,), '80', 'string'),
    ('toString', (None,), '<nil>', 'string'),
    ('toString', (True,), 'true', 'string'),
    ('toString', ([1, 'a', None],), '[1 a <nil>]', 'string'),
    ('toString', ({'b': 2, 'a': [1]},), 'map[a:[1] b:2]', 'string'),
    ('toString', (0.1,), '0.1', 'string'),
    ('toString', (Int64(5),), '5', 'string'),
    ('toString', (StringList(['a', 'b']),), '[a b]', 'string'),
    ('toString', (1e+21,), '1e+21', 'string'),
    ('toString', (-0.0,), '-0', 'string'),
    ('toString', (1e-05,), '1e-05', 'string'),
    ('toString', (123456789.0,), '1.23456789e+08', 'string'),
    ('toStrings', ([1, 'a', None, 2.5, True],), '[1 a 2.5 true]', '[]string'),
    ('toStrings', ('abc',), '[abc]', '[]string'),
    ('toStrings', (None,), '[]', '[]string'),
    ('toStrings', (5,), '[5]', '[]string'),
    ('toStrings', ({'a': 1},), '[map[a:1]]', '[]string'),
    ('toStrings', ([],), '[]', '[]string'),
    ('toStrings', (StringList(['x']),), '[x]', '[]string'),
    ('split', ('$', 'foo$bar$baz'), 'map[_0:foo _1:bar _2:baz]', 'map[string]string'),
    ('split', (',', ''), 'map[_0:]', 'map[string]string'),
    ('split', ('', 'abc'), 'map[_0:a _1:b _2:c]', 'map[string]string'),
    ('split', ('', ''), 'map[]', 'map[string]string'),
    ('splitn', ('$', 2, 'foo$bar$baz'), 'map[_0:foo _1:bar$baz]', 'map[string]string'),
    ('splitn', ('$', 0, 'a$b'), 'map[]', 'map[string]string'),
    ('splitn', ('$', -1, 'a$b$c'), 'map[_0:a _1:b _2:c]', 'map[string]string'),
    ('splitn', ('', 2, 'abc'), 'map[_0:a _1:bc]', 'map[string]string'),
    ('splitList', (',', 'a,b,c'), '[a b c]', '[]string'),
    ('splitList', (',', ''), '[]', '[]string'),
    ('splitList', ('', 'abc'), '[a b c]', '[]string'),
    ('splitList', ('', ''), '[]', '[]string'),
    ('splitList', (', ', 'a, b,c'), '[a b,c]', '[]string'),
    ('join', ('-', ['a', 1, None, True]), 'a-1-true', 'string'),
    ('join', (',', 'abc'), 'abc', 'string'),
    ('join', (',', None), '', 'string'),
    ('join', (',', 5), '5', 'string'),
    ('join', (',', StringList(['x', 'y'])), 'x,y', 'string'),
    ('join', (',', []), '', 'string'),
    ('join', (',', {'a': 1}), 'map[a:1]', 'string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('substr', (3, 2, 'abcdef'), 'runtime error: slice bounds out of range [3:2]'),
    ('substr', (7, 9, 'abcdef'), 'runtime error: slice bounds out of range [7:6]'),
    ('substr', (-1, 9, 'abcdef'), 'runtime error: slice bounds out of range [:9] with length 6'),
    ('substr', (-1, -1, 'abcdef'), 'runtime error: slice bounds out of range [:-1]'),
    ('substr', (7, -1, 'abcdef'), 'runtime error: slice bounds out of range [7:6]'),
    ('repeat', (-1, 'ab'), 'strings: negative Repeat count'),
    ('indent', (-1, 'a'), 'strings: negative Repeat count'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)


def test_byte_offsets_cut_characters_as_go_does() -> None:
    # Go slices bytes: half of "é" survives and prints as the raw byte it is.
    assert go_bytes(REGISTRY["trunc"].fn(2, "héllo")) == b"h\xc3"
    assert go_bytes(REGISTRY["substr"].fn(0, 2, "héllo")) == b"h\xc3"
    assert REGISTRY["trunc"].fn(3, "héllo") == "hé"


def test_shuffle_permutes_the_characters() -> None:
    text = "abcdefghijklmnopqrstuvwxyzé"
    shuffled = REGISTRY["shuffle"].fn(text)
    assert sorted(shuffled) == sorted(text)
    assert REGISTRY["shuffle"].fn("") == ""
