"""Tests for splitting eligibility text into criteria."""

from core.catalogue.criteria_parser import split_criteria


def _texts(criteria, kind):
    return [c.text for c in criteria if c.kind == kind]


def test_markdown_bullets_with_headings_and_escapes():
    text = (
        "Inclusion Criteria:\n\n* Age \\>= 18 years\n* Platelets \\< 50,000\\*\n\n"
        "Exclusion Criteria:\n\n* Pregnancy\n- Active infection\n• Prior CAR-T"
    )
    got = split_criteria(text)
    assert _texts(got, "inclusion") == ["Age >= 18 years", "Platelets < 50,000*"]
    assert _texts(got, "exclusion") == ["Pregnancy", "Active infection", "Prior CAR-T"]
    assert [c.position for c in got if c.kind == "exclusion"] == [0, 1, 2]


def test_numbered_and_lettered_lists():
    text = "INCLUSION:\n1. First thing\n2) Second thing\na. Third thing\n\nEXCLUSION:\n1. Bad thing"
    got = split_criteria(text)
    assert _texts(got, "inclusion") == ["First thing", "Second thing", "Third thing"]
    assert _texts(got, "exclusion") == ["Bad thing"]


def test_nested_lists_keep_level_and_parent():
    text = (
        "Inclusion Criteria:\n\n"
        "* Adequate organ function:\n"
        "  * ANC >= 1000/uL\n"
        "  * Platelets >= 75,000/uL\n"
        "* Karnofsky >= 60\n"
    )
    got = split_criteria(text)
    assert [(c.text, c.level, c.context) for c in got] == [
        ("Adequate organ function:", 0, None),
        ("ANC >= 1000/uL", 1, "Adequate organ function:"),
        ("Platelets >= 75,000/uL", 1, "Adequate organ function:"),
        ("Karnofsky >= 60", 0, None),
    ]


def test_plain_parent_line_ending_in_colon_nests_its_list():
    text = "Patients must have all of the following:\n* Relapsed T-ALL\n* Age 1 to 21 years"
    got = split_criteria(text)
    assert got[0].text == "Patients must have all of the following:" and got[0].level == 0
    assert [c.level for c in got[1:]] == [1, 1]
    assert all(c.kind == "inclusion" for c in got)


def test_no_heading_means_inclusion_and_unusual_headings():
    assert _texts(split_criteria("Patients must be 18 or older."), "inclusion") == [
        "Patients must be 18 or older."
    ]
    text = "Key Inclusion Criteria\n- A\nKey Exclusion Criteria\n- B"
    got = split_criteria(text)
    assert _texts(got, "inclusion") == ["A"] and _texts(got, "exclusion") == ["B"]


def test_exclusion_lead_sentence_switches_kind():
    text = "* Age over 18\n\nPatients will be excluded if they have any of the following:\n* HIV"
    got = split_criteria(text)
    assert _texts(got, "inclusion") == ["Age over 18"]
    assert _texts(got, "exclusion") == ["Patients will be excluded if they have any of the following:", "HIV"]


def test_hard_wrapped_legacy_xml_layout():
    text = (
        "Inclusion Criteria:\n\n"
        "  -  Patients with multicentric and/or multifocal early invasive breast\n"
        "     cancer are eligible.\n\n"
        "  -  ECOG 0-1.\n\n"
        "Exclusion Criteria:\n\n"
        "  -  Prior therapy with any CDK inhibitor.\n"
    )
    got = split_criteria(text)
    assert _texts(got, "inclusion") == [
        "Patients with multicentric and/or multifocal early invasive breast cancer are eligible.",
        "ECOG 0-1.",
    ]
    assert _texts(got, "exclusion") == ["Prior therapy with any CDK inhibitor."]


def test_trialgpt_blank_line_layout_and_empty_sections():
    text = "Inclusion Criteria:\ninclusion criteria: \n\n Adults \n\n Consent \n\n \n\nExclusion Criteria:\n: \n\n None"
    got = split_criteria(text)
    assert _texts(got, "inclusion") == ["Adults", "Consent"]
    assert _texts(got, "exclusion") == []


def test_markup_is_kept_as_text():
    got = split_criteria("* <script>alert(1)</script> & <b>bold</b>")
    assert got[0].text == "<script>alert(1)</script> & <b>bold</b>"


def test_empty_input():
    assert split_criteria("") == []
    assert split_criteria("   \n\n") == []


def test_one_criterion_per_line_without_markers_is_not_joined():
    got = split_criteria("Inclusion Criteria:\nAge > 18\nMale\nExclusion Criteria:\nPregnant")
    assert _texts(got, "inclusion") == ["Age > 18", "Male"] and _texts(got, "exclusion") == ["Pregnant"]


def test_lowercase_line_continues_the_previous_one():
    got = split_criteria("Patients with relapsed disease\nafter at least two lines of therapy")
    assert _texts(got, "inclusion") == ["Patients with relapsed disease after at least two lines of therapy"]


def test_pdq_style_sections_give_context():
    text = "PATIENT CHARACTERISTICS:\n\nAge:\n\n  -  16 and over\n\nRenal:\n\n  -  Creatinine <= 1.5 mg/dL\n       -  or clearance >= 50"
    got = split_criteria(text)
    by_text = {c.text: c for c in got}
    assert by_text["16 and over"].context == "Age:"
    assert by_text["or clearance >= 50"].context == "Renal: Creatinine <= 1.5 mg/dL"
    assert by_text["Renal:"].context is None
