"""The works behind the reading-list fixtures of tests/data/reading_lists/.

Each fixture is a small library written in the style of one reference manager (see
`bench/make_reading_lists.py`, which writes them once; the files are committed). The works are
real publications, chosen for what trips a bibliography up: particles (`van der Waals`,
`de la Fontaine`, `von Luxburg`), suffixes (`Fromhold, Jr.`), hyphenated surnames (`Abu-Zeid`,
`Martín-Delgado`), corporate authors with and without a comma, books, chapters in edited
collections, theses, reports, web pages, a data set, three editions of one map sheet, two works
called "Deep learning", short titles ("Orientalism", "RocksDB") and dates known to the year or
the month. Papers from tests/data/arxiv-metadata-snapshot-sample.jsonl fill each library up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "arxiv-metadata-snapshot-sample.jsonl"
_JOURNAL_REF = re.compile(r"^(?P<journal>[A-Za-z][A-Za-z. ]*?[A-Za-z.])\s*(?P<volume>\d+)\s*[:,]\s*"
                          r"(?P<pages>[A-Z]?\d+(?:-\d+)?)")


@dataclass(frozen=True)
class Name:
    """A person's name in its parts (CSL-JSON's model), or a corporate name as a literal."""

    family: str = ""
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def full_family(self) -> str:
        """The family name with its particle, as RIS and Zotero write it."""
        return f"{self.particle} {self.family}".strip()


@dataclass(frozen=True)
class Work:
    """One publication with the citation fields a reference manager keeps.

    `kind` is one of article, book, collection (an edited book), chapter, paper-conference,
    thesis, report, preprint, dataset, webpage, map. `date` is ISO to its precision ("1958",
    "1958-06", "2015-05-28"). `title_tex` is the title as a TeX user types it, when it differs.
    """

    key: str
    kind: str
    title: str
    authors: tuple[Name, ...] = ()
    date: str = ""
    container: str = ""
    editors: tuple[Name, ...] = ()
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    place: str = ""
    edition: str = ""
    isbn: str = ""
    issn: str = ""
    doi: str = ""
    url: str = ""
    arxiv: str = ""
    abstract: str = ""
    number: str = ""
    series: str = ""
    title_tex: str = ""
    groups: tuple[str, ...] = field(default=())


def person(family: str, given: str = "", particle: str = "", suffix: str = "") -> Name:
    """A person's name."""
    return Name(family=family, given=given, particle=particle, suffix=suffix)


def corporate(text: str) -> Name:
    """A corporate author, kept whole."""
    return Name(literal=text)


def people(*names: str) -> tuple[Name, ...]:
    """Names written "Family, Given" (no particles, no suffixes)."""
    return tuple(person(*[part.strip() for part in name.split(",", 1)]) for name in names)


DEEP_LEARNING_ARTICLE = Work(
    "lecun2015", "article", "Deep learning", people("LeCun, Yann", "Bengio, Yoshua", "Hinton, Geoffrey"),
    "2015-05-28", "Nature", volume="521", issue="7553", pages="436-444", issn="1476-4687",
    doi="10.1038/nature14539", publisher="Nature Publishing Group", groups=("Deep learning",))
DEEP_LEARNING_BOOK = Work(
    "goodfellow2016", "book", "Deep Learning", people("Goodfellow, Ian", "Bengio, Yoshua", "Courville, Aaron"),
    "2016", publisher="MIT Press", place="Cambridge, MA", isbn="978-0-262-03561-3",
    series="Adaptive Computation and Machine Learning", url="https://www.deeplearningbook.org",
    groups=("Deep learning",))
ORIENTALISM = Work("said1978", "book", "Orientalism", people("Said, Edward W."), "1978",
                   publisher="Pantheon Books", place="New York", isbn="978-0-394-42814-7")
KNUTH = Work("knuth1997", "book", "The Art of Computer Programming, Volume 1: Fundamental Algorithms",
             people("Knuth, Donald E."), "1997", publisher="Addison-Wesley", place="Reading, MA",
             edition="3", isbn="978-0-201-89683-1")
ROCKSDB = Work("rocksdb2013", "webpage", "RocksDB", (corporate("Meta Platforms"),), "2013",
               url="https://rocksdb.org/")
HUMAN_CONDITION = Work("arendt1958", "book", "The Human Condition", people("Arendt, Hannah"), "1958",
                       publisher="University of Chicago Press", place="Chicago", isbn="978-0-226-02598-5")
ROUTING = Work("bellman1958", "article", "On a routing problem", people("Bellman, Richard"), "1958-06",
               "Quarterly of Applied Mathematics", volume="16", issue="1", pages="87-90",
               doi="10.1090/qam/102435")
PERCEPTRON = Work(
    "rosenblatt1958", "article",
    "The perceptron: A probabilistic model for information storage and organization in the brain",
    people("Rosenblatt, Frank"), "1958-11", "Psychological Review", volume="65", issue="6",
    pages="386-408", doi="10.1037/h0042519")
PDP_BOOK = Work(
    "rumelhart1986", "collection", "Parallel Distributed Processing: Explorations in the Microstructure of Cognition",
    (), "1986", editors=people("Rumelhart, David E.", "McClelland, James L."), volume="1",
    publisher="MIT Press", place="Cambridge, MA", isbn="978-0-262-68053-0")
BACKPROP_CHAPTER = Work(
    "rumelhart1986a", "chapter", "Learning Internal Representations by Error Propagation",
    people("Rumelhart, David E.", "Hinton, Geoffrey E.", "Williams, Ronald J."), "1986",
    PDP_BOOK.title, editors=PDP_BOOK.editors, volume="1", pages="318-362", publisher="MIT Press",
    place="Cambridge, MA", isbn="978-0-262-68053-0")
ATTENTION = Work(
    "vaswani2017", "paper-conference", "Attention Is All You Need",
    people("Vaswani, Ashish", "Shazeer, Noam", "Parmar, Niki", "Uszkoreit, Jakob", "Jones, Llion",
           "Gomez, Aidan N.", "Kaiser, Łukasz", "Polosukhin, Illia"), "2017",
    "Advances in Neural Information Processing Systems 30",
    editors=(person("Guyon", "I."), person("Luxburg", "U.", particle="von"), person("Bengio", "S."),
             person("Wallach", "H."), person("Fergus", "R."), person("Vishwanathan", "S."),
             person("Garnett", "R.")),
    pages="5998-6008", publisher="Curran Associates", place="Red Hook, NY", arxiv="1706.03762",
    groups=("Deep learning",))
NASH = Work("nash1950", "thesis", "Non-Cooperative Games", people("Nash, John Forbes"), "1950-05",
            publisher="Princeton University", place="Princeton, NJ")
VAN_DER_WAALS = Work(
    "waals1873", "thesis", "Over de Continuiteit van den Gas- en Vloeistoftoestand",
    (person("Waals", "Johannes Diderik", particle="van der"),), "1873", publisher="Universiteit Leiden",
    place="Leiden")
LSTM_REPORT = Work(
    "hochreiter1995", "report", "Long Short Term Memory", people("Hochreiter, Sepp", "Schmidhuber, Jürgen"),
    "1995-08", publisher="Technische Universität München", place="München", number="FKI-207-95")
FABLES = Work("fontaine1668", "book", "Fables choisies, mises en vers",
              (person("Fontaine", "Jean", particle="de la"),), "1668", publisher="Claude Barbin",
              place="Paris")
FROMHOLD = Work(
    "fromhold1963", "article",
    "Kinetics of Oxide Film Growth on Metal Crystals: Electron Tunneling and Ionic Diffusion",
    (person("Fromhold", "A. T.", suffix="Jr."), person("Cook", "Earl L.")), "1963",
    "Journal of Physics and Chemistry of Solids", volume="24", issue="9", pages="1081-1092",
    doi="10.1016/0022-3697(63)90022-6", groups=("Oxidation",))
LA_ROCCA = Work(
    "larocca2016", "article", "Cosmic Ray Muon Decay Measured with a Student Laboratory Telescope",
    people("La Rocca, Paola", "Riggi, Francesco"), "2016-03", "European Journal of Physics",
    volume="37", issue="2", pages="025802", doi="10.1088/0143-0807/37/2/025802", groups=("Muons",))
MARTIN_DELGADO = Work(
    "martindelgado2004", "article", "The Toric Code and Topological Quantum Memories",
    (person("Martín-Delgado", "Miguel A."), person("Bombin", "Héctor")), "2004",
    "Physical Review A", volume="70", issue="6", pages="062317", doi="10.1103/PhysRevA.70.062317",
    groups=("Topological order",))
SNOWFLAKE = Work(
    "dageville2016", "paper-conference", "The Snowflake Elastic Data Warehouse",
    (person("Dageville", "Benoît"), person("Cruanes", "Thierry"), person("Zukowski", "Marcin"),
     person("Antonov", "Vadim"), person("Avanes", "Artin")), "2016-06",
    "Proceedings of the 2016 International Conference on Management of Data", pages="215-226",
    publisher="ACM", place="San Francisco, CA", isbn="978-1-4503-3531-7", doi="10.1145/2882903.2903741")
RYDBERG = Work(
    "kazimierczuk2014", "article", "Giant Rydberg excitons in the copper oxide Cu₂O",
    people("Kazimierczuk, T.", "Fröhlich, D.", "Scheel, S.", "Stolz, H.", "Bayer, M."), "2014-10-16",
    "Nature", volume="514", issue="7522", pages="343-347", doi="10.1038/nature13832",
    title_tex="Giant {R}ydberg excitons in the copper oxide {Cu$_2$O}", groups=("Excitons",))
MOLLER_PLESSET = Work(
    "moller1934", "article", "Note on an Approximation Treatment for Many-Electron Systems",
    people("Møller, Chr.", "Plesset, M. S."), "1934-10", "Physical Review", volume="46", issue="7",
    pages="618-622", doi="10.1103/PhysRev.46.618", publisher="American Physical Society", groups=("DFT",))
NIO_CHAPTER = Work(
    "schrader2023", "paper-conference", "Magnetic Order in NiO Thin Films Seen by X-ray Dichroism",
    people("Schrader, Anke", "Nguyễn, Thị Mai"), "2023",
    "Computational Science and Its Applications -- ICCSA 2023 Workshops",
    editors=people("Gervasi, Osvaldo", "Murgante, Beniamino"), pages="281-296", publisher="Springer",
    place="Cham", isbn="978-3-031-39847-6", doi="10.1007/978-3-031-39847-6_20",
    title_tex=r"Magnetic Order in \chem{NiO} Thin Films Seen by {X}-ray Dichroism")
UNET = Work(
    "ronneberger2015", "paper-conference", "U-Net: Convolutional Networks for Biomedical Image Segmentation",
    people("Ronneberger, Olaf", "Fischer, Philipp", "Brox, Thomas"), "2015",
    "Medical Image Computing and Computer-Assisted Intervention -- MICCAI 2015",
    editors=people("Navab, Nassir", "Hornegger, Joachim", "Wells, William M.", "Frangi, Alejandro F."),
    pages="234-241", publisher="Springer", place="Cham", isbn="978-3-319-24574-4",
    doi="10.1007/978-3-319-24574-4_28", arxiv="1505.04597")
BIG_DATA = Work(
    "agrawal2011", "paper-conference", "Big data and cloud computing: current state and future opportunities",
    (person("Agrawal", "Divyakant"), person("Das", "Sudipto"), person("El Abbadi", "Amr")), "2011-03",
    "Proceedings of the 14th International Conference on Extending Database Technology",
    pages="530-533", publisher="ACM", place="Uppsala", doi="10.1145/1951365.1951432",
    isbn="978-1-4503-0528-0")
SPANNER = Work(
    "corbett2013", "article", "Spanner: Google's Globally Distributed Database",
    (person("Corbett", "James C."), person("Dean", "Jeffrey"), person("Epstein", "Michael"),
     person("Van Sandt", "Mara"), person("El Abbadi", "Amr")), "2013-08",
    "ACM Transactions on Computer Systems", volume="31", issue="3", pages="8:1-8:22",
    doi="10.1145/2491245")
KOMMUNEPLAN = Work("fredensborg2013", "report", "Kommuneplan 2013-2025", (corporate("Fredensborg Kommune"),),
                   "2013", publisher="Fredensborg Kommune", place="Fredensborg")
SPILDEVAND = Work(
    "fredensborg2011", "report", "Spildevandsplan 2011-2020",
    (corporate("Miljø- og Teknikudvalget, Fredensborg Kommune"),), "2011-06",
    publisher="Fredensborg Kommune", place="Fredensborg")
NILE = Work(
    "abuzeid1986", "article", "Egypt's Water Policy for the 21st Century",
    (person("Abu-Zeid", "Mahmoud A."), person("Rady", "M. A.")), "1986",
    "Water International", volume="11", issue="2", pages="62-68", doi="10.1080/02508068608686404")
CLIMATE_BOOK = Work(
    "abuzeid1992", "collection", "Climatic Fluctuations and Water Management", (), "1992",
    editors=(person("Abu-Zeid", "Mahmoud A."), person("Biswas", "Asit K.")),
    publisher="Butterworth-Heinemann", place="Oxford", isbn="978-0-7506-1355-6")
MNIST = Work(
    "lecun1998", "dataset", "The MNIST Database of Handwritten Digits",
    (person("LeCun", "Yann"), person("Cortes", "Corinna"), person("Burges", "Christopher J. C.")), "1998",
    publisher="AT&T Labs", url="http://yann.lecun.com/exdb/mnist/")
PROC_1988 = Work(
    "grossberg1988", "article", "Nonlinear Neural Networks: Principles, Mechanisms, and Architectures",
    people("Grossberg, Stephen"), "1988", "Neural Networks", volume="1", issue="1", pages="17-61",
    doi="10.1016/0893-6080(88)90021-4")
PROC_1991 = Work(
    "grossberg1991", "chapter", "Nonlinear Neural Networks: Principles, Mechanisms, and Architectures",
    people("Grossberg, Stephen"), "1991", "Pattern Recognition by Self-Organizing Neural Networks",
    editors=people("Carpenter, Gail A.", "Grossberg, Stephen"), pages="36-109", publisher="MIT Press",
    place="Cambridge, MA", isbn="978-0-262-03176-9")


def map_editions() -> tuple[Work, ...]:
    """Three editions of one topographic map sheet: same title, same author, other years."""
    base = Work("geodaetiskinstitut1969", "map", "Hillerød", (corporate("Geodætisk Institut"),), "1969",
                publisher="Geodætisk Institut", place="København", series="Topografisk kort 1:25.000",
                number="1513 II SV")
    return tuple(replace(base, key=f"geodaetiskinstitut{year}", date=year, edition=edition)
                 for year, edition in (("1969", "3"), ("1972", "4"), ("1977", "5")))


MAPS = map_editions()


def snapshot_rows() -> list[dict]:
    """The rows of the arXiv snapshot sample."""
    with SNAPSHOT.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def arxiv_work(row: dict) -> Work:
    """A work from an arXiv metadata row: a journal article when its reference parses, a
    preprint otherwise."""
    authors = tuple(person(plain(parts[0]), plain(parts[1]), suffix=plain(parts[2]))
                    for parts in row["authors_parsed"][:8] if parts[0].strip())
    title_tex = " ".join(row["title"].split())
    title = plain(title_tex)
    date = row["versions"][0]["created"] if row.get("versions") else row["update_date"]
    iso = _rfc822_to_iso(date) if "," in date else date
    reference = _JOURNAL_REF.match(row.get("journal-ref") or "")
    doi = (row.get("doi") or "").split()[0] if row.get("doi") else ""
    abstract = " ".join(row["abstract"].split())
    if reference and doi:
        return Work(f"arxiv{row['id']}", "article", title, authors, iso[:4], reference["journal"].strip(),
                    volume=reference["volume"], pages=reference["pages"], doi=doi, arxiv=row["id"],
                    abstract=abstract, title_tex=title_tex)
    return Work(f"arxiv{row['id']}", "preprint", title, authors, iso, arxiv=row["id"], abstract=abstract,
                url=f"https://arxiv.org/abs/{row['id']}", title_tex=title_tex)


def plain(tex: str) -> str:
    """TeX as the Unicode text a reference manager without TeX would hold."""
    from pylatexenc.latex2text import LatexNodes2Text

    return " ".join(LatexNodes2Text(math_mode="verbatim").latex_to_text(tex).split())


def _rfc822_to_iso(text: str) -> str:
    """`Mon, 2 Apr 2007 19:18:42 GMT` → `2007-04-02`."""
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    _, day, month, year = text.split()[:4]
    return f"{year}-{months.index(month) + 1:02d}-{int(day):02d}"


def arxiv_works(start: int, count: int, articles: bool | None = None) -> list[Work]:
    """`count` works from the snapshot sample from row `start` on; only articles (True), only
    preprints (False) or both (None)."""
    found: list[Work] = []
    for row in snapshot_rows()[start:]:
        work = arxiv_work(row)
        if articles is None or (work.kind == "article") == articles:
            found.append(work)
        if len(found) == count:
            break
    return found
