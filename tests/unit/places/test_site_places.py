"""Sites without coordinates (legacy XML, CSV) are located from city, state and country, only when one place fits."""

from __future__ import annotations

from core.catalogue.site_places import locate_sites
from core.catalogue.sources import iter_import_items
from core.domain.trial import Site
from core.matching.geo import haversine_km
from tests.support.flow import make_trial
from tests.support.paths import SHARED_DATA


def test_sites_get_coordinates_only_when_one_place_fits():
    trial = make_trial(sites=[
        Site(city="St. Louis", state="Missouri", country="United States"),
        Site(city="Springfield", country="United States"),  # eight of them: no guess
        Site(city="Lyon", country="France", latitude=1.0, longitude=2.0),  # the record's own coordinates stay
        Site(city="Xyzzyville", country="France"),
        Site(country="France"),
    ])
    located = locate_sites(trial).sites
    assert haversine_km(located[0].latitude, located[0].longitude, 38.63, -90.20) < 15
    assert (located[1].latitude, located[3].latitude, located[4].latitude) == (None, None, None)
    assert (located[2].latitude, located[2].longitude) == (1.0, 2.0)


def test_legacy_xml_sites_are_located_on_import():
    [item] = list(iter_import_items([SHARED_DATA / "ctgov" / "legacy-xml" / "mcode" / "NCT02513394.xml"]))
    sites = item.trial.sites
    assert sites and sum(s.latitude is not None for s in sites) >= len(sites) * 0.7
