"""The drafter's knowledge files load, and a broken file is reported with its file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.demo_data import TRIALS_DIR
from core.data_files import DataFileError, load_yaml_list
from core.domain.trial import NormalizedTrial
from core.drafting.criterion_topics import Comparator, CriterionTopic
from core.drafting.glossary import GlossaryEntry, explain_term
from core.drafting.key_facts import load_key_fact_rules
from core.drafting.promise_rules import load_promise_rules
from core.drafting.record_reading import (
    KNOWLEDGE,
    Negation,
    PhraseRule,
    ProductKind,
    RoleRule,
    SourceRule,
    read_record,
)
from core.drafting.study_stages import StudyStage

MODELS = {
    "glossary": GlossaryEntry,
    "intervention_roles": RoleRule,
    "product_kinds": ProductKind,
    "product_sources": SourceRule,
    "product_sources.negations": Negation,
    "administration": PhraseRule,
    "criterion_topics": CriterionTopic,
    "criterion_topics.comparators": Comparator,
    "study_stages": StudyStage,
}


def _demo(registry_id: str) -> NormalizedTrial:
    return parse_study_v2(json.loads((TRIALS_DIR / f"{registry_id}.json").read_text()))


# Files with a loader of their own (the checks' phrase lists), each validating as it loads.
OWN_LOADERS = {"key_facts": load_key_fact_rules, "promises": load_promise_rules}


def test_every_knowledge_file_validates() -> None:
    for path in sorted(KNOWLEDGE.glob("*.yaml")):
        if path.stem in OWN_LOADERS:
            assert OWN_LOADERS[path.stem](path), path
            continue
        keys = [k for k, v in yaml.safe_load(path.read_text()).items() if isinstance(v, list)]
        for key in keys:
            model = MODELS.get(f"{path.stem}.{key}", MODELS[path.stem])
            assert load_yaml_list(path, key, model), (path, key)


def test_the_t_all_car_t_record_is_read_by_role() -> None:
    reading = read_record(_demo("DEMO-0001"))
    roles = {p.name: p.role for p in reading.parts}
    assert roles == {
        "NXO-T7": "tested",
        "Fludarabine": "conditioning",
        "Cyclophosphamide": "conditioning",
        "Alemtuzumab": "conditioning",
        "Allogeneic HSCT": "procedure",
    }
    product = reading.by_role("tested")[0]
    assert (product.kind.key, product.source, product.given) == (
        "car_t",
        "donor",
        "once, as a drip into a vein",
    )
    transplant = reading.by_role("procedure")[0]
    assert (transplant.source, transplant.timing) == ("donor", "about 4 to 8 weeks after the infusion")
    assert reading.features == {"product_source": "donor", "transplant_source": "donor"}


def test_comparators_backbone_and_own_cells_are_told_apart() -> None:
    randomised = {p.name: p.role for p in read_record(_demo("DEMO-0018")).parts}
    assert randomised["NXO-19L"] == "tested"
    assert (
        randomised["Salvage chemo-immunotherapy"]
        == randomised["Autologous stem cell transplant"]
        == "comparator"
    )
    added = {p.name: p.role for p in read_record(_demo("DEMO-0002")).parts}
    assert added.pop("Daratumumab") == "tested" and set(added.values()) == {"backbone"}
    assert read_record(_demo("DEMO-0016")).features["product_source"] == "own"


def test_a_bad_regular_expression_names_file_line_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text(
        "roles:\n  - role: conditioning\n    description: ['ok']\n  - role: supportive\n    description: ['(unclosed']\n"
    )
    with pytest.raises(DataFileError) as error:
        load_yaml_list(path, "roles", RoleRule)
    message = str(error.value)
    assert str(path) in message and "line 5" in message and "entry 2 (supportive)" in message
    assert "field description" in message and "regular expression" in message


def test_an_unknown_role_and_broken_yaml_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  - role: dessert\n")
    with pytest.raises(DataFileError, match=r"line 2: entry 1 \(dessert\), field role"):
        load_yaml_list(path, "roles", RoleRule)
    path.write_text("glossary:\n  - term: 'x\n")
    with pytest.raises(DataFileError, match="not valid YAML"):
        load_yaml_list(path, "glossary", GlossaryEntry)
    path.write_text("terms: []\n")
    with pytest.raises(DataFileError, match="list under “glossary”"):
        load_yaml_list(path, "glossary", GlossaryEntry)


def test_the_glossary_explains_car_t_by_where_the_cells_come_from() -> None:
    donor = explain_term("CAR-T", {"product_source": "donor"})
    own = explain_term("CAR-T", {"product_source": "own"})
    unknown = explain_term("CAR-T", {})
    assert donor and "donor" in donor and "own" not in donor
    assert own and "own" in own and "donor" not in own
    assert unknown and "donor" not in unknown and "own" not in unknown


@pytest.mark.parametrize("loader", [load_promise_rules, load_key_fact_rules])
def test_a_broken_check_rule_file_names_its_file_and_line(tmp_path, loader) -> None:
    source = KNOWLEDGE / ("promises.yaml" if loader is load_promise_rules else "key_facts.yaml")
    lines = source.read_text().splitlines()
    # A line that does not parse, part-way into the real file: the error names this copy and that line.
    lines.insert(12, "  - [unclosed")
    path = tmp_path / source.name
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError, match=rf"{path}:1[2-4]: "):
        loader(path)


def test_a_bad_promise_pattern_is_named_with_its_line(tmp_path) -> None:
    path = tmp_path / "promises.yaml"
    path.write_text("strong:\n  - pattern: 'will cure'\n    why: a promise\n  - pattern: 'guaranteed('\n    why: broken\n"
                    "weak: []\nhedges: []\n")
    with pytest.raises(DataFileError, match=rf"{path}:[45]: .*strong"):
        load_promise_rules(path)


def test_a_bad_hedge_pattern_is_named_with_its_line(tmp_path) -> None:
    # A broken hedge used to escape as a bare re.error, naming neither the file nor the line.
    path = tmp_path / "promises.yaml"
    path.write_text("strong: []\nweak: []\nhedges:\n  - 'may'\n  - 'might('\n")
    with pytest.raises(DataFileError, match=rf"{path}:5: hedges"):
        load_promise_rules(path)
