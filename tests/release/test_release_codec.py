"""Helm's storage encoding: base64(gzip(json)), and decoding what Helm stores."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
from pathlib import Path

import pytest

from helmlite.release import Info, Release, ReleaseDecodeError, Status, codec, decode, encode, release_json
from helmlite.release.codec import _go_float

DATA = Path(__file__).parent / "data"


def helm_release_text() -> str:
    return (DATA / "helm-install-dry-run.json").read_text(encoding="utf-8").rstrip("\n")


def go_style_blob(json_text: str) -> str:
    """What Helm's encodeRelease stores for this JSON (gzip best compression, mtime 0, base64)."""
    return base64.b64encode(gzip.compress(json_text.encode(), compresslevel=9, mtime=0)).decode()


def test_decodes_a_release_as_helm_stores_it() -> None:
    text = helm_release_text()
    release = decode(go_style_blob(text))
    assert release.name == "rel1"
    assert release_json(release) == text


def test_encode_is_base64_gzip_json_with_go_header() -> None:
    release = Release.from_json(json.loads(helm_release_text()))
    blob = encode(release)
    assert blob.startswith("H4sI")  # what `kubectl … | base64 -d` shows for a Helm release
    raw = base64.b64decode(blob)
    # gzip magic, deflate, no flags, mtime 0, XFL 2 (best compression) — Go's header exactly.
    assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    assert gzip.decompress(raw).decode() == helm_release_text()


def test_encode_is_deterministic_and_round_trips() -> None:
    release = Release(name="a", namespace="ns", version=2, info=Info(status=Status.FAILED, description="boom"))
    assert encode(release) == encode(release)
    assert decode(encode(release)) == release


def test_decode_accepts_uncompressed_json_like_helm() -> None:
    text = release_json(Release(name="old", namespace="default", version=1))
    assert decode(base64.b64encode(text.encode()).decode()).name == "old"
    assert decode(base64.b64encode(text.encode())).name == "old"


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        ("not base64!", "not valid base64"),
        (base64.b64encode(b"\x1f\x8b\x08garbage").decode(), "not valid gzip"),
        (base64.b64encode(gzip.compress(b'{"name":')[:-12]).decode(), "not valid gzip|not valid JSON"),
        (base64.b64encode(b"{nope").decode(), "not valid JSON"),
        (base64.b64encode(b"[1,2]").decode(), "expected a JSON object"),
    ],
)
def test_decode_errors_are_typed(blob: str, message: str) -> None:
    with pytest.raises(ReleaseDecodeError, match=message):
        decode(blob)


def test_decode_refuses_a_gzip_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "MAX_RELEASE_JSON_BYTES", 1000)
    bomb = base64.b64encode(gzip.compress(b'{"name":"' + b"a" * 10_000 + b'"}')).decode()
    with pytest.raises(ReleaseDecodeError, match="inflates beyond 1000 bytes"):
        decode(bomb)


@pytest.mark.parametrize(
    ("value", "go"),
    [
        (1.0, "1"),
        (2.5, "2.5"),
        (0.1, "0.1"),
        (100.0, "100"),
        (-0.0, "-0"),
        (1e-7, "1e-7"),
        (-3.25e-9, "-3.25e-9"),
        (0.00001, "0.00001"),
        (0.000001, "0.000001"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (123456789012345680.0, "123456789012345680"),
        (5e-324, "5e-324"),
    ],
)
def test_floats_are_written_as_go_writes_them(value: float, go: str) -> None:
    assert _go_float(value) == go


def test_strings_are_escaped_as_go_escapes_them() -> None:
    release = Release(name="x", namespace="", version=1, manifest='a<b>&"c"\u2028\u2029é\x01\t')
    assert release_json(release) == (
        '{"name":"x","info":{"status":"unknown"},'
        '"manifest":"a\\u003cb\\u003e\\u0026\\"c\\"\\u2028\\u2029é\\u0001\\t","version":1}'
    )


@pytest.mark.helm
def test_live_helm_release_round_trips(helm_bin: str, tmp_path: Path) -> None:
    """Differential: a release the real Helm renders re-encodes to Helm's exact JSON text."""
    subprocess.run([helm_bin, "create", str(tmp_path / "demo")], check=True, capture_output=True)
    out = subprocess.run(
        [
            helm_bin,
            "install",
            "--dry-run=client",
            "-o",
            "json",
            "--set",
            "image.tag=x<y",
            "demo",
            str(tmp_path / "demo"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.rstrip("\n")
    release = decode(go_style_blob(out))
    assert release_json(release) == out
    assert decode(encode(release)) == release
