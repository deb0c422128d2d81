"""A compact, immutable list of UUIDs (16 bytes each) for 100,000-row tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator


class IdList:
    """UUIDs packed in one bytes object: about 16 bytes a row instead of ~100."""

    __slots__ = ("_blob",)

    def __init__(self, blob: bytes = b"") -> None:
        if len(blob) % 16:
            raise ValueError("an IdList blob is a multiple of 16 bytes")
        self._blob = bytes(blob)

    @classmethod
    def from_hex(cls, values: Iterable[str]) -> IdList:
        """From 32-character hex strings (how SQLite stores a UUID column)."""
        return cls(bytes.fromhex("".join(v.replace("-", "") for v in values)))

    @classmethod
    def from_uuids(cls, values: Iterable[uuid.UUID]) -> IdList:
        return cls(b"".join(v.bytes for v in values))

    def __len__(self) -> int:
        return len(self._blob) // 16

    def __getitem__(self, index: int) -> uuid.UUID:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return uuid.UUID(bytes=self._blob[16 * index : 16 * index + 16])

    def __iter__(self) -> Iterator[uuid.UUID]:
        for start in range(0, len(self._blob), 16):
            yield uuid.UUID(bytes=self._blob[start : start + 16])

    def slice(self, start: int, stop: int) -> list[uuid.UUID]:
        stop = min(stop, len(self))
        return [self[i] for i in range(max(start, 0), stop)]

    def index(self, value: uuid.UUID) -> int:
        """The row of ``value``, or -1."""
        needle = value.bytes
        position = self._blob.find(needle)
        while position >= 0:
            if position % 16 == 0:
                return position // 16
            position = self._blob.find(needle, position + 1)
        return -1

    def __contains__(self, value: object) -> bool:
        return isinstance(value, uuid.UUID) and self.index(value) >= 0
