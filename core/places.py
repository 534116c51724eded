"""An offline gazetteer of major cities, so a case's location gets coordinates without any network call."""

from __future__ import annotations

import unicodedata

# name -> (latitude, longitude, country). Cities where trial centres are common.
CITIES: dict[str, tuple[float, float, str]] = {
    "amsterdam": (52.3676, 4.9041, "Netherlands"),
    "athens": (37.9838, 23.7275, "Greece"),
    "atlanta": (33.749, -84.388, "United States"),
    "barcelona": (41.3874, 2.1686, "Spain"),
    "berlin": (52.52, 13.405, "Germany"),
    "birmingham": (52.4862, -1.8904, "United Kingdom"),
    "boston": (42.3601, -71.0589, "United States"),
    "brussels": (50.8503, 4.3517, "Belgium"),
    "chicago": (41.8781, -87.6298, "United States"),
    "copenhagen": (55.6761, 12.5683, "Denmark"),
    "dublin": (53.3498, -6.2603, "Ireland"),
    "edinburgh": (55.9533, -3.1883, "United Kingdom"),
    "frankfurt": (50.1109, 8.6821, "Germany"),
    "geneva": (46.2044, 6.1432, "Switzerland"),
    "glasgow": (55.8642, -4.2518, "United Kingdom"),
    "hamburg": (53.5511, 9.9937, "Germany"),
    "heidelberg": (49.3988, 8.6724, "Germany"),
    "houston": (29.7604, -95.3698, "United States"),
    "leeds": (53.8008, -1.5491, "United Kingdom"),
    "lisbon": (38.7223, -9.1393, "Portugal"),
    "liverpool": (53.4084, -2.9916, "United Kingdom"),
    "london": (51.5072, -0.1276, "United Kingdom"),
    "los angeles": (34.0522, -118.2437, "United States"),
    "lyon": (45.764, 4.8357, "France"),
    "madrid": (40.4168, -3.7038, "Spain"),
    "manchester": (53.4808, -2.2426, "United Kingdom"),
    "marseille": (43.2965, 5.3698, "France"),
    "melbourne": (-37.8136, 144.9631, "Australia"),
    "milan": (45.4642, 9.19, "Italy"),
    "montreal": (45.5017, -73.5673, "Canada"),
    "munich": (48.1351, 11.582, "Germany"),
    "new york": (40.7128, -74.006, "United States"),
    "newcastle": (54.9783, -1.6178, "United Kingdom"),
    "oslo": (59.9139, 10.7522, "Norway"),
    "osaka": (34.6937, 135.5023, "Japan"),
    "paris": (48.8566, 2.3522, "France"),
    "philadelphia": (39.9526, -75.1652, "United States"),
    "prague": (50.0755, 14.4378, "Czechia"),
    "rome": (41.9028, 12.4964, "Italy"),
    "rotterdam": (51.9244, 4.4777, "Netherlands"),
    "san francisco": (37.7749, -122.4194, "United States"),
    "seattle": (47.6062, -122.3321, "United States"),
    "stockholm": (59.3293, 18.0686, "Sweden"),
    "sydney": (-33.8688, 151.2093, "Australia"),
    "tokyo": (35.6762, 139.6503, "Japan"),
    "toronto": (43.6532, -79.3832, "Canada"),
    "utrecht": (52.0907, 5.1214, "Netherlands"),
    "vancouver": (49.2827, -123.1207, "Canada"),
    "vienna": (48.2082, 16.3738, "Austria"),
    "warsaw": (52.2297, 21.0122, "Poland"),
    "zurich": (47.3769, 8.5417, "Switzerland"),
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower().strip()


def locate_place(label: str) -> tuple[float, float] | None:
    """Coordinates of the first known city named in `label` ("Lyon, France"), or None."""
    folded = _fold(label or "")
    for part in [p.strip() for p in folded.split(",")] + [folded]:
        if part in CITIES:
            lat, lon, _ = CITIES[part]
            return lat, lon
    return None
