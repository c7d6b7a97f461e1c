"""The formats a reading list is exported in: each one's name (what `paperclub export --format`
and the bot's /export take), the suffix of its file, how a person calls it and what it is for.

The front ends build their choices and help texts from this table at start-up, so it imports
nothing: the writers (and bibtexparser, rispy) are in `export`, loaded only to write a file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str
    label: str
    purpose: str


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("bibtex", ".bib", "BibTeX", "LaTeX with bibtex, JabRef, most reference managers"),
    ExportFormat("biblatex", ".bib", "BibLaTeX", "LaTeX with biblatex and biber"),
    ExportFormat("ris", ".ris", "RIS", "EndNote, Zotero, Mendeley"),
    ExportFormat("csljson", ".json", "CSL-JSON", "Zotero, pandoc and other citeproc tools"),
    ExportFormat("csv", ".csv", "CSV", "Zotero's own CSV import"),
)
FORMAT_NAMES: tuple[str, ...] = tuple(f.name for f in EXPORT_FORMATS)
DEFAULT_EXPORT_FORMAT = "bibtex"


def export_format(name: str) -> ExportFormat:
    """The format called `name`; ValueError naming the ones there are for another name."""
    for candidate in EXPORT_FORMATS:
        if candidate.name == name:
            return candidate
    raise ValueError(f"unknown format {name!r} (expected one of: {', '.join(FORMAT_NAMES)})")


def formats_in_words(labels: bool = False) -> str:
    """The formats in a sentence, by name (`bibtex, biblatex, ris, csljson or csv`) or, with
    `labels`, as people call them (`BibTeX, BibLaTeX, RIS, CSL-JSON or CSV`)."""
    words = [f.label if labels else f.name for f in EXPORT_FORMATS]
    return ", ".join(words[:-1]) + " or " + words[-1]
