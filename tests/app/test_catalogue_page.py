"""The catalogue page: filters read from the URL, table, charts, export for analysts only."""

from __future__ import annotations

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
