"""The Australian PM transcripts parser on real files (tests/fixtures/pm-au) and the corpus."""

from __future__ import annotations

import datetime as dt
import re
import tarfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stenogram.errors import ParseError
from stenogram.model import Document
from stenogram.parse import detect, parse_bytes, pm_au, pm_au_labels
from stenogram.parse.labels import first_last

GOLDEN_IDS = ["41198", "40393", "17378", "4910", "21836", "2541", "40519", "41313", "8186", "41224"]
_LEFTOVER_LABEL = re.compile(r"^(?:PRIME MINISTER|JOURNALIST|QUESTION|PM|Q)\s*[:;]")


def _raw(fixtures_dir: Path, tid: str) -> bytes:
    return (fixtures_dir / "pm-au" / f"transcript-{tid}.xml").read_bytes()


def _doc(fixtures_dir: Path, tid: str) -> Document:
    return pm_au.parse(_raw(fixtures_dir, tid), origin=f"transcript-{tid}.xml")


@pytest.mark.parametrize("tid", GOLDEN_IDS)
def test_golden(fixtures_dir: Path, golden: Callable[[str, Any], None], tid: str) -> None:
    golden(f"pm-au-{tid}", _doc(fixtures_dir, tid).to_dict())


def test_detected_among_formats(fixtures_dir: Path) -> None:
    data = _raw(fixtures_dir, "41198")
    assert detect(data, "transcript-41198.xml") == pm_au.NAME
    assert parse_bytes(data).source == "pmtranscripts.pmc.gov.au"


def test_interview_fields_and_turns(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "41198")
    assert doc.source_id == "41198"
    assert doc.url == "https://pmtranscripts.pmc.gov.au/release/transcript-41198"
    assert doc.date == dt.date(2017, 9, 22)
    assert doc.category == "Transcript"
    assert doc.title == "Radio interview with Neil Mitchell, 3AW"
    assert doc.tags.names("topics") == ["Same-sex marriage", "Tony Abbott", "AFL"]
    first, second = doc.speeches[:2]
    assert (first.attribution, first.speaker, first.role) == (
        "PRIME MINISTER",
        "Malcolm Turnbull",
        "Prime Minister",
    )
    assert first.paragraphs == ("Good morning Neil.",)
    assert (second.attribution, second.speaker, second.role) == (
        "NEIL MITCHELL",
        "Neil Mitchell",
        None,
    )
    assert {s.speaker for s in doc.speeches} == {"Malcolm Turnbull", "Neil Mitchell"}
    assert doc.warnings == ()


def test_role_label_without_a_name(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "40393")
    pm, deputy = doc.speeches
    assert pm.speaker == "Malcolm Turnbull" and len(pm.paragraphs) == 6
    assert (deputy.attribution, deputy.speaker, deputy.role) == (
        "DEPUTY PRIME MINISTER",
        None,
        "Deputy Prime Minister",
    )
    assert deputy.paragraphs[0] == "Thanks Prime Minister."
    assert deputy.paragraphs[-1] == "That's about it, thanks."
    assert [(n.text, n.position) for n in doc.narrative] == [("Ends", 2)]


def test_media_release_has_no_turns(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "17378")
    assert doc.speeches == ()
    assert doc.category == "Media Release"
    assert len(doc.narrative) == 3
    assert doc.narrative[1].text == "The service will be held tomorrow, 2 December, in Greymouth."


def test_scanned_interview_lines_become_paragraphs(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "4910")
    assert doc.date == dt.date(1978, 12, 4)
    assert doc.speeches and all(s.speaker == "Malcolm Fraser" for s in doc.speeches)
    assert doc.speeches[0].attribution == "Prime Minister"
    assert (
        doc.speeches[0]
        .paragraphs[0]
        .startswith(
            "Clearly there will be a greater concentration in that particular issue because a"
            " Minister and a Department"
        )
    )
    text = "\n".join(p for s in doc.speeches for p in s.paragraphs)
    assert "/ 2" not in text and "-2-" not in text  # page furniture is dropped
    assert doc.speeches[-1].attribution == "Prime Minister ( continued)"


def test_label_typo_still_names_the_prime_minister(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "21836")
    typo = [s for s in doc.speeches if s.attribution == "PRIME MINSTER"]
    assert len(typo) == 1 and typo[0].speaker == "John Howard"
    assert {s.speaker for s in doc.speeches} == {"John Howard", "Edward Stourton"}
    assert doc.narrative[-1].text == "[ends]"


def test_unlabelled_speech_is_one_turn_by_the_prime_minister(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "2541")
    (speech,) = doc.speeches
    assert (speech.attribution, speech.speaker, speech.role) == (
        None,
        "William McMahon",
        "Prime Minister",
    )
    assert speech.paragraphs[0] == "Good Evening;"
    assert speech.paragraphs[-1].endswith("Good ni-ht and thank you.")
    assert all(n.position == 0 for n in doc.narrative)  # the header lines come first


def test_initials_resolved_from_the_title(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "8388")
    who = Counter((s.attribution, s.speaker) for s in doc.speeches)
    assert who[("PM", "Paul Keating")] > 50
    assert who[("JL", "John Laws")] > 50
    assert doc.speeches[1].paragraphs == ("You are running close to time.",)


def test_empty_transcripts_file_is_a_parse_error(fixtures_dir: Path) -> None:
    with pytest.raises(ParseError, match="no <transcript>"):
        pm_au.parse(_raw(fixtures_dir, "30446"), origin="transcript-30446.xml")


def test_broken_xml_is_read_leniently(fixtures_dir: Path) -> None:
    data = _raw(fixtures_dir, "17378").replace(b"Prime Ministerial", b"Prime &bogus; Ministerial")
    doc = pm_au.parse(data)
    assert doc.title == "Prime &bogus; Ministerial Statement"
    assert len(doc.narrative) == 3


@pytest.mark.parametrize(
    "data",
    [b"<transcripts><transcript><title>x", b"<?xml version='1.0'?><transcripts>&x;</transcripts>"],
)
def test_hopeless_xml_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_bytes(data, source=pm_au.NAME)


@pytest.mark.corpus
def test_whole_corpus(corpus_dir: Path) -> None:
    archive = corpus_dir / "pm-transcripts-au.tar.xz"
    if not archive.exists():
        pytest.skip("pm-transcripts-au.tar.xz is absent")
    failures: list[str] = []
    spoken = Counter[str]()
    with_turns = Counter[str]()
    parsed = 0
    elapsed = 0.0
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            fh = tar.extractfile(member)
            assert fh is not None
            data = fh.read()
            start = time.perf_counter()
            try:
                doc = pm_au.parse(data, origin=member.name)
            except ParseError as exc:
                failures.append(str(exc))
                continue
            finally:
                elapsed += time.perf_counter() - start
            parsed += 1
            _check_invariants(doc, data)
            if doc.category in ("Interview", "Press Conference"):
                spoken[doc.category] += 1
                with_turns[doc.category] += bool(doc.speeches)
    # The one file that fails holds an empty <transcripts> element (transcript-30446.xml).
    assert len(failures) == 1 and "no <transcript>" in failures[0]
    assert parsed == 4401
    share = sum(with_turns.values()) / sum(spoken.values())
    print(
        f"\npm-au: {parsed} parsed, {parsed / elapsed:.0f} docs/s; interviews and press "
        f"conferences with turns: {share:.1%} ({dict(with_turns)} of {dict(spoken)})"
    )
    assert share > 0.95


def _check_invariants(doc: Document, data: bytes) -> None:
    pm_field = re.search(rb"<prime-minister>([^<]*)</prime-minister>", data)
    assert pm_field is not None
    pm = pm_field.group(1).decode().strip()
    for speech in doc.speeches:
        if (speech.attribution or "").upper().rstrip(" :;") in ("PRIME MINISTER", "PM"):
            assert speech.speaker == (first_last(pm, "en") if pm else None), doc.origin
        for paragraph in speech.paragraphs:
            assert not _LEFTOVER_LABEL.match(paragraph), (doc.origin, paragraph[:60])
    for item in doc.narrative:
        assert not _LEFTOVER_LABEL.match(item.text), (doc.origin, item.text[:60])
    raw_date = re.search(rb"<release-date>(\d\d)/(\d\d)/(\d{4})</release-date>", data)
    if raw_date:
        day, month, year = (int(g) for g in raw_date.groups())
        assert doc.date == dt.date(year, month, day)
    assert doc.source_id and doc.url and doc.url.endswith(doc.source_id)


def test_surname_label_completed_from_the_title(fixtures_dir: Path) -> None:
    # "Interview with Tim Cox": the bare "COX:" labels are Tim Cox, not initials.
    doc = _doc(fixtures_dir, "11955")
    assert doc.speeches[0].attribution == "COX"
    assert doc.speeches[0].speaker == "Tim Cox"


def test_role_label_named_by_the_title(fixtures_dir: Path) -> None:
    # Title: "Press Conference with Senator the Hon. Mathias Cormann, Minister for Finance".
    turns = [
        s for s in _doc(fixtures_dir, "41313").speeches if s.attribution == "MINISTER FOR FINANCE"
    ]
    assert len(turns) == 3
    assert {(s.speaker, s.role) for s in turns} == {("Mathias Cormann", "Minister for Finance")}


def test_label_that_says_who_the_person_is_after_a_comma(fixtures_dir: Path) -> None:
    # "SENATOR THE HON. MATHIAS CORMANN, MINISTER FOR FINANCE:" opens his first turn, which
    # used to be run into the Prime Minister's.
    pm, cormann = _doc(fixtures_dir, "41313").speeches[:2]
    assert pm.paragraphs[-1].endswith("Mathias.") or "Thank you very much" not in pm.paragraphs[-1]
    assert cormann.attribution == "SENATOR THE HON. MATHIAS CORMANN, MINISTER FOR FINANCE"
    assert (cormann.speaker, cormann.role) == ("Mathias Cormann", "Senator, Minister for Finance")
    assert cormann.paragraphs[0].startswith("Thank you very much Prime Minister.")


@pytest.mark.parametrize(
    ("label", "speaker", "role"),
    [
        ("MATT RIDLEY - THE VISCOUNT RIDLEY DL, HOUSE OF LORDS", "Matt Ridley",
         "The Viscount Ridley Dl, House of Lords"),
        ("IAN – CALLER", "Ian", "Caller"),
        ("PRIME MINISTER – EXCERPT", "Malcolm Turnbull", "Prime Minister"),
        ("THE HON. SCOTT MORRISON MP - TREASURER", "Scott Morrison", "Treasurer"),
        ("MINISTER FOR HUMAN SERVICES, THE HON. ALAN TUDGE MP", "Alan Tudge",
         "Minister for Human Services"),
        ("MINISTER FOR INDUSTRY, INNOVATION AND SCIENCE", None,
         "Minister for Industry, Innovation and Science"),
        ("NICK SMITH – THE BAKER AT SUTTON", "Nick Smith", "The Baker at Sutton"),
    ],
)  # fmt: skip
def test_label_with_a_dash_or_comma(label: str, speaker: str | None, role: str) -> None:
    ctx = pm_au_labels.context("Turnbull, Malcolm", "Press conference")
    who = pm_au_labels.resolve(label, ctx)
    assert (who.speaker, who.role) == (speaker, role)
    line = f"<p><strong>{label}:</strong> Thank you.</p><p><strong>JOURNALIST:</strong> Why?</p>"
    doc = pm_au.parse(_transcript(line), origin="t")
    assert [s.attribution for s in doc.speeches] == [label, "JOURNALIST"]


def _transcript(content: str, kind: str = "Transcript") -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><transcript><transcript-id>1</transcript-id>"
        "<title>Press conference</title><prime-minister>Turnbull, Malcolm</prime-minister>"
        f"<release-date>01/02/2017</release-date><release-type>{kind}</release-type>"
        f"<subjects></subjects><content><![CDATA[{content}]]></content></transcript>"
    ).encode()


@pytest.mark.parametrize("mark", ["[ENDS]", "<strong>[ENDS]</strong>", "[Ends]", "ENDS", "[END]"])
def test_end_mark_is_no_turn_and_ends_the_last(mark: str) -> None:
    content = (
        "<p>PRIME MINISTER: Thank you all.</p>"
        f"<p>{mark}</p><p>Q&amp;A</p>"
        "<p>JOURNALIST: One more question?</p>"
    )
    doc = pm_au.parse(_transcript(content), origin="t")
    assert [(s.attribution, s.paragraphs) for s in doc.speeches] == [
        ("PRIME MINISTER", ("Thank you all.",)),
        ("JOURNALIST", ("One more question?",)),
    ]
    assert [n.text for n in doc.narrative] == [
        mark.replace("<strong>", "").replace("</strong>", ""),
        "Q&A",
    ]


def test_prose_ending_in_a_label_word_is_not_a_label() -> None:
    """Scanned lines: "... our famous men and" / "women: As chairman ..." (transcript 8186)."""
    lines = [
        "It is thoroughly right that I should name those leading figures",
        "who have so expertly praised our famous men and",
        "women: As chairman of the editorial board, Sir Keith Hancock was",
        "succeeded by Professor John La Nauze and the current editor.",
        "ON THE ELIMINATION OF ALL FORMS OF DISCRIMINATION AGAINST",
        "WOMEN. WE HAVE REINSTATED THE NATIONAL EMERGENCY SERVICES PROGRAM",
        "It becomes worse than no policy at all if, as it happened,",
        "all. these projects are a dramatic illustration of our aims.",
        "I: Liberty Loan, second terms announced here.",
    ]
    content = "<p>" + "<br />".join(lines * 2) + "</p>"
    doc = pm_au.parse(_transcript(content, "Speech"), origin="t")
    assert [(s.attribution, s.speaker) for s in doc.speeches] == [(None, "Malcolm Turnbull")]


def test_excerpt_note_is_not_a_role(fixtures_dir: Path) -> None:
    doc = _doc(fixtures_dir, "40519")
    turn = next(s for s in doc.speeches if s.attribution == "UNION MEMBER - EXCERPT")
    assert (turn.speaker, turn.role) == ("Union Member", None)


def test_scanning_slip_of_pm_label(fixtures_dir: Path) -> None:
    # Scanned 1968 remarks: "PMV:" answers a question like the other "PM:" turns.
    doc = _doc(fixtures_dir, "1869")
    slip = next(s for s in doc.speeches if s.attribution == "PMV")
    assert (slip.speaker, slip.role) == ("John Gorton", "Prime Minister")


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_banded_distance_is_exact_within_the_limit() -> None:
    """The banded edit distance must agree with the full table whenever it is within the limit,
    and say "over" otherwise: label matching (typos such as "JOURNALST") depends on both."""
    from itertools import product

    words = ["".join(p) for n in range(5) for p in product("ab ", repeat=n)]
    for a, b in product(words, repeat=2):
        exact = _levenshtein(a, b)
        for limit in range(4):
            got = pm_au_labels.distance(a, b, limit)
            assert got == exact if exact <= limit else got == limit + 1, (a, b, limit)


def test_typo_labels_still_found_by_the_index() -> None:
    assert pm_au_labels.near("journalst", "nonperson") == "journalist"
    assert pm_au_labels.near("prime minster", "pm") == "prime minister"
    assert pm_au_labels.near("jrnlst", "nonperson") == "jrnlst"
    assert pm_au_labels.near("kournalist", "nonperson") is None  # typos keep the first letter
