"""Write the reading-list fixtures of tests/data/reading_lists/, each in one tool's own style.

    python bench/make_reading_lists.py [--out tests/data/reading_lists]

Run once; the files are committed and `bench/reading_lists.py` reads them. The works are in
`bench/reading_list_works.py`. Each writer follows what its tool writes:

- JabRef 2.10: `% Encoding: ISO8859_1`, Latin-1 bytes, `@PREAMBLE` with `\\newcommand`,
  `@STRING` macros built with `#`, upper-case entry types, `owner`/`timestamp`, hand-typed TeX
  accents (`Mart\\'\\in`, `Beno\\^\\it`), `\\_` in DOIs and a `groupstree` comment;
- Zotero with Better BibTeX (Better BibLaTeX): Unicode, `date`, `{{…}}`-protected words,
  `@thesis`/`@report` with `type`, `@online` preprints with `pubstate`, corporate authors;
- Mendeley Desktop: its banner, `Surname2015` keys, fields sorted by name and not indented,
  `{\\"{o}}` accents, `{\\_}`, `mendeley-groups`, `file`, `arxivId`;
- EndNote: `RN` keys, three-space indents, `type = {Journal Article}`, and the same papers as
  RIS (`Last, First, Suffix`, corporate names ending with a comma, a byte-order mark);
- Zotero: CSL-JSON (year as a string in `date-parts`) and CSV with all of Zotero's columns;
- bibtex-tidy: lower-case, aligned, Google Scholar keys (`lecun2015deep`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from reading_list_works import (ATTENTION, BACKPROP_CHAPTER, BIG_DATA, CLIMATE_BOOK, DEEP_LEARNING_ARTICLE,
                                DEEP_LEARNING_BOOK, FABLES, FROMHOLD, HUMAN_CONDITION, KNUTH, KOMMUNEPLAN,
                                LA_ROCCA, LSTM_REPORT, MAPS, MARTIN_DELGADO, MNIST, MOLLER_PLESSET, NASH, NILE,
                                NIO_CHAPTER, ORIENTALISM, PDP_BOOK, PERCEPTRON, PROC_1988, PROC_1991, ROCKSDB,
                                ROOT, ROUTING, RYDBERG, SNOWFLAKE, SPANNER, SPILDEVAND, UNET, VAN_DER_WAALS,
                                Name, Work, arxiv_works)

OUT = ROOT / "tests" / "data" / "reading_lists"
_ACCENTS = {"\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=",
            "\u0307": ".", "\u030c": "v", "\u0306": "u", "\u030b": "H", "\u0327": "c", "\u0328": "k",
            "\u030a": "r", "\u0323": "d"}
_LETTERS = {"ø": r"\o", "Ø": r"\O", "ł": r"\l", "Ł": r"\L", "æ": r"\ae", "Æ": r"\AE", "ß": r"\ss",
            "å": r"\aa", "Å": r"\AA", "ı": r"\i"}
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_JOURNAL_MACROS = {"Phys.Rev.D": "prd", "Physical Review A": "pra", "Physical Review": "pr",
                   "Phys. Rev. B": "prb", "Phys. Rev. Lett.": "prl", "Phys.Rev.Lett.": "prl",
                   "Journal of Physics and Chemistry of Solids": "jpcs"}
ZOTERO_CSV_COLUMNS = (
    "Key", "Item Type", "Publication Year", "Author", "Title", "Publication Title", "ISBN", "ISSN", "DOI",
    "Url", "Abstract Note", "Date", "Date Added", "Date Modified", "Access Date", "Pages", "Num Pages",
    "Issue", "Volume", "Number Of Volumes", "Journal Abbreviation", "Short Title", "Series",
    "Series Number", "Series Text", "Series Title", "Publisher", "Place", "Language", "Rights", "Type",
    "Archive", "Archive Location", "Library Catalog", "Call Number", "Extra", "Notes", "File Attachments",
    "Link Attachments", "Manual Tags", "Automatic Tags", "Editor", "Series Editor", "Translator",
    "Contributor", "Attorney Agent", "Book Author", "Cast Member", "Commenter", "Composer", "Cosponsor",
    "Counsel", "Interviewer", "Producer", "Recipient", "Reviewed Author", "Scriptwriter", "Words By",
    "Guest", "Number", "Edition", "Running Time", "Scale", "Medium", "Artwork Size", "Filing Date",
    "Application Number", "Assignee", "Issuing Authority", "Country", "Meeting Name", "Conference Name",
    "Court", "References", "Reporter", "Legal Status", "Priority Numbers", "Programming Language",
    "Version", "System", "Code", "Code Number", "Section", "Session", "Committee", "History",
    "Legislative Body",
)


# ---------------------------------------------------------------------------------------------
# TeX


def tex_char(char: str, braced_inner: bool) -> str:
    """One non-ASCII character as TeX: `{\\"o}` (or Mendeley's `{\\"{o}}`)."""
    if char in _LETTERS:
        return "{" + _LETTERS[char] + "}"
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or any(m not in _ACCENTS for m in marks):
        return char
    text = base
    for mark in marks:
        command = _ACCENTS[mark]
        text = f"\\{command}{{{text}}}" if braced_inner or command.isalpha() or len(text) > 1 else f"\\{command}{text}"
    return "{" + text + "}"


def tex(text: str, keep: Callable[[str], bool] = lambda c: c.isascii(), braced_inner: bool = False) -> str:
    """Text with the characters `keep` refuses written as TeX accents, `&` escaped."""
    out = []
    for char in text.replace("&", r"\&"):
        out.append(char if keep(char) else tex_char(char, braced_inner))
    return "".join(out)


def unicode_tex(text: str) -> str:
    """Text as Unicode-writing tools write it: only `&` escaped."""
    return tex(text, keep=lambda c: True)


def ascii_word(text: str) -> str:
    """Letters and digits folded to ASCII (`Møller` → `Moller`)."""
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ł", "l").replace("æ", "ae"))
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def latin1(char: str) -> bool:
    """Whether a character has a byte in Latin-1."""
    return ord(char) < 256


def jabref_tex(text: str) -> str:
    """A name as typed in a JabRef database: Latin-1 kept, `í`/`î` as unbraced `\\'\\i`/`\\^\\i`."""
    text = text.replace("í", r"\'\i").replace("î", r"\^\i")
    return tex(text, keep=latin1)


def bib_name(name: Name, escape: Callable[[str], str], brace_particle_words: bool = False) -> str:
    """A name in BibTeX's `von Last, Jr, First` form; a corporate name braced whole."""
    if name.literal:
        return "{" + escape(name.literal) + "}"
    family = escape(name.family)
    if brace_particle_words and " " in family:
        family = "{" + family + "}"
    last = f"{escape(name.particle)} {family}".strip()
    parts = [last] + ([escape(name.suffix)] if name.suffix else []) + ([escape(name.given)] if name.given else [])
    return ", ".join(parts)


def bib_names(names: Iterable[Name], escape: Callable[[str], str], brace_particle_words: bool = False) -> str:
    """Names joined with `and`."""
    return " and ".join(bib_name(n, escape, brace_particle_words) for n in names)


def bib_pages(pages: str) -> str:
    """`436-444` → `436--444`."""
    return pages.replace("-", "--") if pages.count("-") == 1 else pages


def bbt_protect(title: str) -> str:
    """Better BibTeX's case protection: capitalised words after the first in `{{…}}`."""
    words = title.split(" ")
    first = words[0]
    out, run = ["{{" + first + "}}" if any(c.isupper() for c in first[1:]) else first], []
    for word in words[1:]:
        if word[:1].isupper():
            run.append(word)
            continue
        if run:
            out.append("{{" + " ".join(run) + "}}")
            run = []
        out.append(word)
    if run:
        out.append("{{" + " ".join(run) + "}}")
    return " ".join(out)


def entry(entry_type: str, key: str, fields: list[tuple[str, str]], indent: str = "  ", align: int = 0,
          trailing_comma: bool = False) -> str:
    """One BibTeX entry, fields in the order given."""
    lines = [f"{indent}{name.ljust(align)} = {value}" for name, value in fields]
    body = ",\n".join(lines) + ("," if trailing_comma else "")
    return f"@{entry_type}{{{key},\n{body}\n}}"


def braced(value: str) -> str:
    """A value in braces."""
    return "{" + value + "}"


# ---------------------------------------------------------------------------------------------
# JabRef 2.10, Latin-1


JABREF_TYPES = {"article": "ARTICLE", "book": "BOOK", "collection": "BOOK", "chapter": "INCOLLECTION",
                "paper-conference": "INPROCEEDINGS", "thesis": "PHDTHESIS", "report": "TECHREPORT",
                "preprint": "MISC", "dataset": "MISC", "webpage": "MISC", "map": "MISC"}


def jabref_key(work: Work, taken: set[str]) -> str:
    """JabRef's `[auth][year]` key, with `a`, `b`… when taken."""
    first = (work.authors or work.editors)[0]
    base = ascii_word(first.literal or first.family) + work.date[:4]
    key, n = base, 0
    while key in taken:
        key = base + "abcdefghij"[n]
        n += 1
    taken.add(key)
    return key


def jabref_fields(work: Work) -> list[tuple[str, str]]:
    """A work's fields in JabRef 2.10's order, with macros and hand-typed TeX."""
    fields: list[tuple[str, str]] = []
    if work.authors:
        fields.append(("author", braced(bib_names(work.authors, jabref_tex))))
    fields.append(("title", braced(work.title_tex or jabref_tex(work.title))))
    if work.container:
        macro = _JOURNAL_MACROS.get(work.container)
        name = "journal" if work.kind == "article" else "booktitle"
        fields.append((name, macro or braced(jabref_tex(work.container))))
    fields.append(("year", braced(work.date[:4])))
    if work.editors:
        fields.append(("editor", braced(bib_names(work.editors, jabref_tex))))
    for name, value in (("volume", work.volume), ("pages", bib_pages(work.pages)), ("number", work.issue or work.number)):
        if value:
            fields.append((name, braced(value)))
    if len(work.date) >= 7:
        fields.append(("month", _MONTHS[int(work.date[5:7]) - 1]))
    if work.publisher:
        name = {"thesis": "school", "report": "institution"}.get(work.kind, "publisher")
        value = "aps" if work.publisher == "American Physical Society" else braced(jabref_tex(work.publisher))
        fields.append((name, value))
    if work.place:
        fields.append(("address", braced(jabref_tex(work.place))))
    if work.isbn:
        fields.append(("isbn", braced(work.isbn)))
    if work.doi:
        fields.append(("doi", braced(work.doi.replace("_", r"\_"))))
    if work.arxiv:
        fields += [("eprint", braced(work.arxiv)), ("archiveprefix", braced("arXiv"))]
    if work.abstract:
        fields.append(("abstract", braced(work.abstract)))
    fields += [("owner", braced("ada")), ("timestamp", braced("2014.03.12"))]
    return fields


def jabref(works: list[Work]) -> str:
    """A JabRef 2.10 database, as a physicist kept one."""
    head = [
        "% This file was created with JabRef 2.10.",
        "% Encoding: ISO8859_1",
        "",
        r'@PREAMBLE{ "\newcommand{\chem}[1]{\ensuremath{\mathrm{#1}}} \providecommand{\noopsort}[1]{}" }',
        "",
        "@STRING{aps = {American Physical Society}}",
        "",
        "@STRING{pr = {Physical Review}}",
        "",
        "@STRING{pra = pr # { A}}",
        "",
        "@STRING{prb = pr # { B}}",
        "",
        "@STRING{prd = pr # { D}}",
        "",
        "@STRING{prl = pr # { Letters}}",
        "",
        '@STRING{jpcs = "Journal of Physics and Chemistry" # { of Solids}}',
        "",
    ]
    taken: set[str] = set()
    keys = [jabref_key(w, taken) for w in works]
    body = [entry(JABREF_TYPES[w.kind], k, jabref_fields(w)) + "\n" for w, k in zip(works, keys)]
    return "\n".join(head + body + [jabref_groups(works, keys), ""])


def jabref_groups(works: list[Work], keys: list[str]) -> str:
    """JabRef 2.x's explicit groups, naming their entries."""
    groups: dict[str, list[str]] = {}
    for work, key in zip(works, keys):
        for group in work.groups:
            groups.setdefault(group, []).append(key)
    lines = ["@comment{jabref-meta: groupsversion:3;}", "", "@comment{jabref-meta: groupstree:", "0 AllEntriesGroup:;"]
    for group, members in groups.items():
        lines.append(f"1 ExplicitGroup:{group}\\;0\\;" + "".join(f"{m}\\;" for m in members) + ";")
    return "\n".join(lines) + "\n}\n"


# ---------------------------------------------------------------------------------------------
# Zotero + Better BibTeX (Better BibLaTeX)


BBT_TYPES = {"article": "article", "book": "book", "collection": "collection", "chapter": "incollection",
             "paper-conference": "inproceedings", "thesis": "thesis", "report": "report", "preprint": "online",
             "dataset": "dataset", "webpage": "online", "map": "misc"}


def bbt_key(work: Work, taken: set[str]) -> str:
    """Better BibTeX's `[auth:lower][year]` key, with `a`, `b`… when taken."""
    first = (work.authors or work.editors)[0]
    family = first.literal or first.family
    base = ascii_word(family.lower())
    key, n = base + work.date[:4], 0
    while key in taken:
        key = base + work.date[:4] + "abcdefghij"[n]
        n += 1
    taken.add(key)
    return key


def bbt_literal(value: str) -> str:
    """A BibLaTeX list field (publisher, location, institution) the way BBT protects it."""
    return "{{" + tex(value, keep=lambda c: True) + "}}"


def bbt_fields(work: Work) -> list[tuple[str, str]]:
    """A work's fields as Better BibLaTeX writes them."""
    plain = unicode_tex
    fields = [("title", braced(bbt_protect(plain(work.title))))]
    if work.authors:
        fields.append(("author", braced(bib_names(work.authors, plain))))
    if work.editors:
        fields.append(("editor", braced(bib_names(work.editors, plain))))
    fields.append(("date", braced(work.date)))
    if work.series:
        fields.append(("series", braced(bbt_protect(plain(work.series)))))
    if work.container:
        name = "journaltitle" if work.kind == "article" else "booktitle"
        fields.append((name, braced(bbt_protect(plain(work.container)))))
    if work.edition:
        fields.append(("edition", braced(work.edition)))
    for name, value in (("volume", work.volume), ("number", work.issue or work.number),
                        ("pages", bib_pages(work.pages))):
        if value:
            fields.append((name, braced(value)))
    if work.publisher:
        name = "institution" if work.kind in ("thesis", "report") else "publisher"
        fields.append((name, bbt_literal(work.publisher)))
    if work.place:
        fields.append(("location", bbt_literal(work.place)))
    fields += [(n, braced(v)) for n, v in (("isbn", work.isbn), ("issn", work.issn), ("doi", work.doi)) if v]
    fields += bbt_kind_fields(work)
    if work.url:
        fields += [("url", braced(work.url)), ("urldate", braced("2024-03-02"))]
    danish = work.place in ("Fredensborg", "København")
    fields.append(("langid", braced("danish" if danish else "english")))
    return fields


def bbt_kind_fields(work: Work) -> list[tuple[str, str]]:
    """What Better BibTeX adds for a kind of work: the thesis or report type, a preprint's eprint."""
    if work.kind == "thesis":
        return [("type", braced("phdthesis"))]
    if work.kind == "report":
        return [("type", braced("techreport"))]
    if work.kind == "map":
        return [("type", braced("Map"))]
    if work.arxiv:
        extra = [("pubstate", braced("prepublished"))] if work.kind == "preprint" else []
        return [("eprint", braced(work.arxiv)), ("eprinttype", braced("arXiv"))] + extra
    return []


def better_bibtex(works: list[Work]) -> str:
    """A Zotero library exported with Better BibLaTeX."""
    taken: set[str] = set()
    return "\n".join(entry(BBT_TYPES[w.kind], bbt_key(w, taken), bbt_fields(w)) + "\n" for w in works)


# ---------------------------------------------------------------------------------------------
# Mendeley Desktop


MENDELEY_TYPES = {"article": "article", "book": "book", "collection": "book", "chapter": "incollection",
                  "paper-conference": "inproceedings", "thesis": "phdthesis", "report": "techreport",
                  "preprint": "article", "dataset": "misc", "webpage": "misc", "map": "misc"}
MENDELEY_BANNER = ("Automatically generated by Mendeley Desktop 1.19.8\n"
                   "Any changes to this file will be lost if it is regenerated by Mendeley.\n\n"
                   "BibTeX export options can be customized via Options -> BibTeX in Mendeley Desktop\n\n")
_EDITIONS = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth", "5": "Fifth"}


def mendeley_tex(text: str) -> str:
    """Mendeley's TeX: `{\\"{o}}` accents, `{\\&}`, `{\\_}`."""
    return tex(text, braced_inner=True).replace(r"\&", r"{\&}").replace("_", r"{\_}")


def mendeley_fields(work: Work, first_author_braced: bool) -> list[tuple[str, str]]:
    """A work's fields, as Mendeley writes them: sorted by name."""
    fields: dict[str, str] = {"title": braced(braced(mendeley_tex(work.title))), "year": braced(work.date[:4])}
    if work.authors:
        fields["author"] = braced(bib_names(work.authors, mendeley_tex, brace_particle_words=first_author_braced))
    if work.editors:
        fields["editor"] = braced(bib_names(work.editors, mendeley_tex))
    if work.container:
        fields["journal" if work.kind == "article" else "booktitle"] = braced(mendeley_tex(work.container))
    if len(work.date) >= 7:
        fields["month"] = braced(_MONTHS[int(work.date[5:7]) - 1])
    simple = {"volume": work.volume, "number": work.issue or work.number, "pages": bib_pages(work.pages),
              "address": work.place, "isbn": work.isbn, "issn": work.issn, "abstract": work.abstract,
              "edition": _EDITIONS.get(work.edition, work.edition)}
    fields.update({k: braced(mendeley_tex(v)) for k, v in simple.items() if v})
    if work.publisher:
        name = {"thesis": "school", "report": "institution"}.get(work.kind, "publisher")
        fields[name] = braced(mendeley_tex(work.publisher))
    if work.doi:
        fields["doi"] = braced(mendeley_tex(work.doi))
    if work.url:
        fields["url"] = braced(mendeley_tex(work.url))
    if work.arxiv:
        fields.update(archivePrefix="{arXiv}", arxivId=braced(work.arxiv), eprint=braced(work.arxiv))
    names = ", ".join(n.literal or n.family for n in work.authors[:3]) or "Unknown"
    fields["file"] = braced(f":home/ada/Documents/Mendeley Desktop/{names} - {work.date[:4]} - "
                            f"{mendeley_tex(work.title)[:60]}.pdf:pdf")
    if work.groups:
        fields["mendeley-groups"] = braced(",".join(work.groups))
        fields["keywords"] = braced(",".join(g.lower() for g in work.groups))
    return sorted(fields.items(), key=lambda item: item[0].lower())


def mendeley_key(work: Work, taken: set[str]) -> str:
    """Mendeley's `Surname2015` key, with `a`, `b`… when taken."""
    first = (work.authors or work.editors)[0]
    base = ascii_word(first.literal or first.family) + work.date[:4]
    key, n = base, 0
    while key in taken:
        key = base + "abcdefghij"[n]
        n += 1
    taken.add(key)
    return key


def mendeley(works: list[Work]) -> str:
    """A Mendeley Desktop export."""
    taken: set[str] = set()
    entries = [entry(MENDELEY_TYPES[w.kind], mendeley_key(w, taken), mendeley_fields(w, w is BIG_DATA), indent="")
               for w in works]
    return MENDELEY_BANNER + "\n".join(entries) + "\n"


# ---------------------------------------------------------------------------------------------
# EndNote: BibTeX Export style and RIS


ENDNOTE_TYPES = {"article": ("article", "Journal Article", "JOUR"), "book": ("book", "Book", "BOOK"),
                 "collection": ("book", "Edited Book", "EDBOOK"), "chapter": ("inbook", "Book Section", "CHAP"),
                 "paper-conference": ("inproceedings", "Conference Proceedings", "CONF"),
                 "thesis": ("phdthesis", "Thesis", "THES"), "report": ("techreport", "Report", "RPRT"),
                 "preprint": ("article", "Journal Article", "JOUR")}


def endnote_bib_fields(work: Work) -> list[tuple[str, str]]:
    """A work's fields as EndNote's BibTeX Export style writes them."""
    keep_all = unicode_tex
    fields: list[tuple[str, str]] = []
    if work.authors:
        fields.append(("author", braced(bib_names(work.authors, keep_all))))
    if work.editors:
        fields.append(("editor", braced(bib_names(work.editors, keep_all))))
    if work.container:
        fields.append(("journal" if work.kind in ("article", "preprint") else "booktitle", braced(work.container)))
    fields.append(("title", braced(keep_all(work.title))))
    for name, value in (("volume", work.volume), ("number", work.issue or work.number), ("pages", work.pages),
                        ("edition", work.edition), ("address", work.place)):
        if value:
            fields.append((name, braced(value)))
    if work.publisher:
        name = {"thesis": "school", "report": "institution"}.get(work.kind, "publisher")
        fields.append((name, braced(keep_all(work.publisher))))
    for name, value in (("ISBN", work.isbn), ("ISSN", work.issn), ("DOI", work.doi)):
        if value:
            fields.append((name, braced(value)))
    if work.doi:
        fields.append(("url", braced(f"https://doi.org/{work.doi}")))
    fields += [("year", braced(work.date[:4])), ("type", braced(ENDNOTE_TYPES[work.kind][1]))]
    return fields


def endnote_bib(works: list[Work]) -> str:
    """EndNote's BibTeX export: record numbers as keys."""
    entries = [entry(ENDNOTE_TYPES[w.kind][0], f"RN{n}", endnote_bib_fields(w), indent="   ")
               for n, w in enumerate(works, 1)]
    return "\n\n".join(entries) + "\n\n"


def ris_name(name: Name) -> str:
    """EndNote's RIS name: `Last, First, Suffix`; a corporate name ends with a comma (`,,` for
    its levels)."""
    if name.literal:
        return name.literal.replace(", ", ",, ") + ","
    return ", ".join(p for p in (name.full_family, name.given, name.suffix) if p)


def endnote_ris_record(work: Work, number: int) -> list[str]:
    """One RIS record as EndNote writes it."""
    lines = [("TY", ENDNOTE_TYPES[work.kind][2])]
    lines += [("AU", ris_name(n)) for n in work.authors]
    editor_tag = "ED" if work.kind == "collection" else "A2"
    lines += [(editor_tag, ris_name(n)) for n in work.editors]
    lines += [("TI", work.title)]
    if work.container:
        lines.append(("T2", work.container))
    if work.date:
        lines.append(("PY", work.date[:4]))
    if len(work.date) > 4:
        parts = work.date.split("-") + [""]
        lines.append(("DA", "/".join(parts[:3]) + ("/" if len(parts) < 4 else "")))
    start, _, end = work.pages.partition("-")
    for tag, value in (("VL", work.volume), ("IS", work.issue or work.number), ("SP", start), ("EP", end),
                       ("ET", work.edition), ("PB", work.publisher), ("CY", work.place),
                       ("SN", work.isbn or work.issn), ("DO", work.doi)):
        if value:
            lines.append((tag, value))
    if work.doi:
        lines.append(("UR", f"https://doi.org/{work.doi}"))
    if work.abstract:
        lines.append(("AB", work.abstract))
    lines += [("ID", str(number)), ("ER", "")]
    return [f"{tag}  - {value}" for tag, value in lines]


def endnote_ris(works: list[Work]) -> str:
    """EndNote's RIS export: a byte-order mark, records separated by blank lines."""
    records = ["\n".join(endnote_ris_record(w, n)) for n, w in enumerate(works, 1)]
    return "\ufeff" + "\n\n\n".join(records) + "\n\n\n"


# ---------------------------------------------------------------------------------------------
# Zotero: CSL-JSON and CSV


CSL_TYPES = {"article": "article-journal", "book": "book", "collection": "book", "chapter": "chapter",
             "paper-conference": "paper-conference", "thesis": "thesis", "report": "report",
             "preprint": "article", "dataset": "dataset", "webpage": "webpage", "map": "map"}
ZOTERO_TYPES = {"article": "journalArticle", "book": "book", "collection": "book", "chapter": "bookSection",
                "paper-conference": "conferencePaper", "thesis": "thesis", "report": "report",
                "preprint": "preprint", "dataset": "dataset", "webpage": "webpage", "map": "map"}


def zotero_item_key(number: int) -> str:
    """An eight-character Zotero item key."""
    alphabet = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
    value, key = number * 7919 + 104729, ""
    for _ in range(8):
        value, rest = divmod(value * 31 + 17, len(alphabet))
        key += alphabet[rest]
    return key


def csl_name(name: Name, dropping: bool) -> dict[str, str]:
    """A CSL-JSON name; `von` is a dropping particle, the others (`van der`, `de la`) not."""
    if name.literal:
        return {"literal": name.literal}
    item = {"family": name.family, "given": name.given}
    if name.particle:
        item["dropping-particle" if dropping else "non-dropping-particle"] = name.particle
    if name.suffix:
        item["suffix"] = name.suffix
    return item


def csl_date(date: str) -> dict[str, list[list[str | int]]]:
    """Zotero's `date-parts`: the year as a string, month and day as numbers."""
    year, *rest = date.split("-")
    return {"date-parts": [[year, *(int(part) for part in rest)]]}


def csl_item(work: Work, number: int) -> dict[str, object]:
    """One CSL-JSON item as Zotero exports it."""
    item: dict[str, object] = {"id": f"http://zotero.org/users/4711/items/{zotero_item_key(number)}",
                               "type": CSL_TYPES[work.kind], "title": work.title}
    if work.container:
        item["container-title"] = work.container
    texts = {"collection-title": work.series, "edition": work.edition, "page": work.pages,
             "publisher": work.publisher, "publisher-place": work.place, "volume": work.volume,
             "issue": work.issue, "number": work.number or (f"arXiv:{work.arxiv}" if work.kind == "preprint" else ""),
             "ISBN": work.isbn, "ISSN": work.issn, "DOI": work.doi, "URL": work.url, "abstract": work.abstract}
    item.update({k: v for k, v in texts.items() if v})
    if work.kind == "thesis":
        item["genre"] = "PhD Thesis"
    dropping = work is ATTENTION
    if work.authors:
        item["author"] = [csl_name(n, dropping) for n in work.authors]
    if work.editors:
        item["editor"] = [csl_name(n, dropping) for n in work.editors]
    item["issued"] = csl_date(work.date)
    item["accessed"] = {"date-parts": [["2024", 3, 2]]}
    return item


def zotero_json(works: list[Work]) -> str:
    """Zotero's CSL-JSON export."""
    return json.dumps([csl_item(w, n) for n, w in enumerate(works)], ensure_ascii=False, indent="\t") + "\n"


def zotero_name(name: Name) -> str:
    """A name in Zotero's CSV: `Last, First`; a single-field name as it is."""
    if name.literal:
        return name.literal
    return ", ".join(p for p in (name.full_family, name.given, name.suffix) if p)


def zotero_csv_row(work: Work, number: int) -> dict[str, str]:
    """One row of Zotero's CSV export."""
    row = {"Key": zotero_item_key(number), "Item Type": ZOTERO_TYPES[work.kind], "Publication Year": work.date[:4],
           "Author": "; ".join(zotero_name(n) for n in work.authors), "Title": work.title,
           "Publication Title": work.container, "ISBN": work.isbn, "ISSN": work.issn, "DOI": work.doi,
           "Url": work.url, "Abstract Note": work.abstract, "Date": work.date,
           "Date Added": "2024-03-02 10:15:42", "Date Modified": "2024-03-02 10:15:42",
           "Pages": work.pages, "Issue": work.issue, "Volume": work.volume, "Series": work.series,
           "Publisher": work.publisher, "Place": work.place, "Editor": "; ".join(zotero_name(n) for n in work.editors),
           "Number": work.number, "Edition": work.edition,
           "Type": {"thesis": "PhD Thesis", "map": "Map"}.get(work.kind, ""),
           "Extra": f"arXiv: {work.arxiv}" if work.arxiv else "",
           "Library Catalog": "arXiv.org" if work.kind == "preprint" else ""}
    return {column: row.get(column, "") for column in ZOTERO_CSV_COLUMNS}


def zotero_csv(works: list[Work]) -> str:
    """Zotero's CSV export: every column, every value quoted, a byte-order mark."""
    out = io.StringIO()
    writer = csv.DictWriter(out, ZOTERO_CSV_COLUMNS, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    for number, work in enumerate(works):
        writer.writerow(zotero_csv_row(work, number))
    return "\ufeff" + out.getvalue()


# ---------------------------------------------------------------------------------------------
# bibtex-tidy over Google Scholar entries


TIDY_TYPES = {"article": "article", "book": "book", "collection": "book", "chapter": "incollection",
              "paper-conference": "inproceedings", "thesis": "phdthesis", "report": "techreport",
              "preprint": "misc"}


def scholar_given(given: str) -> str:
    """Google Scholar's initials carry no full stops (`Hinton, Geoffrey E`)."""
    return " ".join(w[:-1] if len(w) == 2 and w.endswith(".") else w for w in given.split())


def tidy_fields(work: Work) -> list[tuple[str, str]]:
    """A Scholar entry's fields after bibtex-tidy: TeX accents, numbers bare."""
    scholar = [Name(n.family, scholar_given(n.given), n.particle, n.suffix, n.literal) for n in work.authors]
    fields = [("title", braced(tex(work.title))), ("author", braced(bib_names(scholar, tex)))]
    if work.editors:
        fields.append(("editor", braced(bib_names(work.editors, tex))))
    fields.append(("year", work.date[:4]))
    if work.container:
        fields.append(("journal" if work.kind == "article" else "booktitle", braced(tex(work.container))))
    for name, value in (("volume", work.volume), ("number", work.issue or work.number)):
        if value:
            fields.append((name, value if value.isdigit() else braced(value)))
    if work.pages:
        fields.append(("pages", braced(bib_pages(work.pages))))
    if work.edition:
        fields.append(("edition", braced(_EDITIONS.get(work.edition, work.edition))))
    if work.publisher:
        name = {"thesis": "school", "report": "institution"}.get(work.kind, "publisher")
        fields.append((name, braced(tex(work.publisher))))
    fields += [(n, braced(v)) for n, v in (("address", work.place), ("isbn", work.isbn), ("doi", work.doi)) if v]
    return fields


def scholar_key(work: Work) -> str:
    """Google Scholar's key: surname, year, first title word that is not a little word."""
    family = (work.authors[0].family or work.authors[0].literal).lower().replace(" ", "")
    word = next(w for w in work.title.lower().split() if w not in ("a", "an", "the", "on", "of"))
    return ascii_word(family) + work.date[:4] + ascii_word(word)


def bibtex_tidy(works: list[Work]) -> str:
    """Entries as bibtex-tidy leaves them: lower case, fields aligned at column 14."""
    return "\n".join(entry(TIDY_TYPES[w.kind], scholar_key(w), tidy_fields(w), align=13) for w in works) + "\n"


# ---------------------------------------------------------------------------------------------


def libraries() -> dict[str, tuple[str, str]]:
    """Each fixture's file name → (text, encoding)."""
    jabref_works = [MOLLER_PLESSET, FROMHOLD, LA_ROCCA, MARTIN_DELGADO, RYDBERG, NIO_CHAPTER, VAN_DER_WAALS,
                    FABLES, SNOWFLAKE, NASH, ATTENTION, *arxiv_works(0, 24, articles=True)]
    bbt_works = [DEEP_LEARNING_ARTICLE, DEEP_LEARNING_BOOK, ORIENTALISM, ROCKSDB, HUMAN_CONDITION, ROUTING,
                 PERCEPTRON, PDP_BOOK, BACKPROP_CHAPTER, ATTENTION, NASH, LSTM_REPORT, KOMMUNEPLAN, SPILDEVAND,
                 NILE, CLIMATE_BOOK, MNIST, *MAPS, PROC_1988, PROC_1991, VAN_DER_WAALS, FABLES, FROMHOLD, KNUTH,
                 *arxiv_works(300, 8, articles=False), *arxiv_works(300, 8, articles=True)]
    mendeley_works = [DEEP_LEARNING_ARTICLE, DEEP_LEARNING_BOOK, BIG_DATA, SPANNER, UNET, ATTENTION, ORIENTALISM,
                      KNUTH, LSTM_REPORT, NASH, RYDBERG, BACKPROP_CHAPTER, *arxiv_works(600, 13)]
    endnote_works = [DEEP_LEARNING_ARTICLE, DEEP_LEARNING_BOOK, FROMHOLD, VAN_DER_WAALS, LA_ROCCA, FABLES,
                     BACKPROP_CHAPTER, PDP_BOOK, ATTENTION, NASH, LSTM_REPORT, KNUTH, SNOWFLAKE, KOMMUNEPLAN,
                     SPILDEVAND, NILE, MOLLER_PLESSET, *arxiv_works(900, 6, articles=True)]
    zotero_works = [DEEP_LEARNING_ARTICLE, DEEP_LEARNING_BOOK, BACKPROP_CHAPTER, PDP_BOOK, ATTENTION, VAN_DER_WAALS,
                    FABLES, FROMHOLD, NASH, LSTM_REPORT, MNIST, ROCKSDB, KOMMUNEPLAN, SPILDEVAND, *MAPS,
                    HUMAN_CONDITION, KNUTH, ORIENTALISM, NILE, ROUTING, *arxiv_works(1200, 8)]
    tidy_works = [DEEP_LEARNING_ARTICLE, DEEP_LEARNING_BOOK, ATTENTION, UNET, PERCEPTRON, BACKPROP_CHAPTER,
                  ORIENTALISM, ROUTING, FABLES, VAN_DER_WAALS, FROMHOLD, NASH, LSTM_REPORT, KNUTH, SNOWFLAKE]
    return {
        "jabref.bib": (jabref(jabref_works), "latin-1"),
        "zotero-bbt.bib": (better_bibtex(bbt_works), "utf-8"),
        "mendeley.bib": (mendeley(mendeley_works), "utf-8"),
        "endnote.bib": (endnote_bib(endnote_works), "utf-8"),
        "endnote.ris": (endnote_ris(endnote_works), "utf-8"),
        "zotero.json": (zotero_json(zotero_works), "utf-8"),
        "zotero.csv": (zotero_csv(zotero_works), "utf-8"),
        "bibtex-tidy.bib": (bibtex_tidy(tidy_works), "utf-8"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="Folder to write the fixtures to.")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    for name, (text, encoding) in libraries().items():
        (options.out / name).write_text(text, encoding=encoding, newline="")
        print(f"wrote {options.out / name}")


if __name__ == "__main__":
    main()
