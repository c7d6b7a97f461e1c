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
from .files import FileProblem, decode
from .ingest import PROGRESS_EVERY, PerFile, ProgressCallback, file_label, in_steps
from .kinds import AddOutcome, SignalKind
from .papers import Rejection
from .parsing import ParseProblem, Prepared, guarded, parse_file, prepare

if TYPE_CHECKING:
    from .ingest import Ingester
    from .store import Store


@dataclass(frozen=True)
class Merge:
    """An entry taken for a paper the library held already (or that an earlier entry of the same
    import added): where the entry is, the paper, why (`arxiv id`, `doi`, `title`, `abstract`),
    and whether the paper changed. What a person checks to undo a wrong merge."""

    source: str
    title: str
    paper_id: int
    paper_title: str
    reason: str
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "paper_id": self.paper_id,
                "paper_title": self.paper_title, "reason": self.reason, "changed": self.changed}


@dataclass
class FileImport:
    """What importing one file did: entries `added` as new papers or `matched` to papers already
    in the library; papers `liked` anew, or `already_liked`; the `encoding` its bytes were read
    as (`utf-8`, or a single-byte encoding such as `iso8859-1` for an older JabRef file)."""

    path: str
    format: str | None = None
    added: int = 0
    matched: int = 0
    liked: int = 0
    already_liked: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str | None = None
    merges: list[Merge] = field(default_factory=list)
    encoding: str | None = None

    @property
    def entries(self) -> int:
        """The entries read as papers (rejected ones not counted)."""
        return self.added + self.matched

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "format": self.format, "encoding": self.encoding, "added": self.added,
            "matched": self.matched,
            "liked": self.liked, "already_liked": self.already_liked,
            "rejected": [str(r) for r in self.rejected], "error": self.error,
            "merges": [m.to_dict() for m in self.merges],
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
    encoding: str | None = None


def read_upload(name: str, data: bytes, today: date) -> Upload:
    """Parse an upload named `name`: text in any format `ingest` reads, in the encoding it
    declares, UTF-8 or a single-byte fallback (see `files.decode`; a BOM and any line ends
    allowed). The work that needs no database, so that it can run off the writer."""
    try:
        read = decode(data)
        fmt, items = sources.parse_text(read.text, name, today)
        return Upload(name, fmt, [prepare(item) for item in items], encoding=read.encoding)
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
        done = FileImport(upload.name, upload.format, error=upload.error, encoding=upload.encoding)
        report.files.append(done)
        if upload.error is None:
            try:
                liked = self._like_items(report, done, upload.items)
            except ParseProblem as exc:
                report.files[-1] = FileImport(upload.name, upload.format, error=str(exc), encoding=upload.encoding)
            else:
                _add_new(report.paper_ids, liked)
        return report

    def _import_file(self, report: ImportReport, path: Path, today: date,
                     progress: ProgressCallback | None) -> FileImport:
        label = file_label(path)
        done = FileImport(label)
        try:
            parsed = parse_file(path, label, today)
            done.format, done.encoding = parsed.format, parsed.encoding

            def tick(line: int) -> None:
                if progress:
                    progress(label, line, parsed.total_lines)

            tick(0)
            liked = self._like_items(report, done, parsed.items, tick)
        except ParseProblem as exc:  # what the file wrote is undone: nothing of it counts
            return FileImport(label, done.format, error=str(exc))
        _add_new(report.paper_ids, liked)
        if progress:
            progress(label, parsed.total_lines, parsed.total_lines)
        return done

    def _like_items(self, report: ImportReport, done: FileImport, items: Iterable[Prepared | Rejection],
                    tick: Callable[[int], None] | None = None) -> list[int]:
        """Store each parsed entry and like its paper, in short steps that are undone whole if
        any fails (`ingest.in_steps`); `tick` is told the line reached every PROGRESS_EVERY
        entries. Returns the papers liked (newly or before), in the order met, for the report."""
        liked_here: dict[int, None] = {}
        count = 0

        def like(item: Prepared | Rejection) -> None:
            nonlocal count
            count += 1
            if tick and count % PROGRESS_EVERY == 0:
                tick(item.line if isinstance(item, Rejection) else item.record.source.line)
            if isinstance(item, Rejection):
                done.rejected.append(item)
                return
            stored = self.ingester.add_prepared(item)
            paper_id = stored.paper_id
            if stored.outcome == AddOutcome.ADDED:
                done.added += 1
            else:
                done.matched += 1
                record = item.record
                done.merges.append(Merge(str(record.source), record.title, paper_id, stored.title or "",
                                         stored.reason or "", stored.outcome == AddOutcome.MERGED))
            if paper_id in liked_here:
                return
            liked_here[paper_id] = None
            if self.store.set_signal(report.user, paper_id, SignalKind.LIKE, report.group):
                done.liked += 1
            else:
                done.already_liked += 1

        in_steps(self.store, guarded(iter(items)), like)
        return list(liked_here)


def _add_new(ids: list[int], more: Iterable[int]) -> None:
    """Append the ids not already in the list, in order."""
    known = set(ids)
    for paper_id in more:
        if paper_id not in known:
            known.add(paper_id)
            ids.append(paper_id)
