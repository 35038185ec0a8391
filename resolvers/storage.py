"""Stored files: a storage backend (a local directory by default; the interface admits an
S3-compatible store) and media-type sniffing from the content, never from the client."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import zipfile
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
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return True

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


# The allow-list: PDF, OFD, images, spreadsheets, CAD drawings.
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
        MediaType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
        MediaType("application/vnd.ms-excel", ("xls",)),
        MediaType("application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        MediaType("image/vnd.dwg", ("dwg",), ("application/acad", "application/x-dwg", "image/x-dwg")),
        MediaType("image/vnd.dxf", ("dxf",), ("application/dxf", "image/x-dxf")),
    )
}
GENERIC_CLAIMS = ("", "application/octet-stream", "binary/octet-stream")


def sniff(data: bytes) -> str | None:
    """The media type the bytes really are, or None if unknown."""
    head = data[:8192]
    kind = filetype.guess(head)
    if kind is not None and kind.mime == "application/zip":
        return _sniff_zip(data)
    if kind is not None:
        mime = {"image/x-ms-bmp": "image/bmp", "application/x-dwg": "image/vnd.dwg", "image/vnd.dwg": "image/vnd.dwg"}.get(kind.mime, kind.mime)
        if kind.extension == "dwg":
            mime = "image/vnd.dwg"
        if kind.extension == "xls" or mime == "application/x-ole-storage":
            mime = "application/vnd.ms-excel"
        return mime
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"0") and b"SECTION" in text[:64]:
        return "image/vnd.dxf"
    return None


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "OFD.xml" in names:
        return "application/ofd"
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if "mimetype" in names and "content.xml" in names:
        return "application/vnd.oasis.opendocument.spreadsheet"
    return "application/zip"


def claim_matches(media: MediaType, claimed_type: str | None, filename: str) -> bool:
    """The client's claimed content type and file extension agree with the sniffed type."""
    claimed = (claimed_type or "").split(";")[0].strip().lower()
    if claimed not in GENERIC_CLAIMS and claimed != media.mime and claimed not in media.aliases:
        return False
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension in media.extensions
