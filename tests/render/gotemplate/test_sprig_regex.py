"""Sprig's regular-expression functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_regex  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcspec import REGISTRY

# --- helm table CASES
CASES = [
    ('regexMatch', ('^[a-z]+$', 'abc'), 'true', 'bool'),
    ('regexMatch', ('^[a-z]+$', 'abc\n'), 'false', 'bool'),
    ('regexMatch', ('(', 'x'), 'false', 'bool'),
    ('regexMatch', ('a.c', 'a\nc'), 'false', 'bool'),
    ('regexMatch', ('(?s)a.c', 'a\nc'), 'true', 'bool'),
    ('regexMatch', ('(?i)ABC', 'xabcx'), 'true', 'bool'),
    ('regexMatch', ('\\d', '٣'), 'false', 'bool'),
    ('regexMatch', ('\\w', 'é'), 'false', 'bool'),
    ('regexMatch', ('\\s', '\x0b'), 'false', 'bool'),
    ('regexMatch', ('\\bfoo\\b', 'éfooé'), 'true', 'bool'),
    ('regexMatch', ('(?m)^b$', 'a\nb\nc'), 'true', 'bool'),
    ('regexMatch', ('^b$', 'a\nb\nc'), 'false', 'bool'),
    ('regexMatch', ('a\\z', 'a'), 'true', 'bool'),
    ('regexMatch', ('a\\Z', 'a'), 'false', 'bool'),
    ('regexMatch', ('(?=a)', 'a'), 'false', 'bool'),
    ('regexMatch', ('[[:alpha:]]+', 'abc'), 'true', 'bool'),
    ('regexMatch', ('\\pL', 'é'), 'true', 'bool'),
    ('regexMatch', ('\\p{Lu}', 'é'), 'false', 'bool'),
    ('regexMatch', ('x{,3}', 'x{,3}'), 'true', 'bool'),
    ('regexMatch', ('(?i)[^a]', 'A'), 'false', 'bool'),
    ('regexMatch', ('\\Qa.b\\E', 'a.b'), 'true', 'bool'),
    ('regexMatch', ('\\Qa.b\\E', 'axb'), 'false', 'bool'),
    ('regexMatch', ('[\\d-z]', '-'), 'true', 'bool'),
    ('regexMatch', ('a|(?i)b|c', 'C'), 'true', 'bool'),
    ('regexMatch', ('a(?i)b|c', 'C'), 'true', 'bool'),
    ('regexMatch', ('(?i:a)b', 'AB'), 'false', 'bool'),
    ('regexMatch', ('\\x41\\x{42}\\101', 'ABA'), 'true', 'bool'),
    ('regexMatch', ('[^\\n]', '\n'), 'false', 'bool'),
    ('regexMatch', ('(?U)a+', 'aaa'), 'true', 'bool'),
    ('mustRegexMatch', ('(?P<n>a)(?P<n>b)', 'x'), 'false', 'bool'),
    ('mustRegexMatch', ('x{01}', 'x{01}'), 'true', 'bool'),
    ('mustRegexMatch', ('^*', 'x'), 'true', 'bool'),
    ('regexFindAll', ('a*', 'baaac', -1), '[ aaa ]', '[]string'),
    ('regexFindAll', ('[0-9]+', 'a1b22c333', 2), '[1 22]', '[]string'),
    ('regexFindAll', ('x', 'abc', -1), '[]', '[]string'),
    ('regexFindAll', ('', 'abc', -1), '[   ]', '[]string'),
    ('regexFindAll', ('a', 'aaa', 0), '[]', '[]string'),
    ('regexFindAll', ('a|', 'baab', -1), '[ a a ]', '[]string'),
    ('regexFind', ('[0-9]+', 'ab12cd34'), '12', 'string'),
    ('regexFind', ('x', 'abc'), '', 'string'),
    ('regexFind', ('a+?', 'aaa'), 'a', 'string'),
    ('regexFind', ('(a|ab)(c|bcd)', 'abcd'), 'abcd', 'string'),
    ('regexReplaceAll', ('a(x*)b', '-ab-axxb-', '${1}W'), '-W-xxW-', 'string'),
    ('regexReplaceAll', ('a(x*)b', '-ab-axxb-', '$1W'), '---', 'string'),
    ('regexReplaceAll', ('(?P<first>\\w+) (?P<last>\\w+)', 'John Smith', '$last, $first'), 'Smith, John', 'string'),
    ('regexReplaceAll', ('a', 'aaa', '$$'), '$$$', 'string'),
    ('regexReplaceAll', ('a*', 'baaac', '-'), '-b-c-', 'string'),
    ('regexReplaceAll', ('', 'abc', '-'), '-a-b-c-', 'string'),
    ('regexReplaceAll', ('x', 'abc', '$1'), 'abc', 'string'),
    ('regexReplaceAll', ('(a)', 'a', '$2|$0|${1}|$|${x|$01'), '|a|a|$|${x|', 'string'),
    ('regexReplaceAll', ('(?i)HELLO', 'hello Hello', 'bye'), 'bye bye', 'string'),
    ('regexReplaceAll', ('\\s+', 'a  b\t\tc', ' '), 'a b c', 'string'),
    ('regexReplaceAll', ('^', 'ab', 'X'), 'Xab', 'string'),
    ('regexReplaceAll', ('$', 'ab\n', 'X'), 'ab\nX', 'string'),
    ('regexReplaceAll', ('b*', 'abc', 'X'), 'XaXcX', 'string'),
    ('regexReplaceAllLiteral', ('a(x*)b', '-ab-axxb-', '${1}'), '-${1}-${1}-', 'string'),
    ('mustRegexReplaceAllLiteral', ('a+', 'caaat', '$'), 'c$t', 'string'),
    ('regexSplit', ('a', 'banana', -1), '[b n n ]', '[]string'),
    ('regexSplit', ('a', 'banana', 2), '[b nana]', '[]string'),
    ('regexSplit', ('a', 'banana', 0), '[]', '[]string'),
    ('regexSplit', ('', 'abc', -1), '[a b c]', '[]string'),
    ('regexSplit', ('x*', 'axbxc', -1), '[a b c]', '[]string'),
    ('regexSplit', ('a', '', -1), '[]', '[]string'),
    ('regexSplit', ('', '', -1), '[]', '[]string'),
    ('regexSplit', ('z+', 'pizza', -1), '[pi a]', '[]string'),
    ('regexSplit', ('a', 'aaa', -1), '[   ]', '[]string'),
    ('regexQuoteMeta', ('1.5-2.0?[x]{y}|$^\\',), '1\\.5-2\\.0\\?\\[x\\]\\{y\\}\\|\\$\\^\\\\', 'string'),
    ('regexQuoteMeta', ('',), '', 'string'),
    ('mustRegexMatch', ('\\x{41}', 'x'), 'false', 'bool'),
    ('mustRegexMatch', ('\\x{10FFFF}', 'x'), 'false', 'bool'),
    ('regexReplaceAll', ('(?P<n>a)(?P<n>b)', 'ab', '[$n]'), '[a]', 'string'),
    ('regexReplaceAll', ('(?P<1x>a)', 'a', '[$1x]'), '[a]', 'string'),
    ('regexReplaceAll', ('(a)', 'a', '[$1x][${1}x][$001][$0a]'), '[][ax][][]', 'string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('mustRegexMatch', ('(', 'x'), 'error parsing regexp: missing closing ): `(`'),
    ('mustRegexMatch', ('a**', 'x'), 'error parsing regexp: invalid nested repetition operator: `**`'),
    ('mustRegexMatch', ('*a', 'x'), 'error parsing regexp: missing argument to repetition operator: `*`'),
    ('mustRegexMatch', ('a{1001}', 'x'), 'error parsing regexp: invalid repeat count: `{1001}`'),
    ('mustRegexMatch', ('[a', 'x'), 'error parsing regexp: missing closing ]: `[a`'),
    ('mustRegexMatch', ('a)', 'x'), 'error parsing regexp: unexpected ): `a)`'),
    ('mustRegexMatch', ('\\1', 'x'), 'error parsing regexp: invalid escape sequence: `\\1`'),
    ('mustRegexMatch', ('(?=a)', 'x'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'),
    ('mustRegexMatch', ('(?!a)', 'x'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`'),
    ('mustRegexMatch', ('(?<=a)b', 'x'), 'error parsing regexp: invalid named capture: `(?<=a)b`'),
    ('mustRegexMatch', ('(?P=n)', 'x'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?P`'),
    ('mustRegexMatch', ('a\\', 'x'), 'error parsing regexp: trailing backslash at end of expression: ``'),
    ('mustRegexMatch', ('[z-a]', 'x'), 'error parsing regexp: invalid character class range: `z-a`'),
    ('mustRegexMatch', ('\\8', 'x'), 'error parsing regexp: invalid escape sequence: `\\8`'),
    ('mustRegexMatch', ('\\q', 'x'), 'error parsing regexp: invalid escape sequence: `\\q`'),
    ('mustRegexMatch', ('a*+', 'x'), 'error parsing regexp: invalid nested repetition operator: `*+`'),
    ('mustRegexMatch', ('a*?*', 'x'), 'error parsing regexp: invalid nested repetition operator: `*?*`'),
    ('mustRegexMatch', ('a{2}{3}', 'x'), 'error parsing regexp: invalid nested repetition operator: `{2}{3}`'),
    ('mustRegexMatch', ('(?i)*', 'x'), 'error parsing regexp: missing argument to repetition operator: `*`'),
    ('mustRegexMatch', ('[[:foo:]]', 'x'), 'error parsing regexp: invalid character class range: `[:foo:]`'),
    ('mustRegexMatch', ('\\p{Foo}', 'x'), 'error parsing regexp: invalid character class range: `\\p{Foo}`'),
    ('mustRegexMatch', ('(?P<>a)', 'x'), 'error parsing regexp: invalid named capture: `(?P<>`'),
    ('mustRegexMatch', ('a{2,1}', 'x'), 'error parsing regexp: invalid repeat count: `{2,1}`'),
    ('mustRegexMatch', ('\\x{110000}', 'x'), 'error parsing regexp: invalid escape sequence: `\\x{110000`'),
    ('mustRegexMatch', ('\\xZZ', 'x'), 'error parsing regexp: invalid escape sequence: `\\xZZ`'),
    ('mustRegexMatch', ('(?#c)', 'x'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?#`'),
    ('mustRegexMatch', ('(?z)', 'x'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?z`'),
    ('mustRegexMatch', ('|*', 'x'), 'error parsing regexp: missing argument to repetition operator: `*`'),
    ('mustRegexMatch', ('(a', 'x'), 'error parsing regexp: missing closing ): `(a`'),
    ('regexFindAll', ('(', 'a', -1), 'regexp: Compile(`(`): error parsing regexp: missing closing ): `(`'),
    ('mustRegexFindAll', ('(', 'a', -1), 'error parsing regexp: missing closing ): `(`'),
    ('mustRegexFind', ('[', 'a'), 'error parsing regexp: missing closing ]: `[`'),
    ('regexReplaceAll', ('[', 'a', 'b'), 'regexp: Compile(`[`): error parsing regexp: missing closing ]: `[`'),
    ('mustRegexReplaceAll', ('[', 'a', 'b'), 'error parsing regexp: missing closing ]: `[`'),
    ('mustRegexReplaceAllLiteral', ('(', 'a', 'b'), 'error parsing regexp: missing closing ): `(`'),
    ('mustRegexSplit', ('(', 'a', 1), 'error parsing regexp: missing closing ): `(`'),
    ('mustRegexMatch', ('\\x{}', 'x'), 'error parsing regexp: invalid escape sequence: `\\x{}`'),
    ('mustRegexMatch', ('\\x{12', 'x'), 'error parsing regexp: invalid escape sequence: `\\x{12`'),
    ('mustRegexMatch', ('\\x{1G}', 'x'), 'error parsing regexp: invalid escape sequence: `\\x{1G`'),
    ('mustRegexMatch', ('\\xZ', 'x'), 'error parsing regexp: invalid escape sequence: `\\xZ`'),
    ('mustRegexMatch', ('\\x4', 'x'), 'error parsing regexp: invalid escape sequence: `\\x4`'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)
