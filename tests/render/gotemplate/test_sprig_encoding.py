"""Sprig's encoding, path and URL functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from sprig_support import assert_error, assert_result

from helmlite.render.gotemplate.funcs import sprig_encoding  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcspec import REGISTRY

# --- helm table CASES
CASES = [
    ('b64enc', ('hello',), 'aGVsbG8=', 'string'),
    ('b64enc', ('',), '', 'string'),
    ('b64enc', ('héllo\n',), 'aMOpbGxvCg==', 'string'),
    ('b64enc', ('ab',), 'YWI=', 'string'),
    ('b64dec', ('aGVsbG8=',), 'hello', 'string'),
    ('b64dec', ('!!',), 'illegal base64 data at input byte 0', 'string'),
    ('b64dec', ('aGVsbG8',), 'illegal base64 data at input byte 4', 'string'),
    ('b64dec', ('aGVsbG8==',), 'illegal base64 data at input byte 8', 'string'),
    ('b64dec', ('aGVs\nbG8=',), 'hello', 'string'),
    ('b64dec', ('aGVsbA==',), 'hell', 'string'),
    ('b64dec', ('aGVsbA=',), 'illegal base64 data at input byte 7', 'string'),
    ('b64dec', ('aGVsbA',), 'illegal base64 data at input byte 4', 'string'),
    ('b64dec', ('a',), 'illegal base64 data at input byte 0', 'string'),
    ('b64dec', ('ab',), 'illegal base64 data at input byte 0', 'string'),
    ('b64dec', ('abc',), 'illegal base64 data at input byte 0', 'string'),
    ('b64dec', ('',), '', 'string'),
    ('b64dec', ('aGVsbA==x',), 'illegal base64 data at input byte 8', 'string'),
    ('b64dec', ('aGVsbA=\n=',), 'hell', 'string'),
    ('b64dec', ('a===',), 'illegal base64 data at input byte 1', 'string'),
    ('b64dec', ('aGVsbG8gd29ybGQ=',), 'hello world', 'string'),
    ('b64dec', ('aGVsbG8gd29ybGQ',), 'illegal base64 data at input byte 12', 'string'),
    ('b64dec', ('YQ==YQ==',), 'illegal base64 data at input byte 4', 'string'),
    ('b64dec', ('aGVs bG8=',), 'illegal base64 data at input byte 4', 'string'),
    ('b64dec', ('aGVsbA=x',), 'illegal base64 data at input byte 6', 'string'),
    ('b64dec', ('aGVsbA==\n',), 'hell', 'string'),
    ('b64dec', ('/w==',), '�', 'string'),
    ('b64dec', ('YWJj\r\nZGVm',), 'abcdef', 'string'),
    ('b32enc', ('hello',), 'NBSWY3DP', 'string'),
    ('b32enc', ('',), '', 'string'),
    ('b32enc', ('a',), 'ME======', 'string'),
    ('b32dec', ('NBSWY3DP',), 'hello', 'string'),
    ('b32dec', ('NBSWY3DPEE======',), 'hello!', 'string'),
    ('b32dec', ('MY======',), 'f', 'string'),
    ('b32dec', ('MY',), 'illegal base32 data at input byte 0', 'string'),
    ('b32dec', ('!',), 'illegal base32 data at input byte 0', 'string'),
    ('b32dec', ('MY=====',), 'illegal base32 data at input byte 7', 'string'),
    ('b32dec', ('M=======',), 'illegal base32 data at input byte 1', 'string'),
    ('b32dec', ('MZXQ====',), 'fo', 'string'),
    ('b32dec', ('MY======MY',), 'f', 'string'),
    ('b32dec', ('',), '', 'string'),
    ('b32dec', ('MY==x===',), 'illegal base32 data at input byte 3', 'string'),
    ('b32dec', ('NBSWY3DPNBSWY3DP',), 'hellohello', 'string'),
    ('b32dec', ('NBSW\nY3DP',), 'hello', 'string'),
    ('b32dec', ('nbswy3dp',), 'illegal base32 data at input byte 0', 'string'),
    ('b32dec', ('MZXW6===',), 'foo', 'string'),
    ('b32dec', ('MZXW6YQ=',), 'foob', 'string'),
    ('base', ('/a/b/c.txt',), 'c.txt', 'string'),
    ('base', ('',), '.', 'string'),
    ('base', ('/',), '/', 'string'),
    ('base', ('a/b/',), 'b', 'string'),
    ('base', ('//',), '/', 'string'),
    ('base', ('abc',), 'abc', 'string'),
    ('dir', ('/a/b/c',), '/a/b', 'string'),
    ('dir', ('a',), '.', 'string'),
    ('dir', ('',), '.', 'string'),
    ('dir', ('/',), '/', 'string'),
    ('dir', ('a/b/',), 'a/b', 'string'),
    ('dir', ('//a//b',), '/a', 'string'),
    ('clean', ('a/../../b/./c//',), '../b/c', 'string'),
    ('clean', ('',), '.', 'string'),
    ('clean', ('/../a',), '/a', 'string'),
    ('clean', ('//a',), '/a', 'string'),
    ('clean', ('a/..',), '.', 'string'),
    ('clean', ('./',), '.', 'string'),
    ('ext', ('a/b.tar.gz',), '.gz', 'string'),
    ('ext', ('a.b/c',), '', 'string'),
    ('ext', ('',), '', 'string'),
    ('ext', ('x.',), '.', 'string'),
    ('isAbs', ('/a',), 'true', 'bool'),
    ('isAbs', ('a',), 'false', 'bool'),
    ('isAbs', ('',), 'false', 'bool'),
    ('osBase', ('/a/b',), 'b', 'string'),
    ('osDir', ('/a/b',), '/a', 'string'),
    ('osClean', ('a//b/..',), 'a', 'string'),
    ('osExt', ('f.yaml',), '.yaml', 'string'),
    ('osIsAbs', ('/x',), 'true', 'bool'),
    ('urlParse', ('http://user:pa%20ss@example.com:8080/a%20b/c?x=1&y=2#frag%20x',), 'map[fragment:frag x host:example.com:8080 hostname:example.com opaque: path:/a b/c query:x=1&y=2 scheme:http userinfo:user:pa%20ss]', 'map[string]interface {}'),
    ('urlParse', ('mailto:joe@example.com',), 'map[fragment: host: hostname: opaque:joe@example.com path: query: scheme:mailto userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('/relative/path?q',), 'map[fragment: host: hostname: opaque: path:/relative/path query:q scheme: userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('',), 'map[fragment: host: hostname: opaque: path: query: scheme: userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('http://[::1]:80/',), 'map[fragment: host:[::1]:80 hostname:::1 opaque: path:/ query: scheme:http userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('HTTP://Example.COM',), 'map[fragment: host:Example.COM hostname:Example.COM opaque: path: query: scheme:http userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('a:b/c:d',), 'map[fragment: host: hostname: opaque:b/c:d path: query: scheme:a userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('x/y:z',), 'map[fragment: host: hostname: opaque: path:x/y:z query: scheme: userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('ab:c',), 'map[fragment: host: hostname: opaque:c path: query: scheme:ab userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('//host/path',), 'map[fragment: host:host hostname:host opaque: path:/path query: scheme: userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('http://u@h',), 'map[fragment: host:h hostname:h opaque: path: query: scheme:http userinfo:u]', 'map[string]interface {}'),
    ('urlParse', ('http:///path',), 'map[fragment: host: hostname: opaque: path:/path query: scheme:http userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('*',), 'map[fragment: host: hostname: opaque: path:* query: scheme: userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('http://x?',), 'map[fragment: host:x hostname:x opaque: path: query: scheme:http userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('http://[fe80::1%25en0]:8/',), 'map[fragment: host:[fe80::1%en0]:8 hostname:fe80::1%en0 opaque: path:/ query: scheme:http userinfo:]', 'map[string]interface {}'),
    ('urlParse', ('http://ü.com/ä',), 'map[fragment: host:ü.com hostname:ü.com opaque: path:/ä query: scheme:http userinfo:]', 'map[string]interface {}'),
    ('urlJoin', ({},), '', 'string'),
    ('urlJoin', ({'path': 'a:b'},), './a:b', 'string'),
    ('urlJoin', ({'host': 'h', 'path': 'p'},), '//h/p', 'string'),
    ('urlJoin', ({'scheme': 'mailto', 'opaque': 'joe@x.com'},), 'mailto:joe@x.com', 'string'),
    ('urlJoin', ({'userinfo': 'a/b'},), '', 'string'),
    ('urlJoin', ({'userinfo': 'u@v', 'host': 'h'},), '//u%40v@h', 'string'),
    ('urlJoin', ({'scheme': 'http', 'path': '/x?y', 'fragment': "a!b'c"},), 'http:///x%3Fy#a!b%27c', 'string'),
    ('urlJoin', ({'scheme': 'file', 'path': '/etc'},), 'file:///etc', 'string'),
    ('urlJoin', ({'host': 'a b'},), '//a%20b', 'string'),
    ('urlJoin', (None,), '', 'string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('urlParse', ('http://[::1',), 'unable to parse url: parse "http://[::1": missing \']\' in host'),
    ('urlParse', (':foo',), 'unable to parse url: parse ":foo": missing protocol scheme'),
    ('urlParse', ('http://a b.com/',), 'unable to parse url: parse "http://a b.com/": invalid character " " in host name'),
    ('urlParse', ('http://x.com/%zz',), 'unable to parse url: parse "http://x.com/%zz": invalid URL escape "%zz"'),
    ('urlParse', ('http://x.com:port/',), 'unable to parse url: parse "http://x.com:port/": invalid port ":port" after host'),
    ('urlParse', ('http://x/#a%zz',), 'unable to parse url: parse "http://x/#a%zz": invalid URL escape "%zz"'),
    ('urlParse', ('http://a\nb',), 'unable to parse url: parse "http://a\\nb": net/url: invalid control character in URL'),
    ('urlParse', ('http://u^v@h',), 'unable to parse url: parse "http://u^v@h": net/url: invalid userinfo'),
    ('urlParse', ('http://%41.com/',), 'unable to parse url: parse "http://%41.com/": invalid URL escape "%41"'),
    ('urlParse', ('1http://x',), 'unable to parse url: parse "1http://x": first path segment in URL cannot contain colon'),
    ('urlJoin', ({'scheme': 'http', 'host': 'example.com:8080', 'path': '/a b', 'query': 'x=1', 'fragment': 'f g', 'userinfo': 'user:pa ss'},), 'unable to parse userinfo in dict: parse "proto://user:pa ss@host": net/url: invalid userinfo'),
    ('urlJoin', ({'scheme': 'http', 'host': 1},), 'unable to parse host key, must be of type string, but int found'),
    ('urlJoin', ({'scheme': None},), 'runtime error: invalid memory address or nil pointer dereference'),
    ('urlJoin', ({'userinfo': 'u^v', 'host': 'h'},), 'unable to parse userinfo in dict: parse "proto://u^v@host": net/url: invalid userinfo'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)
