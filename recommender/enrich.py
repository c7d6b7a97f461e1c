"""Finding a library paper on arXiv, and accepting only a confident match.

A paper is looked for by its title (`ti:"..."`), or, when its title was only derived from the
abstract, by a distinctive phrase of the abstract (`abs:"..."`). An answer counts only when it
is clearly the same paper; a wrong link is worse than none:

- by title: the titles are equal once case, punctuation, TeX and accents are folded
  (`merge.title_norm`; a longer title that contains ours is another paper), and, where both
  sides list authors, they share a surname. Where a side lists no authors, the abstracts must
  back the title up instead (`merge.same_abstract`: one text, maybe revised).
- by abstract phrase: the two abstracts are near-identical (most of the word 4-grams of each
  are in the other), and they share a surname where both list authors.

Two different papers that both pass make the answer ambiguous: no match. This module holds no
SQL and no network code; `find_match` asks through the client it is given.

`Enricher` runs the look-ups for the library's papers without an arXiv id: each confident match
fills in that very paper (arXiv id, full author list, categories, first-version date, arXiv as a
source), and every outcome is remembered, so that a miss is not asked again for `MISS_DAYS` days.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .arxiv import ArxivClient, ArxivError, search_phrase
from .kinds import CheckOutcome
from .merge import (
    MIN_ABSTRACT_SHINGLES,
    folded_words,
    same_abstract,
    shingles,
    title_norm,
)
from .papers import Paper, Record
from .people import Person
from .stopwords import english

if TYPE_CHECKING:
    from .ingest import Ingester
    from .store import Store

log = logging.getLogger("paperclub.enrich")

BY_TITLE = "title"
BY_ABSTRACT = "abstract"
NOTHING_TO_ASK = "none"

# Words in an abstract phrase: six rare-ish words in a row are as good as unique, and short
# enough to survive small edits between an abstract's versions.
PHRASE_WORDS = 6
MIN_PHRASE_WORDS = 4
# Shared word 4-grams over the larger abstract's count: from here two abstracts are one text
# (a new version's added sentence or rewording stays above it).
NEAR_IDENTICAL = 0.75

_TEX_MATH = re.compile(r"\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?(?:\{[^{}]*\})?|\\.")
# A plain word of an abstract phrase, with the punctuation that may close it.
_PLAIN_WORD = re.compile(r"([A-Za-z]+(?:-[A-Za-z]+)*)([,.;:!?)\]\"'\u2019\u201d]*)")
_OPENERS = "(\"'[\u2018\u201c"

# A paper looked up without a match is not asked about again for this many days.
MISS_DAYS = 30

EnrichProgress = Callable[[int, int], None]
"""Told (papers done, papers to do): with 0 done before the first request, then after each paper."""


def query_for(paper: Paper) -> tuple[str, str]:
    """What to ask arXiv for a paper: (`BY_TITLE`, title phrase), (`BY_ABSTRACT`, abstract
    phrase), or (`NOTHING_TO_ASK`, "") when neither gives a phrase worth asking (a derived title
    over an abstract that is not in English, a title that is all TeX)."""
    if not paper.title_derived:
        phrase = _title_phrase(paper.title)
        return (BY_TITLE, phrase) if phrase else (NOTHING_TO_ASK, "")
    if paper.lang == "en":
        phrase = abstract_phrase(paper.abstract)
        if phrase:
            return BY_ABSTRACT, phrase
    return NOTHING_TO_ASK, ""


def confident_match(paper: Paper, candidates: list[Record]) -> Record | None:
    """The one candidate that is clearly `paper` (see the module docstring), else None."""
    accepted: list[Record] = []
    for candidate in candidates:
        refusal = _refusal(paper, candidate)
        if refusal is None:
            if all(candidate.arxiv_id != other.arxiv_id for other in accepted):
                accepted.append(candidate)
        else:
            log.debug("paper %d: not arXiv %s: %s", paper.id, candidate.arxiv_id, refusal)
    if len(accepted) > 1:
        log.info("paper %d: ambiguous on arXiv (%s); left alone", paper.id,
                 ", ".join(str(r.arxiv_id) for r in accepted))
        return None
    return accepted[0] if accepted else None


def find_match(client: ArxivClient, paper: Paper) -> Record | None:
    """Ask arXiv about `paper` (one request, through the client's rate gate) and judge the
    answer. None when nothing confident comes back; ArxivError when arXiv cannot be asked."""
    kind, text = query_for(paper)
    if kind == BY_TITLE:
        candidates = client.search_title(text)
    elif kind == BY_ABSTRACT:
        candidates = client.search_abstract(text)
    else:
        return None
    return confident_match(paper, candidates)


# -- what to ask ------------------------------------------------------------------------------


def _title_phrase(title: str) -> str:
    """The title as a phrase; for a title with TeX math in it, its longest run of plain text
    (math is written too many ways to search for)."""
    runs = [search_phrase(part) for part in _TEX_MATH.split(title)]
    return max(runs, key=lambda run: len(run.split()), default="")


def abstract_phrase(abstract: str) -> str:
    """A distinctive phrase of an abstract: `PHRASE_WORDS` plain words in a row (no TeX, digits,
    symbols or punctuation between them) that neither start nor end with a stop word, with the
    most letters in words that are not stop words; the first such phrase wins a tie. Shorter
    phrases (down to `MIN_PHRASE_WORDS`) only when no run is long enough. "" if there is none."""
    runs = _plain_runs(abstract)
    for size in range(PHRASE_WORDS, MIN_PHRASE_WORDS - 1, -1):
        best, best_score = "", 0
        for run in runs:
            for start in range(len(run) - size + 1):
                window = run[start:start + size]
                if _is_stop(window[0]) or _is_stop(window[-1]):
                    continue
                score = sum(len(word) for word in window if not _is_stop(word))
                if score > best_score:
                    best, best_score = " ".join(window), score
        if best:
            return best
    return ""


def _plain_runs(abstract: str) -> list[list[str]]:
    """The abstract's runs of plain words: TeX, digits, symbols and punctuation end a run."""
    text = _TEX_COMMAND.sub(" | ", _TEX_MATH.sub(" | ", abstract))
    runs: list[list[str]] = [[]]
    for token in text.split():
        core = token.lstrip(_OPENERS)
        if core != token and runs[-1]:
            runs.append([])
        match = _PLAIN_WORD.fullmatch(core)
        if match is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(match.group(1))
        if match.group(2):
            runs.append([])
    return [run for run in runs if run]


def _is_stop(word: str) -> bool:
    return word.lower() in english()


# -- judging the answer -----------------------------------------------------------------------


def _refusal(paper: Paper, candidate: Record) -> str | None:
    """Why `candidate` is not confidently `paper`, or None when it is."""
    if not candidate.arxiv_id:
        return "no arXiv id"
    if paper.arxiv_id and paper.arxiv_id != candidate.arxiv_id:
        return f"the paper already has arXiv id {paper.arxiv_id}"
    both_list_authors = bool(paper.authors) and bool(candidate.authors)
    if both_list_authors and not _surnames(paper.authors) & _surnames(candidate.authors):
        return "no author surname in common"
    if paper.title_derived:
        overlap = _abstract_overlap(paper.abstract, candidate.abstract)
        return None if overlap >= NEAR_IDENTICAL else f"abstracts differ ({overlap:.2f} shared)"
    ours = title_norm(paper.title)
    if not ours or ours != title_norm(candidate.title or ""):
        return "titles differ"
    if not both_list_authors and not same_abstract(_tex_free(paper.abstract), _tex_free(candidate.abstract)):
        return "no authors to compare, and the abstracts are not one text"
    return None


def _abstract_overlap(ours: str, theirs: str) -> float:
    """Shared word 4-grams over the larger abstract's count; 0 for an abstract too short to
    tell papers apart."""
    a, b = shingles(_tex_free(ours)), shingles(_tex_free(theirs))
    if min(len(a), len(b)) < MIN_ABSTRACT_SHINGLES:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def _tex_free(text: str) -> str:
    """An abstract without its TeX math and commands, which two copies write differently."""
    return _TEX_COMMAND.sub(" ", _TEX_MATH.sub(" ", text))


def _surnames(authors: list[Person]) -> set[str]:
    """Folded family names, each as one word (`Abu-Zeid` is `abuzeid`)."""
    return {"".join(folded_words(person.surname)) for person in authors} - {""}


# -- matching the library's papers ------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One paper's look-up: the paper, and the arXiv paper it was matched to (if any). For a
    duplicate, `held_by` is the library paper that already had that arXiv id."""

    paper_id: int
    title: str
    arxiv_id: str | None = None
    held_by: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.paper_id, "title": self.title}
        if self.arxiv_id:
            data["arxiv_id"] = self.arxiv_id
        if self.held_by is not None:
            data["held_by"] = self.held_by
        return data


@dataclass
class EnrichReport:
    """What one matching run did. `due` papers were to be asked; when arXiv could not be
    asked, `error` says why in one sentence and the papers after it were left for next time."""

    due: int = 0
    matched: list[Outcome] = field(default_factory=list)
    missed: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    duplicates: list[Outcome] = field(default_factory=list)
    error: str | None = None

    @property
    def done(self) -> int:
        return len(self.matched) + len(self.missed) + len(self.skipped) + len(self.duplicates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": self.due, "done": self.done,
            "matched": [o.to_dict() for o in self.matched], "missed": [o.to_dict() for o in self.missed],
            "skipped": [o.to_dict() for o in self.skipped], "duplicates": [o.to_dict() for o in self.duplicates],
            "error": self.error,
        }


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Enricher:
    """Looks the library's papers without an arXiv id up on arXiv, one request per paper
    through the client's rate gate, and links each confident match.

    Each paper's outcome is written in one transaction of its own, after its request: a
    command or a reader never waits on arXiv, and a run stopped part-way keeps what it found.
    """

    def __init__(self, store: Store, ingester: Ingester, client: ArxivClient,
                 clock: Callable[[], datetime] = _utc_now):
        self.store = store
        self.ingester = ingester
        self.client = client
        self.clock = clock

    def run(self, limit: int | None = None, retry: bool = False, progress: EnrichProgress | None = None,
            should_stop: Callable[[], bool] | None = None) -> EnrichReport:
        """Ask arXiv about up to `limit` papers without an arXiv id, oldest first, leaving out
        those asked in the last `MISS_DAYS` days unless `retry`. Stops at the first request
        that fails (arXiv out of reach: `error` set, that paper left as it was) and when
        `should_stop()` turns true. Never raises ArxivError."""
        checked_before = None if retry else _stamp(self.clock() - timedelta(days=MISS_DAYS))
        ids = self.store.ids_to_match(checked_before, limit)
        report = EnrichReport(due=len(ids))
        if progress is not None and ids:
            progress(0, len(ids))
        for done, paper_id in enumerate(ids, 1):
            if should_stop is not None and should_stop():
                break
            try:
                self._look_up(paper_id, report)
            except ArxivError as exc:
                report.error = str(exc)
                log.info("Matching papers to arXiv stopped: %s", exc)
                break
            if progress is not None:
                progress(done, len(ids))
        return report

    def _look_up(self, paper_id: int, report: EnrichReport) -> None:
        paper = self.store.paper(paper_id)
        if paper is None or paper.arxiv_id:
            return  # deleted or linked since the list was made
        if query_for(paper)[0] == NOTHING_TO_ASK:
            self._remember(paper_id, CheckOutcome.SKIPPED)
            report.skipped.append(Outcome(paper_id, paper.title))
            return
        found = find_match(self.client, paper)
        if found is None:
            self._remember(paper_id, CheckOutcome.MISSED)
            report.missed.append(Outcome(paper_id, paper.title))
            return
        with self.store.transaction():
            holder = self.ingester.merge_into(paper_id, found)
            if holder is None:
                return
            outcome = CheckOutcome.MATCHED if holder == paper_id else CheckOutcome.DUPLICATE
            self._remember(paper_id, outcome)
        if outcome == CheckOutcome.MATCHED:
            title = found.title if paper.title_derived and found.title else paper.title
            log.info("paper %d is arXiv %s: %s", paper_id, found.arxiv_id, title)
            report.matched.append(Outcome(paper_id, title, found.arxiv_id))
        else:
            log.info("paper %d is arXiv %s, which paper %d already is; left apart", paper_id, found.arxiv_id, holder)
            report.duplicates.append(Outcome(paper_id, paper.title, found.arxiv_id, holder))

    def _remember(self, paper_id: int, outcome: CheckOutcome) -> None:
        self.store.record_arxiv_check(paper_id, outcome, _stamp(self.clock()))


def _stamp(moment: datetime) -> str:
    """A moment as the store keeps look-up times: UTC, ISO 8601, to the second."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
