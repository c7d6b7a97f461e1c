"""The three plain-text listing layouts: listing cards, author blocks and translated abstracts.

None of them announces itself, so each is recognised by its line patterns:

* **listing cards**: three lines a paper: an arXiv category abbreviation glued to a date and
  maybe the word `Code` (`LGOct 2, 2019Code`, `AIMar 11`), the title glued to the author list
  (`…Language ModelsMrinank Sharma, Meg Tong et al. · openai, stanford`), and the abstract;
* **author blocks**: a banner line, then per paper an author line, an abstract line and `Via`;
* **translated abstracts**: per paper an abstract line and a `translated by …` line.

Blank lines are ignored everywhere. A record that does not fit its layout becomes a
`Rejection` naming its line, and parsing carries on with the next record.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from datetime import date

from ..papers import Record, Rejection, SourceRef
from ..people import Person
from ..text import (
    clean_abstract,
    clean_name,
    clean_text,
    clean_title,
    detect_lang,
    has_cjk,
    squash,
)

__all__ = [
    "looks_like_author_blocks",
    "looks_like_cards",
    "looks_like_translated",
    "parse_author_blocks",
    "parse_cards",
    "parse_translated",
]

CARDS = "listing-cards"
AUTHOR_BLOCKS = "author-blocks"
TRANSLATED = "translated-abstracts"

SAMPLE_LINES = 50  # how many non-empty lines the looks_like_* checks read

# --------------------------------------------------------------------------------------------
# Lines

_NEWLINE = re.compile(r"\r\n|\r|\n")

Line = tuple[int, str]  # (1-based line number, stripped text)


def _raw_lines(text: str) -> Iterator[Line]:
    """Every line with its 1-based number, lazily; CRLF, CR and LF all end a line."""
    text = text.removeprefix("\ufeff")
    pos = 0
    number = 0
    for match in _NEWLINE.finditer(text):
        number += 1
        yield number, text[pos:match.start()]
        pos = match.end()
    if pos < len(text):
        yield number + 1, text[pos:]


def _content_lines(text: str, limit: int | None = None) -> list[Line]:
    """The non-blank lines, stripped (a stray BOM included), at most `limit` of them.

    Each line is read as a reader sees it (`clean_text`: TeX accents and commands, HTML
    entities), so that `Erd\\H{o}s` in an author list is judged a name like `Erdős`.
    """
    found: list[Line] = []
    for number, raw in _raw_lines(text):
        line = raw.strip().lstrip("\ufeff").strip()
        if line:
            found.append((number, clean_text(line).strip() or line))
            if limit is not None and len(found) >= limit:
                break
    return found


def _snip(line: str, limit: int = 60) -> str:
    line = squash(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Personal names

_PARTICLES = frozenset((
    "van", "von", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "la",
    "le", "ten", "ter", "bin", "ibn", "al", "el", "y", "zu", "af",
))
# Surname prefixes after which a second capital is normal: McCandlish, MacDiarmid, O'Brien,
# LeCun, DiCarlo, DeWitt, VanderPlas.
_CAPS_PREFIXES = frozenset(
    ("Mc", "Mac", "O'", "O’", "D'", "D’", "Di", "De", "Le", "La", "Van", "Von", "Fitz", "St")
)
_APOSTROPHES = "'’"


def _is_name_word(part: str) -> bool:
    """A capitalised name word: `Grathwohl`, `Alán`, `Xu`, `McCandlish`, `O'Brien`."""
    if len(part) < 2 or not part[0].isupper() or part[-1] in _APOSTROPHES:
        return False
    if not all(c.isalpha() or c in _APOSTROPHES for c in part) or has_cjk(part):
        return False
    inner_caps = [i for i in range(1, len(part)) if part[i].isupper()]
    if not inner_caps:
        return any(c.islower() for c in part)
    if len(inner_caps) == 1:
        cap = inner_caps[0]
        return part[:cap] in _CAPS_PREFIXES and any(c.islower() for c in part[cap + 1:])
    return False


def _is_initials(part: str) -> bool:
    """`C.`, `T.Q.`: capital letters each followed by a full stop."""
    if len(part) < 2 or len(part) % 2:
        return False
    return all(part[i].isupper() and part[i + 1] == "." for i in range(0, len(part), 2))


def _token_kind(token: str) -> str | None:
    if token in _PARTICLES:
        return "particle"
    if len(token) == 1 and token.isupper() and not has_cjk(token):
        return "initial"  # `Matthew J Johnson`
    parts = token.split("-")
    if any(not p for p in parts):
        return None
    if all(_is_initials(p) for p in parts):
        return "initial"  # `J.-P.`
    if all(_is_name_word(p) for p in parts):
        return "word"  # `Jörn-Henrik`, `Asparu-Guzik`
    return None


def _looks_like_name(text: str, single_ok: bool = False) -> bool:
    """A personal name in Western order: `Ricky T. Q. Chen`, `C. Daniel Freeman`, `Tan Zhi-Xuan`.

    A one-word name (`Kay`) passes only with `single_ok`, since a lone capitalised word is just
    as likely to be the tail of a title.
    """
    if not text or len(text) > 60:
        return False
    tokens = text.split()
    if not 1 <= len(tokens) <= 5 or (len(tokens) == 1 and not single_ok):
        return False
    kinds = [_token_kind(t) for t in tokens]
    return None not in kinds and kinds[-1] == "word" and kinds[0] != "particle"


_ET_AL = re.compile(r"\bet\s+al\.?$", re.IGNORECASE)
_AND = re.compile(r"^and\s+", re.IGNORECASE)


def _strip_et_al(text: str) -> tuple[str, bool]:
    """`text` without a closing `et al.` (and the comma before it), and whether it had one."""
    text = text.strip()
    tail_start = max(0, len(text) - 24)
    match = _ET_AL.search(text, tail_start)
    if match is None:
        return text, False
    head = text[: match.start()]
    if head and not (head[-1].isspace() or head[-1] == ","):
        return text, False
    return head.rstrip().rstrip(",").rstrip(), True


def _split_authors(text: str) -> tuple[list[str], bool]:
    """An author list as its names and whether it ends in `et al.` (names not yet cleaned)."""
    text, truncated = _strip_et_al(text)
    if not text:
        return [], truncated
    names = [_AND.sub("", part.strip()) for part in text.split(",")]
    return names, truncated


def _author_score(names: list[str]) -> float:
    """The share of `names` that look like personal names (one-word names allowed)."""
    if not names:
        return 0.0
    return sum(1 for n in names if _looks_like_name(n, single_ok=True)) / len(names)


def _looks_like_author_line(line: str, strict: bool) -> bool:
    """Whether a whole line is a comma-separated author list."""
    if len(line) > 5000:
        return False
    names, _ = _split_authors(line)
    if not names:
        return False
    if strict:
        return _looks_like_name(names[0]) and _author_score(names) >= 0.8
    return _author_score(names) >= 0.5


# --------------------------------------------------------------------------------------------
# Listing cards

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# The arXiv categories a listing names by their two-letter suffix. Every cs.* archive, ML for
# stat.ML, and the stat/eess suffixes that no cs archive shares.
_CS_CODES = (
    "AI", "AR", "CC", "CE", "CG", "CL", "CR", "CV", "CY", "DB", "DC", "DL", "DM", "DS", "ET",
    "FL", "GL", "GR", "GT", "HC", "IR", "IT", "LG", "LO", "MA", "MM", "MS", "NA", "NE", "NI",
    "OH", "OS", "PF", "PL", "RO", "SC", "SD", "SE", "SI", "SY",
)
CATEGORIES: dict[str, str] = {code: f"cs.{code}" for code in _CS_CODES}
CATEGORIES.update({
    "ML": "stat.ML", "AP": "stat.AP", "ME": "stat.ME", "TH": "stat.TH",
    "AS": "eess.AS", "IV": "eess.IV", "SP": "eess.SP",
})

# The shape of a card's first line; the category and month are checked after matching, so a
# card with an unknown code is still recognised as a card (and rejected on its own).
_HEADER = re.compile(
    r"([A-Z]{2})\s*([A-Z][a-z]{2,8})\.?\s*([0-9]{1,2})(?:\s*,\s*([0-9]{4}))?\s*(Code)?"
)


def _is_header(line: str) -> bool:
    return _HEADER.fullmatch(line) is not None


def _yearless_date(month: int, day: int, today: date) -> date | None:
    """The latest `month`/`day` on or before `today` (Feb 29 looks back to a leap year)."""
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _parse_header(line: str, today: date) -> tuple[str, date, bool | None] | str:
    """A card's first line as (category, date, has_code), or the reason it does not parse."""
    match = _HEADER.fullmatch(line)
    if match is None:
        return f"expected a category and date line like 'LGOct 2, 2019', found '{_snip(line)}'"
    code, month_name, day_text, year_text, code_flag = match.groups()
    category = CATEGORIES.get(code)
    if category is None:
        return f"unknown arXiv category abbreviation '{code}' in '{_snip(line)}'"
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return f"unknown month '{month_name}' in '{_snip(line)}'"
    day = int(day_text)
    if year_text is not None:
        try:
            published = date(int(year_text), month, day)
        except ValueError:
            return f"no such date '{month_name} {day}, {year_text}' in '{_snip(line)}'"
    else:
        found = _yearless_date(month, day, today)
        if found is None:
            return f"no such date '{month_name} {day}' in '{_snip(line)}'"
        published = found
    return category, published, (True if code_flag else None)


_ALNUM = re.compile(r"[^\W_]")


def _split_candidates(text: str) -> Iterator[int]:
    """Where a glued-on first author may start: a capital with no space before it that follows
    a lower-case letter, digit or punctuation (`ModelsWill`, `5?C.`, `LLMsAliaksandra`), or
    that ends an acronym and starts a word or an initial (`AGIDan`, `AGIC. Daniel`)."""
    for p in range(1, len(text)):
        char = text[p]
        if not char.isupper():
            continue
        before = text[p - 1]
        if before.isspace():
            continue
        if not before.isupper():
            yield p
            continue
        after = text[p + 1] if p + 1 < len(text) else ""
        if after.islower() or after == ".":
            yield p


def _piece(text: str, start: int, stop: int) -> str:
    """One comma-separated piece of an author list; "" when it is too long to be a name."""
    if stop - start > 80:
        return ""
    return _AND.sub("", text[start:stop].strip())


def _split_title_authors(text: str) -> tuple[str, list[str], bool] | None:
    """A card's second line (organisations already removed) as title, names and `et al.`.

    Tries the candidate split points from the left and keeps the first whose authors look like
    names; a point left of the true one glues the title's last word to the first author, one
    right of it leaves half a name at the end of the title and a one-word first author. Only
    the first 50 names count, and their verdicts are shared between split points, so a
    long line costs little more than one pass.
    """
    body, truncated = _strip_et_al(text)
    commas = [i for i, c in enumerate(body) if c == ","]
    ends = commas[1:] + [len(body)]
    later = [_piece(body, c + 1, e) for c, e in zip(commas, ends)]  # the names after comma k
    window = 49

    def prefix(flags: list[bool]) -> list[int]:
        sums = [0]
        for flag in flags:
            sums.append(sums[-1] + flag)
        return sums

    full = prefix([_looks_like_name(n) for n in later])
    loose = prefix([_looks_like_name(n, single_ok=True) for n in later])
    candidates = list(_split_candidates(body))

    def attempt(single_ok: bool, need: float) -> int | None:
        for p in candidates:
            k = bisect_left(commas, p)
            first = _piece(body, p, commas[k] if k < len(commas) else len(body))
            if not _looks_like_name(first, single_ok=single_ok):
                continue
            if _ALNUM.search(body, 0, p) is None:
                continue
            stop = min(k + window, len(later))
            count = stop - k
            if need >= 1.0:
                if full[stop] - full[k] == count:
                    return p
            elif 1 + loose[stop] - loose[k] >= need * (1 + count):
                return p
        return None

    # Every author a full name; then most of them (odd names); then one-word names too.
    for single_ok, need in ((False, 1.0), (False, 0.5), (True, 0.8)):
        p = attempt(single_ok, need)
        if p is not None:
            names, _ = _split_authors(body[p:])
            return body[:p].strip(), names, truncated
    return None


def _split_orgs(line: str) -> tuple[str, list[str]] | None:
    """The line before its last ` · ` and the comma-separated organisations after it."""
    dot = line.rfind("·")
    while dot > 0:
        if line[dot - 1].isspace() and dot + 1 < len(line) and line[dot + 1].isspace():
            orgs = [squash(o) for o in line[dot + 1:].split(",")]
            return line[:dot].rstrip(), [o for o in orgs if o]
        dot = line.rfind("·", 0, dot)
    return None


def _parse_title_line(line: str) -> tuple[str, list[str], bool, list[str]] | None:
    """Title, authors, `et al.` and organisations of a card's second line, or None."""
    attempts: list[tuple[str, list[str]]] = []
    with_orgs = _split_orgs(line)
    if with_orgs:
        attempts.append(with_orgs)
    attempts.append((line, []))
    for head, orgs in attempts:
        split = _split_title_authors(head)
        if split:
            title, names, truncated = split
            return title, names, truncated, orgs
    return None


def looks_like_cards(text: str) -> bool:
    """Listing cards: category+date lines every third line, each followed by a line that splits
    into a title and a list of names."""
    lines = _content_lines(text, SAMPLE_LINES)
    if not lines:
        return False
    headers = [i for i, (_, line) in enumerate(lines) if _is_header(line)]
    if not headers or headers[0] > 2 or len(headers) * 5 < len(lines):
        return False
    titled = sum(
        1 for i in headers
        if i + 1 < len(lines) and not _is_header(lines[i + 1][1]) and _parse_title_line(lines[i + 1][1])
    )
    return titled * 2 >= len(headers)


def parse_cards(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Listing cards: a category+date line, a title+authors line and an abstract line each."""
    lines = _content_lines(text)
    k = 0
    while k < len(lines):
        number, line = lines[k]
        if not _is_header(line):
            end = k + 1
            while end < len(lines) and not _is_header(lines[end][1]):
                end += 1
            skipped = end - k
            reason = (
                "expected a card's category and date line like 'LGOct 2, 2019', "
                f"found '{_snip(line)}'"
            )
            if skipped > 1:
                reason += f" (skipped {skipped} lines up to the next card)"
            yield Rejection(path, number, reason)
            k = end
            continue

        body: list[Line] = []
        end = k + 1
        while end < len(lines) and len(body) < 2 and not _is_header(lines[end][1]):
            body.append(lines[end])
            end += 1
        k = end
        at_eof = end >= len(lines)
        if len(body) < 2:
            if not body:
                reason = "card has only its category and date line, no title, authors or abstract"
            elif _parse_title_line(body[0][1]):
                reason = "card has no abstract after its title and authors"
            else:
                reason = "card has no title and author line"
            if at_eof:
                reason += " (cut off at the end of the file)"
            yield Rejection(path, number, reason)
            continue

        header = _parse_header(line, today)
        if isinstance(header, str):
            yield Rejection(path, number, header)
            continue
        category, published, has_code = header

        title_number, title_line = body[0]
        parsed = _parse_title_line(title_line)
        if parsed is None:
            yield Rejection(
                path, title_number,
                f"cannot tell the title from the authors in '{_snip(title_line)}'",
            )
            continue
        title, names, truncated, orgs = parsed
        abstract = clean_abstract(body[1][1])
        yield Record(
            source=SourceRef(path, number, CARDS),
            abstract=abstract,
            title=clean_title(title),
            authors=[Person.from_text(name) for name in (clean_name(n) for n in names) if name],
            authors_truncated=truncated,
            organisations=[o for o in (clean_name(o) for o in orgs) if o],
            categories=[category],
            published=published,
            has_code=has_code,
            lang=detect_lang(abstract),
        )


# --------------------------------------------------------------------------------------------
# Author blocks

_VIA = re.compile(r"[Vv]ia(?:\s+\S+){0,3}")


def _is_via(line: str) -> bool:
    return len(line) <= 40 and _VIA.fullmatch(line) is not None


def looks_like_author_blocks(text: str) -> bool:
    """Author blocks: `Via` lines, each two lines after a line of names."""
    lines = _content_lines(text, SAMPLE_LINES)
    vias = [i for i, (_, line) in enumerate(lines) if _is_via(line)]
    if not vias or len(vias) * 5 < len(lines) - 1:
        return False
    framed = sum(
        1 for i in vias
        if i >= 2
        and not _is_via(lines[i - 1][1])
        and _looks_like_author_line(lines[i - 2][1], strict=False)
    )
    return framed * 2 >= len(vias)


def _block_record(path: str, authors: Line, abstract: Line) -> Record:
    names, truncated = _split_authors(authors[1])
    text = clean_abstract(abstract[1])
    return Record(
        source=SourceRef(path, authors[0], AUTHOR_BLOCKS),
        abstract=text,
        authors=[Person.from_text(name) for name in (clean_name(n) for n in names) if name],
        authors_truncated=truncated,
        lang=detect_lang(text),
    )


def _blocks(path: str, group: list[Line], via: int | None) -> Iterator[Record | Rejection]:
    """The records in the lines before one `Via` line (`via` None: the file ended instead)."""
    cut = " (cut off at the end of the file: no 'Via' line)"
    if not group:
        if via is not None:
            yield Rejection(path, via, "'Via' line with no author line or abstract before it")
        return
    if len(group) == 2 and _looks_like_author_line(group[0][1], strict=False):
        if via is None:
            yield Rejection(path, group[0][0], "block has authors and an abstract" + cut)
        else:
            yield _block_record(path, group[0], group[1])
        return
    # Anything else: start a block at each line of names, so a missing `Via` costs nothing more.
    starts = [i for i, (_, line) in enumerate(group) if _looks_like_author_line(line, strict=True)]
    if not starts:
        first = group[0]
        yield Rejection(path, first[0], f"expected a line of authors, found '{_snip(first[1])}'")
        return
    if starts[0] > 0:
        first = group[0]
        yield Rejection(
            path, first[0],
            f"expected a line of authors, found '{_snip(first[1])}' "
            f"({starts[0]} line{'s' if starts[0] > 1 else ''} skipped)",
        )
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(group)
        authors, rest = group[start], group[start + 1:stop]
        last = n + 1 == len(starts)
        if not rest:
            reason = "block has authors but no abstract"
            yield Rejection(path, authors[0], reason + (cut if last and via is None else ""))
        elif len(rest) > 1:
            yield Rejection(
                path, authors[0],
                f"expected one abstract line after the authors, found {len(rest)} lines",
            )
        elif last and via is None:
            yield Rejection(path, authors[0], "block has authors and an abstract" + cut)
        else:
            yield _block_record(path, authors, rest[0])


def parse_author_blocks(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Author blocks: a banner, then an author line, an abstract line and `Via` per paper."""
    lines = _content_lines(text)
    start = 0
    if lines and not _is_via(lines[0][1]) and not _looks_like_author_line(lines[0][1], strict=True):
        start = 1  # the site banner
    group: list[Line] = []
    for number, line in lines[start:]:
        if _is_via(line):
            yield from _blocks(path, group, number)
            group = []
        else:
            group.append((number, line))
    if group:
        yield from _blocks(path, group, None)


# --------------------------------------------------------------------------------------------
# Translated abstracts

_TRANSLATED_BY = re.compile(r"translated\s+by\b.*", re.IGNORECASE)


def _is_translated_by(line: str) -> bool:
    return len(line) <= 100 and _TRANSLATED_BY.fullmatch(line) is not None


def looks_like_translated(text: str) -> bool:
    """Translated abstracts: every other line reads `translated by …`."""
    lines = _content_lines(text, SAMPLE_LINES)
    marks = [i for i, (_, line) in enumerate(lines) if _is_translated_by(line)]
    if not marks or len(marks) * 10 < len(lines) * 3:
        return False
    after_text = sum(1 for i in marks if i > 0 and not _is_translated_by(lines[i - 1][1]))
    return after_text * 2 >= len(marks)


def parse_translated(text: str, path: str, today: date) -> Iterator[Record | Rejection]:
    """Translated abstracts: an abstract line then a `translated by …` line per paper."""
    pending: Line | None = None
    for number, line in _content_lines(text):
        if _is_translated_by(line):
            if pending is None:
                yield Rejection(path, number, f"'{_snip(line)}' line with no abstract before it")
                continue
            abstract = clean_abstract(pending[1])
            if not any(c.isalpha() for c in abstract):
                yield Rejection(path, pending[0], f"not an abstract: '{_snip(abstract)}'")
            else:
                yield Record(
                    source=SourceRef(path, pending[0], TRANSLATED),
                    abstract=abstract,
                    lang=detect_lang(abstract),
                )
            pending = None
        else:
            if pending is not None:
                yield Rejection(
                    path, pending[0],
                    f"abstract line not followed by a 'translated by' line: '{_snip(pending[1])}'",
                )
            pending = (number, line)
    if pending is not None:
        yield Rejection(
            path, pending[0],
            "abstract cut off at the end of the file (no 'translated by' line after it)",
        )
