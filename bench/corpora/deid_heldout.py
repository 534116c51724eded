"""Held-out de-identification corpus: narratives written BEFORE the detection rules, never tuned on.

Run: python bench/corpora/deid_heldout.py  -> tests/data/privacy/deid_heldout.jsonl
Pools, formats and templates here are deliberately different from the dev corpus (deid_dev.py).
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpora.markup import hand_written_rows, parse_markup  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "privacy" / "deid_heldout.jsonl"
SEED = 20260514
N = 210

FIRST = {
    "US": ["Jaylen", "Brooklyn", "Destiny", "Mateo", "Avery", "Kinsley", "Tyrone", "Savannah", "Camila", "Elijah",
           "Paisley", "Jordyn", "Xavier", "Nevaeh", "Dominic"],
    "UK": ["Siobhan", "Callum", "Niamh", "Rhys", "Aoife", "Gethin", "Imogen", "Alfie", "Poppy", "Tariq", "Fiona",
           "Declan", "Harriet", "Kwame", "Eilidh"],
    "EU": ["Jürgen", "Zoë", "Håkon", "Anaïs", "Björn", "Inés", "Łukasz", "Małgorzata", "Sofía", "Mathéo",
           "Ngozi", "Giulia", "Dagmar", "Joaquín", "Ruairí"],
}
LAST = {
    "US": ["Washington", "Okonkwo", "Delgado", "Nguyen", "Whitfield", "Kowalczyk", "Hernandez", "McAllister",
           "Baptiste", "Yazzie", "Abernathy", "Castellanos"],
    "UK": ["Featherstonehaugh", "O'Sullivan", "Pritchard", "Mahmood", "Llewellyn", "Ogunleye", "Cartwright",
           "MacLeod", "Haworth", "Begum", "Fairbairn"],
    "EU": ["Müller-Lüdenscheidt", "van der Berg", "Ibáñez", "Wiśniewska", "Lefèvre", "Ødegaard", "Brambilla",
           "Núñez", "Papadopoulou", "de Vries", "Schröder", "Gonçalves"],
}
CLINICIANS = ["Dr. Amara Whitcombe", "Dr Felix Rautenbach", "Prof. Ingrid Solberg", "Dr. R. Venkataraman",
              "Nurse Practitioner Dana Kessler", "Dr Ciarán Mulholland", "Dr. Haruto Ishikawa", "Dr. Benedetta Rossi"]
CITIES = {
    "US": [("Columbus", "OH", "43215"), ("Tucson", "AZ", "85719"), ("Memphis", "TN", "38105"),
           ("Spokane", "WA", "99204"), ("Omaha", "NE", "68114")],
    "UK": [("Leeds", "West Yorkshire", "LS6 2QT"), ("Bristol", "Avon", "BS8 1TH"), ("Aberdeen", "Scotland", "AB25 2ZN"),
           ("Swansea", "Wales", "SA2 8PP"), ("Norwich", "Norfolk", "NR4 7UY")],
    "EU": [("Lyon", "Rhône", "69003"), ("Utrecht", "Utrecht", "3584 CX"), ("Bologna", "Emilia-Romagna", "40138"),
           ("Göteborg", "Västra Götaland", "413 45"), ("Valencia", "Comunidad Valenciana", "46026")],
}
STREETS = {
    "US": ["{n} Sycamore Ridge Rd", "{n} W. Magnolia Blvd", "{n} Juniper Court", "{n} N Cedar Ave Apt 3B",
           "{n} Old Mill Pkwy"],
    "UK": ["{n} Wellington Crescent", "Flat 2, {n} Buttercup Close", "{n} Priory Lane", "{n} Harrow Rd",
           "{n} St Anne's Terrace"],
    "EU": ["Lindenstraße {n}", "{n} rue des Tanneurs", "Via Garibaldi {n}", "Kerkstraat {n}",
           "Calle de Alcalá {n}, 4º izq."],
}
DRUGS = ["nelarabine", "bortezomib", "«Ara-C»", "daunorubicin", "PEG-asparaginase", "6-mercaptopurine", "venetoclax",
         "navitoclax", "daratumumab", "dexamethasone", "intrathecal methotrexate", "clofarabine", "etoposide"]
TERMS = ["CD7", "CD1a", "CD5", "cCD3", "NOTCH1", "FBXW7", "PTEN", "TLX3", "ETP-ALL", "T-LBL", "T-ALL",
         "MRD 0.04%", "blasts 62%", "WBC 118 x10^9/L", "platelets 23 x10^9/L", "LDH 1,240 U/L", "CNS2",
         "Lansky 60", "ECOG 2", "hemoglobin 7.9 g/dL", "creatinine 0.6 mg/dL"]
DOMAINS = ["gmail.com", "outlook.de", "yahoo.co.uk", "proton.me", "icloud.com", "web.de", "orange.fr"]


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def date_variants(rng: random.Random, region: str) -> tuple[str, str]:
    """(birth date, another date) written in a region's habits."""
    y, m, d = rng.randint(2006, 2019), rng.randint(1, 12), rng.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    mon = months[m - 1]
    ay, am, ad = rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)
    amon = months[am - 1]
    if region == "US":
        births = [f"{m}/{d}/{y}", f"{mon} {d}, {y}", f"{mon[:3]}. {d} {y}", f"{m:02d}-{d:02d}-{y}"]
        others = [f"{am}/{ad}/{ay % 100:02d}", f"{amon} {ad}th", f"{amon} {ad}, {ay}"]
    elif region == "UK":
        births = [f"{d:02d}/{m:02d}/{y}", f"{d} {mon} {y}", f"{d}th {mon} {y}", f"{d}-{mon[:3]}-{y}"]
        others = [f"{ad}/{am}/{ay}", f"{ad} {amon}", f"the {ad}th of {amon}"]
    else:
        births = [f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}", f"{d}. {mon} {y}", f"{d:02d}.{m:02d}.{y % 100:02d}"]
        others = [f"{ad:02d}.{am:02d}.{ay}", f"{ay}-{am:02d}-{ad:02d}", f"{ad} {amon} {ay}"]
    return rng.choice(births), rng.choice(others)


def phone_variants(rng: random.Random, region: str) -> str:
    a, b = rng.randint(200, 989), rng.randint(1000, 9999)
    if region == "US":
        area = rng.choice([614, 520, 901, 509, 402])
        return rng.choice([f"({area}) {a}-{b}", f"{area}.{a}.{b}", f"+1-{area}-{a}-{b}", f"1 {area} {a} {b}"])
    if region == "UK":
        return rng.choice([f"07{rng.randint(700, 999)} {rng.randint(100000, 999999)}",
                           f"+44 (0)113 {a} {b}", f"0117 {a}{b % 10} {b // 10:03d}", f"+447{rng.randint(700, 999)}{rng.randint(100000, 999999)}"])
    return rng.choice([f"+49 (0)30 {a} {b}{rng.randint(0, 9)}", f"06 {a % 90 + 10} {b % 90 + 10} {a % 80 + 10} {b % 70 + 10}",
                       f"+33 6 {a % 90 + 10} {b % 90 + 10} {a % 80 + 10} {b % 70 + 10}", f"0031 6 {rng.randint(10000000, 99999999)}",
                       f"+39 051 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])


def id_variants(rng: random.Random, region: str) -> list[tuple[str, str]]:
    """(label text, identifier) pairs for record and insurance numbers."""
    digits = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    nhs = _nhs_number(rng)
    common = [
        ("Hospital no.", f"RX{digits(6)}"),
        ("Pt ID", f"{rng.choice('ABCHKZ')}{rng.choice('-/')}{digits(5)}"),
        ("chart #", digits(8)),
        ("MRN:", digits(7)),
        ("policy number", f"{rng.choice(['UHC', 'BCBS', 'AET'])}{digits(9)}"),
    ]
    if region == "US":
        common += [("Medicaid ID", f"{digits(2)}{rng.choice('ABCDEF')}{digits(6)}"),
                   ("member ID", f"W{digits(9)}"), ("SSN", f"{digits(3)}-{digits(2)}-{digits(4)}")]
    elif region == "UK":
        common += [("NHS no", f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"), ("NHS number", nhs),
                   ("CHI", f"{rng.randint(10, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 19):02d}{digits(4)}")]
    else:
        common += [("Versichertennummer", f"{rng.choice('ABKMT')}{digits(9)}"), ("BSN", digits(9)),
                   ("n° sécurité sociale", f"{rng.randint(1, 2)} {digits(2)} {digits(2)} {digits(2)} {digits(3)} {digits(3)} {digits(2)}"),
                   ("tessera sanitaria", f"80380{digits(15)}")]
    return common


def _nhs_number(rng: random.Random) -> str:
    while True:
        body = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, body)) + str(check)


def email_variants(rng: random.Random, first: str, last: str) -> str:
    user = fold(rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{last}{rng.randint(70, 99)}", f"{first}_{last[:3]}"])).lower()
    user = user.replace(" ", "").replace("'", "")
    dom = rng.choice(DOMAINS)
    base, tld = dom.rsplit(".", 1)
    return rng.choice([
        f"{user}@{dom}",
        f"{user} at {base} dot {tld}",
        f"{user} (at) {base} (dot) {tld}",
        f"{user}[at]{base}[dot]{tld}",
        f"{user.replace('.', ' dot ')} at {base} dot {tld}",
        f"{user.upper()}@{dom.upper()}",
    ])


def url_variants(rng: random.Random, first: str, last: str) -> str:
    slug = fold(f"{first}-{last}").lower().replace(" ", "-").replace("'", "")
    return rng.choice([f"https://www.gofundme.com/f/{slug}-fights-back", f"instagram.com/team_{slug.replace('-', '_')}",
                       f"http://caringbridge.org/visit/{slug}", f"www.{slug}-journey.blog", f"facebook.com/groups/{slug}strong"])


def spelling_of(rng: random.Random, first: str, last: str) -> str:
    return rng.choice([last.upper(), f"{fold(first)} {fold(last)}", f"{last.upper()}, {first}", f"{first.lower()} {last.lower()}",
                       f"Ms {last}", f"Mr. {fold(last)}", f"{first[0]}. {last}", last])


def clinical(rng: random.Random, k: int) -> list[str]:
    return [f"«{t}»" if not t.startswith("«") else t for t in rng.sample(DRUGS + TERMS, k)]


def build_row(i: int, rng: random.Random) -> dict:
    region = ["US", "UK", "EU"][i % 3]
    pfirst, sfirst, pfirst2 = rng.sample(FIRST[region], 3)
    last = rng.choice(LAST[region])
    parent = f"{pfirst} {last}"
    city, regionname, post = rng.choice(CITIES[region])
    street = rng.choice(STREETS[region]).format(n=rng.randint(2, 4999))
    birth, other = date_variants(rng, region)
    phone = phone_variants(rng, region)
    email = email_variants(rng, pfirst, last)
    url = url_variants(rng, sfirst, last)
    idlabel, idvalue = rng.choice(id_variants(rng, region))
    idlabel2, idvalue2 = rng.choice(id_variants(rng, region))
    clin = rng.choice(CLINICIANS)
    age = rng.randint(2, 19)
    c = clinical(rng, 6)
    contact = {"name": parent, "email": email if "@" in email else f"{fold(pfirst).lower()}.{fold(last).lower().replace(' ', '')}@{rng.choice(DOMAINS)}",
               "phone": phone, "address": f"{street}, {city} {post}"}
    address_line = {"US": f"⟦ADDRESS|{street}⟧, ‹{city}›, {regionname} ⟦ADDRESS|{post}⟧",
                    "UK": f"⟦ADDRESS|{street}⟧, ‹{city}› ⟦ADDRESS|{post}⟧",
                    "EU": f"⟦ADDRESS|{street}⟧, ⟦ADDRESS|{post}⟧ ‹{city}›"}[region]
    fmt = i % 7
    spelled = spelling_of(rng, pfirst, last)
    if fmt == 0:  # intake form, labelled fields
        marked = (
            f"REFERRAL FORM\nPatient: ⟦NAME|{sfirst} {last.upper()}⟧\nD.O.B.: ⟦DATE|{birth}⟧ (age «{age}»)\n"
            f"{idlabel} ⟦ID|{idvalue}⟧\nHome: {address_line}\nParent/guardian: ⟦NAME|{spelled}⟧, tel ⟦PHONE|{phone}⟧\n"
            f"Dx: relapsed «T-ALL», {c[0]}+, {c[1]}. Reinduction with {c[2]} and {c[3]} failed on ⟦DATE|{other}⟧."
        )
    elif fmt == 1:  # a parent's e-mail
        marked = (
            f"Hello, I'm writing about my daughter ⟦NAME|{sfirst}⟧, she is a «{age}-year-old» with «T-cell lymphoblastic lymphoma». "
            f"She was born ⟦DATE|{birth}⟧ and relapsed in the mediastinum after {c[0]} and {c[1]}. Her oncologist ⟦NAME|{clin}⟧ "
            f"at ‹{city}› said {c[2]} is the last standard option. You can reach me at ⟦EMAIL|{email}⟧ or on ⟦PHONE|{phone}⟧. "
            f"We also set up ⟦URL|{url}⟧ for updates. Thank you, ⟦NAME|{parent}⟧"
        )
    elif fmt == 2:  # clinician referral letter
        marked = (
            f"Re: ⟦NAME|{sfirst} {last}⟧, ⟦ID|{idvalue}⟧ ({idlabel.rstrip(':')})\nDear colleague, thank you for seeing this "
            f"«{age} yo» boy with second relapse of {c[0]}-positive «T-ALL» ({c[1]}, {c[2]}). Admitted ⟦DATE|{other}⟧ with "
            f"{c[3]}. Mother ⟦NAME|{pfirst}⟧ ({spelled if ',' not in spelled else last}) is the main carer; address on file: {address_line}. "
            f"Yours sincerely, ⟦NAME|{clin}⟧"
        )
        marked = marked.replace(f"({spelled if ',' not in spelled else last})", f"(⟦NAME|{spelled if ',' not in spelled else last}⟧)")
    elif fmt == 3:  # bullet list notes
        marked = (
            f"- pt ⟦NAME|{sfirst.lower()}⟧, «{age}y», {c[0]}\n- DOB ⟦DATE|{birth}⟧\n- {idlabel2} ⟦ID|{idvalue2}⟧\n"
            f"- mum ⟦NAME|{pfirst}⟧ mob ⟦PHONE|{phone}⟧\n- lives at {address_line}\n- prior: {c[1]}, {c[2]}, {c[3]}\n"
            f"- seen by ⟦NAME|{clin}⟧ on ⟦DATE|{other}⟧"
        )
    elif fmt == 4:  # all-caps surname and family story
        marked = (
            f"The ⟦NAME|{last.upper()}⟧ family (father ⟦NAME|{pfirst2}⟧, sister ⟦NAME|{pfirst}⟧) moved to ‹{city}› last year. "
            f"Their son, «{age} years old», has «ETP-ALL» refractory to {c[0]} and {c[1]}; {c[2]} and {c[3]} noted. "
            f"Insurance: {idlabel} ⟦ID|{idvalue}⟧. Please write to ⟦EMAIL|{email}⟧ or see ⟦URL|{url}⟧."
        )
    elif fmt == 5:  # timeline with many dates
        marked = (
            f"Timeline for ⟦NAME|{sfirst}⟧: diagnosed ⟦DATE|{other}⟧ («T-ALL», {c[0]}), {c[1]} then {c[2]}; relapse with {c[3]}. "
            f"Born ⟦DATE|{birth}⟧ in ‹{city}›. Contact ⟦NAME|{spelled}⟧ at ⟦PHONE|{phone}⟧, {address_line}. "
            f"Record ⟦ID|{idvalue2}⟧."
        )
    else:  # run-on free text with a spelled e-mail and the clinician's name
        marked = (
            f"my son ⟦NAME|{sfirst}⟧ ⟦NAME|{last}⟧ ({idlabel} ⟦ID|{idvalue}⟧) is «{age}» and his leukaemia came back, "
            f"{c[0]} and {c[1]} on his last bone marrow, he had {c[2]} and {c[3]} already. ⟦NAME|{clin}⟧ thinks a «CD7» CAR-T trial "
            f"could work. we are at {address_line}. email ⟦EMAIL|{email}⟧, phone ⟦PHONE|{phone}⟧. dob ⟦DATE|{birth}⟧"
        )
    loc_kind = rng.randint(0, 3)
    if loc_kind == 0:
        location = f"area: {address_line}"
    elif loc_kind == 1:
        location = f"‹{city}›, {regionname}"
    elif loc_kind == 2:
        location = f"near ‹{city}› (⟦ADDRESS|{post}⟧)"
    else:
        location = f"{address_line}"
    return {
        "id": f"heldout-{i:03d}",
        "region": region,
        "format": fmt,
        "contact": contact,
        "fields": {"summary": parse_markup(marked), "location": parse_markup(location)},
    }


# First names that are also places, in other wordings than the dev rows; after the generated rows so those
# stay byte for byte.
PLACE_NAMED = [
    ("US", {"name": "Ruth Okoro", "email": "", "phone": "", "address": ""},
     "Our granddaughter ⟦NAME|Dakota⟧ turned «12» in May; ⟦NAME|Dakota⟧'s consultant mentioned «nelarabine». We live outside ‹Denver›."),
    ("UK", {"name": "Georgia Mills", "email": "", "phone": "", "address": ""},
     "Mrs ⟦NAME|Georgia Mills⟧ writes for her son. ⟦NAME|Georgia⟧ can be reached through the ward. Flights to ‹Georgia› are too long."),
    ("EU", {"name": "Elena Ricci", "email": "", "phone": "", "address": ""},
     "Patient: ⟦NAME|Florence⟧, «7 years old», completed «blinatumomab». The family asks about centres near ‹Florence› or ‹Milan›."),
    ("US", {"name": "Kim Tran", "email": "", "phone": "", "address": ""},
     "⟦NAME|Phoenix Tran⟧ had a transplant in 2022. ⟦NAME|Phoenix⟧ has had two «CAR-T» infusions; the family drove from ‹Phoenix›."),
    ("UK", {"name": "Lina Haddad", "email": "", "phone": "", "address": ""},
     "Dr. ⟦NAME|Regina Falk⟧ referred ⟦NAME|Sydney⟧, who was admitted with «febrile neutropenia». A cousin lives in ‹Sydney›, Australia."),
]


def place_named_rows(start: int) -> list[dict]:
    """The hand-written rows on first names that are also places, numbered from `start`."""
    return hand_written_rows("heldout", start, PLACE_NAMED, "place_named")


def main() -> None:
    rng = random.Random(SEED)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    rows = [build_row(i, rng) for i in range(N)] + place_named_rows(N)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} narratives to {OUT}")


if __name__ == "__main__":
    main()
