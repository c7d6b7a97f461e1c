"""The plain-text listing layouts: cards, author blocks and translated abstracts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.papers import Record, Rejection
from recommender.people import displayed
from recommender.sources.listings import (
    looks_like_author_blocks,
    looks_like_cards,
    looks_like_translated,
    parse_author_blocks,
    parse_cards,
    parse_translated,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DATA = Path(__file__).resolve().parent / "data"
TODAY = date(2026, 11, 22)

CARDS_000 = SEEDS / "000_7b57e512285d5935.txt"
BLOCKS_001 = SEEDS / "001_757a460f5ac33bca.txt"
TRANSLATED_002 = SEEDS / "002_c58bde9f958d963c.txt"
CARDS_003 = SEEDS / "003_8d03e0dcad3942ef.txt"

LOOKS = {
    "cards": looks_like_cards,
    "author-blocks": looks_like_author_blocks,
    "translated": looks_like_translated,
}
PARSERS = (parse_cards, parse_author_blocks, parse_translated)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def parse(parser, text: str, today: date = TODAY, path: str = "x.txt") -> list[Record | Rejection]:
    return list(parser(text, path, today))


def records(items) -> list[Record]:
    return [r for r in items if isinstance(r, Record)]


def rejections(items) -> list[Rejection]:
    return [r for r in items if isinstance(r, Rejection)]


@pytest.fixture(scope="module")
def cards() -> list[Record]:
    """Every card of both card files, in file order."""
    found = []
    for path in (CARDS_000, CARDS_003):
        items = parse(parse_cards, read(path), path=path.name)
        assert not rejections(items)
        found.extend(items)
    return found


def card(cards: list[Record], title_start: str) -> Record:
    (match,) = [c for c in cards if c.title.startswith(title_start)]
    return match


# Every card of the two seed files, checked by eye: (title, first author).
_000_SPLITS = [
    ('Towards Understanding Sycophancy in Language Models', 'Mrinank Sharma'),
    ('On Implicit Bias in Overparameterized Bilevel Optimization', 'Paul Vicol'),
    ("Tools for Verifying Neural Models' Training Data", 'Dami Choi'),
    ('The Artificial Self: Characterising the landscape of AI identity', 'Raymond Douglas'),
    ('Sorting Out Quantum Monte Carlo', 'Jack Richter-Powell'),
    (
        'Full-Stack Alignment: Co-Aligning AI and Institutions with Thick Models of Value',
        'Joe Edelman',
    ),
    ("Who's in Charge? Disempowerment Patterns in Real-World LLM Usage", 'Mrinank Sharma'),
    (
        'Sleeper Agents: Training Deceptive LLMs that Persist Through Safety Training',
        'Evan Hubinger',
    ),
    ('Alignment faking in large language models', 'Ryan Greenblatt'),
    ('Efficient Graph Generation with Graph Recurrent Attention Networks', 'Renjie Liao'),
    (
        'LLM Processes: Numerical Predictive Distributions Conditioned on Natural Language',
        'James Requeima',
    ),
    ('Sabotage Evaluations for Frontier Models', 'Joe Benton'),
    ("Experts Don't Cheat: Learning What You Don't Know By Predicting Pairs", 'Daniel D. Johnson'),
    ('A Definition of AGI', 'Dan Hendrycks'),
    ('JoLT: Joint Probabilistic Predictions on Tabular Data Using LLMs', 'Aliaksandra Shysheya'),
    (
        'Sycophancy to Subterfuge: Investigating Reward-Tampering in Large Language Models',
        'Carson Denison',
    ),
    ('Meta-Learning to Improve Pre-Training', 'Aniruddh Raghu'),
    ('Complex Momentum for Optimization in Games', 'Jonathan Lorraine'),
    (
        'Infinitely Deep Bayesian Neural Networks with Stochastic Differential Equations',
        'Winnie Xu',
    ),
    ('Oops I Took A Gradient: Scalable Sampling for Discrete Distributions', 'Will Grathwohl'),
    (
        'Self-Tuning Stochastic Optimization with Curvature-Aware Gradient Filtering',
        'Ricky T. Q. Chen',
    ),
    ('Teaching with Commentaries', 'Aniruddh Raghu'),
    (
        'No MCMC for me: Amortized sampling for fast and stable training of energy-based models',
        'Will Grathwohl',
    ),
    ('A Study of Gradient Variance in Deep Learning', 'Fartash Faghri'),
    ('Learning Differential Equations that are Easy to Solve', 'Jacob Kelly'),
    (
        'SUMO: Unbiased Estimation of Log Marginal Probability for Latent Variable Models',
        'Yucen Luo',
    ),
    (
        'What went wrong and when? Instance-wise Feature Importance for Time-series Models',
        'Sana Tonekaboni',
    ),
    (
        'Learning the Stein Discrepancy for Training and Evaluating Energy-Based Models without Sampling',
        'Will Grathwohl',
    ),
    ('Scalable Gradients for Stochastic Differential Equations', 'Xuechen Li'),
    ('Neural Networks with Cheap Differential Operators', 'Ricky T. Q. Chen'),
    (
        'Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One',
        'Will Grathwohl',
    ),
    ('Optimizing Millions of Hyperparameters by Implicit Differentiation', 'Jonathan Lorraine'),
    ('Understanding Undesirable Word Embedding Associations', 'Kawin Ethayarajh'),
    ('Latent ODEs for Irregularly-Sampled Time Series', 'Yulia Rubanova'),
    ('Residual Flows for Invertible Generative Modeling', 'Ricky T. Q. Chen'),
    (
        'Self-Tuning Networks: Bilevel Optimization of Hyperparameters using Structured Best-Response Functions',
        'Matthew MacKay',
    ),
    ('Invertible Residual Networks', 'Jens Behrmann'),
    ('Towards Understanding Linear Word Analogies', 'Kawin Ethayarajh'),
    (
        'FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models',
        'Will Grathwohl',
    ),
    (
        'Stochastic Combinatorial Ensembles for Defending Against Adversarial Examples',
        'George A. Adam',
    ),
    ('Explaining Image Classifiers by Counterfactual Generation', 'Chun-Hao Chang'),
    ('Scalable Recommender Systems through Recursive Evidence Chains', 'Elias Tragas'),
    ('Neural Ordinary Differential Equations', 'Ricky T. Q. Chen'),
    ('Stochastic Hyperparameter Optimization through Hypernetworks', 'Jonathan Lorraine'),
    ('Isolating Sources of Disentanglement in Variational Autoencoders', 'Ricky T. Q. Chen'),
    ('Inference Suboptimality in Variational Autoencoders', 'Chris Cremer'),
    ('Generating and designing DNA with deep generative models', 'Nathan Killoran'),
    ('Noisy Natural Gradient as Variational Inference', 'Guodong Zhang'),
    (
        'Backpropagation through the Void: Optimizing control variates for black-box gradient estimation',
        'Will Grathwohl',
    ),
    ('Reinterpreting Importance-Weighted Autoencoders', 'Chris Cremer'),
]
_003_SPLITS = [
    ('Fast Finite Width Neural Tangent Kernel', 'Roman Novak'),
    (
        'Beyond the Imitation Game: Quantifying and extrapolating the capabilities of language models',
        'Aarohi Srivastava',
    ),
    ('Small-scale proxies for large-scale Transformer training instabilities', 'Mitchell Wortsman'),
    ('Scaling Exponents Across Parameterizations and Optimizers', 'Katie Everett'),
    (
        'Wide Bayesian neural networks have a simple weight posterior: theory and accelerated sampling',
        'Jiri Hron',
    ),
    ('Fast Neural Kernel Embeddings for General Activations', 'Insu Han'),
    (
        'Training Language Models on the Knowledge Graph: Insights on Hallucinations and Their Detectability',
        'Jiri Hron',
    ),
    (
        'Frontier Language Models are not Robust to Adversarial Arithmetic, or "What do I need to say so you agree 2+2=5?',
        'C. Daniel Freeman',
    ),
    (
        'Beyond Human Data: Scaling Self-Training for Problem-Solving with Language Models',
        'Avi Singh',
    ),
    (
        'On the infinite width limit of neural networks with a standard parameterization',
        'Jascha Sohl-Dickstein',
    ),
    ('Neural Tangents: Fast and Easy Infinite Neural Networks in Python', 'Roman Novak'),
    ('Dataset Distillation with Infinitely Wide Convolutional Networks', 'Timothy Nguyen'),
    ('Finite Versus Infinite Neural Networks: an Empirical Study', 'Jaehoon Lee'),
    ('Exact posterior distributions of wide Bayesian neural networks', 'Jiri Hron'),
    ('Infinite attention: NNGP and NTK for deep attention networks', 'Jiri Hron'),
    (
        'Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent',
        'Jaehoon Lee',
    ),
    (
        'Bayesian Deep Convolutional Networks with Many Channels are Gaussian Processes',
        'Roman Novak',
    ),
    ('Sensitivity and Generalization in Neural Networks: an Empirical Study', 'Roman Novak'),
    ('Deep Neural Networks as Gaussian Processes', 'Jaehoon Lee'),
    ('Iterative Refinement for Machine Translation', 'Roman Novak'),
    ('Improving the Neural Algorithm of Artistic Style', 'Roman Novak'),
    ('Exploring the Neural Algorithm of Artistic Style', 'Yaroslav Nikulin'),
]
CARD_SPLITS = _000_SPLITS + _003_SPLITS


# --------------------------------------------------------------------------------------------
# The seed files


@pytest.mark.parametrize(
    ("path", "layout"),
    [(CARDS_000, "cards"), (BLOCKS_001, "author-blocks"),
     (TRANSLATED_002, "translated"), (CARDS_003, "cards")],
)
def test_each_seed_file_is_detected_as_its_layout_only(path, layout):
    text = read(path)
    assert {name for name, looks in LOOKS.items() if looks(text)} == {layout}


@pytest.mark.parametrize(
    ("path", "parser", "count"),
    [(CARDS_000, parse_cards, 50), (BLOCKS_001, parse_author_blocks, 8),
     (TRANSLATED_002, parse_translated, 10), (CARDS_003, parse_cards, 22)],
)
def test_seed_record_counts(path, parser, count):
    items = parse(parser, read(path), path=path.name)
    assert not rejections(items)
    assert len(items) == count
    assert all(r.source.path == path.name for r in items)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.csv")) + sorted(DATA.glob("*.jsonl")), ids=str)
def test_csv_and_json_lines_are_not_listings(path):
    text = read(path)
    assert not any(looks(text) for looks in LOOKS.values())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        "We study things. It works well.\n\nThis is another paragraph of English prose.\n" * 5,
        ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n'
         "<title>A</title>\n<summary>We propose via a method.</summary>\n</entry>\n</feed>\n"),
        "title,abstract\nNeural ODEs,We propose continuous-depth models.\n",
    ],
    ids=["empty", "blank", "prose", "atom", "csv"],
)
def test_other_text_is_not_a_listing(text):
    assert not any(looks(text) for looks in LOOKS.values())


def test_every_card_title_and_first_author(cards):
    assert [(c.title, c.authors[0].display) for c in cards] == CARD_SPLITS


@pytest.mark.parametrize(
    ("title_start", "title", "authors"),
    [
        ("FFJORD", "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models",
         ["Will Grathwohl", "Ricky T. Q. Chen", "Jesse Bettencourt"]),
        ("JoLT", "JoLT: Joint Probabilistic Predictions on Tabular Data Using LLMs",
         ["Aliaksandra Shysheya", "John Bronskill", "James Requeima"]),
        ("A Definition", "A Definition of AGI", ["Dan Hendrycks", "Dawn Song", "Christian Szegedy"]),
        ("Frontier Language Models",
         ('Frontier Language Models are not Robust to Adversarial Arithmetic, or "What do I need to '
          "say so you agree 2+2=5?"), ["C. Daniel Freeman", "Laura Culp", "Aaron Parisi"]),
        ("Exploring the Neural", "Exploring the Neural Algorithm of Artistic Style",
         ["Yaroslav Nikulin", "Roman Novak"]),
        ("Improving the Neural", "Improving the Neural Algorithm of Artistic Style",
         ["Roman Novak", "Yaroslav Nikulin"]),
        ("Sorting Out", "Sorting Out Quantum Monte Carlo",
         ["Jack Richter-Powell", "Luca Thiede", "Alán Asparu-Guzik"]),
        ("Your Classifier",
         "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One",
         ["Will Grathwohl", "Kuan-Chieh Wang", "Jörn-Henrik Jacobsen"]),
        ("Neural Networks with Cheap", "Neural Networks with Cheap Differential Operators",
         ["Ricky T. Q. Chen", "David Duvenaud"]),
        ("Self-Tuning Networks",
         ("Self-Tuning Networks: Bilevel Optimization of Hyperparameters using Structured "
          "Best-Response Functions"), ["Matthew MacKay", "Paul Vicol", "Jon Lorraine"]),
        ("Latent ODEs", "Latent ODEs for Irregularly-Sampled Time Series",
         ["Yulia Rubanova", "Ricky T. Q. Chen", "David Duvenaud"]),
        ("Full-Stack",
         "Full-Stack Alignment: Co-Aligning AI and Institutions with Thick Models of Value",
         ["Joe Edelman", "Tan Zhi-Xuan", "Ryan Lowe"]),
        ("Scalable Gradients", "Scalable Gradients for Stochastic Differential Equations",
         ["Xuechen Li", "Ting-Kam Leonard Wong", "Ricky T. Q. Chen"]),
    ],
)
def test_tricky_title_author_splits(cards, title_start, title, authors):
    found = card(cards, title_start)
    assert found.title == title
    assert displayed(found.authors) == authors


def test_first_card_fields(cards):
    first = cards[0]
    assert first.source.path == CARDS_000.name
    assert first.source.line == 1
    assert first.source.format == "listing-cards"
    assert first.title == "Towards Understanding Sycophancy in Language Models"
    assert displayed(first.authors) == ["Mrinank Sharma", "Meg Tong", "Tomasz Korbak"]
    assert first.authors_truncated is True
    assert first.organisations == ["openai", "stanford"]
    assert first.categories == ["cs.CL"]
    assert first.published == date(2023, 10, 20)
    assert first.has_code is None
    assert first.lang == "en"
    assert first.title is not None and first.arxiv_id is None
    assert first.abstract.startswith("Human feedback is commonly utilized to finetune AI assistants.")
    assert first.abstract.endswith("judgments favoring sycophantic responses.")


def test_card_without_et_al_or_organisations(cards):
    tools = card(cards, "Tools for Verifying")
    assert tools.source.line == 7
    assert displayed(tools.authors) == ["Dami Choi", "Yonadav Shavit", "David Duvenaud"]
    assert tools.authors_truncated is False
    assert tools.organisations == []


def test_card_categories_and_code_flags(cards):
    by_category = {c.categories[0] for c in cards}
    assert by_category == {"cs.CL", "cs.LG", "cs.AI", "cs.CY", "cs.CR", "cs.CV", "cs.IR", "stat.ML"}
    assert card(cards, "Who's in Charge").categories == ["cs.CY"]
    assert card(cards, "Sleeper Agents").categories == ["cs.CR"]
    assert card(cards, "Scalable Recommender").categories == ["cs.IR"]
    assert card(cards, "LLM Processes").categories == ["stat.ML"]
    with_code = [c.title for c in cards if c.has_code]
    assert with_code == [
        "Efficient Graph Generation with Graph Recurrent Attention Networks",
        "Fast Finite Width Neural Tangent Kernel",
        "On the infinite width limit of neural networks with a standard parameterization",
        "Neural Tangents: Fast and Easy Infinite Neural Networks in Python",
    ]
    assert all(c.has_code is None for c in cards if c.title not in with_code)  # never False


def test_card_organisations_and_tex_kept(cards):
    fast = cards[50]
    assert fast.source.path == CARDS_003.name and fast.source.line == 1
    assert fast.published == date(2022, 6, 17)
    assert fast.organisations == ["anthropic", "deepmind"]
    assert displayed(fast.authors) == ["Roman Novak", "Jascha Sohl-Dickstein", "Samuel S. Schoenholz"]
    assert fast.authors_truncated is False
    assert "$Θ_θ^f(x_1, x_2) = \\left[\\partial f(θ, x_1)" in fast.abstract
    big = card(cards, "Beyond the Imitation Game")
    assert big.organisations == ["allen-ai", "amazon-science"]
    experts = card(cards, "Experts Don't Cheat")
    assert experts.organisations == ["deepmind", "utoronto"]
    assert "${\\widehat{" in experts.abstract



def test_tex_outside_math_reads_as_text(cards):
    faking = card(cards, "Alignment faking in large language models")
    assert "documents that mimic pre-training data–and observe" in faking.abstract  # data--and
    kernels = card(cards, "Fast Neural Kernel Embeddings for General Activations")
    assert "applies to any homogeneous dual activation" in kernels.abstract  # \\emph{homogeneous}
    translated = parse(parse_translated, read(TRANSLATED_002))
    assert "humans to be consistently worse than even relatively small" in translated[9].abstract


def test_tex_and_entities_in_a_card_and_an_author_block():
    text = ("LGOct 2, 2019\n"
            "Random Graphs \\`a la Erd\\H{o}s--R\\'enyi \\& {GPU}s"
            "Paul Erd\\H{o}s, Alfr\\'ed R\\'enyi, J. O&#39;Brien et al. · mit\n"
            "We study \\emph{random} graphs &amp; $O(n^2)$ bounds.\n")
    [r] = parse(parse_cards, text)
    assert r.title == "Random Graphs à la Erdős–Rényi & GPUs"
    assert displayed(r.authors) == ["Paul Erdős", "Alfréd Rényi", "J. O'Brien"] and r.authors_truncated
    assert r.abstract == "We study random graphs & O(n²) bounds."
    text = ("Papers of the week\n"
            "Paul Erd\\H{o}s, Alfr\\'ed R\\'enyi, Kurt G{\\\"o}del\n"
            "We study \\emph{random} graphs.\nVia arXiv\n")
    [r] = parse(parse_author_blocks, text)
    assert displayed(r.authors) == ["Paul Erdős", "Alfréd Rényi", "Kurt Gödel"]
    assert r.abstract == "We study random graphs."


def test_year_less_dates_are_the_latest_before_ingest_day(cards):
    assert card(cards, "The Artificial Self").published == date(2026, 3, 11)
    assert card(cards, "Who's in Charge").published == date(2026, 1, 27)
    text = read(CARDS_000)
    early = {r.title: r.published for r in parse(parse_cards, text, today=date(2026, 3, 10))}
    artificial = "The Artificial Self: Characterising the landscape of AI identity"
    in_charge = "Who's in Charge? Disempowerment Patterns in Real-World LLM Usage"
    assert early[artificial] == date(2025, 3, 11)
    assert early[in_charge] == date(2026, 1, 27)
    same_day = {r.title: r.published for r in parse(parse_cards, text, today=date(2026, 3, 11))}
    assert same_day[artificial] == date(2026, 3, 11)


def one_card(header: str, today: date) -> Record | Rejection:
    (item,) = parse(parse_cards, f"{header}\nA TitleJane Doe\nWe study things.\n", today=today)
    return item


@pytest.mark.parametrize(
    ("header", "today", "expected"),
    [
        ("LGDec 25", date(2026, 11, 22), date(2025, 12, 25)),
        ("LGMar 11", date(2026, 11, 22), date(2026, 3, 11)),
        ("LGFeb 29", date(2026, 11, 22), date(2024, 2, 29)),
        ("LGFeb 29", date(2028, 2, 28), date(2024, 2, 29)),
        ("LGFeb 29", date(2028, 2, 29), date(2028, 2, 29)),
        ("LGFeb 29, 2024Code", date(2026, 11, 22), date(2024, 2, 29)),
        ("LGMar 11Code", date(2026, 11, 22), date(2026, 3, 11)),
    ],
)
def test_card_dates(header, today, expected):
    found = one_card(header, today)
    assert isinstance(found, Record)
    assert found.published == expected
    assert found.has_code is (True if header.endswith("Code") else None)


@pytest.mark.parametrize(
    ("code", "category"),
    [("RO", "cs.RO"), ("NE", "cs.NE"), ("CL", "cs.CL"), ("ML", "stat.ML"), ("SE", "cs.SE")],
)
def test_other_category_codes(code, category):
    found = one_card(f"{code}Oct 2, 2019", TODAY)
    assert isinstance(found, Record) and found.categories == [category]


@pytest.mark.parametrize(
    ("header", "words"),
    [("ZZOct 2, 2019", "unknown arXiv category"), ("LGFeb 30, 2023", "no such date"),
     ("LGFeb 30", "no such date"), ("LGFoo 3, 2020", "unknown month")],
)
def test_bad_card_headers_are_rejected(header, words):
    found = one_card(header, TODAY)
    assert isinstance(found, Rejection)
    assert found.line == 1 and words in found.reason


def test_author_blocks_fields():
    items = parse(parse_author_blocks, read(BLOCKS_001), path=BLOCKS_001.name)
    assert [r.source.line for r in items] == [3, 9, 15, 21, 27, 33, 39, 45]
    first = items[0]
    assert first.source.format == "author-blocks"
    assert not first.title
    assert displayed(first.authors) == [
        "Jack Richter-Powell", "Luca Thiede", "Alán Asparu-Guzik", "David Duvenaud",
    ]
    assert first.authors_truncated is False
    assert first.categories == [] and first.published is None and first.has_code is None
    assert "the sortlet, which scales as O(N log N)" in first.abstract
    sycophancy = items[1]
    assert len(sycophancy.authors) == 19
    assert displayed(sycophancy.authors)[:3] == ["Mrinank Sharma", "Meg Tong", "Tomasz Korbak"]
    assert displayed(sycophancy.authors)[-1] == "Ethan Perez"
    assert displayed(items[6].authors) == ["Winnie Xu", "Ricky T. Q. Chen", "Xuechen Li", "David Duvenaud"]
    assert displayed(items[7].authors)[-1] == "Chris J. Maddison"
    assert all(r.lang == "en" for r in items)


def test_translated_abstracts_fields():
    items = parse(parse_translated, read(TRANSLATED_002), path=TRANSLATED_002.name)
    assert [r.source.line for r in items] == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]
    assert [r.lang for r in items] == ["en"] * 3 + ["zh"] * 4 + ["en"] * 3
    assert all(r.source.format == "translated-abstracts" for r in items)
    assert all(not r.title and displayed(r.authors) == [] for r in items)
    assert items[3].abstract.startswith("神经网络经常将许多无关的概念包装到一个神经元中")
    assert items[0].abstract.startswith("Many problems in machine learning involve bilevel")
    assert "translated by" not in " ".join(r.abstract for r in items)


# --------------------------------------------------------------------------------------------
# Line endings and malformed input

CARD = "{cat}Oct 2, 2019\nA Good TitleJane Doe, John Smith et al. · mit\nWe study things carefully.\n"


@pytest.mark.parametrize("parser,path", [(parse_cards, CARDS_000), (parse_author_blocks, BLOCKS_001),
                                         (parse_translated, TRANSLATED_002)])
def test_crlf_bom_and_trailing_blank_lines(parser, path):
    text = read(path)
    plain = parse(parser, text)
    dressed = "\ufeff" + text.replace("\n", "\r\n") + "\r\n\r\n  \r\n"
    assert parse(parser, dressed) == plain
    assert parse(parser, text.rstrip("\n")) == plain
    assert LOOKS[{parse_cards: "cards", parse_author_blocks: "author-blocks",
                  parse_translated: "translated"}[parser]](dressed)


def test_card_fields_from_a_small_listing():
    (found,) = parse(parse_cards, CARD.format(cat="RO"))
    assert found.title == "A Good Title"
    assert displayed(found.authors) == ["Jane Doe", "John Smith"]
    assert found.authors_truncated is True
    assert found.organisations == ["mit"]
    assert found.categories == ["cs.RO"]


def test_bad_cards_are_rejected_and_parsing_goes_on():
    text = (
        CARD.format(cat="LG")                           # 1-3 good
        + "ZZOct 2, 2019\nA TitleJane Doe\nAbstract.\n"  # 4-6 unknown category
        + "some stray line\nanother stray line\n"       # 7-8 not a card
        + "LGOct 3, 2019\nA Title Without AuthorsThat Parse!\nAbstract here.\n"  # 9-11 bad split
        + "LGOct 4, 2019\nOnly A TitleJane Doe\n"       # 12-13 no abstract
        + CARD.format(cat="CV")                         # 14-16 good
        + "LGJan 5, 2020\n"                             # 17 header only
        + CARD.format(cat="NE")                         # 18-20 good
        + "LGJan 6, 2020\nCut OffJane Doe"              # 21-22 cut off at the end
    )
    items = parse(parse_cards, text)
    assert [(type(r).__name__, r.source.line if isinstance(r, Record) else r.line) for r in items] == [
        ("Record", 1), ("Rejection", 4), ("Rejection", 7), ("Rejection", 10), ("Rejection", 12),
        ("Record", 14), ("Rejection", 17), ("Record", 18), ("Rejection", 21),
    ]
    bad = rejections(items)
    assert "unknown arXiv category abbreviation 'ZZ'" in bad[0].reason
    assert "expected a card's category and date line" in bad[1].reason
    assert "skipped 2 lines" in bad[1].reason
    assert "cannot tell the title from the authors" in bad[2].reason
    assert "no abstract" in bad[3].reason
    assert "only its category and date line" in bad[4].reason
    assert "no abstract" in bad[5].reason and "cut off" in bad[5].reason
    assert [r.categories for r in records(items)] == [["cs.LG"], ["cs.CV"], ["cs.NE"]]
    assert all(r.path == "x.txt" for r in bad)


def test_missing_title_line_is_rejected():
    text = "LGOct 2, 2019\nwe study things and they work.\n" + CARD.format(cat="AI")
    items = parse(parse_cards, text)
    assert isinstance(items[0], Rejection) and items[0].line == 1
    assert "no title and author line" in items[0].reason
    assert isinstance(items[1], Record) and items[1].source.line == 3


def test_a_truncated_seed_file_keeps_its_complete_cards():
    lines = read(CARDS_003).splitlines()
    items = parse(parse_cards, "\n".join(lines[:-1]))
    assert len(records(items)) == 21
    (bad,) = rejections(items)
    assert bad.line == 64 and "cut off" in bad.reason


BLOCK = "Jane Doe, John Smith\n\n{abstract}\n\nVia\n\n"


def test_bad_author_blocks_are_rejected_and_parsing_goes_on():
    text = (
        "Get our free extension!\n\n"                                # 1 banner
        + BLOCK.format(abstract="First abstract.")                   # 3, 5, 7
        + "Ann Lee, Bo Chen\n\nVia\n\n"                              # 9, 11: no abstract
        + "Via\n\n"                                                  # 13: nothing before
        + "Kim Park, Lee Min\n\nAbstract two.\n\n"                   # 15, 17: Via missing
        + BLOCK.format(abstract="Third abstract.")                   # 19, 21, 23
        + "Tom Kay, Ada Byron\n\nCut off abstract"                   # 25, 27: no final Via
    )
    items = parse(parse_author_blocks, text)
    summary = [(type(r).__name__, r.source.line if isinstance(r, Record) else r.line) for r in items]
    assert summary == [("Record", 3), ("Rejection", 9), ("Rejection", 13), ("Record", 15),
                       ("Record", 19), ("Rejection", 25)]
    abstracts = [r.abstract for r in records(items)]
    assert abstracts == ["First abstract.", "Abstract two.", "Third abstract."]
    assert displayed(records(items)[1].authors) == ["Kim Park", "Lee Min"]
    bad = rejections(items)
    assert "no abstract" in bad[0].reason
    assert "'Via' line with no author line" in bad[1].reason
    assert "cut off" in bad[2].reason


def test_author_block_with_prose_instead_of_authors():
    text = (
        "Banner!\n\nthis is not a list of names at all.\nAbstract.\nVia\n"  # 3, 4, 5
        + BLOCK.format(abstract="Fine.")                                      # 6, 8, 10
    )
    items = parse(parse_author_blocks, text)
    assert isinstance(items[0], Rejection) and items[0].line == 3
    assert isinstance(items[1], Record) and items[1].source.line == 6


def test_bad_translated_abstracts_are_rejected_and_parsing_goes_on():
    text = (
        "translated by 谷歌翻译\n"            # 1 nothing before
        "First abstract.\n"                    # 2
        "translated by 谷歌翻译\n\n"          # 3
        "Orphan abstract.\n"                   # 5 no marker after it
        "第二个摘要。\n"                        # 6
        "Translated by DeepL\n"                # 7
        "Cut off abstract"                     # 8 no marker at the end
    )
    items = parse(parse_translated, text)
    summary = [(type(r).__name__, r.source.line if isinstance(r, Record) else r.line) for r in items]
    assert summary == [
        ("Rejection", 1), ("Record", 2), ("Rejection", 5), ("Record", 6), ("Rejection", 8),
    ]
    assert [r.lang for r in records(items)] == ["en", "zh"]
    assert "cut off" in items[-1].reason


# --------------------------------------------------------------------------------------------
# Arbitrary input never breaks a parser

FRAGMENTS = st.sampled_from([
    "LG", "CL", "ZZ", "ML", "Oct 2, 2019", "Mar 11", "Feb 29", "Feb 30", "Code", "A Definition of AGI",
    "Dan Hendrycks", ", ", " et al.", " · ", "openai", "translated by 谷歌翻译", "Via",
    "\n", "\r\n",
    "\ufeff", " ", "2+2=5?", "C. Daniel", "Jörn-Henrik", "McCandlish", "神经网络", "$\\textit{x}$",
    "{", "\\'e", ",", ".", "-", "·",
])
CARDISH = st.lists(st.lists(FRAGMENTS, max_size=8).map("".join), max_size=12).map("\n".join)
ALL_FUNCTIONS_SETTINGS = settings(max_examples=60, deadline=None,
                                  suppress_health_check=[HealthCheck.too_slow])


def check_everything(text: str) -> None:
    for looks in LOOKS.values():
        assert looks(text) in (True, False)
    for parser in PARSERS:
        for item in parser(text, "h.txt", TODAY):
            assert isinstance(item, (Record, Rejection))
            if isinstance(item, Record):
                assert item.abstract and item.source.line >= 1
            else:
                assert item.reason and item.line >= 1


@ALL_FUNCTIONS_SETTINGS
@given(st.text())
def test_arbitrary_text_never_raises(text):
    check_everything(text)


@ALL_FUNCTIONS_SETTINGS
@given(CARDISH)
def test_card_like_fragments_never_raise(text):
    check_everything(text)
