"""What the bot can do, in one card (/help)."""

from __future__ import annotations

from typing import NamedTuple

import discord

from recommender import formats_in_words

from .text import COLOUR, safe


class HelpEntry(NamedTuple):
    usage: str
    text: str


HELP_ENTRIES = (
    HelpEntry("search <query>", "ranked results with snippets, 5 a page. Try `neural ode`, `\"normalizing flows\"`, `author:Duvenaud`, `cat:cs.LG`, `year:2019`, `diffusion OR flow`, `-word`, `prefix*`."),
    HelpEntry("paper <paper>", "the full card of one paper (by id, arXiv id or link, or part of its title)."),
    HelpEntry("similar <paper>", "more like this: the closest papers and the words they share."),
    HelpEntry("random [category] [surprise]", "a random paper; with surprise, one from further down your own ranking."),
    HelpEntry("like <paper> · dislike <paper> · unlike <paper>", "tell the bot what you want more (or fewer) of; only you see the answer."),
    HelpEntry("likes [member]", "the papers someone liked here."),
    HelpEntry("import <file> · export [mine|server] [format]", "your Zotero, JabRef or Mendeley library in as your likes (only you see the answer); likes out as " + formats_in_words(labels=True) + "."),
    HelpEntry("recommend [count]", "your own picks (1–10), each with the reason it was chosen."),
    HelpEntry("trending [days]", "what this server liked most lately."),
    HelpEntry("add <arXiv ids or links>", "bring papers in from arXiv and show their cards."),
    HelpEntry("taste [mute:N] [unmute:N]", "your interests here: your likes grouped by topic, each with its words and two example papers. Mute one (a button, or `mute:N`) and it stops drawing recommendations and digest picks."),
    HelpEntry("follow \"phrase\" · follow author:\"Name\"", "every new paper using that phrase, or by that author (\"R. T. Q. Chen\" is \"Ricky T. Q. Chen\"), reaches your personal digest, marked why; in this server's channel digest it is lifted."),
    HelpEntry("follows · unfollow <author or phrase>", "what you follow, and stop following one."),
    HelpEntry("digest subscribe <categories> [time] [timezone] [size]", "a daily digest of fresh arXiv papers in this channel, ranked for this server (Manage Channels). Also `digest show`, `digest preview`, `digest unsubscribe`, `digest links on`, and `digest me` for your own by DM."),
    HelpEntry("club propose · shortlist · withdraw · suggest · poll", "the paper club: propose papers (or press 📚 under a card, or pick one in the 📚 menu under a list), vote in a poll, and the winner's card comes when it ends."),
    HelpEntry("club schedule <paper> <when> · next · cancel · history · setup", "a session with a Discord event, a thread and reminders the day and the hour before (Manage Events or the club's role)."),
    HelpEntry("digest … only_relevant · min_score", "a relevance floor for a channel's or your own digest (and its preview): papers less like the likes are left out, and a day with nothing relevant posts nothing (or one line, with say_when_empty)."),
)


def help_card(prefix: str) -> discord.Embed:
    """What the bot can do, in one card."""
    shown_prefix = safe(prefix)
    embed = discord.Embed(
        title="paperclub: the lab's reading list",
        colour=COLOUR,
        description=(
            f"Every command works as a slash command (`/search`) or as text (`{shown_prefix}search`, "
            "or mention the bot first). Under each paper: **Like**, **Not for me** and "
            "**More like this** count for whoever clicks them. Right-click a paper card → "
            "Apps → **More like this** does the same."
        ),
    )
    for entry in HELP_ENTRIES:
        embed.add_field(name=f"/{entry.usage}", value=entry.text, inline=False)
    return embed
