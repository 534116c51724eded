"""Dev de-identification corpus: the narratives looked at while building the rules.

Run: python bench/corpora/deid_dev.py  -> tests/data/privacy/deid_dev.jsonl
Its pools and templates differ from the held-out corpus (deid_heldout.py).
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpora.markup import hand_written_rows, parse_markup  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "privacy" / "deid_dev.jsonl"
SEED = 7
N = 220
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PEOPLE = {
    "US": (["María", "Sophia", "Liam", "Noah", "Emma", "Olivia", "Ethan", "Aiden", "Harper", "Lucas", "Jasmine",
            "DeShawn", "Guadalupe", "Connor"],
           ["González", "Johnson", "Ramirez", "O'Brien", "Patel", "Kim", "Washburn", "Fitzgerald", "Alvarez", "Tran",
            "Kowalski", "Jefferson"]),
    "UK": (["Oliver", "Amelia", "Isla", "Jack", "Freya", "Harry", "Ava", "Mohammed", "Ffion", "Seren", "Lewis",
            "Mhairi", "Ciara"],
           ["Smith", "Jones", "Williams", "Taylor", "Evans", "Khan", "Robertson", "McDonald", "Hughes", "Ahmed", "Doherty"]),
    "EU": (["Lukas", "Léa", "Matteo", "Lucía", "Emilie", "Jens", "Hugo", "Chloé", "Francesca", "Sven", "Agnieszka",
            "Thijs", "Zeynep"],
           ["Schmidt", "Dubois", "Rossi", "García", "Janssen", "Kowalska", "Nielsen", "Fernández", "Lambert",
            "van Dijk", "Bianchi", "Yılmaz"]),
}
DOCTORS = ["Dr. Sarah Lindqvist", "Dr Peter Osei", "Prof. Hans Kessler", "Dr. M. Oyelaran", "Dr. Laura Chen",
           "Sister Bridget Kearney", "Dr Tomás Ortega"]
PLACES = {
    "US": [("St. Louis", "MO", "63110"), ("Houston", "TX", "77030"), ("Seattle", "WA", "98105"),
           ("Denver", "CO", "80218"), ("Atlanta", "GA", "30322")],
    "UK": [("Manchester", "Greater Manchester", "M13 9WL"), ("Birmingham", "West Midlands", "B4 6NH"),
           ("Glasgow", "Scotland", "G51 4TF"), ("Cardiff", "Wales", "CF14 4XW"), ("London", "Greater London", "WC1N 3JH")],
    "EU": [("Berlin", "Berlin", "13353"), ("Paris", "Île-de-France", "75015"), ("Milan", "Lombardy", "20133"),
           ("Amsterdam", "North Holland", "1105 AZ"), ("Madrid", "Madrid", "28046")],
}
STREETS = {
    "US": ["{n} Oak Hollow Dr", "{n} Maple Street", "{n} E. Washington Ave", "{n} Pine Ridge Road, Apt 12",
           "{n} Sunset Blvd"],
    "UK": ["{n} Acacia Avenue", "{n} Church Road", "{n} Victoria Street", "Flat 4, {n} Queen's Road",
           "{n} Meadow Close"],
    "EU": ["Hauptstraße {n}", "{n} avenue de la République", "Via Roma {n}", "Prinsengracht {n}", "Calle Mayor {n}"],
}
CLINICAL = ["vincristine", "nelarabine", "blinatumomab", "dexamethasone", "fludarabine", "cyclophosphamide",
            "pegaspargase", "Ara-C", "CD7", "CD19", "CD22", "CD34", "T-ALL", "ETP-ALL", "NOTCH1", "KMT2A",
            "1.5 mg/m2", "25 mg/kg", "MRD 0.8%", "blasts 35%", "WBC 45 x10^9/L", "ANC 0.3", "Karnofsky 80",
            "ECOG 1", "haemoglobin 8.1 g/dL", "CNS3", "BCR-ABL1", "imatinib"]
DOMAINS = ["example.com", "mail.com", "hotmail.co.uk", "gmx.de", "libero.it", "free.fr"]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def make_date(rng: random.Random, region: str, birth: bool) -> str:
    y = rng.randint(2005, 2020) if birth else rng.randint(2022, 2025)
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    mon = MONTHS[m - 1]
    if region == "US":
        return rng.choice([f"{m}/{d}/{y}", f"{mon} {d}, {y}", f"{mon[:3]} {d}, {y}"])
    if region == "UK":
        return rng.choice([f"{d}/{m}/{y}", f"{d} {mon} {y}", f"{d}{'th' if d > 3 else 'st'} of {mon} {y}"])
    return rng.choice([f"{d}.{m}.{y}", f"{y}-{m:02d}-{d:02d}", f"{d} {mon[:3]}. {y}"])


def make_phone(rng: random.Random, region: str) -> str:
    if region == "US":
        a, b, c = rng.choice([314, 713, 206, 303, 404]), rng.randint(200, 999), rng.randint(1000, 9999)
        return rng.choice([f"+1 {a} {b} {c}", f"{a}-{b}-{c}", f"({a}){b}-{c}"])
    if region == "UK":
        return rng.choice([f"07{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                           f"+44 161 {rng.randint(100, 999)} {rng.randint(1000, 9999)}", f"020 {rng.randint(7000, 8999)} {rng.randint(1000, 9999)}"])
    return rng.choice([f"+49 30 {rng.randint(1000000, 9999999)}", f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                       f"+39 02 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", f"+31 20 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])


def make_id(rng: random.Random, region: str) -> tuple[str, str]:
    d = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    options = [("MRN", d(7)), ("MRN #", d(8)), ("hospital number", f"H-{d(5)}"), ("record no.", f"K{d(6)}"),
               ("insurance ID", f"{rng.choice(['BCX', 'AXA', 'TK'])}{d(8)}")]
    if region == "UK":
        options.append(("NHS number", f"{d(3)} {d(3)} {d(4)}"))
    if region == "US":
        options.append(("Medicaid #", f"{d(9)}A"))
    if region == "EU":
        options.append(("Versicherungsnummer", f"{rng.choice('ABCDE')}{d(9)}"))
    return rng.choice(options)


def make_email(rng: random.Random, first: str, last: str) -> str:
    user = strip_accents(f"{first}.{last[0]}" if rng.random() < 0.5 else f"{first[0]}{last}").lower().replace(" ", "").replace("'", "")
    dom = rng.choice(DOMAINS)
    base, tld = dom.split(".", 1)
    return rng.choice([f"{user}@{dom}", f"{user.replace('.', ' dot ')} at {base} dot {tld.replace('.', ' dot ')}",
                       f"{user} [at] {base} [dot] {tld}"])


def build_row(i: int, rng: random.Random) -> dict:
    region = ["US", "UK", "EU"][i % 3]
    firsts, lasts = PEOPLE[region]
    child, parent_first, other = rng.sample(firsts, 3)
    last = rng.choice(lasts)
    city, area, post = rng.choice(PLACES[region])
    street = rng.choice(STREETS[region]).format(n=rng.randint(1, 9999))
    dob, event = make_date(rng, region, True), make_date(rng, region, False)
    phone = make_phone(rng, region)
    label, ident = make_id(rng, region)
    email = make_email(rng, parent_first, last)
    doctor = rng.choice(DOCTORS)
    c = [f"«{t}»" for t in rng.sample(CLINICAL, 6)]
    age = rng.randint(1, 20)
    addr = f"⟦ADDRESS|{street}⟧, ‹{city}›, {area} ⟦ADDRESS|{post}⟧" if region == "US" else (
        f"⟦ADDRESS|{street}⟧, ‹{city}› ⟦ADDRESS|{post}⟧" if region == "UK" else f"⟦ADDRESS|{street}⟧, ⟦ADDRESS|{post}⟧ ‹{city}›")
    surname_forms = [last.upper(), strip_accents(last), last.lower(), f"{parent_first} {last}", f"{strip_accents(parent_first)} {strip_accents(last)}"]
    fmt = i % 6
    if fmt == 0:
        marked = (f"⟦NAME|{child} {last}⟧ is a «{age}-year-old» with relapsed {c[0]}, born ⟦DATE|{dob}⟧. "
                  f"{label} ⟦ID|{ident}⟧. After {c[1]} and {c[2]} the marrow showed {c[3]}. "
                  f"Mother: ⟦NAME|{parent_first} {last}⟧, ⟦PHONE|{phone}⟧, ⟦EMAIL|{email}⟧.")
    elif fmt == 1:
        marked = (f"Our daughter ⟦NAME|{child}⟧ (⟦NAME|{rng.choice(surname_forms)}⟧) was admitted on ⟦DATE|{event}⟧. "
                  f"She is «{age}» and has {c[0]} {c[1]}. {doctor.split()[0]} ⟦NAME|{' '.join(doctor.split()[1:])}⟧ suggested {c[2]}. "
                  f"We live at {addr}. Call ⟦PHONE|{phone}⟧.")
    elif fmt == 2:
        marked = (f"Name: ⟦NAME|{last.upper()}, {child}⟧\nDOB: ⟦DATE|{dob}⟧\n{label}: ⟦ID|{ident}⟧\nAddress: {addr}\n"
                  f"Diagnosis: {c[0]}, {c[1]}\nPrevious treatment: {c[2]}, {c[3]}, {c[4]}\nContact: ⟦EMAIL|{email}⟧")
    elif fmt == 3:
        marked = (f"I am ⟦NAME|{parent_first}⟧, the mum of ⟦NAME|{child}⟧. Her sister ⟦NAME|{other}⟧ is a donor match. "
                  f"⟦NAME|{child}⟧ had {c[0]} and {c[1]}; now {c[2]}. Our fundraiser is at ⟦URL|www.gofundme.com/{strip_accents(child).lower()}-{strip_accents(last).lower().replace(' ', '')}⟧. "
                  f"Please email ⟦EMAIL|{email}⟧.")
    elif fmt == 4:
        marked = (f"Referral from {doctor.split()[0]} ⟦NAME|{' '.join(doctor.split()[1:])}⟧ on ⟦DATE|{event}⟧ regarding ⟦NAME|{strip_accents(child)} {last.upper()}⟧ "
                  f"(DOB ⟦DATE|{dob}⟧, {label} ⟦ID|{ident}⟧): «{age} years old», {c[0]}, {c[1]}, {c[2]}. "
                  f"Family address {addr}; phone ⟦PHONE|{phone}⟧.")
    else:
        marked = (f"The ⟦NAME|{last}⟧ family from ‹{city}› ask about {c[0]} trials for their son ⟦NAME|{child}⟧, «{age}». "
                  f"He received {c[1]}, {c[2]} and {c[3]}. Dad is ⟦NAME|{parent_first}⟧. Write to ⟦EMAIL|{email}⟧ or visit ⟦URL|https://caringbridge.org/{strip_accents(child).lower()}⟧.")
    loc = rng.randint(0, 2)
    location = f"area: {addr}" if loc == 0 else (f"‹{city}›, {area}" if loc == 1 else addr)
    contact = {"name": f"{parent_first} {last}", "email": email if "@" in email else f"{strip_accents(parent_first).lower()}@{rng.choice(DOMAINS)}",
               "phone": phone, "address": f"{street}, {city} {post}"}
    return {"id": f"dev-{i:03d}", "region": region, "format": fmt, "contact": contact,
            "fields": {"summary": parse_markup(marked), "location": parse_markup(location)}}


# First names that are also places: a person where the text says so, a place where it is one. Written out
# after the generated rows so those stay byte for byte.
PLACE_NAMED = [
    ("US", {"name": "Georgia Whitfield", "email": "", "phone": "", "address": ""},
     "⟦NAME|Georgia Whitfield⟧ is «14» and has relapsed «T-ALL». ⟦NAME|Georgia⟧ is 14 and lives in ‹Georgia›, near ‹Atlanta›."),
    ("US", {"name": "Madison Reyes", "email": "", "phone": "", "address": ""},
     "⟦NAME|Madison⟧'s «leukemia» came back after «blinatumomab». Contact: ⟦NAME|Madison⟧. They can drive to ‹Austin›."),
    ("US", {"name": "Dana Hale", "email": "", "phone": "", "address": ""},
     "⟦NAME|Austin Hale⟧, aged «9», has refractory «B-ALL». He was treated near ‹Austin›, Texas."),
    ("UK", {"name": "Sarah Adeyemi", "email": "", "phone": "", "address": ""},
     "Ms. ⟦NAME|Florence Adeyemi⟧ asks about «CAR-T» for her daughter ⟦NAME|Savannah⟧. They could travel to ‹Florence›."),
    ("UK", {"name": "Tom Price", "email": "", "phone": "", "address": ""},
     "⟦NAME|Sydney⟧ was diagnosed with «AML» and her mother ⟦NAME|Victoria⟧ will travel with her to ‹Sydney›."),
    ("EU", {"name": "Hanna Vogel", "email": "", "phone": "", "address": ""},
     "⟦NAME|Paris⟧, 6, received «CAR-T» in spring. The family moved from ‹Paris›, France."),
    ("EU", {"name": "Noor Haddad", "email": "", "phone": "", "address": ""},
     "⟦NAME|Jordan⟧ has relapsed twice; ⟦NAME|Jordan⟧'s mother asks about «inotuzumab». The family lives in ‹Jordan›."),
    ("US", {"name": "Charlotte Baines", "email": "", "phone": "", "address": ""},
     "⟦NAME|Charlotte⟧ wants to know about «tisagenlecleucel» for her son. The nearest site is in ‹Victoria›, British Columbia."),
]


def place_named_rows(start: int) -> list[dict]:
    """The hand-written rows on first names that are also places, numbered from `start`."""
    return hand_written_rows("dev", start, PLACE_NAMED, "place_named")


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
