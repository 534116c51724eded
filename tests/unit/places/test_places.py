"""The offline gazetteer: region-aware lookups, the most populous of an ambiguous name, and unknown places."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.matching.geo import haversine_km
from core.places import PlaceDataError, find_place, load_place_aliases, locate_place


@pytest.mark.parametrize(
    ("typed", "name", "region", "country", "lat", "lon"),
    [
        ("St. Louis, Missouri", "St. Louis", "Missouri", "United States", 38.63, -90.20),
        ("Saint Louis, MO", "St. Louis", "Missouri", "United States", 38.63, -90.20),
        ("Manchester, UK", "Manchester", "England", "United Kingdom", 53.48, -2.24),
        ("Manchester, NH", "Manchester", "New Hampshire", "United States", 42.99, -71.46),
        ("Manchester NH", "Manchester", "New Hampshire", "United States", 42.99, -71.46),
        ("Manchester, New Hampshire, USA", "Manchester", "New Hampshire", "United States", 42.99, -71.46),
        ("Lyon, France", "Lyon", None, "France", 45.75, 4.85),
        ("London, Ontario", "London", "Ontario", "Canada", 42.98, -81.23),
        ("Perth, WA", "Perth", "Western Australia", "Australia", -31.95, 115.86),
        ("Perth, Scotland", "Perth", "Scotland", "United Kingdom", 56.40, -3.43),
        ("Atlanta, Georgia", "Atlanta", "Georgia", "United States", 33.75, -84.39),
        ("Tbilisi, Georgia", "Tbilisi", None, "Georgia", 41.69, 44.83),
        ("Los Angeles, CA", "Los Angeles", "California", "United States", 34.05, -118.24),
        ("Cologne, Germany", "Köln", None, "Germany", 50.94, 6.96),
        ("New York", "New York City", "New York", "United States", 40.71, -74.01),
        ("Montreal", "Montréal", "Quebec", "Canada", 45.51, -73.59),
    ],
)
def test_region_aware_lookup(typed, name, region, country, lat, lon):
    found = find_place(typed)
    assert found.place is not None, found.message
    assert (found.place.name, found.place.region, found.place.country) == (name, region, country)
    assert haversine_km(found.place.latitude, found.place.longitude, lat, lon) < 15


def test_an_ambiguous_name_picks_the_most_populous_and_says_so():
    found = find_place("Manchester")
    assert found.place.country == "United Kingdom" and found.candidates > 1
    assert "most populous" in found.message and "Manchester, England, United Kingdom" in found.message
    assert "Manchester, New Hampshire" in found.message  # how to choose the other one
    assert find_place("Manchester, NH").candidates == 1
    assert "most populous" not in find_place("Manchester, NH").message


def test_an_unrecognised_qualifier_is_named_and_ignored():
    found = find_place("Springfield, Narnia")
    assert found.place is not None and "'Narnia' was not recognised" in found.message


@pytest.mark.parametrize("typed", ["Xyzzyville", "Lyon, United States", "Manchester, Texas", ""])
def test_an_unknown_place_has_no_coordinates_and_a_message(typed):
    found = find_place(typed)
    assert found.place is None and locate_place(typed) is None
    assert found.message
    if typed:
        assert "not in the offline list" in found.message and "latitude and longitude" in found.message


# The 54 cities the old hand-written list knew, with the coordinates it gave them: none may move more than 25 km.
OLD_LIST = {
    "Amsterdam, Netherlands": (52.3676, 4.9041), "Athens, Greece": (37.9838, 23.7275),
    "Atlanta, United States": (33.749, -84.388), "Barcelona, Spain": (41.3874, 2.1686),
    "Berlin, Germany": (52.52, 13.405), "Birmingham, United Kingdom": (52.4862, -1.8904),
    "Boston, United States": (42.3601, -71.0589), "Brussels, Belgium": (50.8503, 4.3517),
    "Chicago, United States": (41.8781, -87.6298), "Copenhagen, Denmark": (55.6761, 12.5683),
    "Dublin, Ireland": (53.3498, -6.2603), "Edinburgh, United Kingdom": (55.9533, -3.1883),
    "Frankfurt, Germany": (50.1109, 8.6821), "Geneva, Switzerland": (46.2044, 6.1432),
    "Glasgow, United Kingdom": (55.8642, -4.2518), "Hamburg, Germany": (53.5511, 9.9937),
    "Heidelberg, Germany": (49.3988, 8.6724), "Houston, United States": (29.7604, -95.3698),
    "Leeds, United Kingdom": (53.8008, -1.5491), "Lisbon, Portugal": (38.7223, -9.1393),
    "Liverpool, United Kingdom": (53.4084, -2.9916), "London, United Kingdom": (51.5072, -0.1276),
    "Los Angeles, United States": (34.0522, -118.2437), "Lyon, France": (45.764, 4.8357),
    "Madrid, Spain": (40.4168, -3.7038), "Manchester, United Kingdom": (53.4808, -2.2426),
    "Marseille, France": (43.2965, 5.3698), "Melbourne, Australia": (-37.8136, 144.9631),
    "Milan, Italy": (45.4642, 9.19), "Montreal, Canada": (45.5017, -73.5673),
    "Munich, Germany": (48.1351, 11.582), "New York, United States": (40.7128, -74.006),
    "Newcastle, United Kingdom": (54.9783, -1.6178), "Oslo, Norway": (59.9139, 10.7522),
    "Osaka, Japan": (34.6937, 135.5023), "Paris, France": (48.8566, 2.3522),
    "Philadelphia, United States": (39.9526, -75.1652), "Prague, Czechia": (50.0755, 14.4378),
    "Rome, Italy": (41.9028, 12.4964), "Rotterdam, Netherlands": (51.9244, 4.4777),
    "San Francisco, United States": (37.7749, -122.4194), "Seattle, United States": (47.6062, -122.3321),
    "Stockholm, Sweden": (59.3293, 18.0686), "Sydney, Australia": (-33.8688, 151.2093),
    "Tokyo, Japan": (35.6762, 139.6503), "Toronto, Canada": (43.6532, -79.3832),
    "Utrecht, Netherlands": (52.0907, 5.1214), "Vancouver, Canada": (49.2827, -123.1207),
    "Vienna, Austria": (48.2082, 16.3738), "Warsaw, Poland": (52.2297, 21.0122),
    "Zurich, Switzerland": (47.3769, 8.5417),
}


def test_every_city_of_the_old_list_is_still_found_where_it_was():
    far = {}
    for typed, (lat, lon) in OLD_LIST.items():
        found = locate_place(typed)
        if found is None or haversine_km(*found, lat, lon) > 25:
            far[typed] = found
    assert far == {}


def test_the_aliases_loader_names_file_line_and_field(tmp_path: Path):
    good = load_place_aliases()
    assert any(a.alias == "England" and a.region == "ENG" for a in good)
    bad = tmp_path / "aliases.csv"
    bad.write_text("alias,country,region,region_name\nUK,GB,,\nOntario,Canada,08,Ontario\n", encoding="utf-8")
    with pytest.raises(PlaceDataError, match=r"aliases.csv:3: country: .*two-letter"):
        load_place_aliases(bad)
    bad.write_text("alias,country,region,region_name\nOntario,CA,08,\n", encoding="utf-8")
    with pytest.raises(PlaceDataError, match=r"aliases.csv:2: region_name"):
        load_place_aliases(bad)
    bad.write_text("name,country\nUK,GB\n", encoding="utf-8")
    with pytest.raises(PlaceDataError, match=r"aliases.csv:1: the header"):
        load_place_aliases(bad)
