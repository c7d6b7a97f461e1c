"""Finding bundled seed papers on arXiv by title or abstract phrase, against the local server
answering with recorded arXiv Atom (tests/data/arxiv/api_title_*.atom.xml).

Every client here runs on the fake-clock gate, so no test waits arXiv's three seconds.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from urllib.parse import unquote_plus

import pytest

import recommender.arxiv
from bot.config import ConfigError, load_settings
from recommender import Library
from recommender.arxiv import ArxivClient, ArxivError, search_phrase
from recommender.enrich import (
    BY_ABSTRACT,
    BY_TITLE,
    NOTHING_TO_ASK,
    Enricher,
    abstract_phrase,
    confident_match,
    find_match,
    query_for,
)
from recommender.ingest import Ingester
from recommender.kinds import CheckOutcome
from recommender.papers import Paper, Record, SourceRef
from recommender.people import displayed
from recommender.sources import parse_text
from tests import arxiv_seeds
from tests.arxiv_seeds import route_seed_searches
from tests.arxiv_server import FakeGate, RecordedArxiv
from tests.conftest import INGEST_DAY, SEEDS, store_of

CHEN, RUBANOVA, BETTENCOURT, DUVENAUD = "Ricky T. Q. Chen", "Yulia Rubanova", "Jesse Bettencourt", "David Duvenaud"
GRATHWOHL, BEHRMANN, JACOBSEN = "Will Grathwohl", "Jens Behrmann", "Jörn-Henrik Jacobsen"
SYCOPHANCY_AUTHORS = [
    "Mrinank Sharma", "Meg Tong", "Tomasz Korbak", DUVENAUD, "Amanda Askell", "Samuel R. Bowman",
    "Newton Cheng", "Esin Durmus", "Zac Hatfield-Dodds", "Scott R. Johnston", "Shauna Kravec",
    "Timothy Maxwell", "Sam McCandlish", "Kamal Ndousse", "Oliver Rausch", "Nicholas Schiefer", "Da Yan",
    "Miranda Zhang", "Ethan Perez",
]
KFAC_PHRASE = "efficient method for approximating natural gradient"

# seed title, recording, arXiv id, version, full author list, categories, first-version date
SIX = [
    ("Neural Ordinary Differential Equations", "api_title_neural_ode.atom.xml", "1806.07366", 5,
     [CHEN, RUBANOVA, BETTENCOURT, DUVENAUD], ["cs.LG", "cs.AI", "stat.ML"], date(2018, 6, 19)),
    ("FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models", "api_title_ffjord.atom.xml",
     "1810.01367", 3, [GRATHWOHL, CHEN, BETTENCOURT, "Ilya Sutskever", DUVENAUD], ["cs.LG", "stat.ML"],
     date(2018, 10, 2)),
    ("Latent ODEs for Irregularly-Sampled Time Series", "api_title_latent_odes.atom.xml", "1907.03907", 1,
     [RUBANOVA, CHEN, DUVENAUD], ["cs.LG", "stat.ML"], date(2019, 7, 8)),
    ("Residual Flows for Invertible Generative Modeling", "api_title_residual_flows.atom.xml", "1906.02735", 6,
     [CHEN, BEHRMANN, DUVENAUD, JACOBSEN], ["stat.ML", "cs.LG"], date(2019, 6, 6)),
    ("Invertible Residual Networks", "api_title_iresnet.atom.xml", "1811.00995", 3,
     [BEHRMANN, GRATHWOHL, CHEN, DUVENAUD, JACOBSEN], ["cs.LG", "cs.CV", "stat.ML"], date(2018, 11, 2)),
    ("Towards Understanding Sycophancy in Language Models", "api_title_sycophancy.atom.xml", "2310.13548", 2,
     SYCOPHANCY_AUTHORS, ["cs.CL", "cs.AI", "cs.LG", "stat.ML"], date(2023, 10, 20)),
]


def as_paper(record: Record, paper_id: int) -> Paper:
    """A library paper as a seed record alone would make it (a missing title derived)."""
    return Paper(id=paper_id, title=record.title or record.abstract[:80], title_derived=not record.title,
                 authors=list(record.authors), authors_truncated=record.authors_truncated,
                 abstract=record.abstract, categories=list(record.categories), published=record.published,
                 arxiv_id=record.arxiv_id, lang=record.lang, has_code=record.has_code)


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    papers: list[Paper] = []
    for path in sorted(SEEDS.glob("*.txt")):
        _, items = parse_text(path.read_text(encoding="utf-8"), str(path), INGEST_DAY)
        papers.extend(as_paper(item, len(papers) + 1) for item in items if isinstance(item, Record))
    return papers


@pytest.fixture
def seed(seed_papers):
    """The first seed paper with this title, or (for a derived title) whose abstract starts so."""
    def find(start: str) -> Paper:
        for paper in seed_papers:
            text = paper.abstract if paper.title_derived else paper.title
            if text.startswith(start) and (paper.title_derived or paper.title == start):
                return paper
        raise LookupError(start)
    return find


@pytest.fixture
def client(arxiv_server, fake_gate):
    with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=fake_gate, backoff=1.0) as made:
        yield made


def title_query(title: str) -> str:
    return f'ti:"{search_phrase(title)}"'


# -- what to ask ------------------------------------------------------------------------------


def test_what_is_asked_for_each_seed(seed_papers):
    kinds = {BY_TITLE: 0, BY_ABSTRACT: 0, NOTHING_TO_ASK: 0}
    for paper in seed_papers:
        kind, text = query_for(paper)
        kinds[kind] += 1
        if not paper.title_derived:
            assert (kind, text) == (BY_TITLE, search_phrase(paper.title))
        elif paper.lang == "en":
            words = text.split()
            assert kind == BY_ABSTRACT and 4 <= len(words) <= 6
            assert text in paper.abstract  # a phrase of the abstract, word for word
            assert words[0].lower() not in {"a", "the", "of", "we", "and", "in", "to"}
        else:
            assert (kind, text) == (NOTHING_TO_ASK, "")  # a machine-translated Chinese abstract
    assert kinds[NOTHING_TO_ASK] == 4 and kinds[BY_ABSTRACT] >= 4 and kinds[BY_TITLE] >= 70


def test_title_phrase_keeps_words_and_drops_query_syntax(seed):
    ffjord = seed("FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models")
    assert query_for(ffjord) == (BY_TITLE, "FFJORD Free-form Continuous Dynamics for Scalable Reversible Generative Models")
    charge = replace(ffjord, title="Who's in Charge? Disempowerment Patterns in Real-World LLM Usage")
    assert query_for(charge)[1] == "Who's in Charge Disempowerment Patterns in Real-World LLM Usage"
    tex = replace(ffjord, title=r"Convergence of Clipped-SGD for Convex $(L_0,L_1)$-Smooth Optimization with Heavy-Tailed Noise")
    assert query_for(tex)[1] == "Convergence of Clipped-SGD for Convex"  # the first longest run outside the math


def test_abstract_phrase_avoids_tex_digits_and_stop_words():
    abstract = (r"We study the $\ell_1$ penalty in 3 settings. Our sortlet layer scales as $O(N \log N)$ and "
                r"the \textit{sortlet} gives chemically accurate wavefunction parameterizations quickly.")
    assert abstract_phrase(abstract) == "gives chemically accurate wavefunction parameterizations quickly"
    assert abstract_phrase("A B. C D, E.") == ""


# -- confident matches of six seed papers -----------------------------------------------------


@pytest.mark.parametrize(("title", "recording", "arxiv_id", "version", "authors", "categories", "published"), SIX,
                         ids=[row[2] for row in SIX])
def test_six_seed_papers_are_found(client, arxiv_server, seed, title, recording, arxiv_id, version, authors,
                                   categories, published):
    paper = seed(title)
    assert paper.arxiv_id is None
    arxiv_server.route_search(title_query(title), recording)
    found = find_match(client, paper)
    assert found is not None
    assert (found.arxiv_id, found.version, found.title) == (arxiv_id, version, title)
    assert displayed(found.authors) == authors and not found.authors_truncated
    assert found.categories == categories
    assert (found.published, found.date_approx) == (published, False)
    assert found.abstract == paper.abstract
    assert found.doi is None
    [(path, query, _)] = arxiv_server.requests
    assert (path, query) == ("/api/query", {"search_query": title_query(title), "start": "0", "max_results": "5"})
    assert found.source.path == f"{arxiv_server.api_url}?{arxiv_server.raw_queries[0]}"
    assert found.source.format == "feed" and found.source.line > 1


def test_seed_known_only_by_its_abstract_is_found_by_a_phrase(client, arxiv_server, seed):
    kfac = seed("We propose an efficient method for approximating natural gradient descent")
    assert kfac.title_derived and displayed(kfac.authors) == []
    assert query_for(kfac) == (BY_ABSTRACT, KFAC_PHRASE)
    arxiv_server.route_search(f'abs:"{KFAC_PHRASE}"', "api_title_by_abstract_kfac.atom.xml")
    found = find_match(client, kfac)
    # the first entry, a made-up later paper quoting the same phrase, is not taken
    assert found is not None and found.arxiv_id == "1503.05671" and found.version == 7
    assert found.title == "Optimizing Neural Networks with Kronecker-factored Approximate Curvature"
    assert displayed(found.authors) == ["James Martens", "Roger Grosse"] and found.published == date(2015, 3, 19)
    # an author list on our side must share a surname with arXiv's
    assert find_match(client, replace(kfac, authors=["Lena Fischer"])) is None
    assert len(arxiv_server.requests) == 2


def test_doi_and_accented_surnames(client, arxiv_server):
    title = "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    ours = Paper(id=1, title="Calculation of Prompt Diphoton Production Cross-Sections at Tevatron and LHC Energies.",
                 title_derived=False, authors=["C. Balazs"], authors_truncated=True, abstract="A fully differential "
                 "calculation in perturbative quantum chromodynamics.", categories=[], published=None, arxiv_id=None,
                 lang="en", has_code=None)
    arxiv_server.route_search(title_query(ours.title), "api_title_diphoton.atom.xml")
    found = find_match(client, ours)
    assert found is not None and found.arxiv_id == "0704.0001" and found.title == title
    assert found.doi is not None and found.doi.lower() == "10.1103/physrevd.76.013009"  # DOIs ignore case
    assert displayed(found.authors)[0] == "C. Balázs" and len(found.authors) == 4  # `Bal\'azs` on arXiv's side


# -- what must be refused ---------------------------------------------------------------------


def test_a_longer_look_alike_title_is_refused(client, arxiv_server, seed):
    node = seed("Neural Ordinary Differential Equations")
    arxiv_server.route_search(title_query(node.title), "api_title_lookalike.atom.xml", "api_title_neural_ode.atom.xml")
    [look_alike] = client.search_title(node.title)
    assert look_alike.title.startswith(node.title) and "Mei Chen" in displayed(look_alike.authors)  # a shared surname, even
    assert confident_match(node, [look_alike]) is None
    real = client.search_title(node.title)
    found = confident_match(node, [look_alike, *real])
    assert found is not None and found.arxiv_id == "1806.07366"


def test_the_same_title_by_other_authors_is_refused(client, arxiv_server, seed):
    flows = seed("Residual Flows for Invertible Generative Modeling")
    arxiv_server.route_search(title_query(flows.title), "api_title_other_authors.atom.xml")
    assert find_match(client, flows) is None
    [decoy] = client.search_title(flows.title)
    assert decoy.title == flows.title and decoy.arxiv_id == "2512.99902"
    # without authors of ours to compare, the abstracts decide: they differ
    assert confident_match(replace(flows, authors=[]), [decoy]) is None


def test_an_empty_answer_is_a_miss(client, arxiv_server, seed):
    paper = seed("Scalable Recommender Systems through Recursive Evidence Chains")
    arxiv_server.route_search(title_query(paper.title), "api_title_empty.atom.xml")
    assert client.search_title(paper.title) == []
    assert find_match(client, paper) is None
    assert len(arxiv_server.requests) == 2


def test_without_authors_the_abstract_must_back_the_title(client, arxiv_server, seed):
    node = seed("Neural Ordinary Differential Equations")
    arxiv_server.route_search(title_query(node.title), "api_title_neural_ode.atom.xml")
    candidates = client.search_title(node.title)
    assert confident_match(replace(node, authors=[]), candidates) is not None
    other_abstract = seed("Latent ODEs for Irregularly-Sampled Time Series").abstract
    assert confident_match(replace(node, authors=[], abstract=other_abstract), candidates) is None
    assert confident_match(replace(node, authors=[], abstract="Abstract to be added."), candidates) is None


def test_two_confident_papers_are_ambiguous(client, arxiv_server, seed):
    node = seed("Neural Ordinary Differential Equations")
    arxiv_server.route_search(title_query(node.title), "api_title_neural_ode.atom.xml")
    [real] = client.search_title(node.title)
    assert confident_match(node, [real, real]) is real  # the same paper twice is still one
    twin = replace(real, arxiv_id="1806.99999")
    assert confident_match(node, [real, twin]) is None
    assert confident_match(replace(node, arxiv_id="1806.00001"), [real]) is None  # already linked elsewhere


def test_folding_case_punctuation_tex_and_accents():
    ours = Paper(id=1, title="Optimal transport and the Schrödinger bridge problem.", title_derived=False,
                 authors=["Dupré, Jean", "Martin L. King Jr."], authors_truncated=False, abstract="Short.",
                 categories=[], published=None, arxiv_id=None, lang="en", has_code=None)

    def theirs(title: str, *authors: str) -> Record:
        return Record(source=SourceRef("test", 1, "feed"), abstract="Other.", title=title, authors=list(authors),
                      arxiv_id="2501.00001", version=1)

    for title in ('Optimal Transport and the Schr\\"odinger Bridge Problem', "Optimal Transport and the SCHRODINGER "
                  "Bridge Problem", "Optimal transport -- and the Schrödinger-bridge problem!"):
        for author in ("Jean Dupre", "J. DUPRÉ", "Martin Luther King"):
            assert confident_match(ours, [theirs(title, "Someone Else", author)]) is not None, (title, author)
    assert confident_match(ours, [theirs("Optimal Transport and the Schrödinger Bridge Problem, Revisited",
                                         "Jean Dupré")]) is None
    assert confident_match(ours, [theirs("Optimal Transport and the Schrödinger Bridge", "Jean Dupré")]) is None
    assert confident_match(ours, [theirs("Optimal Transport and the Schrödinger Bridge Problem", "Jean Dupont",
                                         "Martin Kingston")]) is None


def test_nothing_is_asked_for_a_chinese_abstract(client, arxiv_server, seed_papers):
    chinese = next(p for p in seed_papers if p.lang == "zh")
    assert query_for(chinese) == (NOTHING_TO_ASK, "")
    assert find_match(client, chinese) is None
    assert arxiv_server.requests == []


# -- the request ------------------------------------------------------------------------------


def test_the_query_is_url_encoded(client, arxiv_server):
    arxiv_server.route("/api/query", "api_title_empty.atom.xml")
    client.search_title('Schrödinger: "Bridges" (and) $\\alpha$-Flows', max_results=3)
    client.search_abstract("naïve Bayes über alles", max_results=1)
    first, second = arxiv_server.raw_queries
    assert first == "search_query=ti:%22Schr%C3%B6dinger+Bridges+and+Flows%22&start=0&max_results=3"
    assert second == "search_query=abs:%22na%C3%AFve+Bayes+%C3%BCber+alles%22&start=0&max_results=1"
    assert [unquote_plus(raw.split("&")[0]) for raw in arxiv_server.raw_queries] == [
        'search_query=ti:"Schrödinger Bridges and Flows"', 'search_query=abs:"naïve Bayes über alles"']
    assert [q["search_query"] for _, q, _ in arxiv_server.requests] == [
        'ti:"Schrödinger Bridges and Flows"', 'abs:"naïve Bayes über alles"']


def test_nothing_searchable_is_never_sent(client, arxiv_server):
    for text in ("", '"()"', "$\\alpha$ -- ?"):
        with pytest.raises(ValueError, match="nothing to search"):
            client.search_title(text)
    with pytest.raises(ValueError, match="max_results"):
        client.search_title("Invertible Residual Networks", max_results=0)
    assert arxiv_server.requests == []


def test_arxiv_errors_are_one_sentence(client, arxiv_server):
    query = title_query("Invertible Residual Networks")
    arxiv_server.route_search(query, "api_error.atom.xml")
    with pytest.raises(ArxivError, match="arXiv refused the search .*incorrect id format"):
        client.search_title("Invertible Residual Networks")
    arxiv_server.route_search(query, (200, "Rate exceeded.", {"Content-Type": "text/plain"}))
    with pytest.raises(ArxivError, match="not an Atom feed"):
        client.search_title("Invertible Residual Networks")
    arxiv_server.route_search(query, (503, "Service Unavailable", {}))
    with pytest.raises(ArxivError, match="kept failing.*4 attempts.*HTTP 503"):
        client.search_title("Invertible Residual Networks")


# -- the pace ---------------------------------------------------------------------------------


def test_the_delay_between_requests_comes_from_the_setting(monkeypatch, arxiv_server, seed):
    node = seed("Neural Ordinary Differential Equations")
    arxiv_server.route_search(title_query(node.title), "api_title_neural_ode.atom.xml")
    for raw, expected in (("1.5", 1.5), ("0", 0.0), (None, 3.0), ("  ", 3.0)):
        if raw is None:
            monkeypatch.delenv("PAPERCLUB_ARXIV_DELAY", raising=False)
        else:
            monkeypatch.setenv("PAPERCLUB_ARXIV_DELAY", raw)
        settings = load_settings(env_file=None)
        assert settings.arxiv_delay == expected
        gate = FakeGate(interval=3.0)
        with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=gate, delay=settings.arxiv_delay) as client:
            assert find_match(client, node) is not None
            assert find_match(client, node) is not None
        assert gate.starts == [0.0, expected]
        assert gate.sleeps == ([expected] if expected else [])


def test_one_gate_per_process_takes_the_setting(monkeypatch, arxiv_server):
    shared = FakeGate(interval=3.0)
    monkeypatch.setattr(recommender.arxiv, "SHARED_GATE", shared)
    monkeypatch.setenv("PAPERCLUB_ARXIV_DELAY", "4.5")
    settings = load_settings(env_file=None)
    arxiv_server.route("/api/query", "api_title_empty.atom.xml")
    with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, delay=settings.arxiv_delay) as first, \
            ArxivClient(arxiv_server.rss_url, arxiv_server.api_url) as second:
        assert first.gate is second.gate is shared and shared.interval == 4.5
        first.search_title("Invertible Residual Networks")
        second.search_abstract(KFAC_PHRASE)
    assert shared.starts == [0.0, 4.5]


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf", "3s", "1,5"])
def test_a_malformed_delay_stops_with_the_variable_named(monkeypatch, raw):
    monkeypatch.setenv("PAPERCLUB_ARXIV_DELAY", raw)
    with pytest.raises(ConfigError, match=r"^PAPERCLUB_ARXIV_DELAY must be a number of seconds"):
        load_settings(env_file=None)


def test_the_client_refuses_a_negative_delay(fake_gate):
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="delay"):
            ArxivClient(gate=fake_gate, delay=bad)
    assert fake_gate.interval == 3.0


# -- linking the library's papers (Library.enrich) --------------------------------------------

CLOSED = "http://127.0.0.1:9/api/query"  # nothing listens there: arXiv out of reach
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def enriched(seeded_db, tmp_path_factory):
    """A copy of the seeded library after one `enrich` against the local arXiv that knows six
    seeds by title (two behind a decoy) and one by its abstract: the library, the report and
    the requests made. Shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("enriched") / "paperclub.db"
    shutil.copy(seeded_db, path)
    server = route_seed_searches(RecordedArxiv().start())
    library = Library(path)
    try:
        with ArxivClient(server.rss_url, server.api_url, gate=FakeGate(interval=0.0)) as client:
            report = library.enrich(client)
        yield library, report, list(server.requests)
    finally:
        library.close()
        server.stop()


def enricher(library: Library, client: ArxivClient, now: datetime = NOW) -> Enricher:
    store = store_of(library)
    return Enricher(store, Ingester(store), client, clock=lambda: now)


@pytest.fixture
def seeds_client(arxiv_server, fake_gate):
    route_seed_searches(arxiv_server)
    with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=fake_gate, backoff=1.0) as made:
        yield made


def test_enrich_links_the_six_seeds_and_the_abstract_one_and_no_decoy(enriched):
    library, report, requests = enriched
    assert report.error is None and report.due == report.done == 80
    assert len(requests) == 76  # one a paper, none for the 4 with nothing to ask
    linked = {o.arxiv_id: o.paper_id for o in report.matched}
    assert set(linked) == set(arxiv_seeds.SIX) | {arxiv_seeds.KFAC_ID}
    assert len(set(linked.values())) == 7
    for decoy in arxiv_seeds.DECOYS:
        assert store_of(library).id_by_arxiv(decoy) is None
    assert (len(report.missed), len(report.skipped), report.duplicates) == (69, 4, [])
    assert store_of(library).arxiv_checks() == {CheckOutcome.MATCHED: 7, CheckOutcome.MISSED: 69, CheckOutcome.SKIPPED: 4}
    assert library.stats()["with_arxiv_id"] == 7
    assert report.to_dict()["matched"][0] == {"id": report.matched[0].paper_id, "title": report.matched[0].title,
                                               "arxiv_id": report.matched[0].arxiv_id}


@pytest.mark.parametrize(("title", "recording", "arxiv_id", "version", "authors", "categories", "published"), SIX,
                         ids=[row[2] for row in SIX])
def test_a_match_fills_in_the_same_paper(enriched, seed, title, recording, arxiv_id, version, authors, categories,
                                         published):
    library, report, _ = enriched
    [paper_id] = [o.paper_id for o in report.matched if o.arxiv_id == arxiv_id]
    paper = library.paper(arxiv_id)
    assert paper.id == paper_id and paper.url == f"https://arxiv.org/abs/{arxiv_id}"
    assert (displayed(paper.authors), paper.authors_truncated) == (authors, False)
    assert paper.categories[:len(categories)] == categories  # arXiv's primary category first
    assert (paper.published, paper.date_approx) == (published, False)
    seed_paper = seed(title)
    assert (paper.title, paper.abstract) == (seed_paper.title, seed_paper.abstract)  # the lab's own text
    paths = [s.path for s in paper.sources]
    assert any(p.startswith("seeds/") for p in paths)
    assert any(p.startswith("http://127.0.0.1:") and "search_query=ti:" in p for p in paths)


def test_a_derived_title_gives_way_to_arxivs(enriched, seed):
    library, _, _ = enriched
    kfac = library.paper(arxiv_seeds.KFAC_ID)
    assert kfac.title == "Optimizing Neural Networks with Kronecker-factored Approximate Curvature"
    assert not kfac.title_derived and displayed(kfac.authors) == ["James Martens", "Roger Grosse"]
    assert kfac.abstract == seed("We propose an efficient method for approximating natural gradient descent").abstract


def test_full_author_lists_make_the_readme_search_work(enriched, seeded):
    query = 'author:Duvenaud year:2018-2020 "variational inference"'
    assert seeded.search(query) == []  # the seed listing cut FFJORD's authors before Duvenaud
    library, _, _ = enriched
    assert [r.paper.arxiv_id for r in library.search(query)] == ["1810.01367"]
    assert "1806.07366" in [r.paper.arxiv_id for r in library.search("author:Duvenaud ode", limit=20)]


def test_each_outcome_is_written_as_it_comes(seeded, seeds_client, arxiv_server):
    seen: list[tuple[int, int, dict[str, int]]] = []
    report = enricher(seeded, seeds_client).run(
        limit=3, progress=lambda done, total: seen.append((done, total, store_of(seeded).arxiv_checks())))
    assert [(done, total) for done, total, _ in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert [sum(checks.values()) for _, _, checks in seen] == [0, 1, 2, 3]
    assert [o.paper_id for o in report.matched] == [1] and len(report.missed) == 2
    assert len(arxiv_server.requests) == 3


def test_misses_wait_30_days_unless_retried(seeded, seeds_client, arxiv_server):
    first = enricher(seeded, seeds_client).run(limit=5)
    asked = [o.paper_id for o in first.matched + first.missed + first.skipped]
    assert sorted(asked) == [1, 2, 3, 4, 5]
    again = enricher(seeded, seeds_client, NOW + timedelta(days=29)).run(limit=5)
    assert {o.paper_id for o in again.missed + again.skipped}.isdisjoint(asked)
    later = enricher(seeded, seeds_client, NOW + timedelta(days=31)).run(limit=4)
    assert [o.paper_id for o in later.missed] == [2, 3, 4, 5]  # #1 is linked: never asked again
    retried = enricher(seeded, seeds_client, NOW + timedelta(days=31)).run(limit=4, retry=True)
    assert [o.paper_id for o in retried.missed] == [2, 3, 4, 5]
    assert len(arxiv_server.requests) == 5 + 5 + 4 + 4


def test_offline_says_one_sentence_and_changes_nothing(seeded, fake_gate):
    before = [store_of(seeded).fields(pid) for pid in store_of(seeded).all_ids()]
    with ArxivClient(CLOSED, CLOSED, gate=fake_gate) as offline:
        report = seeded.enrich(offline)
    assert report.error is not None and report.error.startswith("arXiv cannot be reached")
    assert "\n" not in report.error
    assert (report.due, report.done) == (80, 0)
    assert store_of(seeded).arxiv_checks() == {}
    assert [store_of(seeded).fields(pid) for pid in store_of(seeded).all_ids()] == before


def test_a_failure_part_way_keeps_what_was_found_and_stops(seeded, seeds_client, arxiv_server):
    second = store_of(seeded).paper(2)
    arxiv_server.route_search(title_query(second.title), "api_error.atom.xml")
    report = enricher(seeded, seeds_client).run()
    assert [o.arxiv_id for o in report.matched] == ["2310.13548"] and report.done == 1
    assert report.error is not None and "arXiv refused the search" in report.error
    assert store_of(seeded).arxiv_checks() == {CheckOutcome.MATCHED: 1}
    assert store_of(seeded).ids_to_match(None)[:1] == [2]  # left to ask next time
    assert len(arxiv_server.requests) == 2


def test_an_arxiv_id_another_paper_holds_is_a_duplicate(seeded, seeds_client):
    node = seeded.paper("Neural Ordinary Differential Equations")
    other = Record(source=SourceRef("elsewhere.csv", 2, "csv"), title="Continuous-depth networks (a different "
                   "title)", abstract="A short note.", authors=["Somebody Else"], arxiv_id="1806.07366")
    assert seeded.add_record(other) == "added"
    holder = store_of(seeded).id_by_arxiv("1806.07366")
    for paper_id in store_of(seeded).ids_to_match(None):
        if paper_id != node.id:  # the others were looked up a moment ago
            store_of(seeded).record_arxiv_check(paper_id, CheckOutcome.MISSED, NOW.isoformat())
    report = enricher(seeded, seeds_client).run()
    assert [(o.paper_id, o.arxiv_id, o.held_by) for o in report.duplicates] == [(node.id, "1806.07366", holder)]
    assert seeded.paper(node.id) == node  # left as it was
    assert store_of(seeded).arxiv_checks()[CheckOutcome.DUPLICATE] == 1


def test_a_run_can_be_stopped_between_papers(seeded, seeds_client, arxiv_server):
    report = enricher(seeded, seeds_client).run(should_stop=lambda: len(arxiv_server.requests) >= 2)
    assert report.done == 2 and report.error is None and report.due == 80


def test_merge_into_prefers_arxivs_date_and_categories_and_keeps_the_labs_text(seeded):
    node = seeded.paper("Neural Ordinary Differential Equations")
    record = Record(source=SourceRef("https://export.arxiv.org/api/query?x", 14, "feed"), abstract="Another text.",
                    title="Neural ordinary differential equations", authors=[CHEN, RUBANOVA, BETTENCOURT, DUVENAUD],
                    categories=["stat.ML", "cs.LG"], published=date(2018, 6, 1), arxiv_id="1806.07366", version=5)
    assert Ingester(store_of(seeded)).merge_into(node.id, record) == node.id
    merged = seeded.paper(node.id)
    assert (merged.title, merged.abstract) == (node.title, node.abstract)
    assert merged.categories == ["stat.ML", "cs.LG"] and merged.published == date(2018, 6, 1)
    assert merged.arxiv_id == "1806.07366" and not merged.authors_truncated
    assert Ingester(store_of(seeded)).merge_into(99_999, record) is None
