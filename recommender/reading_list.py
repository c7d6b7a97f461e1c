"""A person's own reading list in: every entry of their files ingested and liked for them.

A researcher's library (a Zotero, JabRef or Mendeley export, or any format paperclub reads)
becomes their taste: each entry is merged into the paper it describes, as `ingest` does, and
liked for the person. Each file is one transaction. Importing the same files again changes
nothing: the papers are found again and the likes are already there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import sources
from .files import FileProblem, decode_text
from .ingest import PROGRESS_EVERY, PerFile, ProgressCallback, file_label
from .papers import Rejection
from .parsing import ParseProblem, Prepared, parse_file, prepare

if TYPE_CHECKING:
    from .ingest import Ingester
    from .store import Store


@dataclass
class FileImport:
    """What importing one file did: entries `added` as new papers or `matched` to papers already
    in the library; papers `liked` anew, or `already_liked`."""

    path: str
    format: str | None = None
    added: int = 0
    matched: int = 0
    liked: int = 0
    already_liked: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str | None = None

    @property
    def entries(self) -> int:
        """The entries read as papers (rejected ones not counted)."""
        return self.added + self.matched

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "format": self.format, "added": self.added, "matched": self.matched,
            "liked": self.liked, "already_liked": self.already_liked,
            "rejected": [str(r) for r in self.rejected], "error": self.error,
        }


@dataclass
class ImportReport(PerFile):
    """What one import did, per file and in total; `paper_ids` are the papers liked (newly or
    before), in the order met."""

    user: str
    group: str | None = None
    files: list[FileImport] = field(default_factory=list)
    paper_ids: list[int] = field(default_factory=list)

    def _total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def added(self) -> int:
        return self._total("added")

    @property
    def matched(self) -> int:
        return self._total("matched")

    @property
    def liked(self) -> int:
        return self._total("liked")

    @property
    def already_liked(self) -> int:
        return self._total("already_liked")

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.user, "group": self.group, "added": self.added, "matched": self.matched,
            "liked": self.liked, "already_liked": self.already_liked,
            "papers": len(self.paper_ids), "rejected": len(self.rejected),
            "files": [f.to_dict() for f in self.files],
        }


@dataclass
class Upload:
    """A file's bytes read and parsed, ready to import: its entries, or why it could not be read."""

    name: str
    format: str | None = None
    items: list[Prepared | Rejection] = field(default_factory=list)
    error: str | None = None


def read_upload(name: str, data: bytes, today: date) -> Upload:
    """Parse an upload named `name`: UTF-8 text (a BOM and any line ends allowed) in any format
    `ingest` reads. The work that needs no database, so that it can run off the writer."""
    try:
        fmt, items = sources.parse_text(decode_text(data), name, today)
        return Upload(name, fmt, [prepare(item) for item in items])
    except (FileProblem, sources.UnknownFormat) as exc:
        return Upload(name, error=str(exc))


class Importer:
    """Ingests files and likes every paper they name for one person."""

    def __init__(self, store: Store, ingester: Ingester):
        self.store = store
        self.ingester = ingester

    def import_likes(self, user: str, paths: Iterable[str | Path], today: date,
                     group: str | None = None, progress: ProgressCallback | None = None) -> ImportReport:
        """Import files or folders as `user`'s likes (in `group`, or ungrouped)."""
        report = ImportReport(str(user), group)
        for path in sources.expand(paths):
            report.files.append(self._import_file(report, path, today, progress))
        return report

    def import_upload(self, user: str, upload: Upload, group: str | None = None) -> ImportReport:
        """Import an upload read by `read_upload` (in one transaction)."""
        report = ImportReport(str(user), group)
        done = FileImport(upload.name, upload.format, error=upload.error)
        report.files.append(done)
        if upload.error is None:
            with self.store.transaction():
                self._like_items(report, done, upload.items)
        return report

    def _import_file(self, report: ImportReport, path: Path, today: date,
                     progress: ProgressCallback | None) -> FileImport:
        label = file_label(path)
        done = FileImport(label)
        try:
            parsed = parse_file(path, label, today)
            done.format = parsed.format

            def tick(line: int) -> None:
                if progress:
                    progress(label, line, parsed.total_lines)

            tick(0)
            with self.store.transaction():
                self._like_items(report, done, parsed.items, tick)
        except ParseProblem as exc:
            return FileImport(label, done.format, error=str(exc))
        if progress:
            progress(label, parsed.total_lines, parsed.total_lines)
        return done

    def _like_items(self, report: ImportReport, done: FileImport, items: Iterable[Prepared | Rejection],
                    tick: Callable[[int], None] | None = None) -> None:
        """Store each parsed entry and like its paper, inside the caller's transaction; `tick`
        is told the line reached every PROGRESS_EVERY entries."""
        liked_here: set[int] = set()
        listed = set(report.paper_ids)  # report.paper_ids as a set: asking the list was quadratic
        for count, item in enumerate(items, 1):
            if tick and count % PROGRESS_EVERY == 0:
                tick(item.line if isinstance(item, Rejection) else item.record.source.line)
            if isinstance(item, Rejection):
                done.rejected.append(item)
                continue
            outcome, paper_id = self.ingester.add_prepared(item)
            if outcome == "added":
                done.added += 1
            else:
                done.matched += 1
            if paper_id in liked_here:
                continue
            liked_here.add(paper_id)
            if self.store.set_signal(report.user, paper_id, "like", report.group):
                done.liked += 1
            else:
                done.already_liked += 1
            if paper_id not in listed:
                listed.add(paper_id)
                report.paper_ids.append(paper_id)

