"""The paper club: sessions in a line, the Discord event and thread of a session, the shortlist
and history cards, polls, reminders and a poll's winner, and the confirmations shared by its
commands and the buttons under cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import discord

from recommender import Paper, Poll, Proposal, Reminder, Session

from .papers import inline_title, linked_title
from .text import (
    COLOUR,
    DESCRIPTION_LIMIT,
    EVENT_DESCRIPTION_LIMIT,
    EVENT_LOCATION_LIMIT,
    EVENT_NAME_LIMIT,
    POLL_ANSWER_LIMIT,
    THREAD_NAME_LIMIT,
    clip,
    message_text,
    neutralise,
    paragraphs,
    plain,
    single_line,
)

CLUB_IN_SERVERS = "The paper club meets in a server: propose papers there."
SHOWN = 25   # proposals on the shortlist card, sessions on the history card
POLL_QUESTION = "Paper club: which paper shall we read next?"
POLL_TEXT = "**Paper club** · vote for the paper we read next; the winner's card comes when the poll ends."
REMINDER_CHARS = 1800   # leaves room for the role's mention and the marker


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


# -- proposals -------------------------------------------------------------------------------


def proposed_message(paper: Paper) -> str:
    """The confirmation of a proposal, from a command or a button."""
    return f"Proposed *{inline_title(paper)}* for the paper club: it is on the shortlist (/club shortlist)."


def proposal_text(proposer: str, paper: Paper) -> str:
    """A proposal announced in the channel: who (their display name) proposed which paper."""
    return f"{plain(proposer, 80)} proposed *{inline_title(paper)}* for the paper club."


def shortlist_card(proposals: Sequence[Proposal], names: Mapping[str, str]) -> discord.Embed:
    """The shortlist, most liked first, with who proposed each (`names`: display names by user
    id; anyone missing shows as "someone") and its likes here."""
    lines = [f"{rank}. {linked_title(p.paper)} · proposed by {_name(names, p.proposer)} · "
             f"{_plural(p.likes, 'like')}" for rank, p in enumerate(proposals[:SHOWN], 1)]
    if len(proposals) > SHOWN:
        lines.append(f"…and {len(proposals) - SHOWN} more.")
    embed = discord.Embed(title=f"Paper club shortlist: {_plural(len(proposals), 'paper')}",
                          colour=COLOUR, description=clip("\n".join(lines), DESCRIPTION_LIMIT))
    embed.set_footer(text="/club poll lets the club vote; /club withdraw takes back your own proposal.")
    return embed


def _name(names: Mapping[str, str], user_id: str) -> str:
    name = names.get(user_id)
    return plain(name, 80) if name else "someone"


# -- sessions --------------------------------------------------------------------------------


def session_text(session: Session) -> str:
    """A session in one safe line: when, the paper, who presents and where."""
    text = f"{session.when_text()} · *{inline_title(session.paper)}*"
    if session.presenter:
        text += f" · presented by {plain(session.presenter, 100)}"
    if session.place:
        text += f" · at {plain(session.place, 100)}"
    return text


def _name_line(text: str, limit: int) -> str:
    """Outside text as one line for a name Discord shows as it is (an event's, a thread's): cut
    to `limit`, any mention in it made inert."""
    return clip(neutralise(single_line(text)), limit)


def event_name(session: Session) -> str:
    return _name_line(f"Paper club: {session.paper.title}", EVENT_NAME_LIMIT)


def event_location(session: Session) -> str:
    return _name_line(session.place or "Paper club", EVENT_LOCATION_LIMIT)


def event_description(session: Session) -> str:
    """The Discord event's description: the paper's title and link, then its abstract, cut to
    fit, with any mention in them made inert."""
    head = f"{single_line(session.paper.title)}\n{session.paper.url or ''}".strip()
    text = f"{head}\n\n{paragraphs(session.paper.abstract)}".strip()
    return clip(neutralise(text), EVENT_DESCRIPTION_LIMIT)


def thread_name(session: Session) -> str:
    """The name of the thread on a session's post: the paper's title."""
    return _name_line(session.paper.title, THREAD_NAME_LIMIT) or "Paper club"


def history_card(sessions: Sequence[Session]) -> discord.Embed:
    """The sessions held: date, paper, presenter and how many were interested."""
    lines = []
    for session in sessions[:SHOWN]:
        line = f"`{session.local_start:%Y-%m-%d}` {linked_title(session.paper)}"
        if session.presenter:
            line += f" · presented by {plain(session.presenter, 100)}"
        if session.interested is not None:
            line += f" · {session.interested} interested"
        lines.append(line)
    return discord.Embed(title=f"Paper club: {_plural(len(sessions), 'session')}",
                         colour=COLOUR, description=clip("\n".join(lines), DESCRIPTION_LIMIT))


def setup_text(channel_id: int, timezone: str, role: str | None, ping: bool) -> str:
    """The club's settings after /club setup (`role`: the role's name, if it has one)."""
    text = f"The paper club posts in <#{channel_id}>, in {timezone} time."
    if role is not None:
        text += (f" Members with the {plain(role, 100)} role may run it; reminders "
                 f"{'mention' if ping else 'do not mention'} the role.")
    return text


# -- polls and reminders ---------------------------------------------------------------------


def poll_answer(paper: Paper) -> str:
    """A paper's title as a poll answer: one line, cut to fit, any mention in it made inert."""
    return clip(neutralise(single_line(paper.title)), POLL_ANSWER_LIMIT) or f"Paper #{paper.id}"


def poll_vote(poll: Poll, hours: int) -> discord.Poll:
    """A poll as Discord's native poll of the papers' short titles, open for `hours`."""
    vote = discord.Poll(question=POLL_QUESTION, duration=timedelta(hours=hours))
    for paper in poll.papers:
        vote.add_answer(text=poll_answer(paper))
    return vote


def poll_posted_text(channel_id: int, hours: int, papers: int) -> str:
    return f"The poll is up in <#{channel_id}> for {_plural(hours, 'hour')}: {papers} papers."


def reminder_text(reminder: Reminder) -> str:
    """A reminder's sentence, made safe."""
    return message_text(reminder.text(), REMINDER_CHARS)


def winner_text(poll: Poll) -> str:
    """The winner of a finished poll, saying how a tie or an empty poll was settled."""
    winner = poll.winner
    assert winner is not None and poll.counts is not None
    votes = poll.counts[[p.id for p in poll.papers].index(winner.id)]
    total = sum(poll.counts)
    title = f"*{inline_title(winner)}*"
    if total == 0:
        line = (f"**The paper club chose** {title}: nobody voted, so the most liked here (then the earliest "
                "proposed) goes first.")
    else:
        tie = " (a tie, settled by likes here, then by the earlier proposal)" if poll.counts.count(votes) > 1 else ""
        line = f"**The paper club chose** {title} with {votes} of {_plural(total, 'vote')}{tie}."
    return f"{line} /club schedule sets the date."
