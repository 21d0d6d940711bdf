"""Geodetic datums at the edge: every input says its datum; we store WGS84.

Chinese web maps and phone SDKs report GCJ-02 (Amap, Tencent, WeChat) or BD-09
(Baidu); GPS, Open311 and Tianditu are WGS84-compatible. Conversions use ``prcoords``
(public domain), with its iterative, precise GCJ-02 → WGS84 inverse.
"""

import prcoords
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Datum(models.TextChoices):
    WGS84 = "wgs84", gettext_lazy("WGS84 (GPS, Tianditu, Open311)")
    GCJ02 = "gcj02", gettext_lazy("GCJ-02 (Amap, Tencent, WeChat)")
    BD09 = "bd09", gettext_lazy("BD-09 (Baidu)")


class InvalidCoordinates(ValueError):
    """Coordinates out of range or in an unknown datum; the message is translated."""


def _check(lng: float, lat: float, datum: str) -> None:
    if datum not in Datum.values:
        raise InvalidCoordinates(
            _("Unknown datum “%(datum)s”: use wgs84, gcj02 or bd09.") % {"datum": datum}
        )
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:
        raise InvalidCoordinates(
            _("Latitude must be between -90 and 90 and longitude between -180 and 180.")
        )


def to_wgs84(lng: float, lat: float, datum: str) -> tuple[float, float]:
    """(lng, lat) in WGS84 from ``datum``."""
    _check(lng, lat, datum)
    if datum == Datum.WGS84:
        return lng, lat
    point = prcoords.Coords(lat, lng)
    if not prcoords.sanity_in_china_p(point):
        # Outside China GCJ-02 is WGS84 by convention; only Baidu's own shift remains.
        result = prcoords.bd_gcj_bored(point, False) if datum == Datum.BD09 else point
        return result.lon, result.lat
    if datum == Datum.BD09:
        forward, first = _wgs_bd, prcoords.bd_wgs_bored
    else:
        forward, first = _wgs_gcj, prcoords.gcj_wgs_bored
    return _invert(forward, first(point, False), lat, lng)


def _wgs_gcj(point):
    return prcoords.wgs_gcj(point, False)


def _wgs_bd(point):
    return prcoords.wgs_bd(point, False)


def _invert(forward, guess, lat: float, lng: float) -> tuple[float, float]:
    # prcoords' inverses stop at 1e-5° (about 1 m); a few more fixed-point steps on the
    # exact forward formula bring them to ~1e-9°, so shared borders stay shared.
    y, x = guess.lat, guess.lon
    for _step in range(5):
        est = forward(prcoords.Coords(y, x))
        y, x = y - (est.lat - lat), x - (est.lon - lng)
    return x, y


def from_wgs84(lng: float, lat: float, datum: str) -> tuple[float, float]:
    """(lng, lat) in ``datum`` from WGS84 (for maps whose tiles are GCJ-02)."""
    _check(lng, lat, datum)
    point = prcoords.Coords(lat, lng)
    in_china = prcoords.sanity_in_china_p(point)
    if datum == Datum.GCJ02:
        result = _wgs_gcj(point) if in_china else point
    elif datum == Datum.BD09:
        result = _wgs_bd(point) if in_china else prcoords.gcj_bd(point)
    else:
        return lng, lat
    return result.lon, result.lat
