"""Catalogue: the analysts' explorer, with filters in the URL, charts of the filtered set, exports and trial detail."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.catalogue.explorer import (
    SORTS,
    ExplorerFilter,
    export_trials,
    facet_counts,
    get_trial_detail,
    search_trials,
)
from core.domain.ages import format_age
from core.places import find_place
from pages.site_map import site_map
from pages.ui_common import md_text, require_page, run_action

actor = require_page("catalogue.view")
st.title("Catalogue")

flt, problems = ExplorerFilter.from_query_params({k: st.query_params.get_all(k) for k in st.query_params})
for p in problems:
    st.warning(md_text(p))  # quotes the URL's own text, which anyone can write

with st.sidebar.expander("Filters", expanded=True):
    text = st.text_input("Search (condition, drug, target, registry id)", value=flt.text, key="f-text",
                         help="Finds leukaemia and leukemia, lymphoma and lymphomas, CAR-T, CAR T and CART alike; "
                              "sorted by relevance unless you choose another order.")
    status = st.multiselect("Status", ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE",
                                       "ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED", "WITHDRAWN", "SUSPENDED",
                                       "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE", "UNKNOWN"], default=flt.status, key="f-status")
    phase = st.multiselect("Phase", ["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"], default=flt.phase, key="f-phase")
    study_type = st.multiselect("Study type", ["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"], default=flt.study_type, key="f-type")
    tag = st.multiselect("Families ask about", ["cell_therapy", "car_t", "gene_therapy", "expanded_access", "children"], default=flt.tag, key="f-tag")
    intervention = st.multiselect("Intervention type", ["DRUG", "BIOLOGICAL", "GENETIC", "PROCEDURE", "DEVICE", "RADIATION", "BEHAVIORAL", "OTHER"],
                                  default=flt.intervention_type, key="f-int")
    age = st.number_input("Patient age", min_value=0.0, max_value=120.0, value=flt.age, key="f-age")
    sex = st.selectbox("Sex", ["", "female", "male"], index=["", "female", "male"].index(flt.sex), key="f-sex",
                       format_func=lambda v: v or "any")
    country = st.text_input("Countries (comma separated)", value=", ".join(flt.country), key="f-country")
    sponsor = st.text_input("Sponsor contains", value=flt.sponsor, key="f-sponsor")
    since = st.date_input("Updated since", value=flt.updated_since, key="f-since")
    place = st.text_input("Near a city (e.g. Lyon, France)", key="f-place")
    lookup = find_place(place) if place else None
    found = (lookup.place.latitude, lookup.place.longitude) if lookup and lookup.place else None
    c1, c2, c3 = st.columns(3)
    near_lat = c1.number_input("Lat", value=flt.near_lat, key="f-lat", format="%.3f", disabled=bool(found))
    near_lon = c2.number_input("Lon", value=flt.near_lon, key="f-lon", format="%.3f", disabled=bool(found))
    radius = c3.number_input("km", value=flt.radius_km, min_value=0.0, key="f-km")
    if found:
        near_lat, near_lon = found
        st.caption(f"{md_text(lookup.message)} ({near_lat:.2f}, {near_lon:.2f})")
    elif lookup:
        st.warning(md_text(lookup.message))
    demo = st.selectbox("Demo records", ["", "only", "hide"], index=["", "only", "hide"].index(flt.demo), key="f-demo",
                        format_func=lambda v: {"": "show", "only": "only demo", "hide": "hide demo"}[v])

flt = ExplorerFilter(
    text=text, status=status, phase=phase, study_type=study_type, tag=tag, intervention_type=intervention, age=age,
    sex=sex, country=[c.strip() for c in country.split(",") if c.strip()], sponsor=sponsor,
    updated_since=since or None, near_lat=near_lat, near_lon=near_lon, radius_km=radius or None, demo=demo,
)
params = flt.to_query_params()
detail_id = st.query_params.get("trial")
st.query_params.from_dict({**params, **({"trial": detail_id} if detail_id else {})})

c1, c2 = st.columns([3, 1])
sort = c2.selectbox("Sort by", list(SORTS), key="f-sort")
page_size = 50
page_no = int(st.session_state.get("f-page", 1))
result = search_trials(actor, flt, page=page_no, page_size=page_size, sort=sort)
pages = max(1, -(-result.total // page_size))
plus = "+" if result.total_is_capped else ""
c1.markdown(f"**{result.total:,}{plus}** trials match · page {min(page_no, pages)} of {pages}{plus}")
if result.ranking:
    c1.caption(f"Sorted by relevance: {result.ranking}.")

table = pd.DataFrame([r.model_dump() for r in result.rows])
if not table.empty:
    st.dataframe(table, hide_index=True, width="stretch", height=min(420, 40 + 35 * len(table)))
b1, b2, b3, b4 = st.columns(4)
if b1.button("◀ Previous", disabled=page_no <= 1, key="f-prev"):
    st.session_state["f-page"] = page_no - 1
    st.rerun()
if b2.button("Next ▶", disabled=page_no >= pages, key="f-next"):
    st.session_state["f-page"] = page_no + 1
    st.rerun()
if actor.can("catalogue.export") and result.total:
    b3.download_button("Export CSV", data=lambda: export_trials(actor, flt, "csv"), file_name="trials.csv", mime="text/csv", key="f-csv")
    b4.download_button("Export Excel", data=lambda: export_trials(actor, flt, "xlsx"), file_name="trials.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="f-xlsx")

st.subheader("The filtered set at a glance")
@st.cache_data(ttl=300, show_spinner="Counting the filtered set…")
def _facets(params: str) -> dict:
    # Facets read the whole filtered set; five minutes of caching keeps paging and detail views fast.
    return facet_counts(actor, ExplorerFilter.model_validate_json(params))


facets = _facets(flt.model_dump_json())
cols = st.columns(2)
for i, (name, counts) in enumerate(facets.items()):
    if not counts:
        continue
    df = pd.DataFrame(counts, columns=["label", "trials"])
    df["label"] = df["label"].str.replace("_", " ").str.capitalize() if name in ("status", "study type", "phase") else df["label"]
    if name == "start year":
        chart = alt.Chart(df).mark_bar(color="#1a6e8e").encode(
            x=alt.X("label:O", title="Start year"), y=alt.Y("trials:Q", title="Trials"), tooltip=["label", "trials"])
    else:
        chart = alt.Chart(df).mark_bar(color="#1a6e8e").encode(
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            x=alt.X("trials:Q", title="Trials", axis=alt.Axis(tickMinStep=1)), tooltip=["label", "trials"])
    height = max(120, 26 * len(df)) if name != "start year" else 220
    cols[i % 2].altair_chart(chart.properties(title=f"By {name}", height=height), width="stretch", height=height + 60)

st.subheader("Trial detail")
ids = [r.registry_id for r in result.rows]
choice = st.selectbox("Trial", [""] + ids + ([detail_id] if detail_id and detail_id not in ids else []),
                      index=0 if not detail_id else ([""] + ids + [detail_id]).index(detail_id), key="f-detail")
if choice:
    detail = run_action(lambda: get_trial_detail(actor, choice))
    if detail:
        t = detail.trial
        st.markdown(f"### {md_text(t.brief_title)} ({md_text(t.registry_id)})" + (" · DEMO" if t.is_demo else ""))
        st.markdown(
            f"**Status** {t.overall_status} · **type** {t.study_type} · **phases** {', '.join(t.phases) or '–'} · "
            f"**ages** {'any' if t.minimum_age_years is None else format_age(t.minimum_age_years)}–{'any' if t.maximum_age_years is None else format_age(t.maximum_age_years)} · "
            f"**sex** {t.sex} · **sponsor** {md_text(t.sponsor or '–')} · **tags** {', '.join(t.tags) or '–'}"
        )
        tabs = st.tabs(["Summary", "Criteria", "Sites", "All fields", "Raw record"])
        tabs[0].markdown(md_text(t.brief_summary or "No summary in the record."))
        crit = pd.DataFrame([c.model_dump() for c in t.criteria])
        if not crit.empty:
            for kind in ("inclusion", "exclusion"):
                tabs[1].markdown(f"**{kind.capitalize()}**")
                tabs[1].dataframe(crit[crit.kind == kind][["position", "text"]], hide_index=True, width="stretch")
        sites = pd.DataFrame([s.model_dump(exclude={"contacts"}) for s in t.sites])
        if not sites.empty:
            tabs[2].dataframe(sites, hide_index=True, width="stretch")
            located = sites.dropna(subset=["latitude", "longitude"])
            if not located.empty:
                tabs[2].altair_chart(site_map(located), width="stretch")
                tabs[2].caption("Country outlines: Natural Earth, drawn from a file shipped with the workbench (no map service).")
        tabs[3].json(t.model_dump(mode="json", exclude={"raw"}), expanded=False)
        tabs[4].code(detail.raw[:200_000] or "(no raw record)", language="json" if detail.raw_format.endswith("json") else None)
