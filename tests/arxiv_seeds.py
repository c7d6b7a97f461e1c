"""A local arXiv that knows six bundled seed papers (and one by its abstract), for the tests of
matching the library to arXiv: the recorded title answers of tests/data/arxiv/api_title_*.atom.xml,
two of them with a decoy listed first (a longer look-alike title; the same title by other
authors), and an empty answer to every other search.

Run on its own, it serves until stopped, for timing `paperclub enrich` by hand:

    .venv/bin/python -m tests.arxiv_seeds &
    PAPERCLUB_ARXIV_API_URL=http://127.0.0.1:PORT/api/query PAPERCLUB_ARXIV_DELAY=0.05 paperclub enrich
"""

from __future__ import annotations

import sys
import threading

from recommender.arxiv import search_phrase
from tests.arxiv_server import API_PATH, RecordedArxiv

# arXiv id -> the seed paper's title, for the six seeds arXiv knows by title.
SIX = {
    "1806.07366": "Neural Ordinary Differential Equations",
    "1810.01367": "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models",
    "1907.03907": "Latent ODEs for Irregularly-Sampled Time Series",
    "1906.02735": "Residual Flows for Invertible Generative Modeling",
    "1811.00995": "Invertible Residual Networks",
    "2310.13548": "Towards Understanding Sycophancy in Language Models",
}
DECOYS = ("2512.99901", "2512.99902")  # made up: never to be linked
# The seed known only by its abstract, and the phrase of it that is asked for.
KFAC_ID = "1503.05671"
KFAC_PHRASE = "efficient method for approximating natural gradient"

_RECORDINGS = {
    "1806.07366": "api_title_neural_ode_and_lookalike.atom.xml",
    "1810.01367": "api_title_ffjord.atom.xml",
    "1907.03907": "api_title_latent_odes.atom.xml",
    "1906.02735": "api_title_residual_flows_and_other_authors.atom.xml",
    "1811.00995": "api_title_iresnet.atom.xml",
    "2310.13548": "api_title_sycophancy.atom.xml",
}


def title_query(title: str) -> str:
    """The search query paperclub sends for a title."""
    return f'ti:"{search_phrase(title)}"'


def route_seed_searches(server: RecordedArxiv, by_abstract: bool = True) -> RecordedArxiv:
    """Teach `server` the seeds' answers: the six titles (with the two decoys), the K-FAC
    abstract phrase when `by_abstract`, and no papers for anything else."""
    server.route(API_PATH, "api_title_empty.atom.xml")
    for arxiv_id, title in SIX.items():
        server.route_search(title_query(title), _RECORDINGS[arxiv_id])
    if by_abstract:
        server.route_search(f'abs:"{KFAC_PHRASE}"', "api_title_by_abstract_kfac.atom.xml")
    return server


def main() -> None:
    server = route_seed_searches(RecordedArxiv().start())
    print(f"PAPERCLUB_ARXIV_API_URL={server.api_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
