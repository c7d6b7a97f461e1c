"""Papers in: files and records read into the library, each merged into the paper it describes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from importlib import resources
from pathlib import Path
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import sources
from .kinds import AddOutcome
from .merge import BY_ARXIV_ID, BY_DOI, combine, doi_norm, fields_of, keys_of, match_reason, title_key
from .papers import Fields, Paper, Record, Rejection, parse_arxiv_ref
from .parsing import ParsedFile, ParseProblem, Prepared, parse_file, prepare_record
from .processes import on_background_thread
from .store import WRITE_STEP_SECONDS

if TYPE_CHECKING:
    from .arxiv import Lookup
    from .store import Store

T = TypeVar("T")
ProgressCallback = Callable[[str, int, int], None]
"""Told (file label, lines done, lines in all) as a file is read; after the files, told
(INDEXING, 0, n) and then (INDEXING, n, n) around bringing the index up to date for n papers
added or changed."""
INDEXING = ""  # the label told while indexing: no file has an empty name
PROGRESS_EVERY = 500


def bundled_seeds() -> Path:
    """The folder of listings paperclub ships with: `seeds/` in a checkout (also when installed
    in editable mode), or the `recommender.bundled` data package of an installed wheel."""
    checkout = Path(__file__).resolve().parent.parent / "seeds"
    if any(checkout.glob("*.txt")):
        return checkout
    return Path(str(resources.files("recommender") / "bundled"))


@dataclass
class FileReport:
    """What ingesting one file did; `encoding` is what its bytes were read as (`utf-8`, or a
    single-byte encoding such as `iso8859-1` for an older JabRef file)."""

    path: str
    format: str | None = None
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str | None = None
    encoding: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "format": self.format, "encoding": self.encoding, "added": self.added,
            "merged": self.merged, "unchanged": self.unchanged, "rejected": [str(r) for r in self.rejected],
            "error": self.error,
        }


class FileOutcome(Protocol):
    """What reading one file left to report: its name, its rejected records, its error."""

    path: str
    rejected: list[Rejection]
    error: str | None


class PerFile:
    """The rejections and errors of a report kept per file (`files`), gathered."""

    files: Sequence[FileOutcome]

    @property
    def rejected(self) -> list[Rejection]:
        return [r for f in self.files for r in f.rejected]

    @property
    def errors(self) -> list[str]:
        return [f"{f.path}: {f.error}" for f in self.files if f.error]


@dataclass
class IngestReport(PerFile):
    """What one ingest run did, per file and in total."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "merged": self.merged, "unchanged": self.unchanged,
            "rejected": len(self.rejected), "files": [f.to_dict() for f in self.files],
        }


@dataclass
class ArxivAddition:
    """What adding papers from arXiv by id or link did."""

    papers: list[Paper] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class Stored:
    """What storing one record did: `added` a paper, or `merged` into one (or left it
    `unchanged`), with the reason it was taken for that paper (`merge.match_reason`) and the
    paper's title before."""

    outcome: AddOutcome
    paper_id: int
    reason: str | None = None
    title: str | None = None


class IngestStopped(Exception):
    """An ingest stopped part-way through a file (by Ctrl-C); the file's transaction is undone."""


class Ingester:
    """Reads files and records into the store. Every method writes in transactions of its
    own and leaves bringing the index up to date to the caller."""

    def __init__(self, store: Store):
        self.store = store

    def ingest(self, paths: Iterable[str | Path], today: date,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Read files or folders in any supported format. Each file is one transaction: a
        failure part-way leaves the library as it was before that file. A bad record is
        reported with its file:line and never stops the rest."""
        report = IngestReport()
        for path in sources.expand(paths):
            report.files.append(self.ingest_file(path, today, progress))
        return report

    def ingest_file(self, path: Path, today: date, progress: ProgressCallback | None = None) -> FileReport:
        """Read one file in one transaction. A large file is parsed in a process beside this
        one and written from a thread of lower CPU priority, so that people's requests
        answered beside a long ingest keep their core."""
        label = file_label(path)
        file_report = FileReport(label)
        try:
            parsed = parse_file(path, label, today)
            file_report.format, file_report.encoding = parsed.format, parsed.encoding
            if progress:
                progress(label, 0, parsed.total_lines)
            stop = threading.Event()
            write = partial(self._store_file, parsed, file_report, progress, stop)
            if parsed.aside and not self.store.in_transaction():
                on_background_thread(write, stop)
            else:
                write()
        except ParseProblem as exc:
            return FileReport(label, file_report.format, error=str(exc))
        if progress:
            progress(label, parsed.total_lines, parsed.total_lines)
        return file_report

    def _store_file(self, parsed: ParsedFile, file_report: FileReport, progress: ProgressCallback | None,
                    stop: threading.Event) -> None:
        """Write a file's records in short steps (`in_steps`): all of them, or none."""
        counts = Counter[AddOutcome]()
        done = 0

        def store(item: Prepared | Rejection) -> None:
            nonlocal done
            done += 1
            if stop.is_set():
                raise IngestStopped(f"{file_report.path}: stopped at item {done}; nothing of this file was kept")
            if isinstance(item, Rejection):
                file_report.rejected.append(item)
            else:
                counts[self._add(item.record, item).outcome] += 1
            if progress and done % PROGRESS_EVERY == 0:
                line = item.line if isinstance(item, Rejection) else item.record.source.line
                progress(file_report.path, line, parsed.total_lines)

        in_steps(self.store, parsed.items, store)
        file_report.added, file_report.merged, file_report.unchanged = (
            counts[AddOutcome.ADDED], counts[AddOutcome.MERGED], counts[AddOutcome.UNCHANGED])

    def add_records(self, records: Iterable[Record]) -> list[int]:
        """Store records in one transaction; returns the ids of the papers they describe."""
        with self.store.transaction():
            return [self._add(record).paper_id for record in records]

    def add_record(self, record: Record) -> AddOutcome:
        """Store one record, merging it into the paper it describes; returns what happened:
        "added", "merged" or "unchanged"."""
        with self.store.transaction():
            return self._add(record).outcome

    def add_record_id(self, record: Record) -> tuple[AddOutcome, int]:
        """`add_record`, also returning the id of the paper the record went into."""
        with self.store.transaction():
            stored = self._add(record)
            return stored.outcome, stored.paper_id

    def add_prepared(self, prepared: Prepared) -> Stored:
        """A record parsed by `parsing.parse_file` stored inside the caller's transaction:
        what happened, the paper's id, and why it was taken for that paper."""
        return self._add(prepared.record, prepared)

    def _add(self, record: Record, prepared: Prepared | None = None) -> Stored:
        """`add_record` inside the caller's transaction, also telling the paper's id and why."""
        if prepared is None:
            prepared = prepare_record(record)
        found = self._find_same(record, prepared)
        if found is None:
            fields = fields_of(record)
            paper_id = self.store.insert_paper(fields, keys_of(fields), prepared.sketch)
            self.store.add_source(paper_id, record.source)
            return Stored(AddOutcome.ADDED, paper_id)
        paper_id, reason, stored = found
        merged = combine(stored, record)
        changed = merged != stored
        if changed:
            self.store.update_paper(paper_id, merged, stored, keys_of(merged))
        new_source = self.store.add_source(paper_id, record.source)
        if new_source:
            self.store.add_sketch(paper_id, prepared.sketch)
        return Stored(AddOutcome.MERGED if changed or new_source else AddOutcome.UNCHANGED, paper_id, reason, stored.title)

    def merge_into(self, paper_id: int, record: Record) -> int | None:
        """Merge an arXiv record known to describe paper `paper_id` into that paper (not into
        whatever paper its title finds), in one transaction. arXiv's exact first-version date and
        its order of categories win; otherwise `combine` keeps the richest value of each field.

        Returns the paper that holds the record's arXiv id afterwards: `paper_id`, or another
        paper that held it already (then nothing changes); None when `paper_id` is gone."""
        with self.store.transaction():
            stored = self.store.fields(paper_id)
            if stored is None:
                return None
            holder = self.store.id_by_arxiv(record.arxiv_id) if record.arxiv_id else None
            if holder is not None and holder != paper_id:
                return holder
            merged = combine(stored, record)
            if record.published and not record.date_approx:
                merged.published, merged.date_precision = record.published, record.date_precision
            merged.categories = record.categories + [c for c in merged.categories if c not in record.categories]
            if merged != stored:
                self.store.update_paper(paper_id, merged, stored, keys_of(merged))
            if self.store.add_source(paper_id, record.source):
                self.store.add_sketch(paper_id, prepare_record(record).sketch)
        return paper_id

    def _find_same(self, record: Record, prepared: Prepared) -> tuple[int, str, Fields] | None:
        """The stored paper a record describes, why (`merge.match_reason`), and its fields."""
        by_id = [(self.store.id_by_arxiv(record.arxiv_id) if record.arxiv_id else None, BY_ARXIV_ID)]
        doi = doi_norm(record.doi)
        by_id.append((self.store.id_by_doi(doi) if doi else None, BY_DOI))
        for found, reason in by_id:
            if found is not None:
                stored = self.store.fields(found)
                assert stored is not None
                return found, reason, stored
        candidates: list[int] = []
        key = title_key(record.title)
        if key:
            candidates += self.store.ids_by_title_key(key)
        candidates += [c for c in self.store.ids_by_sketch(prepared.sketch) if c not in candidates]
        for candidate in candidates:
            stored = self.store.fields(candidate)
            why = match_reason(stored, record, prepared.shingles) if stored else None
            if stored and why:
                return candidate, why, stored
        return None

    def add_from_arxiv(self, refs: Iterable[str], look_up: Callable[[list[str]], Lookup]) -> ArxivAddition:
        """The papers named by arXiv ids or links: those already in the library as they are,
        the others asked of arXiv with `look_up` (the network step, run on the caller's
        thread) and stored. Raises what `look_up` raises (ArxivError when out of reach)."""
        addition = ArxivAddition()
        ids: list[int] = []
        missing: list[str] = []
        for ref in refs:
            arxiv_id = parse_arxiv_ref(str(ref))
            if arxiv_id is None:
                addition.invalid.append(ref)
                continue
            paper_id = self.store.id_by_arxiv(arxiv_id)
            if paper_id is None:
                missing.append(ref)
            elif paper_id not in ids:
                ids.append(paper_id)
        if missing:
            found = look_up(missing)
            addition.not_found += found.not_found
            addition.invalid += found.invalid
            addition.rejected += found.rejected
            ids += [pid for pid in self.add_records(found.records) if pid not in ids]
        addition.papers = self.store.papers(ids)
        return addition


# A file is written in transactions of about this long (`store.WRITE_STEP_SECONDS`), so that
# another writer (a person's like) waits at most that long; the steps are journaled, and undone
# whole if the file fails.
STEP_SECONDS = WRITE_STEP_SECONDS
# Read ahead of the write lock: the parsing runs while no lock is held. A step ends after
# STEP_SECONDS or at the end of what was read: 256 made steps of a fifth of that length, and each
# commit writes every page a step touched (the full-text index's new segment too): steps as long
# as allowed made a 100,000-paper file's commits cost a third less.
STEP_ITEMS = 2048


def in_steps(store: Store, items: Iterable[T], write: Callable[[T], None]) -> None:
    """`write` every item, in transactions of at most about STEP_SECONDS each, the next items
    read before each transaction opens. The steps are journaled (`Store.journaled`): when one
    fails, or the writing is stopped, everything written before is taken back, and a process
    that dies part-way is taken back at the next start. Inside a caller's transaction, items are
    written in it."""
    if store.in_transaction():
        for item in items:
            write(item)
        return
    iterator = iter(items)
    with store.journaled():
        while chunk := list(islice(iterator, STEP_ITEMS)):
            position = 0
            while position < len(chunk):
                with store.transaction():
                    deadline = time.monotonic() + STEP_SECONDS
                    while position < len(chunk):
                        write(chunk[position])
                        position += 1
                        if time.monotonic() > deadline:
                            break
            store.write_kept_sketches()


def file_label(path: Path) -> str:
    """How a file is named in reports and sources: relative to the working folder when inside
    it, and always printable (bytes of a file name that are not UTF-8 are shown escaped)."""
    label = _relative_name(path)
    return label.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _relative_name(path: Path) -> str:
    seeds = bundled_seeds()
    resolved = path.resolve()
    try:
        return "seeds/" + str(resolved.relative_to(seeds.resolve()))
    except ValueError:
        pass
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)
