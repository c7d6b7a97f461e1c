"""The bot matches papers to arXiv in the background once it is up, on a thread of its own, and
a card shows the link as soon as the match lands. The arXiv is the local server answering with
recorded Atom (tests/arxiv_seeds.py); Discord is dpytest."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import discord.ext.test as dpytest
import pytest

from bot.config import Settings
from recommender import ArxivClient, Library
from recommender.kinds import CheckOutcome
from recommender.papers import Record, SourceRef
from tests.arxiv_seeds import route_seed_searches, title_query
from tests.arxiv_server import RECORDINGS
from tests.test_bot_harness import bot_db, messages, start_bot, stop_bot  # noqa: F401

NODE = "Neural Ordinary Differential Equations"
NODE_URL = "https://arxiv.org/abs/1806.07366"
CLOSED = "http://127.0.0.1:9"


def only_due(db_path: Path, *titles: str) -> None:
    """Record every other paper as looked up a moment ago, so that a pass asks about these only."""
    with Library(db_path) as library:
        keep = {library.paper(title).id for title in titles}
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for paper_id in library.store.ids_to_match(None):
            if paper_id not in keep:
                library.store.record_arxiv_check(paper_id, CheckOutcome.MISSED, now)


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def ask(text: str) -> list:
    await dpytest.message(text)
    return messages()


@pytest.fixture
def client(arxiv_server, fake_gate):
    route_seed_searches(arxiv_server)
    with ArxivClient(arxiv_server.rss_url, arxiv_server.api_url, gate=fake_gate, retries=0) as made:
        yield made


async def test_after_start_up_the_background_matcher_links_a_seed(bot_db, arxiv_server, client):
    only_due(bot_db, NODE)
    bot = await start_bot(bot_db, settings=Settings(db_path=str(bot_db)), arxiv=client)
    try:
        assert bot.enrichment.running and arxiv_server.requests == []  # nothing asked before the bot is up
        [before] = await ask(f"!paper {NODE}")
        assert before.embeds[0].url is None
        bot.dispatch("ready")
        await until(lambda: bot.enrichment.passes == 1)
        assert [q["search_query"] for _, q, _ in arxiv_server.requests] == [title_query(NODE)]
        [after] = await ask("!paper 1806.07366")
        card = after.embeds[0]
        assert (card.title, card.url) == (NODE, NODE_URL)
        authors = next(f.value for f in card.fields if f.name == "Authors")
        assert "David Duvenaud" in authors
    finally:
        await stop_bot(bot)
    assert not bot.enrichment.running


async def test_a_command_is_answered_while_a_match_is_under_way(bot_db, arxiv_server, client):
    only_due(bot_db, NODE)
    arxiv_server.route_search(title_query(NODE), (200, RECORDINGS / "api_title_neural_ode.atom.xml", {}, 2.0))
    bot = await start_bot(bot_db, settings=Settings(db_path=str(bot_db)), arxiv=client)
    try:
        bot.dispatch("ready")
        await until(lambda: len(arxiv_server.requests) == 1)
        [answer] = await ask("!search neural ode")
        assert any(NODE in (e.title or "") for e in answer.embeds)
        assert bot.library.store.id_by_arxiv("1806.07366") is None  # arXiv has not answered yet
        await until(lambda: bot.library.store.id_by_arxiv("1806.07366") is not None)
    finally:
        await stop_bot(bot)


async def test_papers_ingested_beside_the_bot_are_matched_at_the_next_look(bot_db, arxiv_server, client):
    only_due(bot_db)
    title = "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    arxiv_server.route_search(title_query(title), "api_title_diphoton.atom.xml")
    bot = await start_bot(bot_db, settings=Settings(db_path=str(bot_db)), arxiv=client)
    try:
        bot.enrichment.poll = 0.05
        bot.dispatch("ready")
        await until(lambda: bot.enrichment.passes >= 1)
        assert arxiv_server.requests == []
        with Library(bot_db) as beside:  # `paperclub ingest` in another process
            beside.add_record(Record(source=SourceRef("hep.csv", 2, "csv"), title=title, authors=["C. Balazs"],
                                     abstract="A fully differential calculation in perturbative QCD."))
        await until(lambda: bot.library.store.id_by_arxiv("0704.0001") is not None)
        assert bot.library.paper("0704.0001").authors[0].display == "C. Balázs"
    finally:
        await stop_bot(bot)


async def test_offline_the_bot_goes_on_and_nothing_changes(bot_db, fake_gate):
    only_due(bot_db, NODE)
    offline = ArxivClient(CLOSED + "/rss/", CLOSED + "/api/query", gate=fake_gate, retries=0)
    bot = await start_bot(bot_db, settings=Settings(db_path=str(bot_db)), arxiv=offline)
    try:
        bot.dispatch("ready")
        await until(lambda: bot.enrichment.passes == 1)
        assert bot.enrichment.last is not None and bot.enrichment.last.error
        assert bot.library.store.arxiv_checks() == {CheckOutcome.MISSED: 79}  # only what only_due wrote
        [answer] = await ask(f"!paper {NODE}")
        assert answer.embeds[0].url is None
    finally:
        await stop_bot(bot)


async def test_switched_off_it_never_starts(bot_db, arxiv_server, client):
    bot = await start_bot(bot_db, settings=Settings(db_path=str(bot_db), enrich=False), arxiv=client)
    try:
        bot.dispatch("ready")
        await asyncio.sleep(0.2)
        assert not bot.enrichment.running and bot.enrichment.passes == 0
        assert arxiv_server.requests == []
    finally:
        await stop_bot(bot)


def test_the_setting(monkeypatch):
    from bot.config import ConfigError, load_settings

    for raw, expected in ((None, True), ("", True), ("off", False), ("OFF", False), ("0", False), ("on", True),
                          ("yes", True)):
        if raw is None:
            monkeypatch.delenv("PAPERCLUB_ENRICH", raising=False)
        else:
            monkeypatch.setenv("PAPERCLUB_ENRICH", raw)
        assert load_settings(env_file=None).enrich is expected
    monkeypatch.setenv("PAPERCLUB_ENRICH", "sometimes")
    with pytest.raises(ConfigError, match="^PAPERCLUB_ENRICH must be on or off, got 'sometimes'"):
        load_settings(env_file=None)
