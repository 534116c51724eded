"""Realistic records for the drafting tests: a CD19 CAR-T trial, an expanded-access programme, a case."""

from __future__ import annotations

from core.domain.case_facts import CaseFacts
from core.domain.trial import Contact, Intervention, NormalizedTrial, ParsedCriterion, Site
from core.domain.verdicts import CriterionVerdict

INCLUSION = [
    "Relapsed or refractory CD19-positive B-cell acute lymphoblastic leukemia",
    "Age 1 to 25 years at the time of screening",
    "Lansky or Karnofsky performance status of 50 or more",
    "Adequate organ function as defined by the protocol",
]
EXCLUSION = [
    "Active central nervous system disease with neurological symptoms",
    "Prior treatment with any gene therapy product",
    "Pregnant or breastfeeding",
]
PERSONAL_DATA = ["Maria Okafor", "maria.okafor@example.org", "+44 7700 900123", "14 Elm Road, Leeds"]


def make_car_t_trial() -> NormalizedTrial:
    """A CD19 CAR-T phase 1/2 trial with two sites and a central contact."""
    criteria = [ParsedCriterion(kind="inclusion", position=i, text=t) for i, t in enumerate(INCLUSION)]
    criteria += [ParsedCriterion(kind="exclusion", position=i, text=t) for i, t in enumerate(EXCLUSION)]
    return NormalizedTrial(
        registry_id="NCT04123456",
        source_format="ctgov_v2_json",
        brief_title="CD19 CAR-T Cells for Children and Young Adults With Relapsed B-ALL",
        official_title="A Phase 1/2 Study of Autologous CD19-Directed CAR T Cells (CTL119) in Relapsed or Refractory B-ALL",
        brief_summary=(
            "This phase 1/2 study tests autologous CD19 CAR-T cells given as one infusion after "
            "lymphodepletion with fludarabine and cyclophosphamide. Patients are followed for 15 years."
        ),
        detailed_description="Participants attend clinic visits weekly for the first 4 weeks after infusion.",
        overall_status="RECRUITING",
        study_type="INTERVENTIONAL",
        phases=["PHASE1", "PHASE2"],
        conditions=["B-cell Acute Lymphoblastic Leukemia", "Relapsed Leukemia"],
        keywords=["CAR-T", "CD19"],
        interventions=[
            Intervention(type="BIOLOGICAL", name="CTL119 CAR-T cells", other_names=["huCART19"]),
            Intervention(type="DRUG", name="Fludarabine"),
            Intervention(type="DRUG", name="Cyclophosphamide"),
        ],
        sponsor="Great Ormond Street Hospital for Children NHS Foundation Trust",
        enrollment=60,
        allocation="NA",
        masking="NONE",
        primary_purpose="TREATMENT",
        minimum_age_years=1,
        maximum_age_years=25,
        eligibility_text="Inclusion Criteria:\n"
        + "\n".join(INCLUSION)
        + "\nExclusion Criteria:\n"
        + "\n".join(EXCLUSION),
        criteria=criteria,
        sites=[
            Site(
                facility="Great Ormond Street Hospital",
                city="London",
                country="United Kingdom",
                status="RECRUITING",
                latitude=51.5225,
                longitude=-0.1205,
                contacts=[Contact(name="Dr Sara Ghorashian", phone="+44 20 7405 9200")],
            ),
            Site(
                facility="Royal Manchester Children's Hospital",
                city="Manchester",
                country="United Kingdom",
                status="NOT_YET_RECRUITING",
                latitude=53.4597,
                longitude=-2.2267,
            ),
        ],
        central_contacts=[
            Contact(
                name="CAR-T Trials Office",
                role="CONTACT",
                phone="+44 20 7905 2000",
                email="cart.trials@gosh.nhs.uk",
            )
        ],
        tags=["car_t", "cell_therapy", "children"],
    )


def make_expanded_access_programme() -> NormalizedTrial:
    """An expanded-access (compassionate use) programme with one central contact."""
    return NormalizedTrial(
        registry_id="NCT03147742",
        source_format="ctgov_legacy_xml",
        brief_title="Expanded Access Program of Ruxolitinib for Steroid-Refractory Graft-Versus-Host Disease",
        brief_summary="This program provides ruxolitinib to patients with steroid-refractory GVHD.",
        overall_status="AVAILABLE",
        study_type="EXPANDED_ACCESS",
        expanded_access_types=["INTERMEDIATE", "TREATMENT"],
        conditions=["Graft-versus-host Disease"],
        interventions=[Intervention(type="DRUG", name="Ruxolitinib")],
        sponsor="Incyte Corporation",
        minimum_age_years=12,
        central_contacts=[
            Contact(name="Incyte Medical Information", phone="1-855-463-3463", email="medinfo@incyte.com")
        ],
    )


def make_case_facts() -> CaseFacts:
    """A de-identified case: a 9-year-old with relapsed B-ALL living near Reading."""
    return CaseFacts(
        age_years=9,
        sex="female",
        diagnosis="B-cell acute lymphoblastic leukaemia",
        disease_status="relapsed",
        prior_therapies=["induction chemotherapy", "blinatumomab"],
        lines_of_therapy=2,
        biomarkers=["CD19 positive"],
        performance_status="Lansky 80",
        summary="Second relapse of B-ALL after blinatumomab. CD19 positive. No CNS disease.",
        latitude=51.4543,
        longitude=-0.9781,
        location_label="Reading, United Kingdom",
        travel_radius_km=300,
    )


def make_verdicts() -> list[CriterionVerdict]:
    """Verdicts of the CAR-T trial's criteria for the case: some met, some unknown, none failing."""
    labels = {
        ("inclusion", 0): "included",
        ("inclusion", 1): "included",
        ("inclusion", 2): "included",
        ("inclusion", 3): "not enough information",
        ("exclusion", 0): "not excluded",
        ("exclusion", 1): "not enough information",
        ("exclusion", 2): "not applicable",
    }
    texts = {"inclusion": INCLUSION, "exclusion": EXCLUSION}
    return [
        CriterionVerdict(kind=kind, position=pos, criterion_text=texts[kind][pos], verdict=label)  # type: ignore[arg-type]
        for (kind, pos), label in labels.items()
    ]
