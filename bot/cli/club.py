"""The paper club: a group's shortlist, its sessions and their reminders."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import context
from .context import State
from .errors import EXIT_NOT_FOUND, BadInput, not_found
from .options import group_argument, json_option, limit_option, paper_argument, user_option
from .output import emit_json, plural, quoted
from .params import Text
from .render import print_ranked

T = TypeVar("T")

REMINDER_STATES = {
    "planned": "to be posted",
    "due": "due now",
    "pending": "being posted",
    "sent": "posted",
    "dropped": "given up (its thread or channel was gone)",
}
REMINDER_SKIPPED = {
    "day": "skipped (the session was scheduled less than a day ahead, or the hour's reminder came first)",
    "hour": "skipped (the session was scheduled less than an hour ahead)",
}


@click.group()
def club() -> None:
    """The paper club: a group's shortlist, its sessions and their reminders.

    Without Discord there are no polls or events: `schedule` records the session, which the bot
    (when it runs for that server) reminds of in its thread. GROUP is the Discord server id.
    """


def _club_call(action: Callable[[], T]) -> T:
    """Run a club action, turning its refusals into sentences with the right exit status."""
    from recommender import ClubError, PaperNotFound

    try:
        return action()
    except PaperNotFound as exc:
        not_found(exc)
    except ClubError as exc:
        raise BadInput(str(exc)) from exc


def _session_lines(session: Any) -> list[str]:
    lines = [click.style(session.paper.title, bold=True) + f"  #{session.paper.id}",
             f"    {session.when_text()}" + (f" · presented by {session.presenter}" if session.presenter else "")
             + (f" · at {session.place}" if session.place else "")]
    if session.paper.url:
        lines.append(f"    {session.paper.url}")
    return lines


@club.command(name="propose")
@group_argument
@paper_argument()
@user_option("Who proposes it.", required=True)
@json_option("the proposal")
@click.pass_obj
def club_propose(state: State, group: str, paper: tuple[str, ...], user: str, as_json: bool) -> None:
    """Put PAPER (id, arXiv id or URL, DOI or title) on GROUP's shortlist for USER."""
    library = state.library()
    proposal = _club_call(lambda: library.propose(group, " ".join(paper), user))
    if as_json:
        emit_json(proposal)
    else:
        click.echo(f"{user} proposed #{proposal.paper.id} {proposal.paper.title} for the paper club of {group}.")


@club.command(name="withdraw")
@group_argument
@paper_argument()
@user_option("Who proposed it (only they may withdraw it).", required=True)
@json_option("the withdrawn proposal")
@click.pass_obj
def club_withdraw(state: State, group: str, paper: tuple[str, ...], user: str, as_json: bool) -> None:
    """Take USER's proposal of PAPER off GROUP's shortlist."""
    library = state.library()
    proposal = _club_call(lambda: library.withdraw(group, " ".join(paper), user))
    if as_json:
        emit_json(proposal)
    else:
        click.echo(f"{user} withdrew #{proposal.paper.id} {proposal.paper.title}.")


@club.command(name="shortlist")
@group_argument
@json_option("the shortlist")
@click.pass_obj
def club_shortlist(state: State, group: str, as_json: bool) -> None:
    """GROUP's shortlist, oldest proposal first, with proposers and likes."""
    proposals = state.library().shortlist(group)
    if as_json:
        emit_json(proposals)
        return
    if not proposals:
        click.echo(f"The shortlist of {group} is empty (`paperclub club propose` adds a paper; "
                   f"`paperclub club suggest {quoted(group)}` offers some).", err=True)
    for rank, proposal in enumerate(proposals, 1):
        click.echo(f"{rank:2d}. " + click.style(proposal.paper.title, bold=True) + f"  #{proposal.paper.id}")
        click.echo(f"    proposed by {proposal.proposer} on {proposal.proposed[:10]} · "
                   f"{plural(proposal.likes, 'like')} in {group}")


@club.command(name="suggest")
@group_argument
@limit_option(default=5, most=25)
@json_option("the papers")
@click.pass_obj
def club_suggest(state: State, group: str, limit: int, as_json: bool) -> None:
    """Papers GROUP likes most that its club has not read, scheduled or shortlisted."""
    print_ranked(state.library().club_suggestions(group, limit), as_json)


@club.command(name="schedule")
@group_argument
@paper_argument()
@click.option("--when", "when", required=True, metavar='"YYYY-MM-DD HH:MM"',
              help="Local time of the session, in the club's time zone (its digest's, else UTC).")
@click.option("--presenter", type=Text(200), metavar="NAME", help="Who presents the paper.")
@click.option("--place", type=Text(200), help="Where the club meets (a room, a link).")
@json_option("the session")
@click.pass_obj
def club_schedule(state: State, group: str, paper: tuple[str, ...], when: str, presenter: str | None,
                  place: str | None, as_json: bool) -> None:
    """Record a session of GROUP's club on PAPER (no Discord event: the bot makes those)."""
    library = state.library()
    session = _club_call(lambda: library.schedule_session(group, " ".join(paper), when, context.now(),
                                                       presenter=presenter, place=place))
    if as_json:
        emit_json(session)
        return
    click.echo(f"Scheduled session #{session.id} of {group}:")
    for line in _session_lines(session):
        click.echo(line)


@club.command(name="next")
@group_argument
@json_option("the session", or_null=True)
@click.pass_obj
def club_next(state: State, group: str, as_json: bool) -> None:
    """GROUP's next session. Exits with 3 when none is scheduled."""
    session = state.library().next_session(group, context.now())
    if as_json:
        emit_json(session)
    elif session is None:
        click.echo(f"No session of {group} is scheduled.", err=True)
    else:
        for line in _session_lines(session):
            click.echo(line)
    if session is None:
        sys.exit(EXIT_NOT_FOUND)


@club.command(name="cancel")
@group_argument
@json_option("the cancelled session", or_null=True)
@click.pass_obj
def club_cancel(state: State, group: str, as_json: bool) -> None:
    """Cancel GROUP's next session (its reminders are not sent). Exits with 3 when none is scheduled."""
    from recommender import ClubError

    try:
        session = state.library().cancel_session(group, context.now())
    except ClubError:
        if as_json:
            emit_json(None)
        click.echo(f"No session of {group} is scheduled.", err=True)
        sys.exit(EXIT_NOT_FOUND)
    if as_json:
        emit_json(session)
    else:
        click.echo(f"Cancelled session #{session.id}: {session.describe()}.")


@club.command(name="history")
@group_argument
@json_option("the sessions")
@click.pass_obj
def club_history(state: State, group: str, as_json: bool) -> None:
    """The sessions GROUP's club held, newest first: date, paper, presenter, how many took part."""
    sessions = state.library().club_history(group, context.now())
    if as_json:
        emit_json(sessions)
        return
    if not sessions:
        click.echo(f"The paper club of {group} has held no session yet.", err=True)
    for session in sessions:
        took_part = f" · {session.interested} interested" if session.interested is not None else ""
        click.echo(f"{session.local_start:%Y-%m-%d} " + click.style(session.paper.title, bold=True)
                   + (f" · presented by {session.presenter}" if session.presenter else "") + took_part)


def _reminder_line(reminder: Any, channel_id: int | None) -> str:
    """When a reminder is due, for which session, what became of it, and, while it is still
    to be posted, where it goes."""
    local = reminder.due.astimezone(reminder.session.local_start.tzinfo)
    before = "the day before" if reminder.kind == "day" else "the hour before"
    line = f"{local:%a %d %b %Y, %H:%M} ({reminder.session.timezone}), {before} session #{reminder.session.id} · "
    if reminder.status == "skipped":
        return line + REMINDER_SKIPPED[reminder.kind]
    line += REMINDER_STATES[reminder.status]
    if reminder.status in ("sent", "dropped"):
        return line
    if channel_id is None:
        return line + " but the session has no thread and the club no channel to post in (/club setup sets one)"
    if channel_id == reminder.session.thread_id:
        return line + f" in the session's thread {channel_id}"
    return line + f" in the club's channel {channel_id}"


@club.command(name="remind")
@group_argument
@json_option("the reminders, with where each goes,")
@click.pass_obj
def club_remind(state: State, group: str, as_json: bool) -> None:
    """What the bot would post to remind GROUP of its sessions, where, and when (sends nothing).

    A reminder goes to its session's thread (made when the bot schedules it in Discord), else to
    the club's channel (`/club setup`); a session with neither is not reminded of.
    """
    library = state.library()
    reminders = library.reminders(group, context.now())
    settings = library.club_settings(group)
    targets = [library.reminder_channel(r) for r in reminders]
    if as_json:
        emit_json({"settings": settings,
                   "reminders": [{**r.to_dict(), "channel_id": t} for r, t in zip(reminders, targets)]})
        return
    if not reminders:
        click.echo(f"No session of {group} is to come, so there is nothing to remind of.", err=True)
    mention = f"<@&{settings.role_id}> " if settings.ping and settings.role_id else ""
    for reminder, target in zip(reminders, targets):
        click.echo(_reminder_line(reminder, target) + ":")
        click.echo(f"    {mention}{reminder.text()}")


COMMANDS = (club,)
