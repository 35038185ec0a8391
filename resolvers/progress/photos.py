"""What a site photo says: its format and size, when and where it was taken, and a thumbnail.

Contractors upload photos of the works as JPEG, PNG or HEIC (iPhones' default). The server
reads the EXIF a camera wrote: the capture time, to place a photo in the day it documents, and
the GPS position, to flag a photo taken outside the project's geofence. EXIF GPS is WGS-84 by
the standard, so it compares with the site directly (``resolvers.progress.geo``).

A photo is untrusted bytes. Its type is sniffed from the content the way uploads are
(``resolvers.security.storage.sniff``), only the decoder of that type is allowed to open it,
and its pixel count is checked against ``max_pixels`` from the header before anything is
decoded, so a small file declaring a huge image (a decompression bomb) is refused without
allocating it. Whatever Pillow raises or warns about a malformed file ends here as a
``PhotoError`` with a short reason code; a malformed EXIF field only leaves that field None.

The thumbnail is what clients list: a fresh JPEG of at most ``THUMBNAIL_PX`` on its longest
side, turned upright by the EXIF Orientation tag, carrying no metadata at all. A thumbnail is
shown more widely than the original, and the original's GPS position and camera details are
not for everyone who sees a daily log.

Nothing here touches the database.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pillow_heif
from PIL import Image

from resolvers.core.clock import SHANGHAI
from resolvers.security.storage import sniff

# Once per process: Pillow opens HEIC/HEIF through pillow-heif from here on.
pillow_heif.register_heif_opener()

THUMBNAIL_PX = 320
THUMBNAIL_QUALITY = 80
MAX_PIXELS = 40_000_000

# The photo formats, as sniffed media types, and the one Pillow decoder each may be opened by.
PHOTO_FORMATS: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIF"}

# Reason codes of PhotoError.
UNREADABLE = "unreadable"  # a photo format, but the bytes do not decode (truncated, corrupt)
UNSUPPORTED = "unsupported"  # not a JPEG, PNG or HEIC
TOO_LARGE = "too_large"  # more pixels than max_pixels

# EXIF tags: the main IFD, the pointers to the Exif and GPS IFDs, and the fields read there.
ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATE_TIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4

# What each Orientation value needs to be shown upright (EXIF 2.32, 4.6.4 A).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_DATE_RE = re.compile(r"^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_EXIF_OFFSET_RE = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class PhotoError(Exception):
    """A photo that is not read: ``reason`` is ``unreadable``, ``unsupported`` or ``too_large``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PhotoInfo:
    """What a photo says.

    ``width`` and ``height`` are as the photo is shown, after its orientation. ``captured_at``
    is EXIF DateTimeOriginal in UTC: at OffsetTimeOriginal when the camera wrote one, else read
    as Asia/Shanghai local time (the cameras of a site in China, and the phones, keep that
    time; EXIF before 2.31 had no offset at all). ``latitude`` and ``longitude`` are the EXIF
    GPS position, WGS-84, negative south and west by the Ref tags; None when absent, malformed,
    or exactly 0, 0 (what some cameras write without a fix). ``thumbnail`` is a JPEG of at most
    ``THUMBNAIL_PX`` on its longest side, upright, without EXIF or any other metadata."""

    media_type: str
    width: int
    height: int
    captured_at: datetime | None
    latitude: float | None
    longitude: float | None
    thumbnail: bytes


def read_photo(data: bytes, max_pixels: int = MAX_PIXELS) -> PhotoInfo:
    """Read a JPEG, PNG or HEIC photo; PhotoError for anything else (another format, a
    truncated or corrupt file, more than ``max_pixels`` pixels).

    Pillow's own decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``) applies as well, so a
    ``max_pixels`` above it still refuses at Pillow's. Warnings are silenced with
    ``warnings.catch_warnings``, which in Python 3.11 changes the process's warning filters
    while it runs: a warning another thread raises meanwhile may go unshown."""
    media_type = sniff(data)
    decoder = PHOTO_FORMATS.get(media_type or "")
    if media_type is None or decoder is None:
        raise PhotoError(UNSUPPORTED)
    with _pillow_quietly():
        try:
            with Image.open(io.BytesIO(data), formats=[decoder]) as image:
                width, height = image.size  # from the header: nothing is decoded yet
                if width * height > max_pixels:
                    raise PhotoError(TOO_LARGE)
                exif = image.getexif()
                orientation = _orientation(exif)
                thumbnail = _thumbnail(image, orientation)
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(TOO_LARGE) from None
        except Exception:
            # Pillow and its plugins raise OSError, SyntaxError, ValueError, struct.error,
            # EOFError and more for malformed input; none of them is a caller's business.
            raise PhotoError(UNREADABLE) from None
        latitude, longitude = _position(exif)
        captured_at = _captured_at(exif)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return PhotoInfo(media_type, width, height, captured_at, latitude, longitude, thumbnail)


@contextmanager
def _pillow_quietly() -> Iterator[None]:
    """Pillow's warnings (corrupt EXIF, truncated metadata) silenced, and its warning of a
    possible decompression bomb raised as an error instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _thumbnail(image: Image.Image, orientation: int | None) -> bytes:
    """Shrinking decodes the image (a JPEG at 1/2, 1/4 or 1/8 scale where that still covers
    twice the thumbnail, which keeps a large photo's decoding small and fast)."""
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode in ("P", "PA", "1"):
        image = image.convert("RGBA" if alpha else "RGB")  # resampled in colour, not by palette index
    elif image.mode.startswith("I"):
        image = image.convert("I").point(lambda v: v / 256).convert("L")  # 16-bit grey, scaled rather than clipped
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    if orientation in _UPRIGHT:
        image = image.transpose(_UPRIGHT[orientation])
    flat = Image.new("RGB", image.size, (255, 255, 255))
    if alpha:
        # JPEG has no alpha: transparent parts show white, as on a page, not black.
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat.paste(image.convert("RGB"))
    # ``flat`` is a new image: no EXIF, ICC profile, XMP or comment travels with it.
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def _orientation(exif: Image.Exif) -> int | None:
    value = _safely(lambda: exif.get(ORIENTATION))
    return value if isinstance(value, int) and value in _UPRIGHT else None


def _position(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = _safely(lambda: exif.get_ifd(GPS_IFD)) or {}
    latitude = _coordinate(gps.get(GPS_LATITUDE), gps.get(GPS_LATITUDE_REF), {"N": 1, "S": -1}, 90.0)
    longitude = _coordinate(gps.get(GPS_LONGITUDE), gps.get(GPS_LONGITUDE_REF), {"E": 1, "W": -1}, 180.0)
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return None, None
    return latitude, longitude


def _coordinate(value: Any, ref: Any, signs: dict[str, int], limit: float) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) rationals and a Ref letter."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    sign = signs.get(ref.strip("\x00 ").upper()) if isinstance(ref, str) else None
    if sign is None or not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(part) and part >= 0 for part in (degrees, minutes, seconds)) or minutes >= 60 or seconds >= 60:
        return None
    total = degrees + minutes / 60 + seconds / 3600
    return sign * total if total <= limit else None


def _captured_at(exif: Image.Exif) -> datetime | None:
    fields = _safely(lambda: exif.get_ifd(EXIF_IFD)) or {}
    stamp = _exif_text(fields.get(DATE_TIME_ORIGINAL))
    match = _EXIF_DATE_RE.match(stamp or "")
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, second)
    except ValueError:  # 0000:00:00 00:00:00, month 13, ...
        return None
    offset = _EXIF_OFFSET_RE.match(_exif_text(fields.get(OFFSET_TIME_ORIGINAL)) or "")
    if offset is not None:
        sign = -1 if offset.group(1) == "-" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3))
        if hours <= 14 and minutes < 60:
            return local.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes))).astimezone(UTC)
    return local.replace(tzinfo=SHANGHAI).astimezone(UTC)


def _exif_text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else None


def _safely(read: Callable[[], Any]) -> Any:
    """An EXIF look-up, or None where the EXIF is too broken for Pillow to parse that far."""
    try:
        return read()
    except Exception:
        return None
