"""The bitstring of a W3C Bitstring Status List, as the specification lays it out and publishes it.

Index 0 is the leftmost (most significant) bit of the first byte, index 8 the leftmost of the second.
Published as `encodedList`: the bytes GZIP-compressed, base64url-encoded without padding, with the
multibase prefix "u".
"""

import base64
import binascii
import gzip

MULTIBASE_BASE64URL = "u"
MINIMUM_BITS = 131_072
"""16 KB, the smallest list the specification allows: every holder hides among at least this many entries."""


class BadEncodedList(ValueError):
    """The text is not a multibase base64url, GZIP-compressed bitstring."""


class Bitstring:
    def __init__(self, data: bytes) -> None:
        self._bytes = bytearray(data)

    @classmethod
    def zeros(cls, length: int) -> "Bitstring":
        """`length` bits, all 0; a whole number of bytes."""
        if length <= 0 or length % 8:
            raise ValueError("a bitstring holds a positive whole number of bytes")
        return cls(bytes(length // 8))

    @property
    def length(self) -> int:
        return len(self._bytes) * 8

    def _position(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.length:
            raise IndexError(f"bit {index} is outside a bitstring of {self.length} bits")
        return index // 8, 0x80 >> (index % 8)

    def is_set(self, index: int) -> bool:
        byte, mask = self._position(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int) -> None:
        byte, mask = self._position(index)
        self._bytes[byte] |= mask

    def ones(self) -> list[int]:
        """The indices of the bits that are 1, in order."""
        return [
            byte * 8 + bit
            for byte, value in enumerate(self._bytes)
            if value
            for bit in range(8)
            if value & (0x80 >> bit)
        ]

    def to_bytes(self) -> bytes:
        return bytes(self._bytes)

    def encode(self) -> str:
        """The `encodedList`: multibase "u" + base64url (no padding) of the GZIP-compressed bytes.
        The GZIP header carries no time, so the same bits always encode to the same text."""
        compressed = gzip.compress(self.to_bytes(), mtime=0)
        return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()

    @classmethod
    def decode(cls, encoded: str) -> "Bitstring":
        if not encoded.startswith(MULTIBASE_BASE64URL):
            raise BadEncodedList("the list is not multibase base64url (prefix 'u')")
        text = encoded[1:]
        try:
            compressed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
            data = gzip.decompress(compressed)
        except (binascii.Error, OSError, EOFError) as error:
            raise BadEncodedList(str(error)) from error
        if not data:
            raise BadEncodedList("the list holds no bits")
        return cls(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bitstring) and self._bytes == other._bytes

    def __hash__(self) -> int:
        return hash(bytes(self._bytes))
