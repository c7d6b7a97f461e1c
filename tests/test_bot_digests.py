"""The /digest commands and arXiv link cards through their text form (Discord faked by dpytest).

The database and ranking are real, the arXiv feeds and API answers are recorded ones served over
HTTP by a local server, and the clock is fixed at noon UTC on Monday 2 June 2025, the day the
recorded feeds announce.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext import commands

from recommender import ArxivClient, CallKind, PaperNotFound
from recommender.digest import ONLY_RELEVANT

from .conftest import DATA
from .test_bot_harness import (  # noqa: F401 (fixtures)
    api,
    bot_db,
    deliver,
    interaction_payload,
    messages,
    sent,
    snowflake,
    start_bot,
    stop_bot,
)

FEEDS = DATA / "arxiv"
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)
NOT_ALLOWED = "Only members with the Manage Channels permission can change that."

# What the recorded feeds announce as new on 2 June 2025 (the rest are cross-lists and replacements).
NEW_IN_CS_LG = {"On Implicit Bias in Overparameterized Bilevel Optimization"}
NEW_IN_STAT_ML = {
    "Consistent line clustering using geometric hypergraphs",
    "Neural Drift Estimation for Ergodic Diffusions: Non-parametric Analysis and Numerical Exploration",
    "Adaptive finite element type decomposition of Gaussian processes",
}
CROSS_INTO_CS_LG = {"2505.24464", "2505.20817"}
SYCOPHANCY = "Towards Understanding Sycophancy in Language Models"
SYCOPHANCY_LINK = "https://arxiv.org/abs/2310.13548"
MISSING_LINK = "https://arxiv.org/abs/2505.99999"
CLIPPED_SGD_LINK = "arxiv.org/pdf/2505.20817v1"
OFFLINE = "http://127.0.0.1:9"
NEURAL_DRIFT = "Neural Drift Estimation for Ergodic Diffusions: Non-parametric Analysis and Numerical Exploration"
# Seed papers on differential equations in neural networks: of the day's four new papers, only
# the neural drift one comes close to them (similarity 0.20 in the index refitted with the day's
# papers, which digests rank with; the next is 0.12).
ODE_LIKES = (43, 30, 34, 19, 35, 37, 29)
EPHEMERAL = 64


@pytest_asyncio.fixture
async def bot(bot_db, fake_gate, request):
    """The bot at NOW. Its arXiv is the local server when the test asks for `arxiv_server`;
    otherwise an address where nothing listens (so any request would fail), which spares the
    server's half-second shutdown."""
    if "arxiv_server" in request.fixturenames:
        server = request.getfixturevalue("arxiv_server")
        server.route("/rss/cs.LG", FEEDS / "rss_cs_LG.xml")
        server.route("/rss/stat.ML", FEEDS / "rss_stat_ML.xml")
        server.route_api("2310.13548", FEEDS / "api_query.atom.xml")
        server.route_api("2310.13548,2505.20817", FEEDS / "api_query.atom.xml")
        server.route_api("2505.99999", FEEDS / "api_not_found.atom.xml")
        client = ArxivClient(server.rss_url, server.api_url, gate=fake_gate, retries=0)
    else:
        client = ArxivClient(OFFLINE + "/rss/", OFFLINE + "/api/query", gate=fake_gate, retries=0)
    running = await start_bot(bot_db, arxiv=client, clock=lambda: NOW)
    yield running
    await stop_bot(running)


@pytest_asyncio.fixture
async def manager(bot) -> discord.Member:
    """Member 0, given a role with the Manage Channels permission; member 1 keeps the defaults
    (which do not include it)."""
    config = dpytest.get_config()
    guild = config.guilds[0]
    everyone = guild.default_role.permissions
    assert not everyone.manage_channels
    allowed = discord.Permissions(everyone.value)
    allowed.manage_channels = True
    role = dpytest.backend.make_role("Reading group admins", guild, permissions=allowed.value)
    member = config.members[0]
    await dpytest.add_role(member, role)
    assert config.channels[0].permissions_for(member).manage_channels
    assert not config.channels[0].permissions_for(config.members[1]).manage_channels
    return member


@pytest.fixture
def channel(bot) -> discord.TextChannel:
    return dpytest.get_config().channels[0]


@pytest.fixture
def guild_id(bot) -> str:
    return str(dpytest.get_config().guilds[0].id)


async def run(text: str, member: int = 0, error: type[Exception] | None = None) -> list[discord.Message]:
    """Send a text command as a member and return the bot's messages in answer to it; `error`
    is the exception the command is expected to end with (dpytest raises it again)."""
    if error is None:
        await dpytest.message(text, member=member)
    else:
        with pytest.raises(error):
            await dpytest.message(text, member=member)
    return messages()


async def only_text(text: str, member: int = 0, error: type[Exception] | None = None) -> str:
    """The one message the bot answers with, its Markdown escapes removed."""
    found = await run(text, member, error)
    assert len(found) == 1, [m.content for m in found]
    return found[0].content.replace("\\", "")


async def subscription(bot, target: str):
    return await bot.lib.subscription(target)


async def links_on(bot, channel) -> bool:
    return await bot.lib.links_on(channel.id)


def card_titles(found: list[discord.Message]) -> list[str]:
    """Card titles without their rank ("1. ") and Markdown escapes."""
    return [re.sub(r"^\d+\.\s+", "", (e.title or "")).replace("\\", "") for m in found for e in m.embeds]


def arxiv_ids(found: list[discord.Message]) -> list[str]:
    """The arXiv ids the cards name in their footers."""
    return [m.group(1) for msg in found for e in msg.embeds
            for m in [re.search(r"arXiv:(\S+)", e.footer.text or "")] if m]


def api_requests(arxiv_server) -> list[str]:
    return [query.get("id_list", "") for path, query, _ in arxiv_server.requests if path == "/api/query"]


def assert_no_mentions(payloads) -> None:
    assert payloads, "the bot sent nothing"
    for payload in payloads:
        assert payload["allowed_mentions"]["parse"] == []
        assert not payload["allowed_mentions"].get("replied_user")


# -- subscribe, show, unsubscribe ------------------------------------------------------------


async def test_subscribe_describes_and_stores_the_subscription(bot, manager, channel, guild_id, sent):
    text = await only_text('!digest subscribe "cs.LG stat.ML" 08:30 Europe/Berlin 3')
    for part in ("cs.LG, stat.ML", "3 papers", "08:30", "Europe/Berlin"):
        assert part in text, text
    assert text.startswith("This channel gets a daily arXiv digest")
    kept = await subscription(bot, f"channel:{channel.id}")
    assert kept is not None
    assert kept.categories == ("cs.LG", "stat.ML")
    assert f"{kept.post_time:%H:%M}" == "08:30"
    assert kept.timezone == "Europe/Berlin"
    assert kept.size == 3
    assert kept.group == guild_id
    assert kept.kind == "channel" and kept.channel_id == channel.id
    assert kept.created_by == str(manager.id)
    assert not kept.cross_lists and not kept.say_when_empty
    assert_no_mentions(sent)


async def test_subscribe_spells_categories_canonically_and_takes_options(bot, manager, channel):
    text = await only_text("!digest subscribe cs.lg 07:00 UTC 10 yes")
    assert "cs.LG" in text and "10 papers" in text and "with cross-lists" in text
    kept = await subscription(bot, f"channel:{channel.id}")
    assert kept.categories == ("cs.LG",) and kept.size == 10 and kept.cross_lists


@pytest.mark.parametrize("command, expected, error", [
    ('!digest subscribe "cs.LG bogus.XX" 08:30 UTC', "'bogus.XX' is not an arXiv category", commands.CommandInvokeError),
    ("!digest subscribe cs.LG 08:30 Mars/Olympus_Mons", "Mars/Olympus_Mons", commands.CommandInvokeError),
    ("!digest subscribe cs.LG 25:99 UTC", "25:99", commands.CommandInvokeError),
    ("!digest subscribe cs.LG 08:30 UTC 11", "10", commands.BadArgument),
    ("!digest subscribe cs.LG 08:30 UTC 0", "1", commands.BadArgument),
])
async def test_bad_settings_are_explained_and_nothing_is_stored(bot, manager, channel, command, expected, error):
    text = await only_text(command, error=error)
    assert expected in text, text
    assert "wrong on our side" not in text
    assert await subscription(bot, f"channel:{channel.id}") is None


async def test_a_bad_size_names_the_limit(bot, manager):
    text = await only_text("!digest subscribe cs.LG 08:30 UTC 11", error=commands.BadArgument)
    assert "11" in text and "10" in text
    assert "Usage: `!digest subscribe <categories>" in text


async def test_show_subscribe_unsubscribe_round_trip(bot, manager, channel):
    assert "This channel has no daily digest" in await only_text("!digest")
    assert "This channel has no daily digest" in await only_text("!digest show", member=1)
    await run('!digest subscribe "stat.ML" 09:15 America/New_York 4')
    for command, member in (("!digest", 0), ("!digest show", 1)):
        text = await only_text(command, member=member)
        assert text.startswith("This channel gets a daily arXiv digest"), text
        assert "stat.ML" in text and "09:15" in text and "America/New_York" in text and "4 papers" in text
    assert await only_text("!digest unsubscribe") == "This channel's daily digest is stopped."
    assert await subscription(bot, f"channel:{channel.id}") is None
    assert "This channel has no daily digest" in await only_text("!digest")
    assert await only_text("!digest unsubscribe") == "This channel has no daily digest."


async def test_subscribing_again_replaces_the_subscription(bot, manager, channel):
    await run("!digest subscribe cs.LG 08:00 UTC 5")
    await run('!digest subscribe "stat.ML math.PR" 18:00 Asia/Tokyo 2')
    kept = await subscription(bot, f"channel:{channel.id}")
    assert kept.categories == ("stat.ML", "math.PR") and kept.timezone == "Asia/Tokyo" and kept.size == 2
    assert len(await bot.lib.subscriptions()) == 1


# -- who may change what -----------------------------------------------------------------------


async def test_members_without_manage_channels_cannot_change_anything(bot, manager, channel):
    await run('!digest subscribe "cs.LG" 08:30 Europe/Berlin 3')
    before = await subscription(bot, f"channel:{channel.id}")
    for command in ('!digest subscribe "stat.ML" 10:00 UTC 5', "!digest unsubscribe", "!digest links on"):
        assert await only_text(command, member=1, error=commands.MissingPermissions) == NOT_ALLOWED
    assert await subscription(bot, f"channel:{channel.id}") == before
    assert not await links_on(bot, channel)


async def test_members_without_manage_channels_cannot_subscribe_a_channel(bot, channel):
    assert await only_text("!digest subscribe cs.LG", member=1, error=commands.MissingPermissions) == NOT_ALLOWED
    assert await subscription(bot, f"channel:{channel.id}") is None


async def test_members_without_manage_channels_may_look_and_preview(bot, manager, channel, arxiv_server):
    await run('!digest subscribe "cs.LG stat.ML" 08:30 Europe/Berlin 3')
    assert "cs.LG, stat.ML" in await only_text("!digest", member=1)
    assert "cs.LG, stat.ML" in await only_text("!digest show", member=1)
    found = await run("!digest preview", member=1)
    assert found and found[0].content.startswith("Preview of the digest for cs.LG, stat.ML")
    assert len(card_titles(found)) == 3


# -- preview -----------------------------------------------------------------------------------


async def test_preview_fetches_the_feeds_and_ranks_the_new_papers(bot, manager, channel, arxiv_server, sent):
    command = await dpytest.message('!digest preview "cs.LG stat.ML"', member=1)
    found = messages()
    assert sorted(arxiv_server.paths()) == ["/rss/cs.LG", "/rss/stat.ML"]
    assert len(found) == 1
    header = found[0].content
    assert header == "Preview of the digest for cs.LG, stat.ML · Mon 02 Jun 2025: 4 of 4 new papers."
    titles = card_titles(found)
    assert set(titles) == NEW_IN_CS_LG | NEW_IN_STAT_ML
    assert [e.title.split(".")[0] for e in found[0].embeds] == ["1", "2", "3", "4"]
    assert sent[-1]["message_reference"]["message_id"] == command.id, "a private answer replies to its author"
    assert_no_mentions(sent)


async def test_preview_records_nothing_and_does_not_fetch_again(bot, manager, channel, arxiv_server):
    await run("!digest subscribe cs.LG 12:30 UTC 5")
    first = card_titles(await run('!digest preview "cs.LG stat.ML"'))
    requests = len(arxiv_server.requests)
    assert requests == 2
    second = card_titles(await run('!digest preview "cs.LG stat.ML"'))
    # The same papers; their order may change, as the index of this small library is refitted
    # in the background once the first preview has added the day's papers.
    assert sorted(second) == sorted(first) and len(first) == 4, "nothing was marked delivered by the first preview"
    assert len(arxiv_server.requests) == requests, "each announcement is fetched once"

    def recorded() -> tuple[int, set[int]]:
        store = bot.library.store
        count = store.db.execute("SELECT count(*) FROM digests").fetchone()[0]
        return count, store.delivered(f"channel:{channel.id}")

    assert await bot.threads.run(CallKind.READ, recorded) == (0, set())
    due = await bot.lib.subscriptions_due(NOW + timedelta(hours=1))
    assert [s.target for s in due] == [f"channel:{channel.id}"], "the real digest is still to come"


async def test_preview_uses_the_channels_subscription(bot, manager, channel, arxiv_server):
    await run('!digest subscribe "stat.ML" 08:30 UTC 2')
    found = await run("!digest preview")
    assert arxiv_server.paths() == ["/rss/stat.ML"]
    assert found[0].content.endswith("2 of 3 new papers.")
    titles = card_titles(found)
    assert len(titles) == 2 and set(titles) <= NEW_IN_STAT_ML


async def test_preview_with_cross_lists_in_two_messages(bot, arxiv_server):
    found = await run('!digest preview "cs.LG stat.ML" 10 yes')
    assert [len(m.embeds) for m in found] == [5, 2]
    assert found[0].content.endswith("7 of 7 new papers.") and found[1].content == ""
    assert found[1].embeds[0].title.startswith("6. ")
    ids = arxiv_ids(found)
    assert len(ids) == len(set(ids)) == 7, "a paper new in one category and cross-listed in another comes once"
    assert CROSS_INTO_CS_LG | {"2505.24099", "2212.14032"} <= set(ids)
    assert NEW_IN_CS_LG | NEW_IN_STAT_ML <= set(card_titles(found))
    assert "2310.13548" not in ids and "1606.08415" not in ids, "replacements are not new papers"


async def test_preview_when_arxiv_fails_says_so_and_waits_before_trying_again(bot, arxiv_server):
    arxiv_server.route("/rss/cs.LG", (503, "down for maintenance", {"Content-Type": "text/plain"}))
    for _ in range(2):
        text = await only_text("!digest preview cs.LG")
        assert text == "Nothing new to post from cs.LG for Mon 02 Jun (cs.LG: error).", text
    assert arxiv_server.paths() == ["/rss/cs.LG"], "a failed feed is not asked for again at once"


async def test_preview_without_a_subscription_or_categories_asks_for_them(bot, arxiv_server):
    text = await only_text("!digest preview", member=1)
    assert text.startswith("This channel has no digest yet")
    assert arxiv_server.requests == []


async def test_preview_of_a_quiet_category_says_so(bot, arxiv_server):
    recorded = (FEEDS / "rss_cs_LG.xml").read_text(encoding="utf-8")
    no_papers = re.sub(r"<item>.*?</item>", "", recorded, flags=re.DOTALL)
    arxiv_server.route("/rss/math.PR", (200, no_papers, {}))
    text = await only_text("!digest preview math.PR")
    assert text == "Nothing new to post from math.PR for Mon 02 Jun (math.PR: empty)."
    assert arxiv_server.paths() == ["/rss/math.PR"]


async def test_preview_with_last_weeks_feed_says_it_is_stale(bot, arxiv_server):
    arxiv_server.route("/rss/cs.LG", FEEDS / "rss_cs_LG_empty.xml")   # dated Saturday 31 May
    text = await only_text("!digest preview cs.LG")
    assert text == "Nothing new to post from cs.LG for Mon 02 Jun (cs.LG: stale).", text


async def test_preview_of_a_bad_category_is_explained(bot, arxiv_server):
    text = await only_text("!digest preview cs.LG,nonsense", error=commands.CommandInvokeError)
    assert "'nonsense' is not an arXiv category" in text
    assert arxiv_server.requests == []


# -- personal digests --------------------------------------------------------------------------


async def test_personal_digest_on_and_off(bot, channel):
    member = dpytest.get_config().members[1]
    target = f"dm:{member.id}"
    assert await only_text("!digest me", member=1) == "You have no daily digest. Set one with `/digest me`."
    text = await only_text('!digest me "cs.LG" 07:00 UTC', member=1)
    assert text.startswith("You get a daily arXiv digest: cs.LG · 5 papers at 07:00 UTC"), text
    assert "direct message" in text
    kept = await subscription(bot, target)
    assert kept is not None and kept.kind == "dm" and kept.user_id == str(member.id)
    assert kept.categories == ("cs.LG",) and f"{kept.post_time:%H:%M}" == "07:00" and kept.group is None
    assert await subscription(bot, f"channel:{channel.id}") is None, "the channel's digest is not touched"
    assert "cs.LG" in await only_text("!digest me", member=1)
    assert await subscription(bot, f"dm:{dpytest.get_config().members[0].id}") is None
    assert await only_text("!digest me off", member=1) == "Your personal digest is stopped."
    assert await subscription(bot, target) is None
    assert await only_text("!digest me off", member=1) == "You had no personal digest."


async def test_show_in_direct_messages_is_the_persons_digest(bot):
    member = dpytest.get_config().members[1]
    dm = await member.create_dm()
    await dpytest.message("!digest", channel=dm, member=member)
    assert [m.content for m in messages()] == ["You have no daily digest. Set one with `/digest me`."]
    await run('!digest me "stat.ML" 21:00 Asia/Tokyo 2', member=1)
    await dpytest.message("!digest show", channel=dm, member=member)
    found = messages()
    assert len(found) == 1 and found[0].channel.id == dm.id
    assert found[0].content.replace("\\", "").startswith(
        "You get a daily arXiv digest: stat.ML · 2 papers at 21:00 Asia/Tokyo")


async def test_channel_commands_do_not_work_in_direct_messages(bot):
    member = dpytest.get_config().members[1]
    dm = await member.create_dm()
    with pytest.raises(commands.NoPrivateMessage):
        await dpytest.message("!digest subscribe cs.LG", channel=dm, member=member)
    assert [m.content for m in messages()] == ["That command works in a server, not in direct messages."]
    assert await bot.lib.subscriptions() == []


async def test_personal_digest_with_a_bad_time_zone(bot):
    member = dpytest.get_config().members[1]
    text = await only_text("!digest me cs.LG 07:00 Nowhere/Special", member=1, error=commands.CommandInvokeError)
    assert "Nowhere/Special" in text
    assert await subscription(bot, f"dm:{member.id}") is None


# -- arXiv links in chat -------------------------------------------------------------------------


async def test_links_setting(bot, manager, channel):
    assert await only_text("!digest links") == "Link cards are off in this channel."
    assert await only_text("!digest links on") == "Link cards are now on in this channel."
    assert await links_on(bot, channel)
    assert await only_text("!digest links") == "Link cards are on in this channel."
    assert await only_text("!digest links off") == "Link cards are now off in this channel."
    assert not await links_on(bot, channel)


async def test_anyone_may_see_the_links_setting_but_not_change_it(bot, manager, channel):
    assert await only_text("!digest links", member=1) == "Link cards are off in this channel."
    assert await only_text("!digest links on", member=1, error=commands.MissingPermissions) == NOT_ALLOWED
    assert not await links_on(bot, channel)


async def test_a_link_is_answered_with_its_card(bot, manager, channel, arxiv_server, sent):
    with pytest.raises(PaperNotFound):
        await bot.lib.paper("2310.13548")
    await run("!digest links on")
    sent.clear()
    posted = await dpytest.message(f"Worth a read: {SYCOPHANCY_LINK} (v2 is out)", member=1)
    found = messages()
    assert len(found) == 1
    assert card_titles(found) == [SYCOPHANCY]
    assert sent[-1]["message_reference"]["message_id"] == posted.id, "the card answers the message"
    assert api_requests(arxiv_server) == ["2310.13548"]
    kept = await bot.lib.paper("2310.13548")
    assert kept.title == SYCOPHANCY
    assert_no_mentions(sent)

    again = await dpytest.message(f"{SYCOPHANCY_LINK}v2 again", member=0)
    found = messages()
    assert card_titles(found) == [SYCOPHANCY] and sent[-1]["message_reference"]["message_id"] == again.id
    assert api_requests(arxiv_server) == ["2310.13548"], "a paper in the library is not looked up again"


async def test_several_links_are_answered_together_in_message_order(bot, manager, arxiv_server, sent):
    await run("!digest links on")
    sent.clear()
    posted = await dpytest.message(f"compare {SYCOPHANCY_LINK} with {CLIPPED_SGD_LINK}, and {SYCOPHANCY_LINK}", member=1)
    found = messages()
    assert len(found) == 1
    assert arxiv_ids(found) == ["2310.13548", "2505.20817"]
    assert [e.title.split(".")[0] for e in found[0].embeds] == ["1", "2"]
    assert api_requests(arxiv_server) == ["2310.13548,2505.20817"], "one look-up for all the links"
    assert sent[-1]["message_reference"]["message_id"] == posted.id
    assert_no_mentions(sent)
    with pytest.raises(PaperNotFound):  # the recorded answer holds a third paper: only the linked ones are kept
        await bot.lib.paper("0704.0001")


async def test_a_command_with_a_link_is_answered_by_the_command_alone(bot, manager, arxiv_server):
    await run("!digest links on")
    found = await run(f"!paper {SYCOPHANCY_LINK}", member=1, error=commands.CommandInvokeError)
    assert len(found) == 1 and found[0].embeds == []
    assert found[0].content == "arXiv:2310.13548 is not in the library; /add 2310.13548 brings it in from arXiv."
    assert arxiv_server.requests == []


async def test_an_unknown_paper_gets_no_answer(bot, manager, arxiv_server):
    await run("!digest links on")
    await dpytest.message(f"is {MISSING_LINK} out yet?", member=1)
    assert messages() == []
    assert api_requests(arxiv_server) == ["2505.99999"]


async def test_links_off_means_no_answer_and_no_lookup(bot, manager, arxiv_server):
    await dpytest.message(f"look: {SYCOPHANCY_LINK}", member=1)
    assert messages() == []
    await run("!digest links on")
    await run("!digest links off")
    await dpytest.message(f"look: {SYCOPHANCY_LINK}", member=1)
    assert messages() == []
    assert arxiv_server.requests == []


async def test_messages_from_bots_are_ignored(bot, manager, channel, arxiv_server):
    await run("!digest links on")
    state = dpytest.backend.get_state()
    data = dpytest.factories.make_user_dict("Feedbot", "0042", None, bot=True)
    other_bot = dpytest.backend.make_member(state.store_user(data), channel.guild)
    assert other_bot.bot
    await dpytest.message(f"New: {SYCOPHANCY_LINK}", member=other_bot)
    await dpytest.message(f"New: {SYCOPHANCY_LINK}", member=channel.guild.me)
    assert messages() == []
    assert arxiv_server.requests == []


# -- /add ------------------------------------------------------------------------------------------


async def test_add_brings_a_paper_in_from_arxiv_and_shows_its_card(bot, arxiv_server, sent):
    found = await run(f"!add {SYCOPHANCY_LINK}", member=1)
    assert card_titles(found) == [SYCOPHANCY]
    assert api_requests(arxiv_server) == ["2310.13548"]
    assert (await bot.lib.paper("2310.13548")).title == SYCOPHANCY
    assert_no_mentions(sent)


async def test_add_names_what_arxiv_does_not_know(bot, arxiv_server):
    text = await only_text("!add 2505.99999", member=1)
    assert "2505.99999" in text and "nothing" in text
    with pytest.raises(PaperNotFound):
        await bot.lib.paper("2505.99999")


async def test_add_without_an_arxiv_reference_asks_for_one(bot):
    assert "arXiv ids or links" in await only_text("!add some paper about transformers", member=1)


# -- the relevance floor -----------------------------------------------------------------------


async def like_odes(bot, member: int = 0) -> None:
    config = dpytest.get_config()
    who, group = str(config.members[member].id), str(config.guilds[0].id)
    for pid in ODE_LIKES:
        await bot.lib.like(who, pid, group)


async def test_subscribe_with_only_relevant_or_a_min_score(bot, manager, channel):
    text = await only_text("!digest subscribe cs.LG 08:00 UTC 5 no yes yes")
    assert "only relevant papers" in text and "says when there is nothing new" in text, text
    kept = await subscription(bot, f"channel:{channel.id}")
    assert kept.min_score == ONLY_RELEVANT and kept.say_when_empty
    text = await only_text("!digest subscribe cs.LG 08:00 UTC 5 no no no 0.3")
    assert "only papers scoring 0.3 or more" in text, text
    assert (await subscription(bot, f"channel:{channel.id}")).min_score == 0.3
    text = await only_text("!digest subscribe cs.LG 08:00 UTC 5", member=0)
    assert (await subscription(bot, f"channel:{channel.id}")).min_score is None, "subscribing again replaces it"


async def test_a_floor_out_of_range_or_given_twice_is_explained(bot, manager, channel):
    text = await only_text("!digest subscribe cs.LG 08:00 UTC 5 no no no 1.5", error=commands.BadArgument)
    assert "1.5" in text and "Usage" in text
    text = await only_text("!digest subscribe cs.LG 08:00 UTC 5 no no yes 0.3", error=commands.CommandInvokeError)
    assert "not both" in text and "wrong on our side" not in text
    text = await only_text("!digest subscribe cs.LG 08:00 UTC 5 no no no 1", error=commands.CommandInvokeError)
    assert "from 0 to 1" in text
    assert await subscription(bot, f"channel:{channel.id}") is None


async def test_personal_digest_with_a_floor(bot):
    member = dpytest.get_config().members[1]
    text = await only_text('!digest me "cs.LG" 07:00 UTC 5 no yes yes', member=1)
    assert "only relevant papers" in text and "says when there is nothing new" in text, text
    kept = await subscription(bot, f"dm:{member.id}")
    assert kept.min_score == ONLY_RELEVANT and kept.say_when_empty


async def test_preview_with_a_floor_leaves_out_what_is_not_relevant(bot, manager, arxiv_server, sent):
    await like_odes(bot)
    found = await run('!digest preview "cs.LG stat.ML" 10 no no 0.15', member=1)
    assert card_titles(found) == [NEURAL_DRIFT]
    assert found[0].content.endswith("1 of 4 new papers, above the floor (a min_score of 0.15).")
    everything = await run('!digest preview "cs.LG stat.ML" 10', member=1)
    assert len(card_titles(everything)) == 4
    text = await only_text('!digest preview "cs.LG stat.ML" 10 no no 0.9', member=1)
    assert text == ("Nothing relevant to post from cs.LG, stat.ML for Mon 02 Jun: none of its new papers "
                    "reaches the floor (a min_score of 0.9)."), text
    assert_no_mentions(sent)


async def test_preview_takes_the_channels_floor(bot, manager, arxiv_server):
    await like_odes(bot)
    await run('!digest subscribe "cs.LG stat.ML" 08:30 UTC 10 no no no 0.15')
    found = await run("!digest preview", member=1)
    assert card_titles(found) == [NEURAL_DRIFT]
    assert found[0].content.endswith("above the floor (a min_score of 0.15).")


async def test_slash_preview_with_only_relevant(bot, api, arxiv_server):
    await like_odes(bot)
    config = dpytest.get_config()
    data = {
        "id": str(snowflake()), "name": "digest", "type": 1,
        "options": [{"name": "preview", "type": 1, "options": [
            {"name": "categories", "type": 3, "value": "cs.LG stat.ML"},
            {"name": "size", "type": 4, "value": 10},
            {"name": "only_relevant", "type": 5, "value": True},
        ]}],
    }
    await deliver(bot, interaction_payload(2, data, config.members[1], config.channels[0]))
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["content"].endswith("3 of 4 new papers, above the floor (only relevant papers).")
    assert NEURAL_DRIFT in answer["embeds"][0]["title"].replace("\\", "")


async def post_digest(bot, at: datetime) -> list[discord.Message]:
    """Run the digest round at a later time; the messages it posted."""
    bot.scheduler.clock = lambda: at
    await bot.scheduler.tick()
    return messages()


async def test_a_digest_with_a_floor_posts_only_the_relevant_papers(bot, manager, arxiv_server):
    await like_odes(bot)
    await run('!digest subscribe "cs.LG stat.ML" 12:30 UTC 5 no no no 0.15')
    found = await post_digest(bot, NOW + timedelta(minutes=45))
    assert card_titles(found) == [NEURAL_DRIFT]
    assert "1 new paper picked for this server" in found[0].content


async def test_a_day_with_nothing_relevant_says_so_only_when_asked(bot, manager, channel, arxiv_server, sent):
    await like_odes(bot)
    await run('!digest subscribe "cs.LG stat.ML" 12:30 UTC 5 no no no 0.9')
    assert await post_digest(bot, NOW + timedelta(minutes=45)) == [], "a quiet day posts nothing"

    other = dpytest.backend.make_text_channel("reading-group", channel.guild)
    await bot.lib.subscribe(f"channel:{other.id}", "cs.LG stat.ML", post_time="13:00",
                        say_when_empty=True, min_score=0.9, group=str(channel.guild.id), now=NOW)
    found = await post_digest(bot, NOW + timedelta(hours=1, minutes=5))
    assert len(found) == 1 and found[0].channel.id == other.id
    assert found[0].content.startswith(
        "Nothing relevant in cs.LG, stat.ML today: no new paper reached this channel's relevance floor.")
    assert found[0].embeds == []
    assert_no_mentions(sent)


async def test_a_day_without_new_papers_still_says_no_new_papers(bot, manager, channel, arxiv_server):
    recorded = (FEEDS / "rss_cs_LG.xml").read_text(encoding="utf-8")
    arxiv_server.route("/rss/math.PR", (200, re.sub(r"<item>.*?</item>", "", recorded, flags=re.DOTALL), {}))
    await bot.lib.subscribe(f"channel:{channel.id}", "math.PR", post_time="12:30",
                        say_when_empty=True, min_score=0.9, group=str(channel.guild.id), now=NOW)
    found = await post_digest(bot, NOW + timedelta(minutes=45))
    assert len(found) == 1 and found[0].content.startswith("No new arXiv papers in math.PR today.")
