"""A map of trial sites that needs no tile service: dots over Natural Earth country outlines shipped with the app."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

_OUTLINES = Path(__file__).resolve().parent / "map_data" / "countries-110m.json"
_MIN_SPAN_DEGREES = 12.0  # a single site still shows its country and neighbours


@lru_cache(maxsize=1)
def _countries() -> dict[str, Any]:
    return json.loads(_OUTLINES.read_text(encoding="utf-8"))


def _frame(sites: pd.DataFrame) -> dict[str, Any]:
    """A GeoJSON rectangle around the sites, padded, for the projection to fit (so the map zooms to them)."""
    lon_lo, lon_hi = float(sites["longitude"].min()), float(sites["longitude"].max())
    lat_lo, lat_hi = float(sites["latitude"].min()), float(sites["latitude"].max())
    pad_lon = max(_MIN_SPAN_DEGREES - (lon_hi - lon_lo), 0) / 2 + 2
    pad_lat = max(_MIN_SPAN_DEGREES - (lat_hi - lat_lo), 0) / 2 + 2
    w, e = max(lon_lo - pad_lon, -180.0), min(lon_hi + pad_lon, 180.0)
    s, n = max(lat_lo - pad_lat, -85.0), min(lat_hi + pad_lat, 85.0)
    ring = [[w, s], [w, n], [e, n], [e, s], [w, s]]  # clockwise, as d3 wants a small polygon
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {}}


def site_map(sites: pd.DataFrame, *, height: int = 380) -> alt.LayerChart:
    """Sites (columns latitude, longitude, facility, city, country, status) as dots over country outlines."""
    projection = alt.Projection(type="equirectangular", fit=_frame(sites))
    outlines = (
        alt.Chart(alt.Data(values=_countries(), format=alt.DataFormat(type="topojson", feature="countries")))
        .mark_geoshape(fill="#eef2f4", stroke="#9aa9b3", strokeWidth=0.6, clip=True)
        .project(**projection.to_dict())
    )
    dots = (
        alt.Chart(sites)
        .mark_circle(size=70, color="#1a6e8e", opacity=0.85, stroke="white", strokeWidth=0.8, clip=True)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            tooltip=[alt.Tooltip(c, type="nominal") for c in ("facility", "city", "country", "status") if c in sites],
        )
        .project(**projection.to_dict())
    )
    return alt.layer(outlines, dots).properties(height=height)
