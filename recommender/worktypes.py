"""Kinds of work, and what each reference format calls them.

paperclub knows ten kinds (`Kind`); every format's reader maps its own types onto them and every
writer maps them back, from one table a format (`BIBTEX`, `BIBLATEX`, `RIS`, `CSL`, `ZOTERO`):
the first name listed for a kind is the one written, and every name listed is read (as the first
kind in the table that lists it). A type a format does not list is read as no kind. An entry whose source names no type (arXiv, listings)
gets one from what it has (`guess`).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    ARTICLE = "article"
    BOOK = "book"
    CHAPTER = "chapter"
    CONFERENCE_PAPER = "conference-paper"
    THESIS = "thesis"
    REPORT = "report"
    PREPRINT = "preprint"
    DATASET = "dataset"
    WEBPAGE = "webpage"
    OTHER = "other"


# Each format: kind → its names (the first is written).
BIBTEX: dict[Kind, tuple[str, ...]] = {
    Kind.ARTICLE: ("article",),
    Kind.BOOK: ("book", "collection", "mvbook", "mvcollection", "proceedings", "booklet", "manual"),
    Kind.CHAPTER: ("incollection", "inbook", "bookinbook", "suppbook", "suppcollection"),
    Kind.CONFERENCE_PAPER: ("inproceedings", "conference"),
    Kind.THESIS: ("phdthesis", "mastersthesis", "thesis"),
    Kind.REPORT: ("techreport", "report"),
    Kind.PREPRINT: ("misc", "unpublished", "preprint"),
    Kind.DATASET: ("dataset", "misc"),
    Kind.WEBPAGE: ("online", "misc", "electronic", "www"),
    Kind.OTHER: ("misc",),
}
BIBLATEX: dict[Kind, tuple[str, ...]] = {
    Kind.ARTICLE: ("article",),
    Kind.BOOK: ("book", "collection", "mvbook", "mvcollection", "proceedings", "booklet", "manual"),
    Kind.CHAPTER: ("incollection", "inbook", "bookinbook", "suppbook", "suppcollection"),
    Kind.CONFERENCE_PAPER: ("inproceedings", "conference"),
    Kind.THESIS: ("thesis", "phdthesis", "mastersthesis"),
    Kind.REPORT: ("report", "techreport"),
    Kind.WEBPAGE: ("online", "electronic", "www"),  # read before a preprint: `@online` with an arXiv eprint is one
    Kind.PREPRINT: ("online", "unpublished", "preprint", "misc"),
    Kind.DATASET: ("dataset",),
    Kind.OTHER: ("misc",),
}
RIS: dict[Kind, tuple[str, ...]] = {
    Kind.ARTICLE: ("JOUR", "JFULL", "MGZN", "NEWS", "EJOUR", "ABST"),
    Kind.BOOK: ("BOOK", "EDBOOK", "EBOOK", "ANCIENT", "CLSWK"),
    Kind.CHAPTER: ("CHAP", "ECHAP"),
    Kind.CONFERENCE_PAPER: ("CONF", "CPAPER"),
    Kind.THESIS: ("THES",),
    Kind.REPORT: ("RPRT",),
    Kind.PREPRINT: ("UNPB", "INPR"),
    Kind.DATASET: ("DATA", "DBASE", "AGGR"),
    Kind.WEBPAGE: ("ELEC", "WEB", "BLOG"),
    Kind.OTHER: ("GEN",),
}
CSL: dict[Kind, tuple[str, ...]] = {
    Kind.ARTICLE: ("article-journal", "article-magazine", "article-newspaper", "review"),
    Kind.BOOK: ("book",),
    Kind.CHAPTER: ("chapter", "entry-encyclopedia", "entry-dictionary", "entry"),
    Kind.CONFERENCE_PAPER: ("paper-conference",),
    Kind.THESIS: ("thesis",),
    Kind.REPORT: ("report",),
    Kind.PREPRINT: ("article", "manuscript"),
    Kind.DATASET: ("dataset",),
    Kind.WEBPAGE: ("webpage", "post-weblog", "post"),
    Kind.OTHER: ("document",),
}
ZOTERO: dict[Kind, tuple[str, ...]] = {
    Kind.ARTICLE: ("journalArticle", "magazineArticle", "newspaperArticle"),
    Kind.BOOK: ("book",),
    Kind.CHAPTER: ("bookSection", "encyclopediaArticle", "dictionaryEntry"),
    Kind.CONFERENCE_PAPER: ("conferencePaper",),
    Kind.THESIS: ("thesis",),
    Kind.REPORT: ("report",),
    Kind.PREPRINT: ("preprint", "manuscript"),
    Kind.DATASET: ("dataset",),
    Kind.WEBPAGE: ("webpage", "blogPost", "forumPost"),
    Kind.OTHER: ("document",),
}

# Kinds that a container (journal, proceedings, book) holds as a part.
PARTS = frozenset({Kind.ARTICLE, Kind.CHAPTER, Kind.CONFERENCE_PAPER})
# Kinds of little standing: a real type from another source replaces them.
WEAK = frozenset({Kind.OTHER, Kind.PREPRINT, Kind.WEBPAGE})

_PROCEEDINGS = re.compile(
    r"\b(?:proceedings|conference|workshop|symposium|colloquium)\b|neural information processing systems",
    re.IGNORECASE,
)
# Journals by their names, also those called "Proceedings" (PNAS, Proc. IEEE, Proc. R. Soc., Proc. AMS).
_JOURNAL = re.compile(
    r"\b(?:journal|transactions|letters|review|series)\b|national academy|royal society|proceedings of the ieee"
    r"|mathematical society",
    re.IGNORECASE,
)


def read(table: dict[Kind, tuple[str, ...]], name: str | None) -> Kind | None:
    """The kind a format's type name stands for (matched without case), or None when the name
    is empty or the format does not list it."""
    wanted = (name or "").strip().casefold()
    if not wanted:
        return None
    for kind, names in table.items():
        if wanted in (n.casefold() for n in names):
            return kind
    return None


def written(table: dict[Kind, tuple[str, ...]], kind: Kind) -> str:
    """The type name a format writes for a kind."""
    return table[kind][0]


def names_proceedings(venue: str | None) -> bool:
    """Whether a venue names conference proceedings (a workshop, a symposium, NeurIPS's
    "Advances in Neural Information Processing Systems") rather than a journal."""
    return bool(venue and _PROCEEDINGS.search(venue) and not _JOURNAL.search(venue))


def guess(venue: str | None, arxiv_id: str | None) -> Kind:
    """The kind of a work whose source names none: in proceedings or a journal by its venue, a
    preprint on arXiv, else other."""
    if venue:
        return Kind.CONFERENCE_PAPER if names_proceedings(venue) else Kind.ARTICLE
    return Kind.PREPRINT if arxiv_id else Kind.OTHER


def contradict(a: Kind, b: Kind) -> bool:
    """Whether two kinds cannot be one work: both are definite (neither is `other`, a
    preprint or a web page, which any published version may be) and they differ, except a
    conference paper that a journal also lists as an article."""
    if a == b or a in WEAK or b in WEAK:
        return False
    return {a, b} != {Kind.ARTICLE, Kind.CONFERENCE_PAPER}
