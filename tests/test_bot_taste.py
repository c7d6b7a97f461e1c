"""/taste with its Mute buttons, /follow, /unfollow and /follows, through their text and slash
forms against the real seeded library (Discord faked by dpytest and the recording API)."""

from __future__ import annotations

import dataclasses

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from bot.render.papers import paper_card, paper_id_of
from bot.render.taste import taste_card
from bot.render.text import check_limits, texts_of
from bot.cogs.taste import split_kind, unquote
from bot.views import DYNAMIC_ITEMS, MuteButton, card_view, taste_view
from recommender import Interest, InterestNotFound
from recommender.store import Store
from tests.test_bot_harness import (  # noqa: F401
    api,
    bot,
    bot_db,
    bot_message_payload,
    deliver,
    interaction_payload,
    messages,
    sent,
    snowflake,
)

EPHEMERAL = 64
# Two unrelated directions in the seeds: language models and word vectors, and differential
# equations in neural networks.
LANGUAGE = [65, 66, 1, 60, 33, 38]
ODES = [43, 30, 34, 19, 35, 37, 29]


def people():
    config = dpytest.get_config()
    return config.members, config.channels[0]


async def run(text: str, member: int = 0) -> list[discord.Message]:
    await dpytest.message(text, member=member)
    return messages()


async def like_all(bot, member, ids, group: str | None) -> None:
    for pid in ids:
        await bot.lib.like(str(member.id), pid, group)


async def two_interests(bot, member, channel) -> None:
    await like_all(bot, member, LANGUAGE + ODES, str(channel.guild.id))


async def slash(bot, name: str, member, channel, **options) -> None:
    kinds = {str: 3, int: 4, bool: 5, float: 10}
    data = {
        "id": str(snowflake()), "name": name, "type": 1,
        "options": [{"name": k, "type": kinds[type(v)], "value": v} for k, v in options.items()],
    }
    await deliver(bot, interaction_payload(2, data, member, channel))


async def click(bot, custom_id: str, member, channel, message: dict) -> None:
    data = {"custom_id": custom_id, "component_type": 2}
    await deliver(bot, interaction_payload(3, data, member, channel, message))


def buttons(payload: dict) -> list[dict]:
    return [c for row in payload.get("components", []) for c in row["components"]]


def assert_never_pings(payloads) -> None:
    assert payloads, "the bot sent nothing"
    for payload in payloads:
        assert payload["allowed_mentions"]["parse"] == []
        assert not payload["allowed_mentions"].get("replied_user")


def fields(message: discord.Message) -> list[discord.EmbedField]:
    return [f for e in message.embeds for f in e.fields]


# -- /taste ------------------------------------------------------------------------------------


async def test_taste_without_likes_says_how_to_get_interests(bot, sent):
    found = await run("!taste")
    assert len(found) == 1 and found[0].embeds == []
    assert "no interests here yet" in found[0].content and "/like" in found[0].content
    assert sent[-1]["message_reference"]["message_id"], "a private text answer replies to its author"


async def test_taste_lists_each_interest_with_words_examples_and_a_button(bot, sent):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    found = await run("!taste")
    assert len(found) == 1
    card = found[0].embeds[0]
    assert check_limits(found[0].embeds, found[0].content) == []
    assert paper_id_of(found[0].embeds) is None, "an interest list is not a paper card"
    assert card.title == "Your interests here: 2"
    first, second = card.fields
    assert first.name.startswith("1. ") and "7 likes" in first.name
    assert second.name.startswith("2. ") and "6 likes" in second.name
    assert "differential" in first.value and "Neural Ordinary Differential Equations" in first.value
    assert "word" in second.value or "language" in second.value
    assert first.value.count("\n• ") == 2 and second.value.count("\n• ") == 2, "two example papers each"
    mute = buttons(sent[-1])
    assert [b["label"] for b in mute] == ["Mute 1", "Mute 2"]
    assert all(b["custom_id"].startswith(f"paperclub:mute:{ada.id}:") for b in mute)
    assert_never_pings(sent)


async def test_taste_is_made_from_the_likes_in_this_server(bot):
    (ada, _), channel = people()
    await like_all(bot, ada, LANGUAGE, "another-server")
    await like_all(bot, ada, ODES, str(channel.guild.id))
    found = await run("!taste")
    assert found[0].embeds[0].title == "Your interests here: 1"
    assert "7 likes" in fields(found[0])[0].name


async def test_taste_in_a_server_shows_how_much_colleagues_likes_count_there(bot, sent):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    found = await run("!taste")
    assert "**Colleagues:** Colleagues' co-likes count ×0.5" in found[0].embeds[0].description
    assert "fixed weight until the group has enough members" in found[0].embeds[0].description
    elsewhere = Store(bot.library.path)  # as another process would learn and record it
    elsewhere.set_group_blend(str(channel.guild.id), 2.0, 0.412, 0.118, 312, 5210)
    elsewhere.close()
    found = await run("!taste")
    shown = found[0].embeds[0].description
    assert "co-likes count ×2 beside the text of one's own likes here" in shown
    assert "held-out recall@20 0.412, text alone 0.118; 312 members, 5,210 likes" in shown
    assert check_limits(found[0].embeds, found[0].content) == []
    assert_never_pings(sent)


async def test_taste_in_direct_messages_says_nothing_of_colleagues(bot):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    card = taste_card(await bot.lib.taste(str(ada.id)))
    assert "Colleagues" not in card.description


async def test_taste_mute_and_unmute_by_number(bot, sent):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    found = await run("!taste mute:2")
    assert found[0].content.startswith("Muted interest 2 (")
    assert "muted" in fields(found[0])[1].name and "muted" not in fields(found[0])[0].name
    assert [b["label"] for b in buttons(sent[-1])] == ["Mute 1", "Unmute 2"]
    interests = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    assert [i.muted for i in interests] == [False, True]
    picks = await bot.lib.recommend(str(ada.id), 10, str(channel.guild.id))
    assert picks and all("word" not in r.reason for r in picks)

    found = await run("!taste unmute:2")
    assert found[0].content.startswith("Interest 2 (") and "unmuted" in found[0].content
    interests = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    assert [i.muted for i in interests] == [False, False]


async def test_taste_mute_of_a_number_one_does_not_have_is_explained(bot):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    with pytest.raises(commands.CommandInvokeError):
        await run("!taste mute:7")
    text = messages()[0].content
    assert "There is no interest 7" in text and "1 to 2" in text


async def test_recommend_with_every_interest_muted_points_at_taste(bot):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    await run("!taste mute:1")
    assert (await run("!recommend"))[0].embeds, "one interest still draws recommendations"
    await run("!taste mute:2")
    found = await run("!recommend")
    assert found[0].embeds == []
    assert "muted" in found[0].content and "/taste" in found[0].content


async def test_slash_taste_is_private_with_its_buttons(bot, api):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    await slash(bot, "taste", ada, channel)
    assert api.calls[0][1]["data"]["flags"] == EPHEMERAL
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["embeds"][0]["title"] == "Your interests here: 2"
    assert [b["label"] for b in buttons(answer)] == ["Mute 1", "Mute 2"]
    api.calls.clear()
    await slash(bot, "taste", ada, channel, mute=1)
    assert api.answers()[-1]["content"].startswith("Muted interest 1 (")
    assert messages() == [], "nothing was posted in the channel"


async def test_taste_card_links_titles_pings_no_one_and_fits(bot):
    base = await bot.lib.paper(43)
    hostile = dataclasses.replace(base, title="@everyone [click](https://evil.example) " + "long " * 80,
                                  arxiv_id="1806.07366")
    odd_link = dataclasses.replace(base, id=2, arxiv_id=None, doi="10.1000/a)b<c")
    interests = [Interest(n, ["@here", "<@&1>", "word" * 20] * 10, [hostile, odd_link], [hostile.id, 2], muted=n == 2)
                 for n in range(1, 13)]
    card = taste_card(interests)
    assert check_limits([card]) == []
    assert card.title == "Your interests: 12, 1 muted"
    assert len(card.fields) == 10 and card.footer.text == "…and 2 more."
    shown = " ".join(texts_of([card]))
    assert "@everyone" not in shown and "@here" not in shown and "<@&1>" not in shown
    few = taste_card(interests[:2])
    assert "](https://arxiv.org/abs/1806.07366)" in few.fields[0].value
    assert odd_link.url and odd_link.url not in few.fields[0].value, "an address that would break the link is not linked"
    assert "muted" in few.fields[1].name
    view = taste_view(7, interests)
    assert view is not None and len(view.children) == 10
    assert [b.item.label for b in view.children].count("Unmute 2") == 1   # type: ignore[attr-defined]
    assert taste_card([]).fields == [] and taste_view(7, []) is None


# -- the Mute button -----------------------------------------------------------------------------


async def test_mute_button_mutes_the_interest_and_redraws_the_list(bot, api):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    interests = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    view = taste_view(ada.id, interests)
    message = bot_message_payload(bot, channel, [taste_card(interests)], view)
    second = buttons(message)[1]
    assert second["label"] == "Mute 2"
    await click(bot, second["custom_id"], ada, channel, message)
    edit = api.answers()[-1]
    assert api.calls[-1][1]["type"] == 7, "the list itself is updated"
    assert edit["content"].startswith("Muted interest 2 (")
    assert [b["label"] for b in buttons(edit)] == ["Mute 1", "Unmute 2"]
    assert edit["allowed_mentions"]["parse"] == []
    after = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    assert [i.muted for i in after] == [False, True]


async def test_only_the_owner_may_use_the_mute_buttons(bot, api):
    (ada, bob), channel = people()
    await two_interests(bot, ada, channel)
    interests = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    message = bot_message_payload(bot, channel, [taste_card(interests)], taste_view(ada.id, interests))
    await click(bot, buttons(message)[0]["custom_id"], bob, channel, message)
    refusal = api.answers()[-1]
    assert refusal["flags"] == EPHEMERAL and "/taste" in refusal["content"]
    after = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    assert not any(i.muted for i in after)


async def test_a_mute_button_means_the_same_interest_after_likes_change(bot):
    (ada, _), channel = people()
    group = str(channel.guild.id)
    await like_all(bot, ada, LANGUAGE + ODES[:3], group)
    before = await bot.lib.taste(str(ada.id), group)
    assert [i.likes for i in before] == [6, 3]
    odes = next(i for i in before if 43 in i.paper_ids)
    button = next(b for b in taste_view(ada.id, before).children if isinstance(b, MuteButton)
                  and b.paper_id in odes.paper_ids)
    assert odes.number == 2
    await like_all(bot, ada, ODES[3:], group)   # now the larger interest: numbered 1
    changed = await bot.lib.mute_interest(str(ada.id), None, True, group, holding=button.paper_id)
    after = await bot.lib.taste(str(ada.id), group)
    assert changed.number == 1 and 43 in changed.paper_ids and changed.muted
    assert [i.muted for i in after] == [True, False]


async def test_the_mute_button_callback_called_directly(bot, api, monkeypatch):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    interests = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    custom_id = buttons({"components": taste_view(ada.id, interests).to_components()})[0]["custom_id"]
    pattern = MuteButton.__discord_ui_compiled_template__
    match = pattern.fullmatch(custom_id)
    assert match and MuteButton in DYNAMIC_ITEMS
    button = await MuteButton.from_custom_id(None, None, match)   # type: ignore[arg-type]
    message = bot_message_payload(bot, channel, [taste_card(interests)], taste_view(ada.id, interests))
    payload = interaction_payload(3, {"custom_id": custom_id, "component_type": 2}, ada, channel, message)
    interaction = discord.Interaction(data=payload, state=bot._connection)
    await button.callback(interaction)
    assert api.answers()[-1]["content"].startswith("Muted interest 1 (")
    after = await bot.lib.taste(str(ada.id), str(channel.guild.id))
    assert [i.muted for i in after] == [True, False]


async def test_a_mute_button_for_an_interest_that_is_gone(bot, api):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    with pytest.raises(InterestNotFound):
        await bot.lib.mute_interest(str(ada.id), None, True, str(channel.guild.id), holding=999999)
    view = discord.ui.View(timeout=None)
    view.add_item(MuteButton(ada.id, 999999, True, 1))
    message = bot_message_payload(bot, channel, [], view)
    await click(bot, f"paperclub:mute:{ada.id}:999999:on", ada, channel, message)
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL and "run /taste again" in answer["content"]


# -- /follow, /unfollow, /follows ----------------------------------------------------------------


@pytest.mark.parametrize("command, kind, text", [
    ('!follow "neural ODE"', "phrase", "neural ODE"),
    ("!follow neural ODE", "phrase", "neural ODE"),
    ('!follow author:"R. T. Q. Chen"', "author", "R. T. Q. Chen"),
    ("!follow author: Ricky Chen", "author", "Ricky Chen"),
    ('!follow phrase:"normalizing flows"', "phrase", "normalizing flows"),
])
async def test_follow_a_phrase_or_an_author_in_text(bot, sent, command, kind, text):
    (ada, _), channel = people()
    found = await run(command)
    assert len(found) == 1 and found[0].content.startswith("Following ")
    assert "personal digest" in found[0].content
    assert "/digest me" in found[0].content, "no personal digest yet: says how to start one"
    follows = await bot.lib.follows(str(ada.id))
    assert [(f.kind, f.text, f.group) for f in follows] == [(kind, text, str(channel.guild.id))]
    assert_never_pings(sent)


async def test_follow_twice_says_so(bot):
    await run('!follow author:"R. T. Q. Chen"')
    found = await run('!follow author:"Ricky T. Q.  Chen"')
    assert found[0].content == "You already follow author *R. T. Q. Chen*."
    found = await run('!follow "Neural  ODE"')
    found = await run('!follow "neural ode"')
    assert found[0].content == "You already follow “Neural ODE”."


async def test_follow_with_nothing_says_how(bot):
    found = await run("!follow")
    assert '/follow "neural ODE"' in found[0].content and 'author:"R. T. Q. Chen"' in found[0].content


async def test_follow_errors_are_readable(bot):
    with pytest.raises(commands.CommandInvokeError):
        await run("!follow " + "word " * 60)
    text = messages()[0].content
    assert "at most 200 characters" in text and "wrong on our side" not in text


async def test_follow_text_never_pings(bot, sent):
    (ada, _), _ = people()
    found = await run('!follow "@everyone <@&123> attention"')
    text = found[0].content
    assert "@everyone" not in text and "@\u200beveryone" in text
    found = await run("!follows")
    shown = " ".join(texts_of(found[0].embeds, found[0].content))
    assert "@everyone" not in shown and "@\u200beveryone" in shown
    found = await run("!unfollow @everyone <@&123> attention")
    assert found[0].content.startswith("You no longer follow") and "@everyone" not in found[0].content
    assert_never_pings(sent)
    assert await bot.lib.follows(str(ada.id)) == []


async def test_follows_lists_and_unfollow_removes(bot):
    (ada, _), _ = people()
    assert "You follow no authors or phrases yet" in (await run("!follows"))[0].content
    await run('!follow author:"R. T. Q. Chen"')
    await run('!follow "neural ODE"')
    card = (await run("!follows"))[0].embeds[0]
    assert card.title == "You follow 1 author and 1 phrase"
    assert "author *R. T. Q. Chen*" in card.description and "“neural ODE”" in card.description
    assert "You follow no authors" in (await run("!follows", member=1))[0].content, "follows are personal"

    found = await run('!unfollow author:"R. T. Q. Chen"')
    assert found[0].content == "You no longer follow author *R. T. Q. Chen*."
    found = await run("!unfollow neural ODEs")
    assert found[0].content.startswith("You do not follow “neural ODEs”")
    found = await run('!unfollow "Neural ODE"')
    assert found[0].content == "You no longer follow “neural ODE”."
    assert await bot.lib.follows(str(ada.id)) == []


async def test_follow_mentions_a_personal_digest_when_there_is_one(bot):
    (ada, _), _ = people()
    await bot.lib.subscribe(f"dm:{ada.id}", "cs.LG")
    found = await run('!follow "neural ODE"')
    assert "/digest me" not in found[0].content


async def test_slash_follow_unfollow_and_follows_are_private(bot, api):
    (ada, _), channel = people()
    await slash(bot, "follow", ada, channel, author="R. T. Q. Chen")
    await slash(bot, "follow", ada, channel, phrase="neural ODE")
    await slash(bot, "follows", ada, channel)
    await slash(bot, "unfollow", ada, channel, followed="phrase:neural ODE")
    answers = api.answers()
    assert all(a.get("flags") == EPHEMERAL for a in answers)
    texts = api.texts()
    assert "Following author *R. T. Q. Chen*" in texts and "Following “neural ODE”" in texts
    assert "You no longer follow “neural ODE”." in texts
    assert any(a.get("embeds") and a["embeds"][0]["title"] == "You follow 1 author and 1 phrase" for a in answers)
    follows = await bot.lib.follows(str(ada.id))
    assert [(f.kind, f.text) for f in follows] == [("author", "R. T. Q. Chen")]
    assert messages() == []


async def test_unfollow_autocomplete_offers_the_callers_follows(bot, api):
    (ada, _), channel = people()
    await bot.lib.follow(str(ada.id), "R. T. Q. Chen", "author")
    await bot.lib.follow(str(ada.id), "neural ODE", "phrase")
    data = {
        "id": str(snowflake()), "name": "unfollow", "type": 1,
        "options": [{"name": "followed", "type": 3, "value": "chen", "focused": True}],
    }
    await deliver(bot, interaction_payload(4, data, ada, channel))
    choices = api.calls[-1][1]["data"]["choices"]
    assert choices == [{"name": "author: R. T. Q. Chen", "value": "author:R. T. Q. Chen"}]


def test_quotes_and_kinds_are_read_from_the_text():
    assert unquote('"neural ODE"') == "neural ODE"
    assert unquote("“neural ODE”") == "neural ODE"
    assert unquote('"unbalanced') == '"unbalanced'
    assert split_kind('author:"R. T. Q. Chen"') == ("author", "R. T. Q. Chen")
    assert split_kind("Phrase: flows") == ("phrase", "flows")
    assert split_kind("flows") == (None, "flows")


# -- "not for me" and "more like this" -----------------------------------------------------------


async def test_more_like_this_leaves_out_what_the_clicker_marked_not_for_me(bot, api):
    (ada, bob), channel = people()
    close = await bot.lib.similar(43, 5)
    hidden = close[0].paper.id
    await bot.lib.dislike(str(ada.id), hidden)
    node = await bot.lib.paper(43)
    message = bot_message_payload(bot, channel, [paper_card(node)], card_view(node))
    await click(bot, "paperclub:similar:43", ada, channel, message)
    shown = [paper_id_of([discord.Embed.from_dict(e)]) for e in api.answers()[-1]["embeds"]]
    assert hidden not in shown and len(shown) == 5
    await click(bot, "paperclub:similar:43", bob, channel, message)
    shown = [paper_id_of([discord.Embed.from_dict(e)]) for e in api.answers()[-1]["embeds"]]
    assert hidden in shown, "someone else still sees it"


async def test_similar_command_leaves_out_what_the_caller_marked_not_for_me(bot):
    (ada, _), _ = people()
    close = await bot.lib.similar(43, 5)
    await bot.lib.dislike(str(ada.id), close[0].paper.id)
    found = await run("!similar 43")
    assert close[0].paper.id not in [paper_id_of([e]) for e in found[0].embeds]


async def test_not_for_me_says_the_paper_will_not_be_shown_again(bot):
    found = await run("!dislike FFJORD")
    assert found[0].content.startswith("Noted: fewer papers like *FFJORD")
    assert "will not be shown to you again" in found[0].content


async def test_help_mentions_taste_follows_and_the_floor(bot):
    found = await run("!help")
    card = found[0].embeds[0]
    text = " ".join(f"{f.name} {f.value}" for f in card.fields)
    for command in ("/taste", "/follow", "/follows", "unfollow", "only_relevant", "min_score"):
        assert command in text
    assert check_limits(found[0].embeds) == []


async def test_taste_mute_of_a_number_past_its_range_is_refused_in_a_sentence(bot):
    (ada, _), channel = people()
    await two_interests(bot, ada, channel)
    with pytest.raises(commands.CommandError):
        await run("!taste mute:99999999999999999999999")
    text = messages()[0].content
    assert "mute must be from 1 to 1000" in text and "wrong" not in text.lower()
