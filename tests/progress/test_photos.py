"""Site photos: what read_photo takes from a JPEG, PNG or HEIC (size, capture time, GPS
position, an upright thumbnail without metadata) and what it refuses.

Every photo here is made by the test, its EXIF written by Pillow (``Image.Exif`` with the GPS
IFD and the Exif IFD), so what is read back is compared with what was written. Any warning
that escapes read_photo fails the test."""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from datetime import UTC, datetime

import pillow_heif
import pytest
from factories import pdf_bytes
from PIL import Image, ImageOps
from PIL.TiffImagePlugin import IFDRational

from resolvers.progress.geo import distance_m
from resolvers.progress.photos import THUMBNAIL_PX, PhotoError, PhotoInfo, read_photo
from resolvers.security.storage import ALLOWED, claim_matches, sniff

pytestmark = [pytest.mark.once, pytest.mark.filterwarnings("error")]

SITE = (31.4405, 120.9934)  # the demo's site, WGS-84
FENCE_M = 300
ON_SITE = (31.44081, 120.99377)  # some 50 m north-east of the site's centre
RED, GREEN, BLUE, YELLOW = (220, 20, 20), (20, 200, 20), (20, 20, 220), (230, 230, 20)

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees as EXIF writes them: whole degrees, whole minutes, seconds to 1/10000."""
    # Whole ten-thousandths of a second first, so 31.45° is 31° 27' 0", not 31° 26' 60".
    ticks = round(abs(value) * 3600 * 10000)
    degrees, rest = divmod(ticks, 3600 * 10000)
    minutes, seconds = divmod(rest, 60 * 10000)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 10000)


def exif(
    position: tuple[float, float] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    orientation: int | None = None,
    refs: tuple[str, str] | None = None,
    raw_gps: dict | None = None,
) -> bytes:
    data = Image.Exif()
    data[0x010F] = "SiteCam"  # Make: metadata that must not reach the thumbnail either
    if orientation is not None:
        data[0x0112] = orientation
    if position is not None:
        lat, lon = position
        gps = data.get_ifd(GPS_IFD)
        gps[1], gps[3] = refs or ("N" if lat >= 0 else "S", "E" if lon >= 0 else "W")
        gps[2], gps[4] = dms(lat), dms(lon)
        gps[0x12] = "WGS-84"
    if raw_gps is not None:
        data.get_ifd(GPS_IFD).update(raw_gps)
    if taken is not None:
        fields = data.get_ifd(EXIF_IFD)
        fields[0x9003] = taken
        if offset is not None:
            fields[0x9011] = offset
    return data.tobytes()


def picture(size: tuple[int, int] = (1200, 900), mode: str = "RGB") -> Image.Image:
    """Four coloured quadrants, so a test can tell which way up a thumbnail is."""
    width, height = size
    image = Image.new(mode, size, RED if mode == "RGB" else RED + (255,))
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    image.paste(YELLOW, (width // 2, height // 2, width, height))
    return image


def encode(image: Image.Image, fmt: str, exif_data: bytes | None = None, **options) -> bytes:
    out = io.BytesIO()
    if exif_data is not None:
        options["exif"] = exif_data
    image.save(out, format=fmt, **options)
    return out.getvalue()


def jpeg(exif_data: bytes | None = None, size: tuple[int, int] = (1200, 900)) -> bytes:
    return encode(picture(size), "JPEG", exif_data, quality=90)


def heic(exif_data: bytes | None = None, size: tuple[int, int] = (640, 480)) -> bytes:
    return encode(picture(size), "HEIF", exif_data, quality=60)


def png_header(width: int, height: int) -> bytes:
    """A PNG declaring an RGB image of this size, with a few bytes of image data: what a
    decompression bomb looks like before it is inflated (and, decoded, simply truncated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def colour_near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


def corners(image: Image.Image) -> list[tuple[int, ...]]:
    width, height = image.size
    inset = 8
    rgb = image.convert("RGB")
    return [rgb.getpixel(xy) for xy in ((inset, inset), (width - inset, inset), (inset, height - inset), (width - inset, height - inset))]


def assert_clean_thumbnail(info: PhotoInfo) -> Image.Image:
    """A JPEG within THUMBNAIL_PX, carrying no EXIF (so no GPS), ICC profile, XMP or comment."""
    assert info.thumbnail.startswith(b"\xff\xd8\xff")
    for marker in (b"Exif", b"GPS", b"WGS-84", b"SiteCam", b"ICC_PROFILE", b"http://ns.adobe.com/xap"):
        assert marker not in info.thumbnail
    thumb = Image.open(io.BytesIO(info.thumbnail))
    assert thumb.format == "JPEG" and thumb.mode == "RGB"
    assert max(thumb.size) <= THUMBNAIL_PX
    assert len(thumb.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(thumb.info)
    return thumb


def read(data: bytes, **options) -> PhotoInfo:
    """read_photo, failing if any warning escapes it (every warning shown, none turned into an
    error, as in a server)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return read_photo(data, **options)
        finally:
            assert [str(w.message) for w in caught] == []


# -- what a photo says ----------------------------------------------------------------------


def test_a_site_jpeg_reads_back_its_position_and_capture_time():
    info = read(jpeg(exif(ON_SITE, "2026:03:05 09:30:00", "+08:00")))
    assert (info.media_type, info.width, info.height) == ("image/jpeg", 1200, 900)
    assert info.latitude == pytest.approx(ON_SITE[0], abs=1e-6)
    assert info.longitude == pytest.approx(ON_SITE[1], abs=1e-6)
    assert distance_m(*SITE, info.latitude, info.longitude) < FENCE_M
    assert info.captured_at == datetime(2026, 3, 5, 1, 30, tzinfo=UTC)
    assert info.captured_at.utcoffset().total_seconds() == 0
    thumb = assert_clean_thumbnail(info)
    assert thumb.size == (THUMBNAIL_PX, 240)


@pytest.mark.parametrize(
    "offset, expected",
    [
        ("+08:00", datetime(2026, 3, 5, 1, 30, tzinfo=UTC)),
        ("-05:00", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("+05:45", datetime(2026, 3, 5, 3, 45, tzinfo=UTC)),
        ("+00:00", datetime(2026, 3, 5, 9, 30, tzinfo=UTC)),
        (None, datetime(2026, 3, 5, 1, 30, tzinfo=UTC)),  # no offset: Asia/Shanghai
        ("   :  ", datetime(2026, 3, 5, 1, 30, tzinfo=UTC)),  # an offset left blank: the same
        ("+99:00", datetime(2026, 3, 5, 1, 30, tzinfo=UTC)),  # no such offset: the same
    ],
    ids=["china", "new-york", "nepal", "utc", "no-offset", "blank-offset", "bad-offset"],
)
def test_the_capture_time_honours_its_offset_or_is_china_time(offset, expected):
    assert read(jpeg(exif(taken="2026:03:05 09:30:00", offset=offset), size=(64, 48))).captured_at == expected


@pytest.mark.parametrize("taken", ["0000:00:00 00:00:00", "    :  :     :  :  ", "2026:13:05 09:30:00", "2026-03-05T09:30:00", ""])
def test_a_malformed_capture_time_is_none(taken):
    info = read(jpeg(exif(ON_SITE, taken, "+08:00"), size=(64, 48)))
    assert info.captured_at is None
    assert info.latitude is not None


@pytest.mark.parametrize(
    "position",
    [(-33.8568, 151.2153), (40.6892, -74.0445), (-34.6037, -58.3816), (51.4779, -0.0015)],
    ids=["south-east", "north-west", "south-west", "greenwich"],
)
def test_hemispheres_take_their_sign_from_the_ref_tags(position):
    info = read(jpeg(exif(position), size=(64, 48)))
    assert info.latitude == pytest.approx(position[0], abs=1e-6)
    assert info.longitude == pytest.approx(position[1], abs=1e-6)


@pytest.mark.parametrize(
    "raw_gps",
    [
        {1: "N", 2: dms(ON_SITE[0]), 4: dms(ON_SITE[1])},  # no longitude Ref
        {1: "X", 2: dms(ON_SITE[0]), 3: "E", 4: dms(ON_SITE[1])},  # no such Ref
        {1: "N", 2: (IFDRational(31, 0), IFDRational(26, 1), IFDRational(0, 1)), 3: "E", 4: dms(ON_SITE[1])},  # zero denominator
        {1: "N", 2: (IFDRational(31, 1), IFDRational(26, 1)), 3: "E", 4: dms(ON_SITE[1])},  # two parts
        {1: "N", 2: (IFDRational(91, 1), IFDRational(0, 1), IFDRational(0, 1)), 3: "E", 4: dms(ON_SITE[1])},  # beyond the pole
        {1: "N", 2: (IFDRational(31, 1), IFDRational(75, 1), IFDRational(0, 1)), 3: "E", 4: dms(ON_SITE[1])},  # 75 minutes
        {1: "N", 2: dms(0.0), 3: "E", 4: dms(0.0)},  # no fix: 0, 0
        {1: "N", 3: "E"},  # Refs without a position
    ],
    ids=["no-ref", "bad-ref", "zero-denominator", "two-parts", "beyond-the-pole", "75-minutes", "zero-zero", "refs-only"],
)
def test_a_malformed_position_is_none(raw_gps):
    info = read(jpeg(exif(taken="2026:03:05 09:30:00", raw_gps=raw_gps), size=(64, 48)))
    assert (info.latitude, info.longitude) == (None, None)
    assert info.captured_at is not None


def test_a_jpeg_without_exif():
    info = read(jpeg(size=(300, 200)))
    assert info == PhotoInfo("image/jpeg", 300, 200, None, None, None, info.thumbnail)
    assert assert_clean_thumbnail(info).size == (300, 200)  # a small photo is not enlarged


def test_a_png_with_exif_and_transparency():
    image = picture((800, 400), "RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 400, 200))  # the red quadrant transparent
    info = read(encode(image, "PNG", exif(ON_SITE, "2026:03:05 09:30:00")))
    assert (info.media_type, info.width, info.height) == ("image/png", 800, 400)
    assert info.latitude == pytest.approx(ON_SITE[0], abs=1e-6) and info.longitude == pytest.approx(ON_SITE[1], abs=1e-6)
    assert info.captured_at == datetime(2026, 3, 5, 1, 30, tzinfo=UTC)
    thumb = assert_clean_thumbnail(info)
    assert thumb.size == (THUMBNAIL_PX, 160)
    top_left, top_right, _, _ = corners(thumb)
    assert colour_near(top_left, (255, 255, 255)) and colour_near(top_right, GREEN)


@pytest.mark.parametrize("mode", ["P", "L", "I;16"])
def test_pngs_in_other_modes(mode):
    image = picture((400, 300)).convert("P") if mode == "P" else Image.new(mode, (400, 300), 40000 if mode == "I;16" else 160)
    thumb = assert_clean_thumbnail(read(encode(image, "PNG")))
    if mode == "P":
        assert [colour_near(p, c) for p, c in zip(corners(thumb), (RED, GREEN, BLUE, YELLOW), strict=True)] == [True] * 4
    else:  # grey, not clipped to white
        level = 160 if mode == "L" else 40000 // 256
        assert colour_near(corners(thumb)[0], (level, level, level))


def test_a_heic_made_with_pillow_heif():
    """pillow-heif stores Orientation 6 as the HEIF rotation and reads the image upright."""
    data = heic(exif(ON_SITE, "2026:03:05 09:30:00", "+08:00", orientation=6), size=(640, 480))
    assert sniff(data) == "image/heic"
    info = read(data)
    assert (info.media_type, info.width, info.height) == ("image/heic", 480, 640)
    assert info.latitude == pytest.approx(ON_SITE[0], abs=1e-6) and info.longitude == pytest.approx(ON_SITE[1], abs=1e-6)
    assert info.captured_at == datetime(2026, 3, 5, 1, 30, tzinfo=UTC)
    thumb = assert_clean_thumbnail(info)
    assert thumb.size == (240, THUMBNAIL_PX)
    assert [colour_near(p, c) for p, c in zip(corners(thumb), (BLUE, RED, YELLOW, GREEN), strict=True)] == [True] * 4


def test_orientation_6_turns_the_thumbnail_upright():
    """Orientation 6: the camera was turned a quarter clockwise; the stored 1200 × 600 picture
    is shown 600 × 1200, its left edge at the top."""
    info = read(jpeg(exif(orientation=6), size=(1200, 600)))
    assert (info.width, info.height) == (600, 1200)
    thumb = assert_clean_thumbnail(info)
    assert thumb.size == (160, THUMBNAIL_PX)
    assert [colour_near(p, c) for p, c in zip(corners(thumb), (BLUE, RED, YELLOW, GREEN), strict=True)] == [True] * 4


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillows_exif_transpose(orientation):
    raw = picture((600, 400))
    info = read(jpeg(exif(orientation=orientation), size=(600, 400)))
    raw.getexif()[0x0112] = orientation
    upright = ImageOps.exif_transpose(raw)
    assert (info.width, info.height) == upright.size
    thumb = Image.open(io.BytesIO(info.thumbnail))
    assert [colour_near(a, b) for a, b in zip(corners(thumb), corners(upright), strict=True)] == [True] * 4


# -- what it refuses ------------------------------------------------------------------------


def refusal(data: bytes, **options) -> str:
    with pytest.raises(PhotoError) as caught:
        read(data, **options)
    return caught.value.reason


def test_a_truncated_jpeg_is_unreadable():
    data = jpeg(exif(ON_SITE))
    assert refusal(data[: len(data) // 2]) == "unreadable"
    assert refusal(data[:200]) == "unreadable"


def test_a_truncated_heic_is_unreadable():
    data = heic()
    assert refusal(data[: len(data) // 2]) == "unreadable"


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(4096),
        b"",
        pdf_bytes(),
        encode(picture((64, 48)), "GIF"),
        encode(picture((64, 48)), "WEBP"),
        encode(picture((64, 48)), "BMP"),
    ],
    ids=["random", "empty", "pdf", "gif", "webp", "bmp"],
)
def test_other_formats_are_unsupported(data):
    assert refusal(data) == "unsupported"


def test_a_decompression_bomb_is_refused_from_its_header():
    """100,000 × 100,000 px declared in 69 bytes: refused before anything is decoded (decoding
    the few bytes there are would have said unreadable)."""
    assert refusal(png_header(100_000, 100_000)) == "too_large"
    assert refusal(png_header(10_000, 10_000)) == "too_large"  # where Pillow only warns
    assert refusal(png_header(8_000, 6_000)) == "too_large"  # over 40 MP, under Pillow's own limit
    assert refusal(png_header(3_000, 2_000), max_pixels=5_999_999) == "too_large"
    assert refusal(png_header(3_000, 2_000), max_pixels=6_000_000) == "unreadable"  # decoded: truncated
    assert refusal(jpeg(size=(400, 300)), max_pixels=400 * 300 - 1) == "too_large"
    assert read(jpeg(size=(400, 300)), max_pixels=400 * 300).width == 400


@pytest.mark.parametrize("offset", [0xFFF0, 20, 30], ids=["past-the-end", "into-ifd0", "into-padding"])
def test_a_corrupt_exif_does_not_refuse_the_photo(offset):
    """EXIF whose Exif and GPS IFD pointers lead past its end (Pillow warns of corrupt EXIF)
    or back into other data: no position, no time, still a photo, and no warning escapes."""

    def entry(tag: int, value: int) -> bytes:
        return struct.pack(">HHII", tag, 4, 1, value)  # one LONG

    tiff = b"MM\x00*" + struct.pack(">IH", 8, 2) + entry(EXIF_IFD, offset) + entry(GPS_IFD, offset) + struct.pack(">I", 0) + b"\xff" * 10
    info = read(jpeg(b"Exif\x00\x00" + tiff, size=(64, 48)))
    assert (info.width, info.latitude, info.longitude, info.captured_at) == (64, None, None, None)
    assert_clean_thumbnail(info)


# -- HEIC on the upload allow-list ----------------------------------------------------------


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00" * 32


@pytest.mark.parametrize(
    "data, expected",
    [
        (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
        (ftyp(b"heix", b"mif1", b"heix"), "image/heic"),
        (ftyp(b"mif1", b"mif1", b"heix"), "image/heic"),
        (ftyp(b"msf1", b"msf1", b"heic"), "image/heic"),
        (ftyp(b"mif1", b"mif1", b"avif"), "image/avif"),
        (ftyp(b"mif1", b"mif1"), None),
        (ftyp(b"isom", b"isom", b"mp41"), "video/mp4"),
    ],
    ids=["heic", "heix", "mif1-heix", "msf1-heic", "avif", "mif1-alone", "mp4"],
)
def test_sniff_recognises_heic_brands(data, expected):
    assert sniff(data) == expected


def test_the_upload_allow_list_takes_heic():
    media = ALLOWED[sniff(heic(size=(64, 48))) or ""]
    assert media.mime == "image/heic"
    assert claim_matches(media, "image/heic", "IMG_0001.HEIC")
    assert claim_matches(media, "image/heif", "site.heif")
    assert claim_matches(media, "application/octet-stream", "site.heic")
    assert not claim_matches(media, "image/jpeg", "site.heic")
    assert not claim_matches(media, "image/heic", "site.jpg")
    assert pillow_heif.libheif_info()["decoders"]  # the wheel decodes HEVC
