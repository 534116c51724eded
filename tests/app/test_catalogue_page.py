"""The catalogue page: filters read from the URL, table, charts, export for analysts only."""

from __future__ import annotations

import json
import re

from tests.app.conftest import page, shown
from tests.support.flow import add_trials, make_trial


def test_query_param_filters_and_export_buttons(team):
    add_trials(make_trial("NCT02000001", brief_title="CAR-T for T-ALL"), make_trial("NCT02000002", brief_title="Asthma study", conditions=["Asthma"]))
    at = page("pages/trial_catalogue.py", team.analyst)
    at.query_params["text"] = "asthma"
    at.run()
    assert not at.exception
    assert any("**1** trials match" in m.value for m in at.markdown)
    assert at.text_input(key="f-text").value == "asthma"
    at_reviewer = page("pages/trial_catalogue.py", team.reviewer).run()
    assert any("**2** trials match" in m.value for m in at_reviewer.markdown)
    # Export buttons exist only for roles allowed to export.
    assert len(at.get("download_button")) == 2 and len(at_reviewer.get("download_button")) == 0


def test_bad_url_parameter_is_named(team):
    at = page("pages/trial_catalogue.py", team.analyst)
    at.query_params["age"] = "old"
    at.run()
    assert any("age" in w.value for w in at.warning)


def test_search_finds_spelling_and_hyphen_variants_best_first(team):
    add_trials(
        make_trial("NCT02000011", brief_title="CD7 CAR T cells for relapsed T-cell acute lymphoblastic leukemia",
                   conditions=["T-cell Acute Lymphoblastic Leukemia"]),
        make_trial("NCT02000012", brief_title="Chemotherapy for adults", conditions=["Acute Myeloid Leukaemia"],
                   brief_summary="Not a cell therapy.", keywords=[], interventions=[]),
        make_trial("NCT02000013", brief_title="Asthma study", conditions=["Asthma"], brief_summary="Asthma only.",
                   keywords=[], interventions=[]),
    )
    at = page("pages/trial_catalogue.py", team.analyst)
    at.query_params["text"] = "leukaemia"
    at.run()
    assert not at.exception
    assert any("**2** trials match" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert set(table["registry_id"]) == {"NCT02000011", "NCT02000012"}
    at.text_input(key="f-text").set_value("CD7 CAR-T").run()
    assert list(at.dataframe[0].value["registry_id"]) == ["NCT02000011"]


def test_near_a_city_says_which_place_and_warns_when_unknown(team):
    at = page("pages/trial_catalogue.py", team.analyst).run()
    at.text_input(key="f-place").set_value("St. Louis, Missouri").run()
    assert any("St. Louis, Missouri, United States" in shown(c.value) for c in at.caption)
    at.text_input(key="f-place").set_value("Xyzzyville").run()
    assert any("not in the offline list" in shown(w.value) for w in at.warning)


def test_site_map_needs_no_tile_service(team):
    add_trials(make_trial("NCT02000003", brief_title="CAR-T with sites"))  # sites in Manchester and Paris
    at = page("pages/trial_catalogue.py", team.analyst)
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


def test_a_url_parameter_shown_in_a_warning_is_inert(team):
    # The URL is anyone's to write: an image or link in a parameter must not become live in the page.
    at = page("pages/trial_catalogue.py", team.analyst)
    at.query_params["age"] = "![x](http://127.0.0.1:9/pixel.png) [click](http://127.0.0.1:9/) <img src=x>"
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning if "age" in w.value]
    # No image, link or tag can form: every "!", "[", "(" and "<" is backslash-escaped.
    assert warnings and not any(re.search(r"(?<!\\)[!\[(<]", w) for w in warnings)
    assert any("![x](http://127.0.0.1:9/pixel.png)" in shown(w) for w in warnings)
