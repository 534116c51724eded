"""Coordinates for trial sites that came without them (legacy XML, CSV exports), from the offline gazetteer."""

from __future__ import annotations

from core.domain.trial import NormalizedTrial
from core.places import find_place


def locate_sites(trial: NormalizedTrial) -> NormalizedTrial:
    """Fill a site's coordinates from its city, state and country, only when exactly one place fits.

    A guess between two towns of the same name could wrongly put a trial outside a family's travel radius,
    so an ambiguous site keeps no coordinates (and matching says its distance was not checked).
    """
    for site in trial.sites:
        if site.latitude is not None or not site.city:
            continue
        label = ", ".join(p for p in (site.city, site.state, site.country) if p)
        lookup = find_place(label)
        if lookup.is_certain and lookup.place is not None:
            site.latitude, site.longitude = lookup.place.latitude, lookup.place.longitude
    return trial
