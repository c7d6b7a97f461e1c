"""Every command through its text form, against the real seeded library (Discord faked by dpytest)."""

from __future__ import annotations

import asyncio

import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from bot.render.papers import paper_id_of
from bot.render.text import check_limits
from tests.test_bot_harness import all_embeds, bot, bot_db, messages, sent, titles  # noqa: F401

NODE = "Neural Ordinary Differential Equations"


async def run(text: str, member: int = 0):
    """Send a text command and return the bot's messages in answer to it."""
    await dpytest.message(text, member=member)
    return messages()


def assert_safe(found, payloads) -> None:
    for message in found:
        assert check_limits(message.embeds, message.content) == []
    assert payloads, "the bot sent nothing"
    for payload in payloads:
        assert payload["allowed_mentions"]["parse"] == []
        assert not payload["allowed_mentions"].get("replied_user")


async def test_search_finds_neural_odes_with_snippets_and_buttons(bot, sent):
    found = await run("!search neural ode")
    assert len(found) == 1
    embeds = found[0].embeds
    assert 1 <= len(embeds) <= 5
    assert any(NODE in t for t in titles(embeds))
    assert "neural ode" in found[0].content
    assert any("**" in (e.description or "") for e in embeds), "matched words are in bold"
    assert all(paper_id_of([e]) is not None for e in embeds)
    custom_ids = [c["custom_id"] for row in sent[-1]["components"] for c in row["components"] if "custom_id" in c]
    assert any(cid.startswith("paperclub:like:") for cid in custom_ids)
    assert_safe(found, sent)


async def test_search_pages_through_results(bot, sent):
    found = await run("!search cat:cs.LG")
    assert len(found[0].embeds) == 5
    assert found[0].embeds[0].title.startswith("1. ")
    rows = sent[-1]["components"]
    paging = [c for row in rows for c in row["components"] if c.get("custom_id", "").startswith("paperclub:page:")]
    assert [c["label"] for c in paging] == ["Previous", "Next"]
    assert paging[0]["disabled"] is True and not paging[1].get("disabled")


async def test_search_paging_buttons_disable_after_timeout(bot, sent):
    bot.pager.timeout = 0.05
    await run("!search cat:cs.LG")
    assert len(bot.pager.sessions) == 1
    await asyncio.sleep(0.2)
    assert bot.pager.sessions == {}
    edited = sent[-1]["components"]
    paging = [c for row in edited for c in row["components"] if c.get("custom_id", "").startswith("paperclub:page:")]
    assert paging and all(c["disabled"] for c in paging)
    likes = [c for row in edited for c in row["components"] if c.get("custom_id", "").startswith("paperclub:like:")]
    assert likes and not any(c.get("disabled") for c in likes), "paper buttons keep working"


async def test_search_with_no_results_says_so(bot):
    found = await run("!search zzzzqqqq")
    assert "No papers match" in found[0].content
    assert found[0].embeds == []


async def test_a_query_that_cannot_be_searched_is_explained(bot):
    with pytest.raises(commands.CommandInvokeError):
        await run("!search -")
    found = messages()
    assert len(found) == 1 and found[0].content
    assert "wrong on our side" not in found[0].content


async def test_like_changes_recommendations(bot, sent):
    before = await run("!recommend")
    before_titles = titles(all_embeds(before))
    assert len(before_titles) == 5
    liked = await run("!like FFJORD")
    assert liked[0].content.startswith("Liked *FFJORD")
    assert "recommendations will use it" in liked[0].content
    after = await run("!recommend")
    after_embeds = all_embeds(after)
    assert titles(after_embeds) != before_titles
    assert any("FFJORD" in f.value for e in after_embeds for f in e.fields if f.name == "Why")
    assert_safe(before + liked + after, sent)


async def test_recommend_sends_ten_as_two_messages(bot):
    found = await run("!recommend 10")
    assert [len(m.embeds) for m in found] == [5, 5]
    assert found[1].embeds[0].title.startswith("6. ")
    for message in found:
        assert check_limits(message.embeds, message.content) == []


async def test_recommend_count_out_of_range_is_explained(bot):
    with pytest.raises(commands.BadArgument):
        await run("!recommend 50")
    found = messages()
    assert "10" in found[0].content and "Usage" in found[0].content


async def test_unknown_paper_gets_suggestions(bot):
    with pytest.raises(commands.CommandInvokeError):
        await run("!paper Neural Ordinary Diferential Equatons")
    found = messages()
    assert len(found) == 1
    assert "Did you mean" in found[0].content
    assert NODE in found[0].content


async def test_unknown_paper_for_like_gets_suggestions(bot):
    with pytest.raises(commands.CommandInvokeError):
        await run("!like residual flowz")
    assert "Did you mean" in messages()[0].content


async def test_random_in_a_category(bot, sent):
    found = await run("!random cs.CL")
    card = found[0].embeds[0]
    assert any(f.name == "Categories" and "cs.CL" in f.value for f in card.fields)
    assert_safe(found, sent)


async def test_random_in_an_empty_category_is_explained(bot):
    with pytest.raises(commands.CommandInvokeError):
        await run("!random math.AG")
    assert "No papers in category" in messages()[0].content


async def test_random_surprise_picks_from_the_callers_ranking(bot):
    await run("!like FFJORD")
    found = await run("!random surprise")
    assert paper_id_of(found[0].embeds) is not None


async def test_similar_to_ffjord(bot, sent):
    found = await run("!similar FFJORD")
    assert found[0].content.startswith("More like *FFJORD")
    embeds = found[0].embeds
    assert len(embeds) == 5
    assert all(any(f.name == "Why" for f in e.fields) for e in embeds)
    assert not any(t.startswith("1. FFJORD") for t in titles(embeds))
    assert_safe(found, sent)


async def test_paper_by_title_fragment_and_by_id(bot):
    by_title = await run("!paper Neural Ordinary Differential")
    card = by_title[0].embeds[0]
    assert card.title == NODE
    paper_id = paper_id_of([card])
    assert any(f.name == "Authors" for f in card.fields)
    by_id = await run(f"!paper {paper_id}")
    assert by_id[0].embeds[0].title == NODE


async def test_likes_lists_the_callers_likes(bot):
    empty = await run("!likes")
    assert "not liked any papers" in empty[0].content
    await run("!like FFJORD")
    await run("!like Latent ODEs")
    found = await run("!likes")
    listing = found[0].embeds[0]
    assert "2 papers" in listing.title
    assert "FFJORD" in listing.description and "Latent ODEs" in listing.description
    assert paper_id_of([listing]) is None, "a list of likes is not a paper card"


async def test_likes_of_another_member(bot):
    await run("!like FFJORD", member=1)
    other = dpytest.get_config().members[1]
    found = await run(f"!likes {other.id}")
    assert "FFJORD" in found[0].embeds[0].description


async def test_unlike_and_dislike(bot):
    await run("!like FFJORD")
    found = await run("!unlike FFJORD")
    assert found[0].content.startswith("Forgot your like")
    assert "not liked any papers" in (await run("!likes"))[0].content
    found = await run("!dislike FFJORD")
    assert found[0].content.startswith("Noted: fewer papers like *FFJORD")


async def test_trending_counts_this_servers_likes(bot):
    nothing = await run("!trending")
    assert "Nothing was liked here" in nothing[0].content
    await run("!like FFJORD", member=0)
    await run("!like FFJORD", member=1)
    await run("!like Latent ODEs", member=1)
    found = await run("!trending 3")
    embeds = found[0].embeds
    assert "FFJORD" in embeds[0].title
    assert "liked by 2 people" in embeds[0].fields[0].value


async def test_help_is_one_card(bot):
    found = await run("!help")
    assert len(found) == 1 and len(found[0].embeds) == 1
    text = found[0].embeds[0].description + " ".join(f.name for f in found[0].embeds[0].fields)
    for command in ("search", "random", "similar", "paper", "like", "likes", "recommend", "trending"):
        assert f"/{command}" in text


async def test_heavy_commands_have_a_per_person_cooldown(bot):
    for _ in range(5):
        await run("!search flow")
    with pytest.raises(commands.CommandOnCooldown):
        await run("!search flow")
    assert messages()[0].content.startswith("Slow down a little: try again in ")
    assert await run("!search flow", member=1), "someone else is not slowed down"


async def test_missing_argument_shows_usage(bot):
    with pytest.raises(commands.MissingRequiredArgument):
        await run("!similar")
    assert "Usage: `!similar <paper>`" in messages()[0].content


async def test_a_bug_answers_briefly_and_logs_the_traceback(bot, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.library, "recommend", broken)
    with pytest.raises(commands.CommandInvokeError):
        await run("!recommend")
    found = messages()
    assert found[0].content == "Something went wrong on our side; it has been logged."
    assert "database on fire" not in found[0].content
    assert any("database on fire" in (r.exc_text or "") for r in caplog.records)


async def test_reads_run_on_reader_threads_and_likes_on_the_writer(bot, monkeypatch):
    import threading

    seen: dict[str, list[str]] = {"search": [], "like": []}
    for name in seen:
        real = getattr(bot.library, name)

        def spying(*args, real=real, name=name, **kwargs):
            seen[name].append(threading.current_thread().name)
            return real(*args, **kwargs)

        monkeypatch.setattr(bot.library, name, spying)
    await run("!search flow")
    await run("!like FFJORD")
    assert seen["search"] and all(t.startswith("paperclub-read") for t in seen["search"])
    assert seen["like"] and all(t.startswith("paperclub-write") for t in seen["like"])
