"""Stored files: a storage backend (a local directory by default; the interface admits an
S3-compatible store) and media-type sniffing from the content, never from the client."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import secrets
import zipfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import filetype


class Storage(Protocol):
    async def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; returns its key and whether this call created it."""

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Content-addressed files under one directory: ``ab/abcdef…`` by SHA-256."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    async def put(self, data: bytes) -> tuple[str, bool]:
        key = hashlib.sha256(data).hexdigest()
        return key, await asyncio.to_thread(self._write, key, data)

    def _write(self, key: str, data: bytes) -> bool:
        path = self._path(key)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per write: two requests storing the same content at once must
        # not write into (or rename away) each other's temporary file.
        tmp = path.with_name(f".{key}.{secrets.token_hex(8)}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return True

    async def put_file(self, source: Path) -> tuple[str, int]:
        """Store the file at ``source`` (on the same file system: it is moved into place,
        never read whole into memory); returns its key (SHA-256) and size."""
        return await asyncio.to_thread(self._move, Path(source))

    def _move(self, source: Path) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        with open(source, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        key = digest.hexdigest()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            source.unlink(missing_ok=True)
        else:
            os.replace(source, path)
        return key, size

    async def stream(self, key: str, chunk_size: int = 1 << 16) -> AsyncIterator[bytes]:
        """The file's bytes in chunks, for a download that must not hold it in memory."""
        handle = await asyncio.to_thread(open, self._path(key), "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            handle.close()

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


@dataclass(frozen=True)
class MediaType:
    mime: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()


# The allow-list: PDF, OFD, images (HEIC being what iPhones take photos in), spreadsheets, CAD drawings.
ALLOWED: dict[str, MediaType] = {
    m.mime: m
    for m in (
        MediaType("application/pdf", ("pdf",)),
        MediaType("application/ofd", ("ofd",), ("application/octet-stream+ofd",)),
        MediaType("image/png", ("png",)),
        MediaType("image/jpeg", ("jpg", "jpeg"), ("image/jpg", "image/pjpeg")),
        MediaType("image/gif", ("gif",)),
        MediaType("image/webp", ("webp",)),
        MediaType("image/tiff", ("tif", "tiff")),
        MediaType("image/bmp", ("bmp",), ("image/x-ms-bmp",)),
        MediaType("image/heic", ("heic", "heif"), ("image/heif",)),
        MediaType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
        MediaType("application/vnd.ms-excel", ("xls",)),
        MediaType("application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        MediaType("image/vnd.dwg", ("dwg",), ("application/acad", "application/x-dwg", "image/x-dwg")),
        MediaType("image/vnd.dxf", ("dxf",), ("application/dxf", "image/x-dxf")),
    )
}
GENERIC_CLAIMS = ("", "application/octet-stream", "binary/octet-stream")


ZIP_SIGNATURE = b"PK\x03\x04"
MIME_ALIASES = {
    "image/x-ms-bmp": "image/bmp",
    "application/x-dwg": "image/vnd.dwg",
    "application/x-ole-storage": "application/vnd.ms-excel",
}


def sniff(data: bytes) -> str | None:
    """The media type the bytes really are, or None if unknown."""
    if data.startswith(ZIP_SIGNATURE):
        # Every zip-based format (XLSX, ODS, OFD, and DOCX or EPUB, which are refused) is
        # decided by opening the archive, not by the first entry's name alone.
        return _sniff_zip(data)
    head = data[:8192]
    if _is_heic(head):
        return HEIC_MIME
    kind = filetype.guess(head)
    if kind is not None:
        return MIME_ALIASES.get(kind.mime, kind.mime)
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"0") and text[1:].lstrip().startswith(b"SECTION"):
        return "image/vnd.dxf"
    return None


HEIC_MIME = "image/heic"
# HEIF brands of a still image or a collection coded in HEVC: what filetype's matcher misses
# (it knows a major brand ``heic``, or ``mif1``/``msf1`` listing ``heic``, but not ``heix``,
# the 10-bit brand some phones write, nor ``heim``/``heis``). AVIF (``avif`` with ``mif1``)
# and HEVC sequences (``hevc``) are not HEIC photos and fall through to filetype.
HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis"})
HEIF_STRUCTURAL_BRANDS = frozenset({b"mif1", b"msf1"})


def _is_heic(head: bytes) -> bool:
    """An ISO-BMFF file whose leading ``ftyp`` box names a HEIC brand, as its major brand or
    beside the structural HEIF brand ``mif1``/``msf1``."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    if size < 16 or size > len(head) or size % 4:
        return False
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, size, 4)}
    if major in HEIC_BRANDS:
        return True
    return major in HEIF_STRUCTURAL_BRANDS and not HEIC_BRANDS.isdisjoint(compatible)


OFD_MIME = "application/ofd"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "OFD.xml" in names:
                return OFD_MIME
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX_MIME
            if "mimetype" in names and "content.xml" in names and archive.getinfo("mimetype").file_size < 100:
                if archive.read("mimetype").strip() == ODS_MIME.encode():
                    return ODS_MIME
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        return None
    return "application/zip"


@dataclass(frozen=True)
class ClaimMismatch:
    """How an upload's claim disagrees with its content: its declared media type (``kind``
    ``type``, ``claimed`` the type), its file extension (``extension``, ``claimed`` the
    extension) or a file name without one (``no_extension``, ``claimed`` the name)."""

    kind: str
    claimed: str


def claim_mismatch(media: MediaType, claimed_type: str | None, filename: str) -> ClaimMismatch | None:
    """Where the client's claimed content type or file extension disagrees with the sniffed
    type, or None when both agree (a generic or absent content type agrees with any)."""
    declared = (claimed_type or "").split(";")[0].strip()
    claimed = declared.lower()
    if claimed not in GENERIC_CLAIMS and claimed != media.mime and claimed not in media.aliases:
        return ClaimMismatch("type", declared)
    extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
    if not extension:
        return ClaimMismatch("no_extension", filename)
    if extension.lower() not in media.extensions:
        return ClaimMismatch("extension", extension)
    return None


def claim_matches(media: MediaType, claimed_type: str | None, filename: str) -> bool:
    """The client's claimed content type and file extension agree with the sniffed type."""
    return claim_mismatch(media, claimed_type, filename) is None
