"""Finding papers: one paper by any reference, close titles for a typo, and full-text search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

from .merge import doi_norm
from .papers import Paper, PaperNotFound, parse_arxiv_ref
from .query import ParsedQuery, QueryError, fts_tokens, parse_query
from .store import SNIPPET_END, SNIPPET_START, Store, TitleRow
from .text import cut_at_word, squash, unspace_cjk

# Below this many papers, "did you mean" compares every title; above, only those sharing a word.
FUZZY_ALL_TITLES = 5000
MAX_PAGE = 100
# The opening of the abstract shown for a search of filters alone (no word to show in context).
FILTER_SNIPPET_CHARS = 240


@dataclass(frozen=True)
class SearchResult:
    """A ranked search hit. Paper attributes read through (`result.title`)."""

    paper: Paper
    score: float
    snippet: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.paper, name)

    def highlighted(self, start: str = "**", end: str = "**") -> str:
        """The snippet with matched words wrapped in `start`/`end`."""
        return self.snippet.replace(SNIPPET_START, start).replace(SNIPPET_END, end)


class Finder:
    """Reads papers out of the store by what a person typed."""

    def __init__(self, store: Store):
        self.store = store

    def paper(self, ref: str | int) -> Paper:
        """One paper by id, arXiv id or URL, DOI, exact title or a unique title fragment.

        Raises PaperNotFound (listing the closest titles) when nothing or several papers match.
        """
        text = squash(str(ref))
        if not text:
            raise PaperNotFound(text, [])
        if text.isdigit() and len(text) < 10:
            found = self.store.paper(int(text))
            if found:
                return found
        arxiv_id = parse_arxiv_ref(text)
        if arxiv_id:
            return self._by_id(self.store.id_by_arxiv(arxiv_id), text, f"arXiv:{arxiv_id} is not in the library")
        doi = _doi_in(text)
        if doi:
            return self._by_id(self.store.id_by_doi(doi), text, f"No paper with the DOI {doi} is in the library",
                               doi)
        exact = self.store.ids_by_exact_title(text)
        if len(exact) == 1:
            return self._by_id(exact[0], text)
        fragment = text.casefold()
        containing = [row for row in self._title_candidates(text, phrase=True) if fragment in squash(row.title).casefold()]
        if len(containing) == 1:
            return self._by_id(containing[0].id, text)
        if len(exact) > 1 or len(containing) > 1:
            titles = [row.title for row in containing] or [p.title for p in self.store.papers(exact)]
            raise PaperNotFound(text, titles[:5], ambiguous=True)
        raise PaperNotFound(text, self.closest_titles(text))

    def _by_id(self, paper_id: int | None, text: str, missing: str | None = None, doi: str | None = None) -> Paper:
        """The paper of an id looked up; `missing`: what to say when an identifier (an arXiv id,
        a DOI) names none, without the closest titles, which have nothing to do with it."""
        paper = self.store.paper(paper_id) if paper_id is not None else None
        if paper is None:
            if missing:
                raise PaperNotFound(text, [], message=missing, doi=doi)
            raise PaperNotFound(text, self.closest_titles(text))
        return paper

    def closest_titles(self, text: str, limit: int = 3) -> list[str]:
        """Titles that look most like `text`, for "did you mean" messages."""
        if self.store.count_papers() <= FUZZY_ALL_TITLES:
            candidates = self.store.titles()
        else:
            candidates = self._title_candidates(text, phrase=False)
        if not candidates:
            return []
        titles = [row.title for row in candidates]
        matches = process.extract(
            text[:300], titles, scorer=fuzz.token_set_ratio, processor=utils.default_process,
            limit=limit, score_cutoff=40,
        )
        return [titles[index] for _, _, index in matches]

    def _title_candidates(self, text: str, phrase: bool) -> list[TitleRow]:
        tokens = fts_tokens(text)[:32]
        if not tokens:
            return []
        quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
        expression = "title : (" + (" + ".join(quoted) if phrase else " OR ".join(quoted)) + ")"
        return self.store.ids_by_title_phrase(expression)

    def search(self, query: str, limit: int = 10, offset: int = 0) -> list[SearchResult]:
        """Ranked full-text search with highlighted snippets.

        Supports words, "exact phrases", `OR`, `-word`, `prefix*`, and the filters `author:`,
        `cat:`, `year:` and `venue:`. Raises QueryError with a message fit to show a person.
        """
        parsed = parse_query(query)
        limit, offset = max(0, min(limit, MAX_PAGE)), max(0, offset)
        expression = fts_expression(parsed)
        if not expression:
            return self._filter_only(parsed, limit, offset)
        hits = self.store.search(expression, categories=parsed.categories, years=parsed.years,
                                 limit=limit, offset=offset, venues=parsed.venues)
        return [SearchResult(h.paper, -h.rank, _tidy_snippet(h.snippet)) for h in hits]

    def _filter_only(self, parsed: ParsedQuery, limit: int, offset: int) -> list[SearchResult]:
        if not parsed.categories and not parsed.years and not parsed.venues:
            raise QueryError("Type some words to search for, e.g. `neural ode` or `author:Duvenaud`.")
        hits = self.store.filter_papers(parsed.categories, parsed.years, limit, offset, venues=parsed.venues)
        return [SearchResult(p, 0.0, _tidy_snippet(cut_at_word(p.abstract, FILTER_SNIPPET_CHARS))) for p in hits]


def fts_expression(parsed: ParsedQuery) -> str:
    """The FTS5 expression for a parsed query's words and `author:` filters ("" for none)."""
    parts = [f"({parsed.match})"] if parsed.match else []
    for author in parsed.authors:
        tokens = fts_tokens(author)
        if tokens:
            parts.append(" AND ".join('authors : "' + t.replace('"', '""') + '"' for t in tokens))
    return " AND ".join(parts)


def _doi_in(text: str) -> str | None:
    """The DOI a reference names (`10.1002/…`, `doi:10.…`, a doi.org link), or None."""
    doi = doi_norm(text)
    if doi is None or not doi.startswith("10.") or "/" not in doi or " " in doi:
        return None
    return doi


def _tidy_snippet(snippet: str) -> str:
    return squash(unspace_cjk(snippet))
