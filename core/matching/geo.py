"""Great-circle distances between a case and trial sites, and the nearest open site."""

from __future__ import annotations

from collections.abc import Iterable
from math import asin, cos, radians, sin, sqrt

from pydantic import BaseModel

from core.domain.trial import OPEN_STATUSES, Site

# IUGG mean Earth radius; the spherical error (< 0.5 %) is far below what matters for travel.
EARTH_RADIUS_KM = 6371.0088


class NearestSite(BaseModel):
    """The closest site with coordinates and its great-circle distance from the case."""

    site: Site
    distance_km: float


def validate_coordinates(latitude: float, longitude: float, *, where: str = "coordinates") -> None:
    """Raise ValueError naming the place when a latitude/longitude pair is out of range."""
    if not -90.0 <= latitude <= 90.0:
        raise ValueError(f"{where}: latitude {latitude} is outside -90..90")
    if not -180.0 <= longitude <= 180.0:
        raise ValueError(f"{where}: longitude {longitude} is outside -180..180")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km; correct across borders, the poles and the date line."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi = phi2 - phi1
    # sin² of half the longitude gap is periodic, so 179° E to 179° W is a 2° gap, not 358°.
    dlam = radians(lon2 - lon1)
    h = sin(dphi / 2.0) ** 2 + cos(phi1) * cos(phi2) * sin(dlam / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def is_site_open(site: Site, overall_status: str) -> bool:
    """True when a site recruits; a site without its own status inherits the trial's status."""
    status = site.status or overall_status
    return status in OPEN_STATUSES or status.replace(",", "").replace(" ", "_").upper() in OPEN_STATUSES


def find_nearest_site(
    latitude: float,
    longitude: float,
    sites: Iterable[Site],
) -> NearestSite | None:
    """Return the site with coordinates nearest to the point, or None when no site has any."""
    best: Site | None = None
    best_km = float("inf")
    for site in sites:
        if site.latitude is None or site.longitude is None:
            continue
        km = haversine_km(latitude, longitude, site.latitude, site.longitude)
        if km < best_km:
            best, best_km = site, km
    if best is None:
        return None
    return NearestSite(site=best, distance_km=best_km)


def find_nearest_open_site(
    latitude: float,
    longitude: float,
    sites: Iterable[Site],
    overall_status: str,
) -> NearestSite | None:
    """Return the nearest site that is open (own status, else the trial's overall status)."""
    return find_nearest_site(latitude, longitude, (s for s in sites if is_site_open(s, overall_status)))
