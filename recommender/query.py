"""Search-box text → a safe SQLite FTS5 MATCH expression plus structured filters.

Pure: no database access. Whatever a person types either becomes an expression FTS5 accepts or
raises `QueryError` with a message fit to show them.

What is understood:

* bare words, AND-ed: `neural ode` → `"neural" "ode"`;
* `"exact phrase"` (balanced double quotes; curly quotes count too) → a phrase;
* compounds joined by punctuation become phrases: `neural-ode` → `"neural ode"`;
* a trailing `*` on a word of two or more characters → prefix query: `neur*` → `"neur"*`;
* upper-case `OR` between two terms (binds tighter than the implicit AND):
  `diffusion OR flow model` → `("diffusion" OR "flow") AND "model"`; `AND` between terms is a no-op
  and `a NOT b` is the same as `a -b`; without a term on both sides (`OR`, `NOT x`) they are
  searched for as words, and lower-case `and`/`or`/`not` always are;
* `-word`, `-"a phrase"`, `-(a OR b)` → excluded (needs at least one positive term);
* balanced parentheses group terms; unbalanced quotes and parentheses are ignored;
* filters (keys are case-insensitive): `author:Duvenaud`, `author:"Ricky Chen"` (also `au:`),
  `cat:cs.LG` (also `category:`), `year:2019`, `year:2018-2020`, `year:2018..2020`, `year:>=2021`,
  `year:<2019`; a space after the colon is forgiven (`author: Duvenaud`);
* column searches `title:word`, `title:"a phrase"`, `abstract:word` (also `ti:`, `abs:`);
* any other `key:value` (`arXiv:2310.13548`, `http://…`) is ordinary text.

Every word is emitted as a quoted FTS5 string built only from letters and digits, so operators
and special characters typed by people (`NEAR`, `^`, `:`, `(`, `"` …) are never interpreted by
FTS5 itself. CJK characters are single tokens, matching `text.spaced_cjk` on the indexed side:
`叠加` → `"叠 加"`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Union

from .text import CJK_CHAR, visible

MAX_TERMS = 32            # words/phrases kept from one query
MAX_PHRASE_TOKENS = 64    # tokens kept from one phrase
MAX_GROUP_DEPTH = 8       # deeper parentheses are ignored
MAX_FILTERS = 8           # per kind (authors, categories)
YEAR_OPEN_LOW, YEAR_OPEN_HIGH = 0, 9999

_EXAMPLES = "e.g. `neural ode` or `author:Duvenaud`"
EMPTY_MESSAGE = f"Type some words to search for, {_EXAMPLES}."
NO_WORDS_MESSAGE = (
    "That search has no words to look for (punctuation and emoji are ignored). "
    f"Type some words, {_EXAMPLES}."
)
ONLY_EXCLUDED_MESSAGE = (
    "A search can't be made only of excluded words (`-word`): add a word to look for, "
    "e.g. `neural -ode`."
)


class QueryError(ValueError):
    """A query that can't be searched, with a message fit to show a person."""


@dataclass(frozen=True)
class ParsedQuery:
    match: str | None                   # FTS5 MATCH expression; None when only filters were given
    authors: tuple[str, ...] = ()       # every one must match
    categories: tuple[str, ...] = ()    # as typed (`cs.LG`, `LG`); every one must match
    years: tuple[int, int] | None = None  # inclusive; open ends are 0 / 9999
    venues: tuple[str, ...] = ()        # words the venue must hold, every filter matching
    terms: tuple[str, ...] = ()         # the words and phrases searched for (not the excluded ones)


# -- tokens ----------------------------------------------------------------------------------


def _is_word_char(ch: str) -> bool:
    """Letters, digits and private-use characters: what unicode61 keeps in a token."""
    category = unicodedata.category(ch)
    return category[0] in "LN" or category == "Co"


def _is_cjk(ch: str) -> bool:
    return CJK_CHAR.match(ch) is not None


def fts_tokens(text: str) -> list[str]:
    """The tokens FTS5 (unicode61, over `spaced_cjk` text) sees in `text`, as written.

    Runs of letters and digits are tokens; everything else separates them. Combining marks stay
    with the letter they follow, and each CJK character is a token of its own.
    """
    tokens: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_cjk(ch):
            if current:
                tokens.append("".join(current))
                current = []
            tokens.append(ch)
        elif _is_word_char(ch) or (current and unicodedata.category(ch)[0] == "M"):
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


def _display(tokens: list[str]) -> str:
    """Tokens joined back into readable text (no spaces between CJK characters)."""
    out = ""
    for token in tokens:
        if out and not (_is_cjk(out[-1]) and _is_cjk(token[0])):
            out += " "
        out += token
    return out


def _quote(tokens: list[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _can_prefix(tokens: list[str]) -> bool:
    return bool(tokens) and len(tokens[-1]) >= 2 and not _is_cjk(tokens[-1][0])


# -- the expression tree ---------------------------------------------------------------------


@dataclass
class _Term:
    tokens: list[str]
    prefix: bool = False
    column: str | None = None

    def fts(self) -> str:
        text = _quote(self.tokens) + ("*" if self.prefix else "")
        return f"{self.column} : {text}" if self.column else text


@dataclass
class _Group:
    items: list[tuple["_Node", bool]]   # (node, excluded)


@dataclass
class _Or:
    operands: list["_Node"]


_Node = Union[_Term, _Group, _Or]


# -- scanning: text → pieces -----------------------------------------------------------------

_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u301d\u301e\uff02"})
_KEYED = re.compile(r"([A-Za-z]+):(.*)", re.S)
_KEYS = {
    "author": "author", "authors": "author", "au": "author",
    "cat": "cat", "category": "cat",
    "year": "year",
    "venue": "venue", "journal": "venue",
    "title": "title", "ti": "title",
    "abstract": "abstract", "abs": "abstract",
}
_FILTER_KEYS = {"author", "cat", "year", "venue"}
_OPERATORS = {"OR": "OR", "|": "OR", "||": "OR", "AND": "AND", "&&": "AND", "NOT": "NOT"}


@dataclass
class _Piece:
    kind: str           # "chunk" | "phrase" | "open" | "close"
    text: str = ""
    star: bool = False  # a phrase followed directly by `*`
    glued: bool = False  # no whitespace between this piece and the previous one


def _pairs(text: str) -> tuple[dict[int, int], set[int], set[int]]:
    """Balanced double quotes (start → end) and balanced, not too deep, parentheses."""
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    phrases = {quotes[k]: quotes[k + 1] for k in range(0, len(quotes) - 1, 2)}
    inside: set[int] = set()
    for start, end in phrases.items():
        inside.update(range(start, end + 1))
    stack: list[int] = []
    opens: set[int] = set()
    closes: set[int] = set()
    for i, ch in enumerate(text):
        if i in inside:
            continue
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            if len(stack) < MAX_GROUP_DEPTH:
                opens.add(start)
                closes.add(i)
    return phrases, opens, closes


def _scan(text: str) -> list[_Piece]:
    phrases, opens, closes = _pairs(text)
    pieces: list[_Piece] = []
    i, n, glued = 0, len(text), False
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            glued = False
            continue
        if i in opens or i in closes:
            pieces.append(_Piece("open" if i in opens else "close", glued=glued))
            i += 1
        elif i in phrases:
            end = phrases[i]
            piece = _Piece("phrase", text[i + 1:end], glued=glued)
            i = end + 1
            while i < n and text[i] == "*":
                piece.star = True
                i += 1
            pieces.append(piece)
        else:
            j = i
            while j < n and not text[j].isspace() and j not in opens and j not in closes and j not in phrases:
                j += 1
            pieces.append(_Piece("chunk", text[i:j], glued=glued))
            i = j
        glued = True
    return pieces


# -- interpreting pieces: filters out, terms and operators in --------------------------------


@dataclass
class _Lexeme:
    kind: str                 # "term" | "op" | "open" | "close"
    term: _Term | None = None
    op: str = ""
    word: str = ""            # what an operator is when searched for as a word
    excluded: bool = False


class _Filters:
    def __init__(self) -> None:
        self.authors: list[str] = []
        self.categories: list[str] = []
        self.years: tuple[int, int] | None = None
        self.venues: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.authors or self.categories or self.years or self.venues)

    def add(self, key: str, value: str) -> None:
        if key == "author":
            self._add_author(value)
        elif key == "cat":
            self._add_category(value)
        elif key == "venue":
            self._add_venue(value)
        else:
            self._add_years(value)

    def _add_venue(self, value: str) -> None:
        venue = " ".join(value.split()).strip(" ,;")[:100]
        if not fts_tokens(venue):
            raise QueryError(_missing("venue"))
        if venue.casefold() not in {v.casefold() for v in self.venues}:
            if len(self.venues) >= MAX_FILTERS:
                raise QueryError(f"That's too many `venue:` filters: at most {MAX_FILTERS}, please.")
            self.venues.append(venue)

    def _add_author(self, value: str) -> None:
        name = " ".join(value.split()).strip(" ,;.")[:100]
        if not fts_tokens(name):
            raise QueryError(_missing("author"))
        if name.casefold() not in {a.casefold() for a in self.authors}:
            if len(self.authors) >= MAX_FILTERS:
                raise QueryError(f"That's too many `author:` filters: at most {MAX_FILTERS}, please.")
            self.authors.append(name)

    def _add_category(self, value: str) -> None:
        category = value.strip().strip(",;")
        if not _CATEGORY.fullmatch(category):
            raise QueryError(
                f"`cat:{_shown(value)}` isn't an arXiv category. Try e.g. `cat:cs.LG`, `cat:LG` or `cat:math.AP`."
            )
        if category.casefold() not in {c.casefold() for c in self.categories}:
            if len(self.categories) >= MAX_FILTERS:
                raise QueryError(f"That's too many `cat:` filters: at most {MAX_FILTERS}, please.")
            self.categories.append(category)

    def _add_years(self, value: str) -> None:
        span = _parse_years(value)
        if span is None:
            raise QueryError(
                f"`year:{_shown(value)}` isn't a year I understand. "
                "Try `year:2020`, `year:2018-2020` or `year:>=2021`."
            )
        if self.years is not None:
            span = (max(span[0], self.years[0]), min(span[1], self.years[1]))
        if span[0] > span[1]:
            raise QueryError("No year fits those `year:` filters. Try e.g. `year:2018-2020`.")
        self.years = span


_CATEGORY = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,29}(?:\.[A-Za-z][A-Za-z0-9-]{0,29})?")
_YEAR = "([0-9]{4})"
_YEAR_RANGE = re.compile(rf"{_YEAR}\s*(?:-|–|—|\.\.\.?|to)\s*{_YEAR}")
_YEAR_FROM = re.compile(rf"{_YEAR}\s*(?:-|–|\.\.\.?|\+)")
_YEAR_UNTIL = re.compile(rf"(?:-|–|\.\.\.?)\s*{_YEAR}")
_YEAR_COMPARE = re.compile(rf"(>=|=>|>|<=|=<|<|=)\s*{_YEAR}")


def _parse_years(value: str) -> tuple[int, int] | None:
    value = value.strip().strip(",;")
    if re.fullmatch(_YEAR, value):
        return int(value), int(value)
    if m := _YEAR_RANGE.fullmatch(value):
        low, high = sorted((int(m.group(1)), int(m.group(2))))
        return low, high
    if m := _YEAR_FROM.fullmatch(value):
        return int(m.group(1)), YEAR_OPEN_HIGH
    if m := _YEAR_UNTIL.fullmatch(value):
        return YEAR_OPEN_LOW, int(m.group(1))
    if m := _YEAR_COMPARE.fullmatch(value):
        sign, year = m.group(1), int(m.group(2))
        span = {
            ">": (year + 1, YEAR_OPEN_HIGH), ">=": (year, YEAR_OPEN_HIGH), "=>": (year, YEAR_OPEN_HIGH),
            "<": (YEAR_OPEN_LOW, year - 1), "<=": (YEAR_OPEN_LOW, year), "=<": (YEAR_OPEN_LOW, year),
            "=": (year, year),
        }[sign]
        return span if span[0] <= span[1] else None
    return None


def _shown(value: str) -> str:
    """A piece of user input safe to quote back inside backticks."""
    value = " ".join(value.replace("`", "").split())
    return value if len(value) <= 24 else value[:23] + "…"


def _missing(key: str) -> str:
    return {
        "author": "`author:` needs a name, e.g. `author:Duvenaud` or `author:\"Ricky Chen\"`.",
        "cat": "`cat:` needs an arXiv category, e.g. `cat:cs.LG`.",
        "year": "`year:` needs a year, e.g. `year:2020` or `year:2018-2020`.",
        "venue": "`venue:` needs words of a journal or proceedings, e.g. `venue:nature` or `venue:\"physical review\"`.",
    }[key]


def _chunk_term(text: str, column: str | None = None) -> _Term | None:
    """A term from unquoted text: its tokens (a phrase when several), `*` marking a prefix."""
    body = text.rstrip("*")
    tokens = fts_tokens(body)[:MAX_PHRASE_TOKENS]
    if not tokens:
        return None
    prefix = body != text and _can_prefix(tokens) and body.endswith(tokens[-1])
    return _Term(tokens, prefix, column)


def _phrase_term(piece: _Piece, column: str | None = None) -> _Term | None:
    tokens = fts_tokens(piece.text)[:MAX_PHRASE_TOKENS]
    if not tokens:
        return None
    return _Term(tokens, piece.star and _can_prefix(tokens), column)


def _interpret(pieces: list[_Piece], filters: _Filters) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    k = 0
    carried_exclusion = False    # a bare `-` glued to the phrase or group that follows
    while k < len(pieces):
        piece = pieces[k]
        k += 1
        excluded, carried_exclusion = carried_exclusion, False
        if piece.kind in ("open", "close"):
            lexemes.append(_Lexeme(piece.kind, excluded=excluded and piece.kind == "open"))
            continue
        if piece.kind == "phrase":
            term = _phrase_term(piece)
            if term:
                lexemes.append(_Lexeme("term", term, excluded=excluded))
            continue
        raw = piece.text
        if raw.startswith("-"):
            raw = raw.lstrip("-")
            excluded = True
        if not raw:
            following = pieces[k] if k < len(pieces) else None
            carried_exclusion = bool(following and following.glued and following.kind in ("phrase", "open"))
            continue
        keyed = _KEYED.fullmatch(raw)
        key = _KEYS.get(keyed.group(1).lower()) if keyed else None
        if keyed is None or key is None:
            if not excluded and raw in _OPERATORS:
                lexemes.append(_Lexeme("op", op=_OPERATORS[raw], word=raw))
            else:
                term = _chunk_term(raw)
                if term:
                    lexemes.append(_Lexeme("term", term, excluded=excluded))
            continue
        if excluded and key in _FILTER_KEYS:
            raise QueryError(
                f"`-{keyed.group(1)}:` isn't supported: filters can only narrow a search, "
                "e.g. `author:Duvenaud`, `cat:cs.LG` or `year:2020`."
            )
        value: str | _Piece | None = keyed.group(2) or None
        if value is None and k < len(pieces):
            following = pieces[k]
            if following.kind == "phrase" or (following.kind == "chunk" and not _is_keyed(following.text)):
                value = following
                k += 1
        if value is None:
            if key in _FILTER_KEYS:
                raise QueryError(_missing(key))
            term = _chunk_term(keyed.group(1))   # `title:` with nothing after: just the word
            if term:
                lexemes.append(_Lexeme("term", term, excluded=excluded))
            continue
        if key in _FILTER_KEYS:
            filters.add(key, value.text if isinstance(value, _Piece) else value)
            continue
        if isinstance(value, _Piece) and value.kind == "phrase":
            term = _phrase_term(value, key)
        else:
            term = _chunk_term(value.text if isinstance(value, _Piece) else value, key)
        if term:
            lexemes.append(_Lexeme("term", term, excluded=excluded))
    return lexemes


def _is_keyed(text: str) -> bool:
    keyed = _KEYED.fullmatch(text.lstrip("-"))
    return bool(keyed and keyed.group(1).lower() in _KEYS)


# -- parsing: lexemes → tree -----------------------------------------------------------------


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0
        self.terms = 0

    def parse(self) -> list[tuple[_Node, bool]]:
        return self._sequence(nested=False)

    def _starts_operand(self, index: int) -> bool:
        return index < len(self.lexemes) and self.lexemes[index].kind in ("term", "open")

    def _sequence(self, nested: bool) -> list[tuple[_Node, bool]]:
        items: list[tuple[_Node, bool]] = []
        pending: str | None = None        # "OR" / "NOT" waiting for its right-hand operand
        while self.pos < len(self.lexemes):
            lexeme = self.lexemes[self.pos]
            self.pos += 1
            if lexeme.kind == "close":
                if nested:
                    return items
                continue
            if lexeme.kind == "op":
                if items and pending is None and self._starts_operand(self.pos):
                    if lexeme.op == "AND":
                        continue
                    if lexeme.op == "NOT" or not items[-1][1]:
                        pending = lexeme.op
                    continue        # `-a OR b`: no OR with an exclusion, so just `b -a`
                term = _chunk_term(lexeme.word)    # an operator out of place is a plain word
                if term is None:
                    continue
                lexeme = _Lexeme("term", term)
            if lexeme.kind == "open":
                node: _Node = _Group(self._sequence(nested=True))
            else:
                if self.terms >= MAX_TERMS:
                    pending = None
                    continue
                self.terms += 1
                assert lexeme.term is not None      # a "term" lexeme always carries its term
                node = lexeme.term
            if pending == "OR":
                previous = items[-1][0]
                operands: list[_Node] = previous.operands if isinstance(previous, _Or) else [previous]
                items[-1] = (_Or(operands + [node]), False)
            else:
                items.append((node, pending == "NOT" or lexeme.excluded))
            pending = None
        return items


# -- compiling: tree → FTS5 ------------------------------------------------------------------


def _all_of(parts: list[str]) -> str:
    """Parts AND-ed. FTS5 only allows the implicit AND between phrases (`"a" "b"`); next to a
    parenthesised part it needs the explicit operator (`("a" OR "b") AND "c"`)."""
    out = parts[0]
    for previous, part in zip(parts, parts[1:]):
        out += " AND " if previous.startswith("(") or part.startswith("(") else " "
        out += part
    return out


def _join(positives: list[str], negatives: list[str]) -> str:
    head = _all_of(positives)
    if negatives:
        if len(positives) > 1:
            head = f"({head})"
        head += "".join(f" NOT {n}" for n in negatives)
    return head


def _compile_operand(node: _Node) -> str | None:
    if isinstance(node, _Term):
        return node.fts()
    if isinstance(node, _Or):
        parts: list[str] = []
        for operand in node.operands:
            part = _compile_operand(operand)
            if part is not None and part not in parts:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    positives, negatives = _compile_sequence(node.items)
    if not positives:
        return None
    if len(positives) == 1 and not negatives:
        return positives[0]
    return f"({_join(positives, negatives)})"


def _compile_sequence(items: list[tuple[_Node, bool]]) -> tuple[list[str], list[str]]:
    positives: list[str] = []
    negatives: list[str] = []
    for node, excluded in items:
        if isinstance(node, _Group) and not excluded:
            inner_positives, inner_negatives = _compile_sequence(node.items)
            if not inner_positives:      # `a (-b)`: the exclusions belong to the outer sequence
                negatives.extend(n for n in inner_negatives if n not in negatives)
                continue
        expression = _compile_operand(node)
        target = negatives if excluded else positives
        if expression is not None and expression not in target:
            target.append(expression)
    return positives, negatives


def _searched_terms(items: list[tuple[_Node, bool]], out: list[str]) -> list[str]:
    for node, excluded in items:
        if excluded:
            continue
        for operand in node.operands if isinstance(node, _Or) else [node]:
            if isinstance(operand, _Term):
                text = _display(operand.tokens)
                if text not in out:
                    out.append(text)
            elif isinstance(operand, _Group):
                _searched_terms(operand.items, out)
    return out


# -- the entry point -------------------------------------------------------------------------


def _truncate(text: str, max_length: int) -> str:
    """The first `max_length` characters, without a word cut in half at the end."""
    if len(text) <= max_length:
        return text
    cut = text[:max_length]
    if _is_word_char(text[max_length]) and _is_word_char(cut[-1]):
        end = len(cut)
        while end and _is_word_char(cut[end - 1]):
            end -= 1
        if cut[:end].strip():
            cut = cut[:end]
    return cut


def parse_query(text: str, max_length: int = 500) -> ParsedQuery:
    """Parse a search-box query (control and format characters left out); raises QueryError
    with a message fit to show a person."""
    text = visible(text) if text is not None else text
    if text is None or not text.strip():
        raise QueryError(EMPTY_MESSAGE)
    text = _truncate(text, max(1, max_length)).translate(_QUOTES)
    filters = _Filters()
    items = _Parser(_interpret(_scan(text), filters)).parse()
    positives, negatives = _compile_sequence(items)
    if not positives:
        if negatives:
            raise QueryError(ONLY_EXCLUDED_MESSAGE)
        if not filters:
            raise QueryError(NO_WORDS_MESSAGE)
    return ParsedQuery(
        match=_join(positives, negatives) if positives else None,
        authors=tuple(filters.authors),
        categories=tuple(filters.categories),
        years=filters.years,
        venues=tuple(filters.venues),
        terms=tuple(_searched_terms(items, [])),
    )
