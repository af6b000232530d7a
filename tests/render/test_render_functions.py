"""Every template function, as a table: template text → exact output (Helm semantics, §3 of go-templates.md)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest

from helmlite.errors import RenderError
from helmlite.render.jinja.functions import DATA_FIRST_FILTERS, FILTERS, FUNCTIONS, to_int

@pytest.fixture
def render_one(render1: Callable[..., str]) -> Callable[..., str]:
    return render1


VALUES: dict[str, Any] = {
    "str": "hello",
    "num": 80,
    "big": 1000000,
    "flt": 1.5,
    "t": True,
    "f": False,
    "nul": None,
    "emptys": "",
    "emptym": {},
    "emptyl": [],
    "zero": 0,
    "m": {"b": 2, "a": 1, "c": {"d": 4}},
    "l": ["x", "yy", "z"],
    "image": {"repository": "nginx", "tag": ""},
}

CASES: list[tuple[str, str]] = [
    # printing
    ("{{ Values.str }}|{{ Values.num }}|{{ Values.big }}|{{ Values.flt }}|{{ Values.t }}|{{ Values.f }}", "hello|80|1000000|1.5|true|false"),
    ("[{{ Values.nul }}][{{ Values.missing }}]{{ Values.m }}{{ Values.l }}", "[][]map[a:1 b:2 c:map[d:4]][x yy z]"),
    ("{{ Values.str ~ '-' ~ Values.num ~ Values.t ~ Values.missing }}", "hello-80true"),
    # toYaml / toJson / from*
    ("{{ toYaml(Values.m) }}", "a: 1\nb: 2\nc:\n  d: 4"),
    ("{{ Values.l | toYaml }}", "- x\n- yy\n- z"),
    ("{{ toYaml(Values.missing) }}|{{ toYaml('') }}|{{ toYaml('true') }}", 'null|""|"true"'),
    ("{{ toJson(Values.m) }}", '{"a":1,"b":2,"c":{"d":4}}'),
    ("{{ dict(a='<&>', n=none, f=2.0) | toJson }}", '{"a":"\\u003c\\u0026\\u003e","f":2,"n":null}'),
    ("{{ Values.l | toJson }}|{{ toJson(Values.missing) }}", '["x","yy","z"]|null'),
    ("{{ toPrettyJson(dict(a=1)) }}|{{ toRawJson(dict(a='<')) }}", '{\n  "a": 1\n}|{"a":"<"}'),
    ("{{ (fromYaml('a: 1\\nb: [x]')).b[0] }}|{{ fromYaml('a: 1').a + 1 }}", "x|2"),
    ("{{ ('a: [' | fromYaml).Error.startswith('fromYaml: line ') }}|{{ fromYaml('a: [') | length }}", "true|1"),
    ("{{ fromYaml('- 1') | toJson }}", '{"Error":"cannot unmarshal []interface {} into a map"}'),
    ("{{ fromYamlArray('- a\\n- 2') | toJson }}|{{ fromYamlArray('a: 1') | toJson }}", '["a",2]|["cannot unmarshal map[string]interface {} into a list"]'),
    ("{{ fromJson('{\"a\": {\"b\": 3}}').a.b }}|{{ fromJsonArray('[1, \"a\"]') }}", "3|[1 a]"),
    ("{{ (fromJson('nope')).Error is string }}|{{ fromJsonArray('{}') | length }}", "true|1"),
    # indentation and quoting
    ("{{ indent(2, 'a\\nb') }}|{{ 'a\\nb' | nindent(4) }}", "  a\n  b|\n    a\n    b"),
    ("{{ quote(Values.str) }} {{ Values.num | quote }} {{ quote(Values.missing) }}|{{ quote('a\"b\\n', 1) }}", '"hello" "80" |"a\\"b\\n" "1"'),
    ("{{ Values.str | squote }} {{ squote(1, Values.nul) }}", "'hello' '1'"),
    # defaults and emptiness
    ("{{ Values.missing | default('d') }}|{{ default('d', Values.emptys) }}|{{ Values.zero | default(5) }}", "d|d|5"),
    ("{{ Values.f | default(true) }}|{{ Values.emptyl | default('l') }}|{{ Values.str | default('x') }}", "true|l|hello"),
    ("{{ empty(Values.emptym) }} {{ empty(Values.m) }} {{ Values.zero | empty }} {{ empty('0') }}", "true false true false"),
    ("{{ coalesce(Values.missing, '', 0, 'first', 'second') }}|{{ coalesce(none, '') }}", "first|"),
    ("{{ ternary('yes', 'no', Values.t) }} {{ Values.f | ternary('yes', 'no') }}", "yes no"),
    # strings
    ("{{ trunc(3, 'abcdef') }}|{{ 'abcdef' | trunc(-2) }}|{{ 'ab' | trunc(5) }}|{{ 'ab' | trunc(-5) }}", "abc|ef|ab|ab"),
    ("{{ 'a--' | trimSuffix('-') }}|{{ trimPrefix('ab', 'abab') }}|{{ '  x \\n' | trim }}|{{ trimAll('$', '$$5$') }}", "a-|ab|x|5"),
    ("{{ 'a.b.c' | replace('.', '-') }}|{{ replace('x', 'y', 'xax') }}", "a-b-c|yay"),
    ("{{ upper('Ab') }}{{ 'Ab' | lower }}|{{ title('hello world-foo bar_baz') }}", "ABab|Hello World-Foo Bar_baz"),
    ("{{ contains('ell', Values.str) }} {{ Values.str | hasPrefix('he') }} {{ hasSuffix('lo', 'hello') }}", "true true true"),
    ("{{ repeat(3, 'ab') }}|{{ 'x' | repeat(2) }}|{{ substr(1, 3, 'abcdef') }}|{{ nospace(' a b ') }}", "ababab|xx|bc|ab"),
    ("{{ cat('a', 1, Values.missing, 'b') }}|{{ print('a', 1, 2, 'b') }}|{{ print(1, 'a') }}", "a 1 b|a1 2b|1a"),
    ("{{ printf('%s-%d-%v-%q', 'a', 3, Values.l, 'q') }}|{{ 'x' | printf('%s=%s', 'k') }}", 'a-3-[x yy z]-"q"|k=x'),
    ("{{ printf('%05.1f|%x|%t|%5s|%-3d|', 3.14159, 255, true, 'ab', 7) }}", "003.1|ff|true|   ab|7  |"),
    ("{{ printf('%d %s', 'x') }}|{{ printf('%s', 'a', 'b') }}|{{ printf('%d', Values.flt) }}", "%!d(string=x) %!s(MISSING)|a%!(EXTRA string=b)|%!d(float64=1.5)"),
    ("{{ join(',', Values.l) }}|{{ list(1, none, 'a') | join('-') }}|{{ join(',', 'solo') }}", "x,yy,z|1-a|solo"),
    ("{{ split('.', 'a.b.c')._1 }}|{{ splitList(',', 'a,b') }}|{{ 'a/b' | splitList('/') | last }}", "b|[a b]|b"),
    ("{{ toString(1.5) }}|{{ Values.missing | toString }}|{{ toString(Values.t) }}|{{ toStrings(list(1, none, 'a')) }}", "1.5|<nil>|true|[1 a]"),
    ("{{ b64enc('hello') }}|{{ 'aGVsbG8=' | b64dec }}|{{ b64dec('!!') }}", "aGVsbG8=|hello|illegal base64 data at input byte 0"),
    ("{{ sha256sum('abc') }}|{{ 'abc' | sha1sum }}", f"{hashlib.sha256(b'abc').hexdigest()}|{hashlib.sha1(b'abc').hexdigest()}"),
    ("{{ regexMatch('^h.l+o$', Values.str) }} {{ Values.str | regexMatch('z') }} {{ regexMatch('(', 'x') }}", "true false false"),
    ("{{ regexReplaceAll('a(x*)b', '-ab-axxb-', '${1}W') }}|{{ regexReplaceAll('(?P<n>\\\\d+)', 'v12', '<$n>') }}", "-W-xxW-|v<12>"),
    ("{{ regexReplaceAllLiteral('a(x*)b', 'axb', '$1') }}|{{ regexFind('[0-9]+', 'ab12cd34') }}", "$1|12"),
    ("{{ regexFindAll('[0-9]', 'a1b2c3', 2) }}|{{ regexSplit(',', 'a,b,c', -1) }}|{{ regexSplit(',', 'a,b,c', 2) }}", "[1 2]|[a b c]|[a b,c]"),
    # numbers
    ("{{ int('42') }} {{ int(3.9) }} {{ int('0x1F') }} {{ int('017') }} {{ int('08') }} {{ int('1.0') }} {{ int(none) }}", "42 3 31 15 0 1 0"),
    ("{{ int64('7') }} {{ float64('1.5') }} {{ float64('x') }} {{ atoi('12') }}", "7 1.5 0 12"),
    ("{{ add(1, 2, 3.9) }} {{ sub(10, 4) }} {{ mul(2, 3, 4) }} {{ div(7, 2) }} {{ div(-7, 2) }} {{ mod(-7, 3) }} {{ add1(1) }}", "6 6 24 3 -3 -1 2"),
    ("{{ max(1, 5, 3) }} {{ min(4, 2, 8) }} {{ [3, 9, 1] | max }} {{ Values.num | max(100) }}", "5 2 9 100"),
    ("{{ until(3) }} {{ until(-2) }} {{ untilStep(0, 10, 3) }} {{ untilStep(5, 0, -2) }} {{ untilStep(0, 5, 0) }}", "[0 1 2] [0 -1] [0 3 6 9] [5 3 1] []"),
    ("{{ len(Values.l) }} {{ Values.m | len }} {{ len('héllo') }}", "3 3 5"),
    # comparisons and types
    ("{{ eq(Values.str, 'a', 'hello') }} {{ eq(1, 2) }} {{ ne(1, 2) }} {{ Values.str | eq('hello') }}", "true false true true"),
    ("{{ lt(1, 2) }} {{ le(2, 2) }} {{ gt('b', 'a') }} {{ ge(1, 2) }} {{ eq(Values.nul, Values.missing) }}", "true true true false true"),
    ("{{ kindOf(Values.m) }} {{ kindOf(Values.l) }} {{ kindOf(Values.num) }} {{ kindOf(Values.flt) }} {{ kindOf(Values.nul) }}", "map slice int float64 invalid"),
    ("{{ kindIs('map', Values.m) }} {{ Values.num | kindIs('int64') }} {{ kindIs('string', 1) }}", "true true false"),
    ("{{ typeOf(Values.m) }}|{{ typeOf(Values.l) }}|{{ typeOf(1) }}|{{ typeOf('s') }}|{{ typeIs('bool', true) }}", "map[string]interface {}|[]interface {}|int|string|true"),
    # lists
    ("{{ list(1, 'a', Values.missing) }}|{{ list() | toJson }}", "[1 a <nil>]|[]"),
    ("{{ append(Values.l, 'w') }} {{ Values.l }} {{ prepend(Values.l, 'v') | first }}", "[x yy z w] [x yy z] v"),
    ("{{ concat(Values.l, list(1), list()) }} {{ first(Values.l) }} {{ Values.l | last }} {{ first(list()) }}", "[x yy z 1] x z "),
    ("{{ rest(Values.l) }} {{ initial(Values.l) }} {{ reverse(Values.l) }} {{ slice(Values.l, 1) }} {{ slice(Values.l, 0, 1) }}", "[yy z] [x yy] [z yy x] [yy z] [x]"),
    ("{{ has('yy', Values.l) }} {{ Values.l | has('q') }} {{ has(1, Values.missing) }}", "true false false"),
    ("{{ uniq(list(1, 2, 1, 'a', 'a')) }} {{ without(Values.l, 'x', 'z') }} {{ compact(list(1, 0, '', 'a', none, false)) }}", "[1 2 a] [yy] [1 a]"),
    ("{{ sortAlpha(list('b', 10, 'a', 2)) }}", "[10 2 a b]"),
    # dicts
    ("{{ dict('a', 1, 'b') }}|{{ dict(x=1, y=Values.missing) }}|{{ dict() }}", "map[a:1 b:]|map[x:1 y:<nil>]|map[]"),
    ("{% set d = dict(a=1) %}{% do set(d, 'b', 2) %}{{ d }}|{{ unset(d, 'a') }}|{{ d }}", "map[a:1 b:2]|map[b:2]|map[b:2]"),
    ("{{ hasKey(Values.m, 'a') }} {{ Values.m | hasKey('zz') }} {{ hasKey(Values.missing, 'a') }}", "true false false"),
    ("{{ get(Values.m, 'a') }}|{{ get(Values.m, 'zz') }}|{{ Values.m | get('b') }}", "1||2"),
    ("{{ pick(Values.m, 'a', 'zz') }} {{ omit(Values.m, 'c') }} {{ Values.m | omit('a', 'b') }}", "map[a:1] map[a:1 b:2] map[c:map[d:4]]"),
    ("{{ keys(Values.m) }} {{ keys(dict(z=1), dict(a=2)) }} {{ values(Values.m) }}", "[a b c] [a z] [1 2 map[d:4]]"),
    ("{{ pluck('a', dict(a=1), dict(b=2), dict(a=3)) }}", "[1 3]"),
    ("{{ dig('c', 'd', 'dflt', Values.m) }} {{ dig('c', 'zz', 'dflt', Values.m) }} {{ Values.m | dig('a', 0) }} {{ dig('c', 0, Values.m) }}", "4 dflt 1 map[d:4]"),
    ("{% set d = dict(a='', b=dict(x=1)) %}{{ merge(d, dict(a='A', b=dict(y=2), c=3)) }}|{{ d }}", "map[a:A b:map[x:1 y:2] c:3]|map[a:A b:map[x:1 y:2] c:3]"),
    ("{% set d = dict(a='x', b=dict(x=1)) %}{{ merge(d, dict(a='y')) }}|{{ mergeOverwrite(d, dict(a='', b=dict(x=2))) }}", "map[a:x b:map[x:1]]|map[a: b:map[x:2]]"),
    ("{% set c = deepCopy(Values.m) %}{% do set(c, 'a', 9) %}{{ c.a }} {{ Values.m.a }}", "9 1"),
    # paths
    ("{{ base('a/b.txt') }} {{ dir('a/b.txt') }} {{ ext('a/b.txt') }} {{ clean('a//b/../c') }}", "b.txt a .txt a/c"),
    # semver and time
    ("{{ semverCompare('>=1.21-0', Capabilities.KubeVersion.GitVersion) }} {{ semverCompare('^2', '1.5.0') }} {{ '1.2.3' | semverCompare('~1.2') }}", "true false true"),
    ("{% set v = semver('v1.2.3-rc.1+b5') %}{{ v.Major }}.{{ v.Minor }}.{{ v.Patch }} {{ v.Prerelease }} {{ v.Metadata }}", "1.2.3 rc.1 b5"),
    ("{{ date('2006-01-02', 86400) }}|{{ now() | date('2006') | length }}", "1970-01-02|4"),
    # identifiers
    ("{{ randAlphaNum(12) | length }} {{ randAlpha(5) | length }} {{ randNumeric(4) | int > -1 }} {{ uuidv4() | length }}", "12 5 true 36"),
    # lookup without a cluster
    ("{{ lookup('v1', 'Secret', 'default', 'x') }}|{{ lookup('v1', 'Secret', 'default', 'x') | length }}", "map[]|0"),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_function_table(source: str, expected: str, render_one: Callable[..., str]) -> None:
    assert render_one(source, VALUES) == expected


def test_random_functions_use_their_alphabet(render_one: Callable[..., str]) -> None:
    out = render_one("{{ randAlphaNum(40) }}|{{ randAlpha(40) }}|{{ randNumeric(40) }}|{{ uuidv4() }}")
    alnum, alpha, numeric, uid = out.split("|")
    assert re.fullmatch(r"[A-Za-z0-9]{40}", alnum)
    assert re.fullmatch(r"[A-Za-z]{40}", alpha)
    assert re.fullmatch(r"[0-9]{40}", numeric)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid)


def test_b64_round_trip_of_non_ascii(render_one: Callable[..., str]) -> None:
    assert render_one("{{ 'héllo' | b64enc | b64dec }}") == "héllo"
    assert render_one("{{ b64enc('héllo') }}") == base64.b64encode("héllo".encode()).decode()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ trunc('x', 'abc') }}", "trunc: wrong type for value; expected int; got string"),
        ("{{ div(1, 0) }}", "div: integer divide by zero"),
        ("{{ first(Values.missing) }}", "first: cannot use <nil> as a list"),
        ("{{ append(none, 1) }}", "append: cannot use <nil> as a list"),
        ("{{ len(Values.missing) }}", "len of nil pointer"),
        ("{{ dig('a', dict()) }}", "dig needs at least three arguments"),
        ("{{ semverCompare('>=1', 'not-a-version') }}", "semverCompare: invalid semantic version"),
        ("{{ regexReplaceAll('(', 'x', 'y') }}", "regexReplaceAll: error parsing regexp"),
        ("{{ lt('a', 1) }}", "lt: incompatible types for comparison: string and int"),
        ("{{ set('notadict', 'k', 1) }}", "set: expected a dict, got string"),
    ],
)
def test_function_errors_name_the_function(source: str, message: str, render_one: Callable[..., str]) -> None:
    with pytest.raises(RenderError, match=re.escape(message)):
        render_one(source)


def test_set_mutates_values_only_within_the_render(render_one: Callable[..., str]) -> None:
    values = {"m": {"a": 1}}
    out = render_one("{% do set(Values.m, 'a', 2) %}{{ Values.m.a }}", values)
    assert out == "2"
    assert values == {"m": {"a": 1}}


def test_every_function_is_a_global_and_pipeable_ones_are_filters() -> None:
    from helmlite.render.jinja.environment import get_environment

    env = get_environment()
    for name, function in FUNCTIONS.items():
        assert env.globals[name] is function
    assert {"include", "tpl", "lookup", "fail", "dict", "list"}.isdisjoint(FILTERS)
    for name in FILTERS:
        assert name in env.filters
    for name in DATA_FIRST_FILTERS:
        assert env.filters[name] is FUNCTIONS[name]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Helm's pipe order: the piped value is the last argument.
        ("{{ 'x' | printf('%s-%s', 'a') }}", "a-x"),
        ("{{ 10 | sub(3) }}", "-7"),
        ("{{ 'abc' | substr(0, 2) }}", "ab"),
        # Collection-first Sprig functions take the piped collection first.
        ("{{ dict(a=1) | get('a') }} {{ dict(a=1) | hasKey('a') }} {{ list(1, 2) | append(3) }}", "1 true [1 2 3]"),
        ("{{ dict(a='', b=1) | merge(dict(a='x')) }} {{ list(1, 2, 3) | without(2) }} {{ list(1, 2, 3) | slice(1, 2) }}", "map[a:x b:1] [1 3] [2]"),
        ("{{ dict(a=1) | set('b', 2) | unset('a') }}", "map[b:2]"),
    ],
)
def test_filter_argument_order(source: str, expected: str, render_one: Callable[..., str]) -> None:
    assert render_one(source) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, 1), (7, 7), (-2.9, -2), ("  12 ", 12), ("-0x10", -16), ("0b11", 3), ("1_000", 1000), ("x", 0), ([], 0)],
)
def test_to_int_follows_cast(value: Any, expected: int) -> None:
    assert to_int(value) == expected
