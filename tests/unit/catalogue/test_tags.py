"""Tests for tagging trials with the themes families ask about."""

from core.catalogue.tags import tag_trial
from core.domain.trial import Intervention, NormalizedTrial


def _trial(**kw):
    return NormalizedTrial(registry_id="DEMO-1", source_format="test", **kw)


def test_car_t_is_also_cell_therapy():
    t = _trial(brief_title="Anti-CD7 CAR-T Cells for Relapsed T-ALL")
    assert tag_trial(t) == ["car_t", "cell_therapy"]
    assert "car_t" in tag_trial(_trial(interventions=[Intervention(name="CART-19")]))
    assert "car_t" in tag_trial(_trial(brief_title="Chimeric Antigen Receptor T cells in lymphoma"))


def test_ordinary_words_are_not_car_t():
    assert tag_trial(_trial(brief_title="Cartilage repair with a scar treatment")) == []


def test_t_cell_disease_is_not_cell_therapy():
    t = _trial(brief_title="Nelarabine in T-cell Lymphoblastic Lymphoma", conditions=["T-cell Lymphoma"])
    assert tag_trial(t) == []


def test_gene_therapy_from_type_or_words():
    assert "gene_therapy" in tag_trial(_trial(interventions=[Intervention(type="GENETIC", name="XYZ-101")]))
    assert "gene_therapy" in tag_trial(_trial(brief_title="AAV9 Gene Transfer in SMA"))
    assert "gene_therapy" not in tag_trial(_trial(brief_title="Antiretroviral therapy in children with HIV"))


def test_cell_product_intervention_but_not_transplant():
    biological = Intervention(type="BIOLOGICAL", name="Virus-specific T cells")
    assert "cell_therapy" in tag_trial(_trial(interventions=[biological]))
    transplant = Intervention(type="BIOLOGICAL", name="Stem cell transplant")
    assert "cell_therapy" not in tag_trial(_trial(interventions=[transplant]))


def test_expanded_access_from_type_flag_or_title():
    assert "expanded_access" in tag_trial(_trial(study_type="EXPANDED_ACCESS"))
    assert "expanded_access" in tag_trial(_trial(has_expanded_access=True))
    assert "expanded_access" in tag_trial(_trial(brief_title="Compassionate Use of Drug X"))
    assert "expanded_access" not in tag_trial(_trial(has_expanded_access=False))


def test_children_from_age_limit_or_population():
    assert "children" in tag_trial(_trial(maximum_age_years=17.0))
    assert "children" in tag_trial(_trial(conditions=["Childhood T Acute Lymphoblastic Leukemia"]))
    assert "children" in tag_trial(_trial(brief_title="A Paediatric Study"))
    assert "children" not in tag_trial(_trial(maximum_age_years=18.0, minimum_age_years=1.0))
