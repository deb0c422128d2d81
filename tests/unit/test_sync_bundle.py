"""The bundle's parts: the algorithm suite, the container and its limits, key files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseworker.core.errors import UserError, ValidationError
from caseworker.sync import crypto, keys
from caseworker.sync.container import (
    Archive,
    BundleRefused,
    Limits,
    framed_header,
    pack,
    unframe,
)


def test_cw1_signs_seals_and_opens() -> None:
    suite = crypto.CW1
    sender, recipient = suite.generate(), suite.generate()
    sender_public, recipient_public = suite.public(sender), suite.public(recipient)
    signature = suite.sign(sender, b"manifest")
    suite.verify(sender_public, b"manifest", signature)
    with pytest.raises(crypto.CryptoError):
        suite.verify(sender_public, b"manifesT", signature)
    with pytest.raises(crypto.CryptoError):
        suite.verify(recipient_public, b"manifest", signature)

    associated, sealed = suite.seal(recipient_public, b"secret", lambda e, n: b"header" + e + n)
    assert suite.open(recipient, sealed, associated) == b"secret"
    with pytest.raises(crypto.CryptoError):
        suite.open(sender, sealed, associated)  # another key
    with pytest.raises(crypto.CryptoError):
        suite.open(recipient, sealed, associated + b"x")  # another header
    with pytest.raises(crypto.CryptoError):
        suite.open(
            recipient,
            crypto.Sealed(sealed.ephemeral, sealed.nonce, sealed.ciphertext[:-1]),
            associated,
        )
    assert recipient_public.key_id != sender_public.key_id
    assert len(recipient_public.key_id) == 32
    with pytest.raises(crypto.CryptoError, match="unknown algorithm suite"):
        crypto.suite("sm2-sm3-sm4")


def _archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_the_archive_reads_members_within_their_limits() -> None:
    archive = Archive(pack({"manifest.json": b"{}", "changes.jsonl": b"x" * 1000}))
    assert archive.names == {"manifest.json", "changes.jsonl"}
    assert archive.read("changes.jsonl", 1000) == b"x" * 1000
    with pytest.raises(BundleRefused, match="larger than allowed"):
        Archive(pack({"changes.jsonl": b"x" * 1000})).read("changes.jsonl", 999)


def test_a_zip_bomb_is_stopped_by_its_ratio_whatever_size_is_allowed() -> None:
    bomb = _archive({"changes.jsonl": b"\0" * (30 << 20)})  # 30 MB of zeros: ~30 kB deflated
    assert len(bomb) < 100_000
    archive = Archive(bomb, Limits(max_ratio=100))
    with pytest.raises(BundleRefused, match="zip bomb"):
        archive.read("changes.jsonl", 1 << 30)


def test_the_total_of_all_parts_is_bounded() -> None:
    archive = Archive(pack({"a": b"1" * 600, "b": b"2" * 600}), Limits(max_total=1000))
    archive.read("a", 10_000)
    with pytest.raises(BundleRefused, match="larger than allowed"):
        archive.read("b", 10_000)


def test_the_member_count_is_read_before_the_archive_is_parsed() -> None:
    many = _archive({f"m{i}": b"" for i in range(50)})
    with pytest.raises(BundleRefused, match="50 parts"):
        Archive(many)


@pytest.mark.parametrize(
    "name", ["../x", "/etc/passwd", "a/b", "x\\y", "Manifest.json", ".hidden", "a" * 40]
)
def test_forbidden_member_names_are_refused(name: str) -> None:
    with pytest.raises(BundleRefused, match="forbidden name"):
        Archive(_archive({name: b"{}"}))


def test_only_stored_or_deflated_members_are_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_LZMA) as zf:
        zf.writestr("changes.jsonl", b"x")
    with pytest.raises(BundleRefused, match="damaged"):
        Archive(buffer.getvalue())


def test_the_frame_checks_magic_header_size_and_format() -> None:
    header = {"format": "caseworker-bundle", "version": 1}
    framed = unframe(framed_header(header) + b"cipher")
    assert framed.header == header
    assert framed.ciphertext == b"cipher"
    with pytest.raises(BundleRefused, match=r"not a caseworker bundle"):
        unframe(b"PK\x03\x04 a zip file")
    with pytest.raises(BundleRefused, match="header"):
        unframe(framed_header({"format": "caseworker-bundle", "version": 1, "x": "y" * 5000}))
    with pytest.raises(BundleRefused, match="format version 2"):
        unframe(framed_header({"format": "caseworker-bundle", "version": 2}))
    with pytest.raises(BundleRefused, match="larger than the limit"):
        unframe(b"CWB1" + b"\0" * 100, Limits(max_file=50))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_never_anything_else(data: bytes) -> None:
    for attempt in (lambda: unframe(data), lambda: Archive(data)):
        with contextlib.suppress(BundleRefused):
            attempt()


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_damaged_archive_is_refused_never_misread(data: st.DataObject) -> None:
    original = pack({"manifest.json": b'{"a": 1}', "changes.jsonl": b"line\n" * 200})
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    try:
        archive = Archive(bytes(damaged))
        for name in archive.names:
            archive.read(name, 1 << 20)
    except BundleRefused:
        pass


# ---------------------------------------------------------------------------------------------
# Key files
# ---------------------------------------------------------------------------------------------


def test_private_keys_live_in_a_private_folder_and_file(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    public = keys.make_keys(folder, keys.STATION, "650102001")
    path = folder / f"{public.key_id}.key"
    if os.name == "posix":
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pair = keys.load_private(folder, public.key_id)
    assert crypto.CW1.public(pair) == public
    with pytest.raises(UserError, match="not on this computer"):
        keys.load_private(folder, "0" * 32)
    if os.name == "posix":
        path.chmod(0o644)
        with pytest.raises(UserError, match="chmod 600"):
            keys.load_private(folder, public.key_id)
        path.chmod(0o600)
    path.write_text(json.dumps({"suite": crypto.CW1.name, "sign": "AAAA", "box": "AAAA"}))
    with pytest.raises(UserError, match="damaged"):
        keys.load_private(folder, public.key_id)


def test_a_public_key_file_is_checked_whole(tmp_path: Path) -> None:
    pair = crypto.CW1.generate()
    party = keys.Party(keys.STATION, "650102001", "燕儿窝街道就业服务站", crypto.CW1.public(pair))
    path = tmp_path / "station.pub"
    path.write_text(keys.public_file_text(party, pair), encoding="utf-8")
    assert keys.read_public_file(path) == party
    data = json.loads(path.read_text(encoding="utf-8"))
    for field, value in (("code", "650102002"), ("name", "别的站"), ("role", keys.COUNTY)):
        path.write_text(json.dumps({**data, field: value}), encoding="utf-8")
        with pytest.raises(ValidationError, match="damaged"):
            keys.read_public_file(path)
    other = crypto.CW1.public(crypto.CW1.generate())
    path.write_text(json.dumps({**data, "sign": crypto.b64(other.sign)}), encoding="utf-8")
    with pytest.raises(ValidationError, match="damaged"):
        keys.read_public_file(path)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="not a caseworker public-key file"):
        keys.read_public_file(path)
    with pytest.raises(UserError, match="does not exist"):
        keys.read_public_file(tmp_path / "missing.pub")
