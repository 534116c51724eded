"""The catalogue page: filters read from the URL, table, charts, export for analysts only."""

from __future__ import annotations

import json

from tests.app.conftest import page
from tests.support.flow import add_trials, make_trial


def test_query_param_filters_and_export_buttons(team):
    add_trials(make_trial("NCT02000001", brief_title="CAR-T for T-ALL"), make_trial("NCT02000002", brief_title="Asthma study", conditions=["Asthma"]))
    at = page("pages/catalogue.py", team.analyst)
    at.query_params["text"] = "asthma"
    at.run()
    assert not at.exception
    assert any("**1** trials match" in m.value for m in at.markdown)
    assert at.text_input(key="f-text").value == "asthma"
    at_reviewer = page("pages/catalogue.py", team.reviewer).run()
    assert any("**2** trials match" in m.value for m in at_reviewer.markdown)
    # Export buttons exist only for roles allowed to export.
    assert len(at.get("download_button")) == 2 and len(at_reviewer.get("download_button")) == 0


def test_bad_url_parameter_is_named(team):
    at = page("pages/catalogue.py", team.analyst)
    at.query_params["age"] = "old"
    at.run()
    assert any("age" in w.value for w in at.warning)


def test_site_map_needs_no_tile_service(team):
    add_trials(make_trial("NCT02000003", brief_title="CAR-T with sites"))  # sites in Manchester and Paris
    at = page("pages/catalogue.py", team.analyst)
    at.query_params["trial"] = "NCT02000003"
    at.run()
    assert not at.exception
    assert not at.get("deck_gl_json_chart") and not at.get("map")  # st.map needs a tile service
    maps = [c.proto.spec for c in at.get("vega_lite_chart") if '"geoshape"' in c.proto.spec]
    assert len(maps) == 1
    spec = json.loads(maps[0])
    assert '"url"' not in maps[0]  # the outlines are in the chart itself: nothing is fetched
    outlines = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "geoshape")
    data = spec["datasets"][outlines["data"]["name"]] if "name" in outlines["data"] else outlines["data"]["values"]
    assert data["type"] == "Topology" and len(data["objects"]["countries"]["geometries"]) == 177
