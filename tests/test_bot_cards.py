"""Paper cards fit Discord's limits and can ping no one, whatever the paper holds."""

from __future__ import annotations

import re
from datetime import date

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.likes import likes_card
from bot.render.papers import CARDS_PER_MESSAGE, FULL_ABSTRACT, VENUE_SHOWN, chunks, inline_title, meta_text, paper_card, paper_id_of, paper_list_cards, ranked_cards, search_cards
from bot.render.text import NO_MENTIONS, check_limits, clip, highlighted, message_text, plain, texts_of, units
from bot.client import create_bot
from bot.config import Settings
from recommender import Paper, PaperNotFound, Recommendation, SearchResult, Signal
from recommender.store import SNIPPET_END, SNIPPET_START

LIVE_MENTION = re.compile("@(?!\u200b)")
NASTY = [
    "@everyone", "@here", "<@123>", "<@&123>", "<@!123456789012345678>", "@", "**", "__", "||", "`",
    "```", "~~", "> ", "# ", "- ", "[link](https://example.com/@everyone)", "\\", "*", "_", "\n",
    "\u200b", "😀", "𝔸𝔹", "中文", "\u0301", " ", SNIPPET_START, SNIPPET_END, "\ue000", "\ue001",
]

piece = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
short_text = st.lists(piece, max_size=12).map("".join)
long_text = st.builds(lambda text, size: ((text or "x") * (size // max(1, len(text)) + 1))[:size], short_text, st.integers(5000, 9000))
any_text = st.one_of(short_text, long_text)
names = st.one_of(
    st.lists(short_text, max_size=12),
    st.builds(lambda n, name: [f"{name} {i}" for i in range(n)], st.integers(0, 320), short_text.map(lambda t: t[:60])),
)

papers = st.builds(
    Paper,
    id=st.integers(1, 10**15),
    title=any_text,
    title_derived=st.booleans(),
    authors=names,
    authors_truncated=st.booleans(),
    abstract=any_text,
    categories=st.one_of(st.lists(short_text, max_size=8), st.lists(st.sampled_from(["cs.LG", "stat.ML"]), max_size=40)),
    published=st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1))),
    arxiv_id=st.one_of(st.none(), st.from_regex(r"[0-9]{4}\.[0-9]{4,5}", fullmatch=True)),
    lang=st.one_of(st.sampled_from(["en", "zh"]), short_text),
    has_code=st.sampled_from([True, None]),
    organisations=st.lists(short_text, max_size=6),
    venue=st.one_of(st.none(), any_text),
)
reasons = st.one_of(
    any_text,
    st.builds(lambda a, b, title: f"shares *{a}*, *{b}* with *{title}*, which you liked", short_text, short_text, any_text),
)
snippets = st.lists(st.tuples(short_text, short_text), max_size=8).map(
    lambda parts: "".join(f"{plain}{SNIPPET_START}{hit}{SNIPPET_END}" for plain, hit in parts)
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_fits_and_pings_no_one(embeds: list[discord.Embed], content: str | None = None) -> None:
    assert check_limits(embeds, content) == []
    for text in texts_of(embeds, content):
        assert not LIVE_MENTION.search(text), f"a live mention in {text[:200]!r}"


@SETTINGS
@given(papers, st.one_of(st.none(), reasons))
def test_a_full_card_fits_for_any_paper(paper, reason):
    card = paper_card(paper, reason)
    assert_fits_and_pings_no_one([card])
    assert paper_id_of([card]) == paper.id
    assert card.title and card.title.strip()


@SETTINGS
@given(st.lists(st.tuples(papers, snippets), min_size=1, max_size=5))
def test_a_search_page_fits_in_one_message(hits):
    results = [SearchResult(paper, 1.0, snippet) for paper, snippet in hits]
    embeds = search_cards(results, first_rank=996)
    assert len(embeds) == len(results)
    assert_fits_and_pings_no_one(embeds, f"Results 996–1000 for “{plain('@everyone ' * 300, 200)}”:")


@SETTINGS
@given(st.lists(st.tuples(short_text, short_text), max_size=40), st.integers(0, 400))
def test_highlights_come_in_pairs_and_fit(parts, limit):
    text = "".join(f"{plain}\ue100{hit}\ue101" for plain, hit in parts).replace("://", "")
    shown = highlighted(text, limit, "\ue100", "\ue101")
    assert units(shown) <= limit
    unescaped = re.sub(r"\\.", "", shown, flags=re.DOTALL)  # an escaped character is plain text
    assert unescaped.count("**") % 2 == 0
    assert not LIVE_MENTION.search(shown)


@SETTINGS
@given(st.lists(st.tuples(papers, reasons), min_size=1, max_size=10))
def test_ranked_cards_fit_five_to_a_message(ranked):
    results = [Recommendation(paper, 1.0, reason) for paper, reason in ranked]
    embeds = ranked_cards(results)
    for chunk in chunks(embeds):
        assert len(chunk) <= CARDS_PER_MESSAGE
        assert_fits_and_pings_no_one(chunk, "Picked for you:")


@SETTINGS
@given(st.lists(papers, max_size=40), short_text)
def test_a_list_of_likes_fits(liked, whose):
    signals = [Signal(paper, "like", None, "2026-11-22T10:00:00+00:00") for paper in liked]
    assert_fits_and_pings_no_one([likes_card(signals, whose)])


@SETTINGS
@given(any_text, st.lists(any_text, max_size=5), papers)
def test_messages_naming_papers_fit(ref, suggestions, paper):
    assert_fits_and_pings_no_one([], message_text(str(PaperNotFound(ref, suggestions))))
    assert_fits_and_pings_no_one([], f"Liked *{inline_title(paper)}*. Your recommendations will use it.")


def paper(**fields) -> Paper:
    base = dict(
        id=42, title="A title", title_derived=False, authors=["Ada Lovelace"], authors_truncated=False,
        abstract="An abstract.", categories=["cs.LG"], published=date(2019, 6, 1), arxiv_id=None,
        lang="en", has_code=None,
    )
    return Paper(**{**base, **fields})


def test_markdown_in_titles_shows_as_written():
    card = paper_card(paper(title="**bold** __under__ ||spoiler|| `code` ~~strike~~"))
    assert card.title == r"\*\*bold\*\* \_\_under\_\_ \|\|spoiler\|\| \`code\` \~\~strike\~\~"


def test_mentions_are_neutralised_everywhere():
    card = paper_card(paper(title="@everyone look", abstract="<@&123> and <@123> and @here", authors=["@here"]))
    assert card.title == "@\u200beveryone look"
    assert "<@\u200b&123>" in card.description and "<@\u200b123>" in card.description
    assert card.fields[0].value == "@\u200bhere"


def test_a_big_collaboration_is_cut_after_eight_names():
    card = paper_card(paper(authors=[f"Author {i}" for i in range(300)]))
    authors = next(f.value for f in card.fields if f.name == "Authors")
    assert authors == ", ".join(f"Author {i}" for i in range(8)) + " et al. (300 authors)"


def test_the_card_shows_what_is_known():
    card = paper_card(paper(arxiv_id="1806.07366", has_code=True), reason="shares *ode* with *FFJORD*")
    assert card.url == "https://arxiv.org/abs/1806.07366"
    fields = {f.name: f.value for f in card.fields}
    assert fields["Code"] == "available"
    assert fields["Published"] == "2019-06-01"
    assert fields["Why"] == "shares *ode* with *FFJORD*"
    assert card.footer.text == "paperclub #42 · arXiv:1806.07366"


def test_the_venue_follows_the_date_in_italics():
    card = paper_card(paper(venue="Physical Review D"))
    assert {f.name: f.value for f in card.fields}["Published"] == "2019-06-01 · *Physical Review D*"
    [listed] = paper_list_cards([paper(venue="Physical Review D", has_code=True)])
    assert "\n2019-06-01 · *Physical Review D* · cs.LG · code available\n" in listed.description
    undated = paper_card(paper(venue="Physical Review D", published=None))
    assert {f.name: f.value for f in undated.fields}["Published"] == "*Physical Review D*"
    assert meta_text(paper(venue=None), 120) == "2019-06-01 · cs.LG"


def test_markup_and_mentions_in_a_venue_show_as_written():
    card = paper_card(paper(venue="**J.** of @everyone <@123>"))
    published = {f.name: f.value for f in card.fields}["Published"]
    assert published == "2019-06-01 · *\\*\\*J.\\*\\* of @\u200beveryone \\<@\u200b123>*"
    assert_fits_and_pings_no_one([card])


def test_a_venue_of_2000_characters_is_cut_and_every_card_fits():
    venue = "Proceedings of the International Workshop on Extremely Long Names " * 30  # 2,010
    long = paper(venue=venue[:2000], categories=["cs.LG", "stat.ML", "math.OC"], has_code=True)
    card = paper_card(long)
    published = {f.name: f.value for f in card.fields}["Published"]
    assert published.startswith("2019-06-01 · *Proceedings of the International") and published.endswith("…*")
    assert units(published) <= VENUE_SHOWN + len("2019-06-01 · ")
    listed = paper_list_cards([long] * 5)
    meta = listed[0].description.split("\n")[1]
    assert meta.startswith("2019-06-01 · *Proceedings")
    assert meta.endswith("…* · cs.LG stat.ML math.OC · code available")
    assert_fits_and_pings_no_one([card])
    assert_fits_and_pings_no_one(listed, "Your likes:")
    assert_fits_and_pings_no_one(ranked_cards([Recommendation(long, 1.0, "shares *x*")] * 5))


def test_an_empty_paper_still_makes_a_card():
    card = paper_card(paper(title="", abstract="", authors=[], categories=[], published=None))
    assert card.title == "Untitled paper #42"
    assert check_limits([card]) == []


def test_long_text_is_cut_at_a_word_with_an_ellipsis():
    card = paper_card(paper(abstract="word " * 2000))
    assert card.description.endswith("word…")
    assert len(card.description) <= FULL_ABSTRACT


def test_check_limits_reports_what_is_too_long():
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    embed.add_field(name="", value="v" * 2000)
    problems = check_limits([embed] * 11, "c" * 2001)
    assert any("content" in p for p in problems)
    assert any("11 embeds" in p for p in problems)
    assert any("title" in p for p in problems)
    assert any("description" in p for p in problems)
    assert any("empty field" in p for p in problems)
    assert any("total" in p for p in problems)


def test_lengths_count_utf16_units():
    assert units("😀") == 2
    assert units(clip("😀" * 10, 5)) <= 5


def test_the_bot_mentions_no_one_by_default(tmp_path):
    bot = create_bot(Settings(db_path=str(tmp_path / "x.db")), sync_commands=False)
    assert bot.allowed_mentions.to_dict() == {"parse": []}
    assert NO_MENTIONS.to_dict() == {"parse": []}
