"""Text clean-up shared by the parsers, the search index and the ranking."""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pylatexenc import latex2text, latexwalker


CJK_RANGES = (
    (0x3040, 0x30FF),  # kana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2FA1F),
)
_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
_CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
_ENGLISH_WORDS = frozenset((
    "the", "of", "and", "to", "in", "we", "a", "is", "for", "that", "this", "on", "with", "by",
    "are", "as", "from", "an", "our", "be", "which", "it",
))
_WORD = re.compile(r"[A-Za-z]+")
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")


# Unicode's control (Cc) and format (Cf) characters: NUL, BEL, escape sequences, bidi overrides
# and isolates, zero-width spaces and joiners, the byte-order mark. Tabs and line breaks are
# spacing, kept for `squash` to fold.
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf"))
_SPACING = frozenset("\t\n\r")


def visible(text: str) -> str:
    """Text without control and format characters (NUL, BEL, a right-to-left override, a
    zero-width space…): they hide words from search and move a terminal's cursor."""
    # Most text is printable but for its line breaks (an abstract): told in C, without looking
    # up each character's category (which cost a parsing process a third of its time).
    if text.isprintable() or text.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable():
        return text
    kept = "".join(char for char in text
                   if char in _SPACING or unicodedata.category(char) not in _INVISIBLE_CATEGORIES)
    return text if kept == text else kept


def squash(text: str) -> str:
    """Collapse hard line breaks, tabs and repeated spaces into single spaces (the whitespace
    `\\s` matches is what `str.split` splits on; split and joined in C, several times faster than
    replacing every space of an abstract with a space)."""
    return " ".join(text.split())


def clean_name(name: str) -> str:
    """An author or organisation name: `clean_text`, leftover braces dropped, spaces squashed."""
    if _already_clean(name):
        return name
    name = clean_text(squash(name))
    if "{" in name or "}" in name:
        name = name.replace("{", "").replace("}", "")
    return squash(name)


def _already_clean(text: str) -> bool:
    """Whether `clean_name` would give the text back as it is: printable (so its only spacing is
    the plain space), nothing for `clean_text` to do, no space to squash (most names: the check
    is a few times faster than the cleaning)."""
    return (text.isprintable() and not _needs_work(text) and "  " not in text
            and text[:1] != " " and text[-1:] != " ")


def clean_title(title: str) -> str:
    """A title or an abstract as readers expect it: `clean_text`, on one line."""
    return squash(clean_text(title))


clean_abstract = clean_title

ABSTRACT_CUT_MARK = " […]"
# Where a sentence ends: `.`, `!` or `?` (closing quotes and brackets after it) before a space and
# something that is not a small letter (`e.g. the` goes on), or a CJK full stop.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+(?![a-z]))|[。！？]")


def cut_abstract(abstract: str, limit: int) -> str:
    """An abstract of at most `limit` characters: as it is when it fits, else cut after the last
    sentence that ends in time and marked as cut with `ABSTRACT_CUT_MARK` (` […]`, the bracketed
    ellipsis editors put for left-out text: a reader sees that the text goes on elsewhere, and
    a search still finds every word kept). Without a sentence end in the second half of the
    room, the cut falls after a word, or at the limit."""
    if len(abstract) <= limit:
        return abstract
    room = limit - len(ABSTRACT_CUT_MARK)
    window = abstract[:room + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= room]
    cut = ends[-1] if ends and ends[-1] >= room // 2 else window.rfind(" ", room // 2, room)
    kept = abstract[:cut if cut > 0 else room].rstrip()
    return kept + ABSTRACT_CUT_MARK

def cut_at_word(text: str, limit: int) -> str:
    """Text of at most `limit` characters: as it is when it fits, else cut after the last whole
    word that fits and ended with "…" (CJK text, and a word longer than half the room, are cut
    where the room ends)."""
    if len(text) <= limit:
        return text
    kept = text[:limit - 1]
    if text[limit - 1].isalnum() and kept[-1:].isalnum():
        space = kept.rfind(" ")
        if space >= limit // 2 and not has_cjk(kept[space:]):
            kept = kept[:space]
    return kept.rstrip(" ,;:-–—") + "…"


MAX_VENUE_CHARS = 300
_VENUE_BACKOFF = 30  # a venue cut to its limit ends at a word when one ends this close


def clean_venue(venue: str, limit: int = MAX_VENUE_CHARS) -> str:
    """A journal's or proceedings' name cleaned like a title, with the braces BibTeX puts around
    capitals dropped, on one line, and cut (at a word, with an ellipsis) to `limit` characters."""
    text = clean_name(venue)
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ", len(cut) - _VENUE_BACKOFF)
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def detect_lang(text: str) -> str:
    """The language of an abstract by its script: `zh`, `ja`, `ko`, `en`, or `und`.

    The sources we read are English or machine translations into Chinese; the script decides
    between those, and a short English-stopword check keeps other Latin-script text from being
    called English.
    """
    if not text.isascii() and CJK_CHAR.search(text):
        letters = sum(1 for c in text if c.isalpha()) or 1
        kana = len(_KANA.findall(text))
        hangul = len(_HANGUL.findall(text))
        han = len(CJK_CHAR.findall(text)) - kana - hangul
        if kana > 0.1 * letters:
            return "ja"
        if hangul > 0.3 * letters:
            return "ko"
        if han > 0.3 * letters:
            return "zh"
    words = _WORD.findall(text[:600])
    if not words:
        return "und"
    english = sum(map(_ENGLISH_WORDS.__contains__, map(str.lower, words)))
    if len(words) < 8 or english >= 0.08 * len(words):
        return "en"
    return "und"


def spaced_cjk(text: str) -> str:
    """Put spaces around every CJK character so word tokenizers see one token per character."""
    if text.isascii():  # known to CPython without reading the text: most abstracts
        return text
    return _CJK_RUN.sub(lambda m: " " + " ".join(m.group(0)) + " ", text)


def derive_title(abstract: str, limit: int = 80) -> str:
    """A short display title for a paper known only by its abstract: its first sentence, cut."""
    text = squash(abstract)
    sentence = re.split(r"(?<=[.!?。！？])\s*", text, maxsplit=1)[0] or text
    if len(sentence) <= limit:
        return sentence.rstrip(".。")
    cut = sentence[:limit]
    if not has_cjk(cut) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:- ") + "…"


_CJKISH = _CJK_CLASS + "“”‘’（）「」《》〈〉，。、；：！？"
_SPACED_CJK = re.compile(f"([{_CJKISH}])([\\x02\\x03]?) +([\\x02\\x03]?)(?=[{_CJKISH}])")
_JOINED_MARKS = re.compile(f"(?<=[{_CJKISH}])\x03\x02(?=[{_CJKISH}])")


def unspace_cjk(text: str) -> str:
    """Undo `spaced_cjk` in a snippet, keeping the \\x02/\\x03 highlight marks and merging
    neighbouring highlighted characters into one highlight."""
    text = _SPACED_CJK.sub(r"\1\2\3", text)
    text = _SPACED_CJK.sub(r"\1\2\3", text)
    return _JOINED_MARKS.sub("", text)


# --------------------------------------------------------------------------------------------
# Identifiers written in TeX
#
# BibTeX files escape the characters of DOIs and URLs that TeX treats specially
# (`10.1007/978-3-031-39847-6\_20`, `https://x.org/a{\_}b`, `\textunderscore`); an identifier
# is matched and opened by its characters, so the escapes go.

_IDENTIFIER_ESCAPE = re.compile(
    r"\{\\(?P<braced>[_%&#$]|textunderscore|textasciitilde)\}"
    r"|\\(?P<symbol>[_%&#$])"
    r"|\\(?P<word>textunderscore|textasciitilde)(?![A-Za-z])(?:\{\}| (?=\S))?"
    r"|\\~\{\}"
)
_IDENTIFIER_WORDS = {"textunderscore": "_", "textasciitilde": "~"}


def untex_identifier(text: str) -> str:
    """A DOI or URL without the TeX escapes of its characters: `\\_`, `{\\_}`,
    `\\textunderscore` read `_`; `\\%`, `\\&`, `\\#`, `\\$` their character; `\\~{}` and
    `\\textasciitilde` a tilde. Nothing else changes."""
    if "\\" not in text:
        return text

    def character(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("symbol") or match.group("word") or "~"
        return _IDENTIFIER_WORDS.get(name, name)

    return _IDENTIFIER_ESCAPE.sub(character, text)


# --------------------------------------------------------------------------------------------
# TeX markup and HTML entities, as a reader expects the text
#
# arXiv metadata is written in TeX (`Erd\H{o}s`, `{\"u}`, `\emph{not}`, `--`), feeds carry HTML
# entities (`&amp;`, `&#39;`), and math (`Cu$_2$O`, `$\frac{1}{2}$`) is plain text only when it is
# simple. `clean_text` turns the first two and simple inline math into Unicode, and copies other
# math, unknown commands and their arguments as they are.

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AMP_CHAIN = re.compile(r"&(?:amp;)+")
_MAX_PASSES = 4

_MATH_TOKEN = re.compile(r"\\[\s\S]|\$")
_BRACE_TOKEN = re.compile(r"\\[\s\S]|[{}]")
# Where the scan stops: what `_TexScan.at` may convert. A lone `-` or `'`, which it gives back
# as it is (a hyphen, an apostrophe: several in most abstracts), is passed over.
_SPECIAL = re.compile(r"[\\{}~`$]|--|''")
_CONTROL_WORD = re.compile(r"[A-Za-z]+")
_ACCENT = re.compile(
    r"\\(?:(?P<symbol>[`'^\"~=.])|(?P<letter>[uvHcdbrkt])(?![A-Za-z])\s*)"
    r"(?:\{\s*(?P<braced>\\[ij](?![A-Za-z])|[^\W\d_]{1,2})\s*\}"  # `\~{ê}`: accents nest
    r"|(?P<dotless>\\[ij])(?: (?=[A-Za-z]))?"  # `Mart\'\in`, `Beno\^\it`: letters go on after `\i`
    r"|(?P<bare>[^\W\d_]))"
)
_MATH_TEXT_LETTER = re.compile(
    r"\\(?P<mark>[`'^\"~])(?:(?P<letter>[A-Za-z])|\{(?P<braced>[A-Za-z])\})"
    r"|\\(?P<name>ss|o|O|aa|AA|ae|AE|oe|OE|l|L)(?![A-Za-z])"
)
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")
# Words after which a tie and a number refer to a part of the paper: `Section~2`, `Eq~(3)`.
_REFERENCE_WORD = re.compile(
    r"\b(?:[Ss]ections?|[Tt]ables?|[Ff]ig(?:ure)?s?|[Ee]q(?:uation)?s?|[Rr]efs?|[Ss]ecs?|[Cc]hapters?"
    r"|[Aa]ppendi(?:x|ces)|[Tt]heorems?|[Ll]emmas?|[Cc]orollary|[Pp]ropositions?|[Dd]efinitions?"
    r"|[Ee]xamples?|[Aa]lgorithms?|[Ss]teps?|[Pp]arts?|[Cc]ases?|[Pp]ages?)$"
)

# Commands whose one braced argument is the text to show: `\emph{x}` reads `x`.
_CONTENT_COMMANDS = frozenset((
    "emph", "textit", "textbf", "textsl", "textsc", "textrm", "textsf", "texttt", "textup",
    "textmd", "textnormal", "mbox", "text", "underline", "uline",
))
# Commands whose argument is shown exactly as written.
_RAW_ARGUMENT_COMMANDS = frozenset({"url"})
# Font switches: `{\em x}` and `{\bf x}` read `x`.
_DECLARATIONS = frozenset((
    "em", "it", "bf", "sl", "sc", "rm", "sf", "tt", "itshape", "bfseries", "scshape", "slshape",
    "upshape", "mdseries", "normalfont", "rmfamily", "sffamily", "ttfamily", "tiny", "small",
    "footnotesize", "normalsize", "large", "Large", "huge",
))
# Argument-less commands pylatexenc does not know, or renders in a way a reader would not want.
_OWN_SYMBOLS = {
    "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX", "S": "§", "P": "¶",
    "copyright": "©", "textcopyright": "©", "thinspace": " ", "enspace": " ", "quad": " ",
    "qquad": " ", "newline": " ", "linebreak": " ", "par": " ", "hfill": " ", "noindent": "",
    "indent": "", "relax": "", "textasciitilde": None, "today": None,
    # TeX's special characters as text, the way paperclub's BibTeX export writes them.
    "textbackslash": "\\", "textbraceleft": "{", "textbraceright": "}", "textdollar": "$",
    "textasciicircum": "^",
}
# One-character commands: escapes and spacing. `\{` and `\}` stay as written (a brace read again
# would be taken for a group), and `\$` is decided by whether the text holds math.
_CONTROL_SYMBOLS = {
    "&": "&", "%": "%", "#": "#", "_": "_", " ": " ", "\n": " ", "\t": " ", ",": " ", ";": " ",
    ":": " ", "\\": " ", "!": "", "-": "", "/": "", "@": "",
}
_UNSAFE_OUTPUT = re.compile(r"[\\{}$~&%]|--|``|''")

_LATEX_TO_TEXT = latex2text.LatexNodes2Text(math_mode="verbatim")
_TEXT_MACROS = latex2text.get_default_latex_context_db()
_PARSED_MACROS = latexwalker.get_default_latex_context_db()


def clean_text(text: str) -> str:
    """Text as a reader expects it: TeX accents and common commands and HTML entities in Unicode.

    `Erd\\H{o}s-R\\'enyi` reads `Erdős-Rényi`, `\\emph{x}` and `{GPU}` read `x` and `GPU`, `--`
    and `---` are dashes, `~` a space, `\\%` a per cent sign, `&amp;` an ampersand. Inline math
    with a faithful plain form reads as Unicode (`Cu$_2$O` → `Cu₂O`, `$10^{-3}$` → `10⁻³`,
    `$\\to$` → `→`); other math (`$\\frac{a}{b}$`, `$A_N$`, display math), commands it does not
    know (`\\cite{x}`) and their arguments are kept as written. Idempotent, and text with no
    backslash, brace, dollar, ampersand, tilde, `--` or two backquotes is returned at once.
    Control and format characters are removed first (`visible`).
    """
    text = visible(text)
    if not _needs_work(text):
        return text
    for _ in range(_MAX_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text or not _needs_work(cleaned):
            return cleaned
        text = cleaned
    return text


def _needs_work(text: str) -> bool:
    """Whether the text holds anything clean_text could change (plain `in` tests: several
    times faster than one regular expression)."""
    return ("\\" in text or "{" in text or "&" in text or "~" in text or "--" in text
            or "``" in text or "$" in text)


def _clean_once(text: str) -> str:
    if "&" in text:
        text = _decode_entities(text)
    if not _needs_work(text):
        return text
    converted = _TexScan(text).run()
    if converted != text and "  " in converted:
        converted = _DOUBLE_SPACE.sub(" ", converted)
    return converted


def _decode_entities(text: str) -> str:
    """HTML character references (`&amp;`, `&#39;`, `&eacute;`, and escaped ones like
    `&amp;lt;`) as characters; an `&` not starting a reference is left alone."""
    text = _AMP_CHAIN.sub("&", text)
    for _ in range(3):
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        if decoded == text:
            break
        text = decoded
    return text


def _math_spans(text: str) -> list[tuple[int, int]]:
    """Where the math is: (start, end) of each `$...$`, `$$...$$`, `\\(...\\)` and `\\[...\\]`.

    An escaped dollar (`\\$`) opens nothing, and an opener without a closer is plain text.
    """
    tokens = [(m.start(), m.group()) for m in _MATH_TOKEN.finditer(text)]
    count = len(tokens)
    # next_index[kind][k]: the first token at or after k that closes `kind`
    next_dollar, next_pair, next_paren, next_bracket = ([count] * (count + 1) for _ in range(4))
    for k in range(count - 1, -1, -1):
        position, token = tokens[k]
        next_dollar[k] = k if token == "$" else next_dollar[k + 1]
        pair = token == "$" and k + 1 < count and tokens[k + 1] == (position + 1, "$")
        next_pair[k] = k if pair else next_pair[k + 1]
        next_paren[k] = k if token == "\\)" else next_paren[k + 1]
        next_bracket[k] = k if token == "\\]" else next_bracket[k + 1]

    spans: list[tuple[int, int]] = []
    k = 0
    while k < count:
        position, token = tokens[k]
        close, width = count, 1
        if token == "$":
            if next_pair[k] == k:
                close, width = next_pair[k + 2] if k + 2 < count else count, 2
            if close >= count:
                close, width = next_dollar[k + 1], 1
        elif token == "\\(":
            close, width = next_paren[k + 1], 2
        elif token == "\\[":
            close, width = next_bracket[k + 1], 2
        else:
            k += 1
            continue
        if close >= count:
            k += 1
            continue
        spans.append((position, tokens[close][0] + width))
        k = close + (2 if width == 2 and tokens[close][1] == "$" else 1)
    return spans


def _brace_pairs(text: str, spans: list[tuple[int, int]]) -> dict[int, int]:
    """The matching `}` of every balanced `{` outside math; escaped braces do not count."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    starts = [start for start, _ in spans]
    for match in _BRACE_TOKEN.finditer(text):
        position, token = match.start(), match.group()
        if token[0] == "\\":
            continue
        inside = bisect_right(starts, position) - 1
        if inside >= 0 and position < spans[inside][1]:
            continue
        if token == "{":
            stack.append(position)
        elif stack:
            pairs[stack.pop()] = position
    return pairs


@lru_cache(maxsize=1024)
def _accented(accent: str, letter: str) -> str | None:
    """`\\H` and `o` → `ő`, via pylatexenc; None when it gives nothing a reader could use."""
    converted = unicodedata.normalize("NFC", _LATEX_TO_TEXT.latex_to_text(f"\\{accent}{{{letter}}}"))
    if not converted.strip() or _UNSAFE_OUTPUT.search(converted):
        return None
    return converted


@lru_cache(maxsize=1024)
def _symbol(name: str) -> str | None:
    """What an argument-less command such as `\\ss`, `\\AA`, `\\ldots` or `\\alpha` reads as,
    or None for a command that takes arguments or that pylatexenc does not know."""
    if name in _OWN_SYMBOLS:
        return _OWN_SYMBOLS[name]
    parsed = _PARSED_MACROS.get_macro_spec(name)
    if parsed is not None and parsed.args_parser.argspec:
        return None
    spec = _TEXT_MACROS.get_macro_spec(name)
    replacement = getattr(spec, "simplify_repl", None)
    if not isinstance(replacement, str) or not replacement.strip() or "%" in replacement:
        return None
    if _UNSAFE_OUTPUT.search(replacement):
        return None
    return replacement


def _text_letters_in_math(math: str) -> str:
    """Math as written, but for the text-mode letters some authors put in it (`$60 {\\AA}$`,
    `${\\o}d$`, `$\\"o$`), which mean nothing else there."""
    if "\\" not in math:
        return math

    def letter(match: re.Match[str]) -> str:
        if match.group("name"):
            return _symbol(match.group("name")) or match.group(0)
        return _accented(match.group("mark"), match.group("letter") or match.group("braced")) or match.group(0)

    return _MATH_TEXT_LETTER.sub(letter, math)


# Inline math as plain Unicode, when every piece of it has a faithful plain form: letters,
# digits and operators as they are (a minus sign for `-`, a prime for `'`), symbols pylatexenc
# knows (`\alpha`, `\to`, `\leq`), math alphabets Unicode has (`\mathcal{O}`, `\mathbb{R}`),
# and sub- and superscripts made only of characters that have a sub- or superscript form.

_SUPERSCRIPTS = dict(zip(
    "0123456789+−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ′*†∘",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ′*†°",
))
_SUBSCRIPTS = dict(zip("0123456789+−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
_MATH_CHARACTERS = {"-": "−", "'": "′", "~": " "}
_MATH_PUNCTUATION = frozenset("+=()[]<>,.;:/|!?*")
_MATH_SPACES = {",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "quad": " ", "qquad": " ", "!": ""}
_CONTROL_WORDS = re.compile(r"\\([A-Za-z]+)")
_ONE_COMMAND = re.compile(r"\s*\\([A-Za-z]+)\s*")
_MATH_OWN_SYMBOLS = {"prime": "′", "ne": "≠"}
# Math alphabets: each letter becomes its Unicode math letter (`\mathcal{O}` reads `𝒪`).
_MATH_ALPHABETS = frozenset(("mathcal", "mathbb", "mathbf", "mathfrak", "mathscr", "mathsf", "mathtt"))
# Commands whose argument reads as plain letters: `\mathrm{d}x` reads `dx`.
_MATH_UPRIGHT = frozenset(("mathrm", "mathit", "mathnormal", "text", "textrm", "textit", "mbox", "operatorname"))


class _NotPlain(Exception):
    """Math with a piece that has no faithful plain form."""


@lru_cache(maxsize=4096)
def _plain_math(math: str) -> str | None:
    """Inline math (`$...$` or `\\(...\\)`) in plain Unicode: `$_2$` reads `₂`, `$10^{-3}$`
    `10⁻³`, `$\\alpha \\to \\beta$` `α → β`; None when a piece of it has no faithful plain form
    (`\\frac`, a subscript letter Unicode has no subscript of, display math), or when its
    dollars would not open and close math in Pandoc's reading (`$5 and $6` is money)."""
    if math.startswith("$$") or math.startswith("\\["):
        return None
    inner = math[1:-1] if math[0] == "$" else math[2:-2]
    if not inner.strip() or (math[0] == "$" and (inner[0].isspace() or inner[-1].isspace())):
        return None
    if not all(map(_plain_command, _CONTROL_WORDS.findall(inner))):
        return None  # known at once, without parsing
    try:
        plain = _squash_math(_math_text(inner))
    except (_NotPlain, latexwalker.LatexWalkerError):
        return None
    if not plain or _UNSAFE_OUTPUT.search(plain):
        return None
    return plain


def _plain_command(name: str) -> bool:
    """Whether a command may have a plain form in math (its arguments not looked at)."""
    return (name in _MATH_SPACES or name in _MATH_OWN_SYMBOLS or name in _MATH_ALPHABETS
            or name in _MATH_UPRIGHT or _symbol(name) is not None)


def _math_text(math: str) -> str:
    """The plain text of math: read by `_quick_math` when it is made of the usual pieces, else
    parsed by pylatexenc (a few times slower: most of an arXiv listing's cleaning)."""
    if "\\" not in math and "{" not in math:
        return _apply_scripts([_math_character(c) for c in math])
    command = _ONE_COMMAND.fullmatch(math)
    if command:
        return _math_symbol(command.group(1))
    nodes = _quick_math(math)
    if nodes is None:
        walker = latexwalker.LatexWalker(math, latex_context=_PARSED_MACROS, tolerant_parsing=False)
        parsed, _, _ = walker.get_latex_nodes(parsing_state=walker.make_parsing_state(in_math_mode=True))
        nodes = _walked(parsed)
    return _math_nodes(nodes)


def _squash_math(text: str) -> str:
    return " ".join(text.split())


# Math read into these nodes, by pylatexenc (`_walked`) or by `_quick_math`, is turned into
# text by `_math_nodes`.


@dataclass(frozen=True)
class _Chars:
    text: str


@dataclass(frozen=True)
class _Group:
    nodes: tuple[_MathNode, ...]


@dataclass(frozen=True)
class _Command:
    """A command: its name, each argument's nodes, and the spaces after its name."""

    name: str
    arguments: tuple[tuple[_MathNode, ...], ...] = ()
    space: str = ""


@dataclass(frozen=True)
class _Tie:
    """`~`, a space that does not break."""


@dataclass(frozen=True)
class _Unplain:
    """Anything else pylatexenc finds (`&`, `--`, a comment...): it has no plain form."""


_MathNode = _Chars | _Group | _Command | _Tie | _Unplain


def _walked(nodes: list[Any]) -> tuple[_MathNode, ...]:
    """pylatexenc's nodes as math nodes."""
    return tuple(map(_walked_node, nodes))


def _walked_node(node: Any) -> _MathNode:
    if node.isNodeType(latexwalker.LatexCharsNode):
        return _Chars(node.chars)
    if node.isNodeType(latexwalker.LatexGroupNode):
        return _Group(_walked(node.nodelist))
    if node.isNodeType(latexwalker.LatexMacroNode):
        arguments = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        return _Command(node.macroname, tuple(
            _walked(a.nodelist) if a.isNodeType(latexwalker.LatexGroupNode) else (_walked_node(a),)
            for a in arguments), node.macro_post_space)
    if node.isNodeType(latexwalker.LatexSpecialsNode) and node.specials_chars == "~":
        return _Tie()
    return _Unplain()


# What `_quick_math` leaves to pylatexenc: its specials (`--`, quotes, `&`, `#`), comments,
# dollars and paragraph breaks.
_QUICK_REFUSED = re.compile(r"--|``|''|!`|\?`|[&#%$]|\n\s*\n")
# A command's name is letters, any alphabet's, as pylatexenc reads it (`\leβ` is one name).
_QUICK_TOKEN = re.compile(r"\\([^\W\d_]+)(\s*)|\\(.)|([{}~])|([^\\{}~]+)", re.DOTALL)


def _quick_math(math: str) -> tuple[_MathNode, ...] | None:
    """Math read into the nodes pylatexenc would give, when it holds only characters, groups,
    `~`, the spacing commands and commands of no argument or of one braced argument
    (`\\mathcal{O}`); None for anything else, which pylatexenc reads."""
    if _QUICK_REFUSED.search(math):
        return None
    frames: list[tuple[list[_MathNode], tuple[str, str] | None]] = [([], None)]  # a group's or an argument's
    argument_opens = False
    for token in _QUICK_TOKEN.finditer(math):
        name, space, symbol, special, chars = token.groups()
        nodes = frames[-1][0]
        if chars is not None:
            nodes.append(_Chars(chars))
        elif name is not None:
            argspec = _argspec(name)
            if argspec == "":
                nodes.append(_Command(name, (), space))
            elif argspec == "{" and math.startswith("{", token.end()):
                frames.append(([], (name, space)))
                argument_opens = True
            else:
                return None
        elif symbol is not None:
            if symbol == " " or symbol not in _MATH_SPACES:
                return None
            nodes.append(_Command(symbol))
        elif special == "{":
            if not argument_opens:
                frames.append(([], None))
            argument_opens = False
        elif special == "}":
            if len(frames) == 1:
                return None
            inner, command = frames.pop()
            frames[-1][0].append(_Group(tuple(inner)) if command is None
                                 else _Command(command[0], (tuple(inner),), command[1]))
        else:
            nodes.append(_Tie())
    return tuple(frames[0][0]) if len(frames) == 1 else None


@lru_cache(maxsize=1024)
def _argspec(name: str) -> str | None:
    """The arguments pylatexenc reads after a command (`{` for one braced one); None when its
    reading is not a plain list of them."""
    spec = _PARSED_MACROS.get_macro_spec(name)
    if spec is None:
        return ""
    argspec = getattr(spec.args_parser, "argspec", None)
    return argspec if isinstance(argspec, str) else None


def _math_nodes(nodes: tuple[_MathNode, ...]) -> str:
    """The plain text of math nodes, with their sub- and superscripts applied."""
    pieces: list[str] = []
    for number, node in enumerate(nodes):
        if isinstance(node, _Chars):
            pieces += [_math_character(c) for c in node.text]
        elif isinstance(node, _Group):
            pieces.append(_math_nodes(node.nodes))
        elif isinstance(node, _Command):
            pieces.append(_math_command(node))
            following = nodes[number + 1] if number + 1 < len(nodes) else None
            if node.space and not _joins(pieces[-1], following):
                pieces.append(" ")
        elif isinstance(node, _Tie):
            pieces.append(" ")
        else:
            raise _NotPlain
    return _apply_scripts(pieces)


def _math_character(char: str) -> str:
    if char in "^_" or char.isalnum() or char in _MATH_PUNCTUATION:
        return char
    if char.isspace():
        return " "
    if char in _MATH_CHARACTERS:
        return _MATH_CHARACTERS[char]
    raise _NotPlain


def _math_command(command: _Command) -> str:
    name, arguments = command.name, command.arguments
    if len(arguments) == 1 and (name in _MATH_UPRIGHT or name in _MATH_ALPHABETS):
        text = _math_nodes(arguments[0])
        return text if name in _MATH_UPRIGHT else _math_alphabet(name, text)
    if arguments:
        raise _NotPlain
    return _math_symbol(name)


def _math_symbol(name: str) -> str:
    """What an argument-less command reads as in math: a space, `′` for `\\prime`, `α`…"""
    if name in _MATH_SPACES:
        return _MATH_SPACES[name]
    symbol = _MATH_OWN_SYMBOLS.get(name) or _symbol(name)
    if symbol is None:
        raise _NotPlain
    return symbol


@lru_cache(maxsize=256)
def _math_alphabet(name: str, letters: str) -> str:
    """`\\mathcal` and `O` → `𝒪`, via pylatexenc, when every letter has its math form."""
    if not letters.isascii() or not letters.isalnum():
        raise _NotPlain
    converted: str = _LATEX_TO_TEXT.latex_to_text(f"\\{name}{{{letters}}}")
    if len(converted) != len(letters) or any(a == b for a, b in zip(converted, letters)):
        raise _NotPlain
    return converted


def _joins(symbol: str, following: object) -> bool:
    """Whether the space after a command only ends its name: `\\alpha x` reads `αx`, but
    `\\to B` and `\\log N` (an operator's name) keep their space."""
    if len(symbol) != 1 or not symbol.isalnum() or not isinstance(following, _Chars):
        return False
    return following.text[:1].isalnum()


def _apply_scripts(pieces: list[str]) -> str:
    """Pieces of math joined, each `^` or `_` turning the piece after it into its superscript or
    subscript form."""
    out: list[str] = []
    k = 0
    while k < len(pieces):
        piece = pieces[k]
        k += 1
        if piece not in ("^", "_"):
            out.append(piece)
            continue
        while k < len(pieces) and pieces[k] == " ":
            k += 1
        if k >= len(pieces) or pieces[k] in ("^", "_"):
            raise _NotPlain
        table = _SUPERSCRIPTS if piece == "^" else _SUBSCRIPTS
        script = pieces[k].strip()
        if not script or any(c not in table for c in script):
            raise _NotPlain
        out.append("".join(table[c] for c in script))
        k += 1
    return "".join(out)


def _is_latin_letter(text: str) -> bool:
    return len(text) == 1 and text.isalpha() and "LATIN" in unicodedata.name(text, "")


class _TexScan:
    """One left-to-right pass over a text, converting what is outside math."""

    def __init__(self, text: str):
        self.text = text
        spans = _math_spans(text)
        self.math = dict(spans)
        self.pairs = _brace_pairs(text, spans)
        self.closers = set(self.pairs.values())
        # `\$` reads `$` only in text without math, where a dollar cannot start math later.
        self.dollar = "$" if not spans else "\\$"
        self.open_quotes = 0

    def run(self) -> str:
        text, out, i = self.text, [], 0
        while True:
            match = _SPECIAL.search(text, i)
            if match is None:
                out.append(text[i:])
                return "".join(out)
            j = match.start()
            out.append(text[i:j])
            piece, i = self.at(j, out)
            out.append(piece)

    def at(self, j: int, written: list[str]) -> tuple[str, int]:
        """The converted text of what starts at `j` (after `written`), and where to go on."""
        text, char = self.text, self.text[j]
        if j in self.math:
            return self.math_at(j), self.math[j]
        if char == "\\":
            return self.command(j)
        if char == "{":
            return ("" if j in self.pairs else "{"), j + 1
        if char == "}":
            return ("" if j in self.closers else "}"), j + 1
        if char == "~":
            return self.tilde(j, written), j + 1
        if char == "-":
            return self.dashes(j)
        if char in "`'":
            return self.quote(j)
        return char, j + 1

    def math_at(self, j: int) -> str:
        """The math starting at `j` in plain Unicode when it has a faithful plain form and its
        closing dollar is not followed by a digit (`$5-$10` is money), else as written."""
        end = self.math[j]
        math = self.text[j:end]
        plain = None if self.text[end:end + 1].isdigit() else _plain_math(math)
        return _text_letters_in_math(math) if plain is None else plain

    def command(self, j: int) -> tuple[str, int]:
        text = self.text
        if j + 1 >= len(text):
            return "\\", j + 1
        accent = _ACCENT.match(text, j)
        if accent is not None:
            converted = self.accent(accent)
            if converted is not None:
                return converted, accent.end()
        word = _CONTROL_WORD.match(text, j + 1)
        if word is None:
            symbol = text[j + 1]
            if symbol == "$":
                return self.dollar, j + 2
            if symbol in _CONTROL_SYMBOLS:
                return _CONTROL_SYMBOLS[symbol], j + 2
            # kept as written, with an empty group after it: `\~{}` is a tilde, not an accent
            stop = j + 4 if text.startswith("{}", j + 2) else j + 2
            return text[j:stop], stop
        return self.control_word(j, word.group(), word.end())

    def accent(self, match: re.Match[str]) -> str | None:
        mark = match.group("symbol") or match.group("letter")
        letter = match.group("braced") or match.group("dotless") or match.group("bare")
        if len(letter) == 2 and letter[0] != "\\" and mark != "t":
            return None
        return _accented(mark, letter)

    def control_word(self, j: int, name: str, end: int) -> tuple[str, int]:
        text = self.text
        if name == "ensuremath":
            return self.ensuremath(j, end)
        if name in _CONTENT_COMMANDS or name in _RAW_ARGUMENT_COMMANDS:
            brace = self.skip_spaces(end)
            if brace in self.pairs:
                if name in _RAW_ARGUMENT_COMMANDS:
                    return text[brace + 1:self.pairs[brace]], self.pairs[brace] + 1
                return "", brace  # the group's braces are dropped as it is read
            return text[j:end], end
        if name in _DECLARATIONS:
            return "", self.skip_spaces(end)
        symbol = _symbol(name)
        if symbol is None:
            stop = self.arguments_end(end)
            return text[j:stop], stop
        # TeX ends a command word at the space after it: `Stra\ss e` is one word (but
        # `70 \AA which` is a unit and a word).
        if (_is_latin_letter(symbol) and symbol.islower() and end + 1 < len(text)
                and text[end] == " " and text[end + 1].isalpha()):
            end += 1
        return symbol, end

    def ensuremath(self, j: int, end: int) -> tuple[str, int]:
        """`\\ensuremath{\\alpha}` (pylatexenc's way of writing math) read as `$\\alpha$` is."""
        brace = self.skip_spaces(end)
        if brace not in self.pairs:
            return self.text[j:end], end
        close = self.pairs[brace]
        plain = _plain_math("$" + self.text[brace + 1:close] + "$")
        return (self.text[j:close + 1] if plain is None else plain), close + 1

    def skip_spaces(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in " \t\n":
            i += 1
        return i

    def arguments_end(self, i: int) -> int:
        """Where the arguments of a command kept as written end: `[...]` and `{...}` groups."""
        text = self.text
        end = i
        while True:
            nxt = self.skip_spaces(end)
            if nxt < len(text) and text[nxt] == "[":
                close = text.find("]", nxt, nxt + 200)
                if close < 0 or "\n" in text[nxt:close]:
                    return end
                end = close + 1
            elif nxt in self.pairs:
                end = self.pairs[nxt] + 1
            else:
                return end

    def tilde(self, j: int, written: list[str]) -> str:
        """A tie between words (`Fig.~3`, `et~al.`, `Section~2`, `models~(LMs)`) is a space; a
        tilde that reads "about" (`~100`, `z~2.5`, `a^2~0.005`, `~(3-4)`) or sits in a path
        (`/~user`) stays."""
        text = self.text
        tail = "".join(written[-4:])[-24:]
        before = tail[-1:] or " "
        after = text[j + 1] if j + 1 < len(text) else " "
        if not (before.isalpha() or before == "."):
            return "~"
        inside = text[j + 2] if after in "([" and j + 2 < len(text) else ""
        if after.isalpha() or after == "\\" or inside.isalpha():
            return " "  # `et~al.`, `method~\cite{x}`, `models~(LMs)`
        if after.isdigit() or inside:
            return " " if before == "." or _REFERENCE_WORD.search(tail) else "~"
        return "~"

    def dashes(self, j: int) -> tuple[str, int]:
        text = self.text
        end = j
        while end < len(text) and text[end] == "-":
            end += 1
        run = end - j
        before = text[j - 1] if j else ""
        after = text[end] if end < len(text) else ""
        if run in (2, 3) and before not in ("<", "!") and after != ">":
            return ("–" if run == 2 else "—"), end
        return text[j:end], end

    def quote(self, j: int) -> tuple[str, int]:
        """TeX quotes: ``` ``x'' ``` reads “x”; lone backquotes and apostrophes stay."""
        text = self.text
        if text.startswith("``", j) and text.find("''", j + 2) >= 0:
            self.open_quotes += 1
            return "“", j + 2
        if text.startswith("''", j) and self.open_quotes:
            self.open_quotes -= 1
            return "”", j + 2
        return text[j], j + 1
