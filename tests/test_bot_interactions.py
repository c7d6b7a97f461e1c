"""Buttons, the message command, autocomplete and slash commands, driven by the interaction
payloads Discord's gateway delivers; only Discord's HTTP API is faked (it records the answers)."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3

import discord
import discord.ext.test as dpytest

from bot.render.papers import paper_card, paper_id_of, search_cards
from bot.render.text import check_limits
from bot.views import card_view, list_view
from tests.test_bot_harness import (  # noqa: F401
    FakeDiscordAPI,
    api,
    bot,
    bot_db,
    bot_message_payload,
    deliver,
    interaction_payload,
    messages,
    sent,
    snowflake,
    start_bot,
    stop_bot,
)

EPHEMERAL = 64
NODE = "Neural Ordinary Differential Equations"


def people():
    config = dpytest.get_config()
    return config.members, config.channels[0]


async def paper(bot, ref: str):
    return await bot.lib.paper(ref)


async def liked_ids(bot, member) -> list[int]:
    signals = await bot.lib.likes(str(member.id))
    return [s.paper.id for s in signals]


async def click(bot, custom_id: str, member, channel, message: dict) -> None:
    data = {"custom_id": custom_id, "component_type": 2}
    await deliver(bot, interaction_payload(3, data, member, channel, message))


async def slash(bot, name: str, member, channel, **options) -> None:
    kinds = {str: 3, int: 4, bool: 5}
    data = {
        "id": str(snowflake()), "name": name, "type": 1,
        "options": [{"name": k, "type": kinds[type(v)], "value": v} for k, v in options.items()],
    }
    await deliver(bot, interaction_payload(2, data, member, channel))


def card_message(bot, channel, found) -> dict:
    return bot_message_payload(bot, channel, [paper_card(found)], card_view(found))


def flags_of(body: dict) -> int:
    return body.get("flags", 0) or body.get("data", {}).get("flags", 0)


# -- buttons -----------------------------------------------------------------------------------


async def test_like_button_counts_for_whoever_clicks(bot, api):
    (ada, bob), channel = people()
    ffjord = await paper(bot, "FFJORD")
    message = card_message(bot, channel, ffjord)
    await click(bot, f"paperclub:like:{ffjord.id}", ada, channel, message)
    await click(bot, f"paperclub:like:{ffjord.id}", bob, channel, message)
    assert await liked_ids(bot, ada) == [ffjord.id]
    assert await liked_ids(bot, bob) == [ffjord.id]
    answers = api.answers()
    assert len(answers) == 2
    for answer in answers:
        assert answer["flags"] == EPHEMERAL
        assert answer["content"].startswith("Liked *FFJORD")
        assert answer["allowed_mentions"]["parse"] == []
    signals = await bot.lib.likes(str(ada.id))
    assert signals[0].group == str(channel.guild.id)


async def test_not_for_me_button_records_a_dislike(bot, api):
    (ada, _), channel = people()
    ffjord = await paper(bot, "FFJORD")
    before = await bot.lib.recommend(str(ada.id), 3)
    await click(bot, f"paperclub:dislike:{ffjord.id}", ada, channel, card_message(bot, channel, ffjord))
    assert api.answers()[0]["content"].startswith("Noted: fewer papers like *FFJORD")
    after = await bot.lib.recommend(str(ada.id), 80)
    assert ffjord.id not in [r.paper.id for r in after]
    assert await liked_ids(bot, ada) == []
    assert before


async def test_more_like_this_button_answers_privately_with_cards(bot, api):
    (ada, _), channel = people()
    ffjord = await paper(bot, "FFJORD")
    await click(bot, f"paperclub:similar:{ffjord.id}", ada, channel, card_message(bot, channel, ffjord))
    kinds = [kind for kind, _ in api.calls]
    assert kinds == ["response", "followup"], "deferred first, then answered"
    assert api.calls[0][1]["data"]["flags"] == EPHEMERAL
    answer = api.calls[1][1]
    assert answer["flags"] == EPHEMERAL
    assert len(answer["embeds"]) == 5
    embeds = [discord.Embed.from_dict(e) for e in answer["embeds"]]
    assert check_limits(embeds) == []
    assert ffjord.id not in [paper_id_of([e]) for e in embeds]


async def test_buttons_under_a_list_work_for_each_numbered_paper(bot, api):
    (ada, _), channel = people()
    results = await bot.lib.search("flow", 5)
    papers = [r.paper for r in results]
    view = list_view(papers)
    rows = view.to_components()
    assert len(rows) <= 5 and all(len(r["components"]) <= 5 for r in rows)
    message = bot_message_payload(bot, channel, search_cards(results), view)
    third = rows[0]["components"][2]
    assert third["label"] == "3"
    await click(bot, third["custom_id"], ada, channel, message)
    assert await liked_ids(bot, ada) == [papers[2].id]


async def test_a_button_for_a_paper_no_longer_there(bot, api):
    (ada, _), channel = people()
    gone = dataclasses.replace(await paper(bot, "FFJORD"), id=999999)
    await click(bot, "paperclub:like:999999", ada, channel, card_message(bot, channel, gone))
    assert api.answers()[0]["content"] == "That paper is no longer in the library."


async def test_a_failing_button_answers_briefly_and_logs(bot, api, caplog, monkeypatch):
    (ada, _), channel = people()
    ffjord = await paper(bot, "FFJORD")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bot.library, "like", broken)
    with caplog.at_level(logging.ERROR):
        await click(bot, f"paperclub:like:{ffjord.id}", ada, channel, card_message(bot, channel, ffjord))
    answer = api.answers()[0]
    assert answer["content"] == "Something went wrong on our side; it has been logged."
    assert answer["flags"] == EPHEMERAL
    assert any("disk full" in (r.exc_text or "") for r in caplog.records)


async def test_like_button_works_after_a_restart(bot_db, seeded_db, tmp_path):
    first = await start_bot(bot_db)
    try:
        ffjord = await paper(first, "FFJORD")
        view = card_view(ffjord)
        embeds = [paper_card(ffjord)]
        custom_id = next(c["custom_id"] for row in view.to_components() for c in row["components"] if c.get("custom_id", "").startswith("paperclub:like:"))
    finally:
        await stop_bot(first)

    second = await start_bot(bot_db)
    fake = FakeDiscordAPI(second)
    token = discord.webhook.async_.async_context.set(fake)
    try:
        (ada, _), channel = people()
        store = second._connection._view_store
        matches = [item for pattern, item in store._dynamic_items.items() if pattern.fullmatch(custom_id)]
        assert [m.__name__ for m in matches] == ["LikeButton"]
        message = bot_message_payload(second, channel, embeds, view)
        await click(second, custom_id, ada, channel, message)
        assert await liked_ids(second, ada) == [ffjord.id]
        assert fake.answers()[0]["content"].startswith("Liked *FFJORD")
    finally:
        discord.webhook.async_.async_context.reset(token)
        await stop_bot(second)


# -- search paging ---------------------------------------------------------------------------


def paging_ids(payload: dict) -> dict[str, str]:
    return {
        c["label"]: c["custom_id"] for row in payload["components"] for c in row["components"]
        if c.get("custom_id", "").startswith("paperclub:page:")
    }


async def test_next_page_for_the_searcher_only(bot, api, sent):
    (ada, bob), channel = people()
    await dpytest.message("!search cat:cs.LG", member=0)
    page = sent[-1]
    message = bot_message_payload(bot, channel, [discord.Embed.from_dict(e) for e in page["embeds"]], None)
    message["components"] = page["components"]
    buttons = paging_ids(page)

    await click(bot, buttons["Next"], bob, channel, message)
    refusal = api.answers()[-1]
    assert refusal["flags"] == EPHEMERAL and "run /search yourself" in refusal["content"]

    await click(bot, buttons["Next"], ada, channel, message)
    edit = api.answers()[-1]
    assert edit["content"].startswith("Results 6–10 for")
    assert paper_id_of([discord.Embed.from_dict(edit["embeds"][0])]) is not None
    assert discord.Embed.from_dict(edit["embeds"][0]).title.startswith("6. ")
    assert edit["allowed_mentions"]["parse"] == []
    labels = {c["label"]: c.get("disabled", False) for row in edit["components"] for c in row["components"]
              if c["type"] == 2}
    assert labels["Previous"] is False


async def test_expired_search_pages_say_so(bot, api):
    (ada, _), channel = people()
    message = bot_message_payload(bot, channel, [], None)
    button = {"type": 2, "style": 1, "label": "Next", "custom_id": "paperclub:page:0123abcd:next"}
    message["components"] = [{"type": 1, "components": [button]}]
    await click(bot, button["custom_id"], ada, channel, message)
    assert "expired" in api.answers()[0]["content"]


# -- the message command ---------------------------------------------------------------------


async def context_menu(bot, member, channel, message: dict) -> None:
    data = {
        "id": str(snowflake()), "name": "More like this", "type": 3, "target_id": message["id"],
        "resolved": {"messages": {message["id"]: message}},
    }
    await deliver(bot, interaction_payload(2, data, member, channel))


async def test_more_like_this_on_a_paper_card(bot, api):
    (ada, _), channel = people()
    ffjord = await paper(bot, "FFJORD")
    await context_menu(bot, ada, channel, card_message(bot, channel, ffjord))
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["content"].startswith("More like *FFJORD")
    assert len(answer["embeds"]) == 5


async def test_more_like_this_reads_the_buttons_when_there_is_no_footer(bot, api):
    (ada, _), channel = people()
    ffjord = await paper(bot, "FFJORD")
    message = bot_message_payload(bot, channel, [discord.Embed(title="edited")], card_view(ffjord))
    await context_menu(bot, ada, channel, message)
    assert api.answers()[-1]["content"].startswith("More like *FFJORD")


async def test_more_like_this_on_someone_elses_message(bot, api):
    (ada, bob), channel = people()
    ffjord = await paper(bot, "FFJORD")
    message = card_message(bot, channel, ffjord)
    message["author"] = {"id": str(bob.id), "username": bob.name, "discriminator": "0001", "avatar": None}
    await context_menu(bot, ada, channel, message)
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert "paperclub paper card" in answer["content"]


# -- autocomplete ----------------------------------------------------------------------------


async def autocomplete(bot, command: str, typed: str, member, channel) -> list[dict]:
    data = {
        "id": str(snowflake()), "name": command, "type": 1,
        "options": [{"name": "paper", "type": 3, "value": typed, "focused": True}],
    }
    await deliver(bot, interaction_payload(4, data, member, channel))


async def test_autocomplete_matches_titles_as_you_type(bot, api):
    (ada, _), channel = people()
    await autocomplete(bot, "similar", "neural ordinary differ", ada, channel)
    response = api.calls[-1][1]
    assert response["type"] == 8
    choices = response["data"]["choices"]
    node = await paper(bot, NODE)
    assert {"name": NODE, "value": str(node.id)} in choices
    assert len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 for c in choices)


async def test_autocomplete_with_nothing_typed_offers_recommendations(bot, api):
    (ada, _), channel = people()
    await autocomplete(bot, "paper", "", ada, channel)
    choices = api.calls[-1][1]["data"]["choices"]
    assert 1 <= len(choices) <= 25


async def test_autocomplete_accepts_an_id(bot, api):
    (ada, _), channel = people()
    node = await paper(bot, NODE)
    await autocomplete(bot, "like", str(node.id), ada, channel)
    assert api.calls[-1][1]["data"]["choices"][0] == {"name": NODE, "value": str(node.id)}


async def test_unlike_autocomplete_offers_the_callers_likes(bot, api):
    (ada, _), channel = people()
    await bot.lib.like(str(ada.id), "FFJORD")
    await autocomplete(bot, "unlike", "", ada, channel)
    names = [c["name"] for c in api.calls[-1][1]["data"]["choices"]]
    assert len(names) == 1 and names[0].startswith("FFJORD")


async def test_autocomplete_survives_a_query_that_cannot_be_searched(bot, api):
    (ada, _), channel = people()
    await autocomplete(bot, "similar", '"""', ada, channel)
    assert api.calls[-1][1]["data"]["choices"] == []


# -- slash commands --------------------------------------------------------------------------


async def test_slash_search_defers_then_posts_in_the_channel(bot, api):
    (ada, _), channel = people()
    await slash(bot, "search", ada, channel, query="neural ode")
    assert api.calls[0][1]["type"] == 5 and not flags_of(api.calls[0][1])
    answer = api.answers()[-1]
    assert not flags_of(answer)
    assert any(NODE in e["title"] for e in answer["embeds"])


async def test_slash_recommend_is_private_unless_shared(bot, api):
    (ada, _), channel = people()
    await slash(bot, "recommend", ada, channel, count=3)
    assert api.calls[0][1]["data"]["flags"] == EPHEMERAL
    assert api.answers()[-1]["flags"] == EPHEMERAL
    assert len(api.answers()[-1]["embeds"]) == 3
    api.calls.clear()
    await slash(bot, "recommend", ada, channel, count=3, share=True)
    assert not flags_of(api.calls[0][1])
    assert not flags_of(api.answers()[-1])


async def test_slash_unknown_paper_is_answered_privately(bot, api):
    (ada, _), channel = people()
    await slash(bot, "paper", ada, channel, paper="Neural Ordinary Diferential Equatons")
    kinds = [kind for kind, _ in api.calls]
    assert kinds == ["response", "delete", "followup"], "the public 'thinking…' gives way to a private answer"
    answer = api.calls[-1][1]
    assert answer["flags"] == EPHEMERAL
    assert "Did you mean" in answer["content"] and NODE in answer["content"]


async def test_slash_cooldown_is_answered_privately(bot, api):
    (ada, _), channel = people()
    for _ in range(5):
        await slash(bot, "similar", ada, channel, paper="FFJORD")
    api.calls.clear()
    await slash(bot, "similar", ada, channel, paper="FFJORD")
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["content"].startswith("Slow down a little: try again in ")


async def test_slash_like_confirms_privately(bot, api):
    (ada, _), channel = people()
    await slash(bot, "like", ada, channel, paper="FFJORD")
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL and answer["content"].startswith("Liked *FFJORD")
    assert messages() == [], "nothing was posted in the channel"


async def test_a_like_the_locked_database_refuses_gets_a_sentence(bot, api, monkeypatch, caplog):
    (ada, _), channel = people()
    ffjord = await paper(bot, "FFJORD")

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(bot.library, "like", locked)
    await click(bot, f"paperclub:like:{ffjord.id}", ada, channel, card_message(bot, channel, ffjord))
    [answer] = api.answers()
    assert answer["content"].startswith("The database is locked: another paperclub process")
    assert "went wrong" not in answer["content"]
    assert "The database is locked" in caplog.text
