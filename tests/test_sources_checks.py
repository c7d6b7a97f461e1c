"""sources.checks: a long abstract is cut and its paper kept; a record past the limits, or holding
what is not text, becomes a Rejection naming its file and line, and the rest of the file still
parses."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from recommender.people import Person
from recommender.papers import Record, Rejection, SourceRef
from recommender.sources import parse_text
from recommender.sources.checks import (
    MAX_ABSTRACT_CHARS,
    MAX_AUTHORS,
    MAX_FIELD_CHARS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    check,
    checked,
)

TODAY = date(2026, 11, 22)


def people(*names: str) -> list[Person]:
    return [Person.from_text(name) for name in names]


GOOD = Record(source=SourceRef("f.csv", 7, "csv"), abstract="An abstract.", title="A title",
              authors=[Person.from_text("A. Author")], categories=["cs.LG"], arxiv_id="2401.00867",
              doi="10.1063/1.2737825")


def test_a_good_record_passes_unchanged():
    assert check(GOOD) is GOOD
    at_the_limits = dataclasses.replace(
        GOOD, title="t" * MAX_TITLE_CHARS, abstract="a" * MAX_ABSTRACT_CHARS,
        authors=[Person(literal="n" * MAX_NAME_CHARS)] * MAX_AUTHORS)
    assert check(at_the_limits) is at_the_limits


@pytest.mark.parametrize(("change", "reason"), [
    ({"title": "t" * (MAX_TITLE_CHARS + 1)}, "title is 1,001 characters long (at most 1,000)"),
    ({"abstract": "a" * 1_000_001}, "abstract is 1,000,001 characters long (at most 1,000,000)"),
    ({"authors": people("A. One", "B" * 301)}, "author 2 is 301 characters long (at most 300)"),
    ({"authors": people("A. B") * (MAX_AUTHORS + 1)}, "2,001 authors (at most 2,000)"),
    ({"organisations": ["x" * 400]}, "organisation 1 is 400 characters long (at most 300)"),
    ({"categories": ["cs.LG", "c" * 301]}, "category 2 is 301 characters long (at most 300)"),
    ({"doi": "10.1/" + "x" * 300}, "DOI is 305 characters long (at most 300)"),
    ({"title": "Broken \ud800 title"},
     ("title holds U+D800 at character 8, which is not text (a lone surrogate, as from a JSON "
      "escape like \\ud800)")),
    ({"abstract": "An \udfff abstract."}, "abstract holds U+DFFF at character 4"),
    ({"authors": people("A. One", "B. T\udc80wo")}, "author 2 holds U+DC80 at character 5"),
])
def test_what_is_rejected(change, reason):
    found = check(dataclasses.replace(GOOD, **change))
    assert isinstance(found, Rejection)
    assert (found.path, found.line) == ("f.csv", 7)
    assert found.reason.startswith(reason)


def test_checked_keeps_order_and_passes_rejections_through():
    earlier = Rejection("f.csv", 3, "missing abstract")
    bad = dataclasses.replace(GOOD, title="x" * 5000)
    out = list(checked([GOOD, earlier, bad, GOOD]))
    assert out[0] is GOOD and out[1] is earlier and out[3] is GOOD
    assert isinstance(out[2], Rejection) and out[2].line == 7


def test_parse_text_rejects_the_bad_row_and_keeps_the_rest():
    text = ("title,abstract,authors\n"
            "First,A fine abstract.,A. Author\n"
            f"Second,{'word ' * 250_000},A. Author\n"
            f"Third,Another fine abstract.,\"A. Author, {'B' * 400}\"\n"
            "Fourth,A last fine abstract.,A. Author\n")
    fmt, items = parse_text(text, "big.csv", TODAY)
    out = list(items)
    assert fmt == "csv"
    assert [type(x).__name__ for x in out] == ["Record", "Rejection", "Rejection", "Record"]
    assert [str(x) for x in out if isinstance(x, Rejection)] == [
        "big.csv:3: abstract is 1,249,999 characters long (at most 1,000,000)",
        "big.csv:4: author 2 is 400 characters long (at most 300)",
    ]
    assert [x.title for x in out if isinstance(x, Record)] == ["First", "Fourth"]


# A scraped full text standing in for an abstract: sentences, one with an abbreviation.
FULL_TEXT = " ".join(
    f"Section {n} shows that the method converges, e.g. on graphs with {n} nodes. It is fast!"
    for n in range(1, 600)
)


def test_a_long_abstract_is_cut_at_a_sentence_and_marked_and_the_paper_kept():
    assert len(FULL_TEXT) > MAX_ABSTRACT_CHARS
    record = check(dataclasses.replace(GOOD, abstract=FULL_TEXT))
    assert isinstance(record, Record) and record.title == GOOD.title
    abstract = record.abstract
    assert len(abstract) <= MAX_ABSTRACT_CHARS and abstract.endswith("It is fast! […]")
    assert FULL_TEXT.startswith(abstract.removesuffix(" […]"))
    assert len(abstract) > MAX_ABSTRACT_CHARS - 100  # the last sentence that fits, not an earlier one
    assert check(record) == record  # cut once


def test_a_long_abstract_without_sentences_is_cut_after_a_word():
    words = "word " * 5000 + "end"
    cut = check(dataclasses.replace(GOOD, abstract=words))
    assert isinstance(cut, Record)
    assert cut.abstract.endswith("word […]") and len(cut.abstract) <= MAX_ABSTRACT_CHARS
    letters = check(dataclasses.replace(GOOD, abstract="a" * (MAX_ABSTRACT_CHARS + 1)))
    assert isinstance(letters, Record) and len(letters.abstract) == MAX_ABSTRACT_CHARS


def test_a_bibtex_entry_with_a_scraped_full_text_is_kept(tmp_path):
    text = (f"@article{{long, title = {{A paper with its full text}}, abstract = {{{FULL_TEXT}}}}}\n"
            f"@article{{huge, title = {{A megabyte field}}, abstract = {{{'x' * MAX_FIELD_CHARS} y}}}}\n")
    fmt, items = parse_text(text, "lib.bib", TODAY)
    kept, refused = list(items)
    assert isinstance(kept, Record) and kept.abstract.endswith(" […]")
    assert str(refused) == "lib.bib:2: abstract is 1,000,002 characters long (at most 1,000,000)"
