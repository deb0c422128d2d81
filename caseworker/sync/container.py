"""The ``.cwb`` file: a clear header, then the encrypted content, a small ZIP archive.

::

    b"CWB1" | header length (4 bytes, big-endian) | header (JSON) | ciphertext

The header names the format, the algorithm suite, the sender's and the recipient's key ids,
the ephemeral public key and the nonce; it is the associated data of the encryption, so it
cannot be changed without the ciphertext failing to open.  The plaintext is a ZIP archive
(deflated) of ``manifest.json``, ``signature`` (the sender's signature over the manifest's
bytes) and the members the manifest lists with their sizes and SHA-256 digests.

Everything read here may come from anyone who has the recipient's public key, so nothing is
trusted before it is checked, and every size is bounded (:class:`Limits`):

- the file, the header, the manifest and the signature have fixed maximum sizes;
- the archive's member count is read from its end record before the archive is parsed;
- member names must match :data:`NAME` (no folders, no ``..``), each once;
- only stored or deflated members; the archive's declared sizes are never trusted: members
  are read as a stream, and reading stops (refused) past the size the signed manifest gives,
  past the total limit, or past :attr:`Limits.max_ratio` times the member's compressed size.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

from caseworker.core.errors import UserError
from caseworker.i18n import _

MAGIC = b"CWB1"
FORMAT = "caseworker-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "signature"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}(\.[a-z]{1,8})?$")
_EOCD = b"PK\x05\x06"
_CHUNK = 1 << 16


class BundleRefused(UserError):
    """A bundle that is refused whole; the message is the one-line reason."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_file: int = 256 << 20
    max_header: int = 4096
    max_members: int = 4
    max_manifest: int = 64 << 10
    max_signature: int = 1024
    max_total: int = 512 << 20
    max_ratio: int = 200
    max_rows: int = 2_000_000
    max_line: int = 1 << 20


DEFAULT_LIMITS = Limits()


def refused(reason: str) -> BundleRefused:
    return BundleRefused(reason)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def pack(members: dict[str, bytes]) -> bytes:
    """A deflated ZIP archive of ``members`` (fixed timestamps: the same input, the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()


def frame(header: dict[str, Any], ciphertext: bytes) -> bytes:
    return framed_header(header) + ciphertext


def framed_header(header: dict[str, Any]) -> bytes:
    """The bytes before the ciphertext (the encryption's associated data)."""
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return MAGIC + struct.pack(">I", len(text)) + text


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Framed:
    header: dict[str, Any]
    associated: bytes
    ciphertext: bytes


def unframe(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Framed:
    """Split a ``.cwb`` file into its header and ciphertext (nothing is decrypted here)."""
    if len(data) > limits.max_file:
        raise refused(
            _("The file is larger than the limit of {n} MB.").format(n=limits.max_file >> 20)
        )
    if len(data) < 8 or data[:4] != MAGIC:
        raise refused(_("This is not a caseworker bundle (.cwb) file."))
    (length,) = struct.unpack(">I", data[4:8])
    if length > limits.max_header or len(data) < 8 + length:
        raise refused(_("The bundle's header is damaged or too large."))
    try:
        header = json.loads(data[8 : 8 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise refused(_("The bundle's header is damaged or too large.")) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise refused(_("The bundle's header is damaged or too large."))
    if header.get("version") != FORMAT_VERSION:
        raise refused(
            _("The bundle is of format version {v}, which this program does not read.").format(
                v=header.get("version")
            )
        )
    return Framed(header, data[: 8 + length], data[8 + length :])


def _member_count(archive: bytes) -> int:
    """The entry count of the archive's end record (read before the archive is parsed)."""
    tail = archive[-(22 + 0xFFFF) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise refused(_("The bundle's content is damaged."))
    (_disk, _start, on_disk, total) = struct.unpack("<HHHH", tail[at + 4 : at + 12])
    return int(max(on_disk, total))


class Archive:
    """The decrypted content: checked names, members read as bounded streams."""

    def __init__(self, archive: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.total = 0
        count = _member_count(archive)
        if count > limits.max_members:
            raise refused(
                _("The bundle has {n} parts; at most {limit} are allowed.").format(
                    n=count, limit=limits.max_members
                )
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(archive))
            infos = self.zip.infolist()
        except Exception:  # zipfile raises many kinds (BadZipFile, NotImplementedError, ...)
            raise refused(_("The bundle's content is damaged.")) from None
        if len(infos) > limits.max_members:
            raise refused(
                _("The bundle has {n} parts; at most {limit} are allowed.").format(
                    n=len(infos), limit=limits.max_members
                )
            )
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not NAME.match(info.filename) or info.filename in self.infos:
                raise refused(
                    _("The bundle holds a part with a forbidden name: {name}").format(
                        name=info.filename[:80]
                    )
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise refused(_("The bundle's content is damaged."))
            if info.flag_bits & 0x1:
                raise refused(_("The bundle's content is damaged."))
            self.infos[info.filename] = info

    @property
    def names(self) -> set[str]:
        return set(self.infos)

    def read(self, name: str, cap: int) -> bytes:
        """Member ``name``, refused beyond ``cap`` bytes, the total limit, or the ratio limit
        (whatever the archive says its size is)."""
        info = self.infos.get(name)
        if info is None:
            raise refused(_("The bundle lacks its part {name}.").format(name=name))
        ratio_cap = self.limits.max_ratio * max(info.compress_size, 1 << 12)
        out = bytearray()
        try:
            with self.zip.open(info) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    self.total += len(chunk)
                    if len(out) > cap or self.total > self.limits.max_total:
                        raise refused(
                            _("The bundle's part {name} is larger than allowed.").format(name=name)
                        )
                    if len(out) > ratio_cap:
                        raise refused(
                            _(
                                "The bundle's part {name} expands far beyond its compressed "
                                "size (a zip bomb?)."
                            ).format(name=name)
                        )
        except BundleRefused:
            raise
        except Exception:  # zlib, CRC and framing errors of a damaged archive
            raise refused(_("The bundle's content is damaged.")) from None
        return bytes(out)


def loads_object(data: bytes, what: str) -> dict[str, Any]:
    """A JSON object from untrusted bytes (refused if it is anything else)."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise refused(_("The bundle's {part} is not valid.").format(part=what)) from None
    if not isinstance(value, dict):
        raise refused(_("The bundle's {part} is not valid.").format(part=what))
    return value
