"""Text clean-up shared by the parsers, the search index and the ranking."""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text

_SPACES = re.compile(r"\s+")
_TEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHcdbrkt]\s*(\{\s*\\?[A-Za-z]\s*\}|[A-Za-z])|\\(?:ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)\b|\{\\[^{}]*\}")
_latex = LatexNodes2Text(math_mode="verbatim", keep_comments=False)

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
_ENGLISH_WORDS = frozenset(
    "the of and to in we a is for that this on with by are as from an our be which it".split()
)
_WORD = re.compile(r"[A-Za-z]+")
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")


def squash(text: str) -> str:
    """Collapse hard line breaks, tabs and repeated spaces into single spaces."""
    return _SPACES.sub(" ", text).strip()


def tex_accents_to_unicode(text: str) -> str:
    """Turn TeX accent commands (`\\"o`, `{\\'e}`, `\\c{c}`) into the accented letters.

    Only accent-like fragments are converted, so math in abstracts stays as written.
    """
    if "\\" not in text:
        return text

    def convert(match: re.Match) -> str:
        converted = _latex.latex_to_text(match.group(0))
        return converted if converted.strip() else match.group(0)

    converted = _TEX_ACCENT.sub(convert, text)
    return unicodedata.normalize("NFC", converted)


def clean_name(name: str) -> str:
    """An author or organisation name: TeX accents resolved, braces dropped, spaces squashed."""
    name = tex_accents_to_unicode(squash(name))
    if "{" in name or "}" in name:
        name = name.replace("{", "").replace("}", "")
    return squash(name)


def clean_title(title: str) -> str:
    return squash(tex_accents_to_unicode(title))


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def detect_lang(text: str) -> str:
    """The language of an abstract by its script: `zh`, `ja`, `ko`, `en`, or `und`.

    The sources we read are English or machine translations into Chinese; the script decides
    between those, and a short English-stopword check keeps other Latin-script text from being
    called English.
    """
    if CJK_CHAR.search(text):
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
    english = sum(1 for w in words if w.lower() in _ENGLISH_WORDS)
    if len(words) < 8 or english >= 0.08 * len(words):
        return "en"
    return "und"


def spaced_cjk(text: str) -> str:
    """Put spaces around every CJK character so word tokenizers see one token per character."""
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
