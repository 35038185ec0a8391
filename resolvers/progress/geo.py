"""Where a site is: map datums, and how far a reading lies from the site.

Projects store their site in WGS-84, the datum of GPS and of EXIF. Maps and mini-programs in
China report GCJ-02 (WeChat ``wx.getLocation`` with ``type: "gcj02"``): WGS-84 shifted by a
published, deliberately irregular formula on the Krasovsky ellipsoid, several hundred metres in
most of the country. Comparing a GCJ-02 reading with a WGS-84 site as if both were one datum
puts a contractor standing on site outside a 300 m fence, so every reading is brought to
WGS-84 (``to_wgs84``) before ``distance_m`` measures it against the site.

The formula has no closed inverse. ``gcj02_to_wgs84`` solves ``wgs84_to_gcj02(p) = reading``
by fixed-point iteration to far below a centimetre; the one-step inverse found in many
libraries is off by up to 5 m (2 m on the demo site), which matters at the edge of a fence.

Outside China's bounding box (``out_of_china``) GCJ-02 is WGS-84 unchanged, as in every
published implementation; the box is coarse (it takes in neighbouring countries' land) but it
is what the maps use, so it is what a reading from them means.

Nothing here touches the database.
"""

from __future__ import annotations

import math

DATUMS = ("wgs84", "gcj02")

# GCJ-02: the Krasovsky 1940 ellipsoid's semi-major axis and first eccentricity squared.
KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323
# The bounding box GCJ-02 applies in (degrees).
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)
# Great-circle distances on the IUGG mean Earth radius R1 (metres).
EARTH_RADIUS_M = 6_371_008.8

# The inverse iterates until a step moves the point less than this (degrees, about 0.01 mm);
# it converges in three or four steps because the shift changes slowly with position.
_INVERSE_TOLERANCE = 1e-10
_INVERSE_MAX_STEPS = 30


def out_of_china(lat: float, lon: float) -> bool:
    """Whether GCJ-02 leaves the point as it is: outside the box the maps shift in (and for
    NaN, which no box contains)."""
    return not (CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1])


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _shift(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 point inside the box (degrees of latitude, longitude):
    the series in metres-like units, scaled by the Krasovsky radii of curvature there."""
    d_lat = _transform_lat(lon - 105.0, lat - 35.0)
    d_lon = _transform_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 reading of a WGS-84 point, ``(lat, lon)``; unchanged outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _shift(lat, lon)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 reading is ``(lat, lon)``, to well within 1e-7 degrees;
    unchanged outside China.

    Fixed-point iteration on ``p = reading - shift(p)``, starting from the reading itself.
    Whether the point is in China is decided on the reading, as the maps do; within a few
    hundred metres of the box's edge that can differ from the answer's side of it."""
    if out_of_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(_INVERSE_MAX_STEPS):
        d_lat, d_lon = _shift(w_lat, w_lon)
        n_lat, n_lon = lat - d_lat, lon - d_lon
        done = abs(n_lat - w_lat) < _INVERSE_TOLERANCE and abs(n_lon - w_lon) < _INVERSE_TOLERANCE
        w_lat, w_lon = n_lat, n_lon
        if done:
            break
    return w_lat, w_lon


def to_wgs84(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A reading in ``datum`` (one of ``DATUMS``) as WGS-84; ValueError for another datum."""
    if datum == "wgs84":
        return lat, lon
    if datum == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    raise ValueError(f"unknown datum: {datum!r}")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on the mean Earth radius). Within a site's
    fence it differs from the ellipsoidal distance by well under a metre."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, h))))


def check_coordinates(lat: float, lon: float) -> str | None:
    """What is wrong with a reading, as a reason code, or None when it is a point on Earth:
    ``not_finite`` (NaN or infinity, which would compare as neither inside nor outside a
    fence), ``latitude_out_of_range`` (beyond ±90), ``longitude_out_of_range`` (beyond ±180)."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return "not_finite"
    if not -90.0 <= lat <= 90.0:
        return "latitude_out_of_range"
    if not -180.0 <= lon <= 180.0:
        return "longitude_out_of_range"
    return None
