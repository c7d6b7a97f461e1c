"""A synthetic arXiv corpus, in the bulk-metadata JSON-lines format, for scale benchmarks.

    python bench/synthetic.py --papers 100000 --seed 0 --out /tmp/synth-100k.jsonl
    python bench/synthetic.py --papers 5000 --compare      # how close to the real samples it is

The model is learned, at start-up, from the real samples in `tests/data/` (about 6,400 papers):

* Every synthetic paper takes its categories from a real "seed" paper, its topic from that paper
  and a second one (usually of the same category, sometimes of a cross-listed one), and its
  category's words, so papers cluster by category and, more tightly, by seed: similarity search
  has real structure to find.
* Abstracts are drawn token by token: mostly from the bigram model of all samples, used as a
  skeleton of function words and punctuation whose content words are left as slots; the slots
  are filled from the topic (the seeds' content words, words this abstract already used, the
  category's, anyone's); some steps follow the category's own bigrams (its phrases) or copy a
  short run of the seed's text. Coined words (the front of one word, the back of another) keep
  the vocabulary growing with the corpus, as a real one does.
* `--compare` checks the result against the real samples: abstract lengths, content words per
  abstract and their repetition, and how often a paper's 10 nearest TF-IDF neighbours share its
  category are close to the real ones (the 4-gram sketches that de-duplication looks at are
  shared less often than in real text, which has more boilerplate).
* Title and abstract lengths follow the seed paper's (empirical), author counts the category's,
  names are real first and last names recombined, and authors come back in later papers
  (preferential attachment), so author search and author overlap behave.
* Ids run month by month from 1501.00001 on (unique); dates, versions and `update_date` follow.

Output is streamed: memory stays flat (the model plus the growing author pools and coined words)
whatever the number of papers. `generate(n, seed)` yields the same dicts as an iterator, and the
same (n, seed) always gives the same corpus.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

try:
    from common import DATA_DIR
except ImportError:  # imported from outside bench/
    DATA_DIR = Path(__file__).resolve().parents[1] / "tests" / "data"

SAMPLE_CSVS = ("arxiv-math-2025-05.csv", "arxiv-ml-sample.csv")
SAMPLE_JSONL = "arxiv-metadata-snapshot-sample.jsonl"

MIN_GROUP_PAPERS = 25  # a category with fewer sample papers borrows its archive's (or everyone's) model
MAX_AUTHORS = 100  # collaboration papers list hundreds; keep lines sane
AUTHOR_POOL_CAP = 200_000  # authorships remembered per category for re-use
START_YEAR = 2015  # ids 1501.00001 ...
MONTHS = 120  # spread over ten years

# Where each abstract token comes from. The rest (1 - P_RUN - P_GROUP_BIGRAM): the bigram model of
# all samples as a skeleton of function words and punctuation, its content words left as slots.
P_RUN = 0.08  # copy a run of RUNS words of the first seed paper's text, or of this abstract's own
RUNS = (2, 3, 3, 4)
P_RUN_SELF = 0.4
P_GROUP_BIGRAM = 0.15  # what follows the previous word in this category (topical phrases)
# What fills a content slot (cumulative): a coined word (vocabulary growth), a content word of the
# first seed paper, of the second, one this abstract already used (burstiness), one of any paper,
# else one of the category's.
SLOT_NEW, SLOT_A, SLOT_B, SLOT_SELF, SLOT_ANY = 0.006, 0.25, 0.35, 0.55, 0.8
P_CROSS_SEED = 0.25  # the second seed comes from a cross-listed category
P_TITLE_TOPIC = 0.55
P_REUSE_AUTHOR = 0.7
P_SECOND_VERSION = 0.35

PUNCT = frozenset({".", ",", ";", ":", "?", "!"})
SENTENCE_END = frozenset({".", "?", "!"})
STOPWORDS = frozenset("""
a about above after again against all also although among an and any are as at be because been
before being below between both but by can could did do does doing down during each either few for
from further had has have having here how however i if in into is it its itself just less many may
might more most much must no nor not now of off on once one only or other our ours out over own
per same several should show shows shown since so some such than that the their theirs them then
there these they this those through thus to too two under until up upon us using very via was we
well were what when where whether which while who whom whose why will with within without would
yet you your
""".split())

_TEX_ACCENT = re.compile(r"\\['\"`^~=.uvHck]\{?([A-Za-z])\}?")
_WORDISH = re.compile(r"^[a-z][a-z-]{3,}$")
_LICENSES = (
    None, None, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by-nc-sa/4.0/",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- reading the real samples -----------------------------------------------------------------


@dataclass
class RealPaper:
    categories: list[str]
    title: str
    abstract: str
    authors: list[tuple[str, str]]  # (first, last)


def _name_from_string(name: str) -> tuple[str, str] | None:
    parts = _TEX_ACCENT.sub(r"\1", name).split()
    if len(parts) < 2:
        return None
    return " ".join(parts[:-1]), parts[-1]


def read_samples(folder: Path = DATA_DIR) -> list[RealPaper]:
    """The real papers the model learns from (all three sample files)."""
    papers: list[RealPaper] = []
    for name in SAMPLE_CSVS:
        with open(folder / name, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names = [_name_from_string(a) for a in (row.get("authors") or "").split(";")]
                papers.append(RealPaper(
                    categories=row["categories"].split(), title=row["title"], abstract=row["abstract"],
                    authors=[a for a in names if a],
                ))
    with open(folder / SAMPLE_JSONL, encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            authors: list[tuple[str, str]] = []
            for entry in data.get("authors_parsed") or []:
                last, first = _TEX_ACCENT.sub(r"\1", entry[0]).strip(), _TEX_ACCENT.sub(r"\1", entry[1]).strip()
                if last and first:
                    authors.append((first, last))
            papers.append(RealPaper(
                categories=data["categories"].split(), title=data["title"], abstract=data["abstract"],
                authors=authors,
            ))
    return [p for p in papers if p.categories and p.abstract.strip() and p.title.strip()]


def tokens(text: str) -> list[str]:
    """Whitespace tokens with trailing punctuation split off; sentence-initial capitals lowered."""
    out: list[str] = []
    start = True
    for raw in text.split():
        trail = raw[-1] if len(raw) > 1 and raw[-1] in PUNCT else ""
        word = raw[:-1] if trail else raw
        if start and len(word) > 1 and word[0].isupper() and word[1:].islower():
            word = word.lower()
        out.append(word)
        start = False
        if trail:
            out.append(trail)
            start = trail in SENTENCE_END
    return out


def is_content(token: str) -> bool:
    return token not in STOPWORDS and token not in PUNCT and any(c.isalpha() for c in token)


def archive(category: str) -> str:
    return category.split(".")[0]


# -- the model ----------------------------------------------------------------------------------


@dataclass
class Group:
    """What one primary category (or a pooled archive) contributes."""

    name: str
    papers: list[int] = field(default_factory=list)  # indexes of seed papers
    bag: list[str] = field(default_factory=list)  # content tokens, with repetition
    successors: dict[str, list[str]] = field(default_factory=dict)
    author_counts: list[int] = field(default_factory=list)


@dataclass
class Model:
    seeds: list[RealPaper]
    seed_group: list[str]
    seed_bags: list[list[str]]  # content words (for titles)
    seed_texts: list[list[str]]  # abstract tokens
    seed_lengths: list[tuple[int, int]]  # (title tokens, abstract tokens)
    groups: dict[str, Group]
    successors: dict[str, list[str | None]]  # abstract bigrams of all samples, None: a content word
    title_successors: dict[str, list[str]]
    every_bag: list[str]  # content words of all samples
    first_names: list[str]
    last_names: list[str]
    comments: list[str]


def _group_names(papers: list[RealPaper]) -> list[str]:
    primary = Counter(p.categories[0] for p in papers)
    archives = Counter(archive(p.categories[0]) for p in papers)
    names = []
    for p in papers:
        category = p.categories[0]
        if primary[category] >= MIN_GROUP_PAPERS:
            names.append(category)
        elif archives[archive(category)] >= MIN_GROUP_PAPERS:
            names.append(archive(category))
        else:
            names.append("other")
    return names


def _add_bigrams(table: dict[str, list[str]], toks: list[str]) -> None:
    prev = "."
    for tok in toks:
        table.setdefault(prev, []).append(tok)
        prev = tok


def build_model(papers: list[RealPaper] | None = None) -> Model:
    """Learn category groups, bigrams, topic bags, lengths and name pools from the samples."""
    papers = papers if papers is not None else read_samples()
    group_of = _group_names(papers)
    groups: dict[str, Group] = {}
    bigrams: dict[str, list[str]] = {}
    title_successors: dict[str, list[str]] = {}
    seed_bags: list[list[str]] = []
    seed_texts: list[list[str]] = []
    seed_lengths: list[tuple[int, int]] = []
    first_names: list[str] = []
    last_names: list[str] = []
    for index, (paper, name) in enumerate(zip(papers, group_of)):
        group = groups.setdefault(name, Group(name))
        abstract = tokens(paper.abstract)
        title = [t for t in tokens(paper.title) if t not in SENTENCE_END]
        bag = [t for t in abstract + title if is_content(t)]
        group.papers.append(index)
        group.bag.extend(bag)
        _add_bigrams(group.successors, abstract)
        _add_bigrams(bigrams, abstract)  # content words become slots below
        _add_bigrams(title_successors, title)
        seed_bags.append(bag or ["result"])
        seed_texts.append(abstract)
        seed_lengths.append((max(1, len(title)), max(10, len(abstract))))
        if paper.authors:
            group.author_counts.append(min(len(paper.authors), MAX_AUTHORS))
            first_names.extend(a[0] for a in paper.authors)
            last_names.extend(a[1] for a in paper.authors)
    successors = {prev: [None if is_content(t) else t for t in following] for prev, following in bigrams.items()}
    every_count = [c for g in groups.values() for c in g.author_counts]
    for group in groups.values():
        group.author_counts = group.author_counts or every_count
    comments = ["{} pages", "{} pages, {} figures", "{} pages, {} figures, {} tables", "{} pages; accepted"]
    return Model(
        seeds=papers, seed_group=group_of, seed_bags=seed_bags, seed_texts=seed_texts, seed_lengths=seed_lengths,
        groups=groups, successors=successors, title_successors=title_successors,
        every_bag=[word for bag in seed_bags for word in bag],
        first_names=first_names, last_names=last_names, comments=comments,
    )


@lru_cache(maxsize=1)
def default_model() -> Model:
    return build_model()


# -- generating ---------------------------------------------------------------------------------


class Generator:
    """Makes papers one at a time from a Model; owns the random state and the growing pools."""

    def __init__(self, model: Model, seed: int):
        self.model = model
        self.rng = random.Random(seed)
        # Pools that grow while generating are copied so that the model stays reusable.
        self.authorships: dict[str, list[tuple[str, str]]] = {name: [] for name in model.groups}
        self.bags = {name: list(g.bag) for name, g in model.groups.items()}

    def _seed_papers(self) -> tuple[int, int]:
        model, rng = self.model, self.rng
        a = rng.randrange(len(model.seeds))
        group = model.groups[model.seed_group[a]]
        cross = [c for c in model.seeds[a].categories[1:] if c in model.groups]
        if cross and rng.random() < P_CROSS_SEED:
            group = model.groups[rng.choice(cross)]
        return a, rng.choice(group.papers)

    def _coin(self, group: str) -> str:
        """A new word glued from the front of one category word and the back of another.

        It joins the category's bag, so it comes back now and then; once coined words make up
        a fifth of the bag, each new one takes the place of an older coined one.
        """
        rand, bag = self.rng.random, self.bags[group]
        for _ in range(8):
            first, second = bag[int(rand() * len(bag))], bag[int(rand() * len(bag))]
            if _WORDISH.match(first) and _WORDISH.match(second) and first != second:
                word = first[: len(first) // 2 + 1] + second[len(second) // 2:]
                base = len(self.model.groups[group].bag)
                if len(bag) < base * 1.25:
                    bag.append(word)
                else:
                    bag[base + int(rand() * (len(bag) - base))] = word
                return word
        return bag[int(rand() * len(bag))]

    def abstract(self, length: int, a: int, b: int, group: str) -> str:
        """About `length` tokens ending a sentence, wrapped like the snapshot's abstracts."""
        rand = self.rng.random
        bag = self.bags[group]
        words_a, words_b, text_a = self.model.seed_bags[a], self.model.seed_bags[b], self.model.seed_texts[a]
        group_next = self.model.groups[group].successors
        all_next = self.model.successors
        every = self.model.every_bag
        group_cut = P_RUN + P_GROUP_BIGRAM
        toks: list[str] = []
        own: list[str] = []  # content words filled in so far
        own_append = own.append
        len_a, len_b, len_every = len(words_a), len(words_b), len(every)
        starts = all_next["."]
        append = toks.append
        prev = "."
        size = 0
        while True:
            r = rand()
            if r >= P_RUN:
                options: Sequence[str | None] | None = group_next.get(prev) if r < group_cut else None
                if not options:
                    options = all_next.get(prev) or starts
                tok = options[int(rand() * len(options))]
                if tok is None:  # a content slot
                    t = rand()
                    if t < SLOT_NEW:
                        tok = self._coin(group)
                    elif t < SLOT_A:
                        tok = words_a[int(rand() * len_a)]
                    elif t < SLOT_B:
                        tok = words_b[int(rand() * len_b)]
                    elif t < SLOT_SELF and own:
                        tok = own[int(rand() * len(own))]
                    elif t < SLOT_ANY:
                        tok = every[int(rand() * len_every)]
                    else:
                        tok = bag[int(rand() * len(bag))]
                    own_append(tok)
                elif tok in PUNCT and prev in PUNCT:
                    continue
                append(tok)
                prev = tok
                size += 1
            else:
                text = toks if r < P_RUN * P_RUN_SELF and size > 10 else text_a
                start = int(rand() * len(text))
                for tok in text[start:start + RUNS[int(rand() * len(RUNS))]]:
                    if tok in PUNCT and prev in PUNCT:
                        continue
                    append(tok)
                    prev = tok
                    size += 1
            if size >= length:
                if prev in SENTENCE_END:
                    break
                if size > length + 40:  # end a sentence that would not end
                    if prev in PUNCT:
                        toks[-1] = "."
                    else:
                        append(".")
                    break
        return "  " + wrap(capitalise(_PUNCT_SPACE.sub(r"\1", " ".join(toks)))) + "\n"

    def title(self, length: int, seed_a: list[str], seed_b: list[str], group: str) -> str:
        rand = self.rng.random
        bag = self.bags[group]
        following = self.model.title_successors
        words: list[str] = []
        prev = "."
        while len(words) < length:
            r = rand()
            if r < P_TITLE_TOPIC:
                t = rand()
                source = seed_a if t < 0.6 else seed_b if t < 0.8 else bag
                tok = source[int(rand() * len(source))]
            else:
                options = following.get(prev)
                tok = options[int(rand() * len(options))] if options else bag[int(rand() * len(bag))]
            if tok in PUNCT:
                continue
            words.append(tok)
            prev = tok
        while len(words) > 1 and words[-1] in STOPWORDS:
            words.pop()
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def authors(self, group: str) -> list[tuple[str, str]]:
        rng, model = self.rng, self.model
        count = rng.choice(model.groups[group].author_counts)
        pool = self.authorships[group]
        chosen: list[tuple[str, str]] = []
        for _ in range(count):
            if pool and rng.random() < P_REUSE_AUTHOR:
                person = pool[int(rng.random() * len(pool))]
            else:
                person = (rng.choice(model.first_names), rng.choice(model.last_names))
            if person not in chosen:
                chosen.append(person)
        for person in chosen:
            if len(pool) < AUTHOR_POOL_CAP:
                pool.append(person)
            else:
                pool[int(rng.random() * len(pool))] = person
        return chosen or [(rng.choice(model.first_names), rng.choice(model.last_names))]

    def paper(self, index: int, per_month: int) -> dict:
        model, rng = self.model, self.rng
        a, b = self._seed_papers()
        group = model.seed_group[a]
        title_len, abstract_len = model.seed_lengths[a]
        abstract_len = max(12, int(abstract_len * rng.uniform(0.68, 1.08)))
        title_len = max(2, title_len + rng.randint(-2, 2))
        seed_a, seed_b = model.seed_bags[a], model.seed_bags[b]
        categories = list(model.seeds[a].categories)
        secondary = model.seeds[b].categories[0]
        if secondary not in categories and rng.random() < 0.3:
            categories.append(secondary)
        people = self.authors(group)
        month, number = divmod(index, per_month)
        year, month = START_YEAR + month // 12, month % 12 + 1
        created = _moment(rng, year, month)
        versions = [{"version": "v1", "created": _rfc2822(created)}]
        updated = created
        if rng.random() < P_SECOND_VERSION:
            updated = created + timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86_399))
            versions.append({"version": "v2", "created": _rfc2822(updated)})
        comment = rng.choice(model.comments).format(rng.randint(4, 60), rng.randint(1, 12), rng.randint(1, 5))
        return {
            "id": f"{year % 100:02d}{month:02d}.{number + 1:05d}",
            "submitter": f"{people[0][0]} {people[0][1]}",
            "authors": ", ".join(f"{first} {last}" for first, last in people),
            "title": self.title(title_len, seed_a, seed_b, group),
            "comments": comment if rng.random() < 0.7 else None,
            "journal-ref": None,
            "doi": None,
            "report-no": None,
            "categories": " ".join(categories),
            "license": rng.choice(_LICENSES),
            "abstract": self.abstract(abstract_len, a, b, group),
            "versions": versions,
            "update_date": updated.date().isoformat(),
            "authors_parsed": [[last, first, ""] for first, last in people],
        }


_PUNCT_SPACE = re.compile(r" ([.,;:?!])")


def capitalise(text: str) -> str:
    """Upper-case the first letter of every sentence."""
    return ". ".join(part[:1].upper() + part[1:] for part in text.split(". "))


def wrap(text: str, width: int = 79) -> str:
    """Hard line breaks before column 80, as arXiv's metadata has them (long TeX runs stay whole)."""
    lines = []
    start = 0
    while len(text) - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = text.find(" ", start + width)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return "\n".join(lines)


def _moment(rng: random.Random, year: int, month: int) -> datetime:
    """A random second of that month."""
    day = rng.randint(1, calendar.monthrange(year, month)[1])
    return datetime(year, month, day) + timedelta(seconds=rng.randint(0, 86_399))


def _rfc2822(moment: datetime) -> str:
    """arXiv's version stamp: "Mon, 2 Apr 2007 19:18:42 GMT"."""
    return (f"{_DAYS[moment.weekday()]}, {moment.day} {_MONTHS[moment.month - 1]} {moment.year} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} GMT")


def generate(n: int, seed: int = 0, model: Model | None = None) -> Iterator[dict]:
    """`n` synthetic papers as arXiv bulk-metadata dicts, deterministic for a given seed."""
    generator = Generator(model or default_model(), seed)
    per_month = max(1, -(-n // MONTHS))
    if per_month > 99_999:
        raise ValueError("too many papers for five-digit arXiv ids")
    for index in range(n):
        yield generator.paper(index, per_month)


def write(n: int, seed: int, out: Path, progress: bool = False) -> dict:
    """Stream `n` papers to `out` (written to a temporary name, then renamed); returns stats."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    started = time.perf_counter()
    dumps = json.JSONEncoder(ensure_ascii=True).encode
    with open(partial, "w", encoding="utf-8", buffering=1 << 20) as handle:
        for done, paper in enumerate(generate(n, seed), 1):
            handle.write(dumps(paper))
            handle.write("\n")
            if progress and done % 50_000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  {done:,} papers, {rate:,.0f}/s", file=sys.stderr, flush=True)
    partial.replace(out)
    elapsed = time.perf_counter() - started
    return {"papers": n, "seconds": elapsed, "papers_per_s": n / elapsed, "bytes": out.stat().st_size}


# -- how realistic is it ---------------------------------------------------------------------------


def _neighbour_agreement(texts: list[str], labels: list[str], k: int = 10) -> float:
    """How often a paper's k nearest TF-IDF neighbours share its primary category."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2).fit_transform(texts)
    agree = total = 0
    for start in range(0, matrix.shape[0], 1000):
        sims = (matrix[start:start + 1000] @ matrix.T).toarray()
        for row, i in enumerate(range(start, min(start + 1000, matrix.shape[0]))):
            sims[row, i] = -1
            nearest = sims[row].argpartition(-k)[-k:]
            agree += sum(labels[j] == labels[i] for j in nearest)
            total += k
    return agree / total


def _sketch_sharing(abstracts: Iterable[str]) -> float:
    """Share of papers whose de-duplication sketch (8 smallest 4-gram hashes) meets another's."""
    import zlib

    owners: dict[int, int] = {}
    sketches = []
    for index, abstract in enumerate(abstracts):
        words = re.findall(r"\w+", abstract.casefold())
        grams = {zlib.crc32(" ".join(words[i:i + 4]).encode()) for i in range(max(1, len(words) - 3))}
        sketch = sorted(grams)[:8]
        sketches.append(sketch)
        for key in sketch:
            owners[key] = owners.get(key, 0) + 1
    return sum(any(owners[key] > 1 for key in sketch) for sketch in sketches) / max(1, len(sketches))


def _describe(titles: list[str], abstracts: list[str], labels: list[str]) -> dict:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = sorted(len(a.split()) for a in abstracts)
    vocabulary = {w for a in abstracts for w in re.findall(r"[a-z]+", a.lower())}
    content = distinct = pairs = distinct_pairs = 0
    for title, abstract in zip(titles, abstracts):
        found = [w for w in re.findall(r"\b\w\w+\b", f"{title} {abstract}".lower()) if w not in ENGLISH_STOP_WORDS]
        content, distinct = content + len(found), distinct + len(set(found))
        pairs, distinct_pairs = pairs + len(found) - 1, distinct_pairs + len(set(zip(found, found[1:])))
    texts = [t + " " + a for t, a in zip(titles, abstracts)]
    return {
        "papers": len(abstracts),
        "abstract_words_p10_p50_p90": [words[len(words) // 10], words[len(words) // 2], words[9 * len(words) // 10]],
        "title_words_mean": round(sum(len(t.split()) for t in titles) / len(titles), 1),
        "content_words_per_paper": round(content / len(abstracts), 1),
        "distinct_share_words_pairs": [round(distinct / content, 3), round(distinct_pairs / pairs, 3)],
        "distinct_words": len(vocabulary),
        "knn10_same_category": round(_neighbour_agreement(texts, labels), 3),
        "sketch_shared": round(_sketch_sharing(abstracts), 3),
    }


def compare(n: int, seed: int) -> None:
    """Print the same statistics for the real samples and for n synthetic papers."""
    model = default_model()
    real = _describe([p.title for p in model.seeds], [p.abstract for p in model.seeds],
                     [p.categories[0] for p in model.seeds])
    papers = list(generate(n, seed))
    fake = _describe([p["title"] for p in papers], [p["abstract"] for p in papers],
                     [p["categories"].split()[0] for p in papers])
    for key in real:
        print(f"{key:28} real {str(real[key]):>18}   synthetic {str(fake[key]):>18}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="JSON-lines file to write")
    parser.add_argument("--compare", action="store_true", help="print realism statistics instead of writing")
    args = parser.parse_args(argv)
    if args.compare:
        compare(args.papers, args.seed)
        return
    if not args.out:
        parser.error("--out is required (or --compare)")
    stats = write(args.papers, args.seed, args.out, progress=True)
    print(f"{stats['papers']:,} papers in {stats['seconds']:.1f} s ({stats['papers_per_s']:,.0f}/s), "
          f"{stats['bytes'] / 1e6:,.1f} MB -> {args.out}")


if __name__ == "__main__":
    main()
