"""Great-circle distances across borders and the date line, and the nearest open site."""

import pytest

from core.domain.trial import Site
from core.matching.geo import find_nearest_open_site, haversine_km, validate_coordinates

STRASBOURG = (48.5734, 7.7521)
KEHL = (48.5725, 7.8151)
GENEVA = (46.2044, 6.1432)
ANNEMASSE = (46.1934, 6.2342)
SUVA_FIJI = (-18.1416, 178.4419)
APIA_SAMOA = (-13.8333, -171.7667)


def test_strasbourg_to_kehl_across_the_rhine_is_about_4_km():
    assert 3.5 < haversine_km(*STRASBOURG, *KEHL) < 5.5


def test_geneva_to_annemasse_across_the_swiss_french_border_is_about_7_km():
    assert 6.0 < haversine_km(*GENEVA, *ANNEMASSE) < 8.5


def test_fiji_to_samoa_goes_across_the_date_line_not_round_the_world():
    km = haversine_km(*SUVA_FIJI, *APIA_SAMOA)
    assert 1100 < km < 1200


def test_one_degree_either_side_of_the_date_line_on_the_equator():
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(111.2, abs=0.2)


def test_distance_is_symmetric_and_zero_to_itself():
    assert haversine_km(*GENEVA, *KEHL) == pytest.approx(haversine_km(*KEHL, *GENEVA))
    assert haversine_km(*GENEVA, *GENEVA) == 0.0


def test_antipodes_are_half_the_circumference_apart():
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(20015.1, abs=1.0)


def test_nearest_open_site_skips_closed_and_unplaced_sites():
    sites = [
        Site(city="Kehl", status="COMPLETED", latitude=KEHL[0], longitude=KEHL[1]),
        Site(city="Nowhere", status="RECRUITING"),
        Site(city="Geneva", status="RECRUITING", latitude=GENEVA[0], longitude=GENEVA[1]),
        Site(city="Suva", status=None, latitude=SUVA_FIJI[0], longitude=SUVA_FIJI[1]),
    ]
    nearest = find_nearest_open_site(*STRASBOURG, sites, "RECRUITING")
    assert nearest is not None
    assert nearest.site.city == "Geneva"
    assert 270 < nearest.distance_km < 310


def test_bad_coordinates_are_named():
    with pytest.raises(ValueError, match="case location: latitude 91"):
        validate_coordinates(91, 0, where="case location")
