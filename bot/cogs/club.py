"""The paper club: /club propose|shortlist|withdraw|suggest|poll|schedule|next|cancel|history|setup.

Anyone may propose papers and vote. Scheduling, cancelling and setting up the club take the
Manage Events permission or the club's role; a refusal is answered only to the person. Nothing
the club posts mentions anyone, except a reminder that names the club's role when the server
chose `ping:yes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from recommender import DEFAULT_POLL, MAX_POLL, MAX_POLL_HOURS, POLL_HOURS, ClubError, Session

from ..posting import Unreachable, messageable
from ..render.club import (
    event_description,
    event_location,
    event_name,
    history_card,
    poll_posted_text,
    proposal_text,
    session_text,
    setup_text,
    shortlist_card,
    thread_name,
)
from ..render.papers import inline_title, paper_card
from ..render.text import NO_MENTIONS
from ..views import card_view
from .autocomplete import paper_choices, proposed_paper_choices, time_zone_choices
from .hybrid import hybrid_group, subcommand
from .replies import Context, Refusal, acknowledged, heavy, reply, send_ranked, server_of, user_of

if TYPE_CHECKING:
    from ..client import PaperclubBot

log = logging.getLogger(__name__)

NOT_ORGANISER = ("Only members with the Manage Events permission or the club's role can schedule, cancel "
                 "or set up the paper club.")
CommandT = TypeVar("CommandT")


def organisers_only() -> Callable[[CommandT], CommandT]:
    """Only members with Manage Events or the club's role may run the command: anyone else is
    refused privately, by a check, so before the command is acknowledged or starts."""

    async def predicate(ctx: Context) -> bool:
        club = ctx.cog
        assert isinstance(club, Club)
        try:
            await club._organiser(ctx)
        except ClubError as exc:
            raise Refusal(str(exc)) from exc
        return True

    return commands.check(predicate)


class Club(commands.Cog):
    """The lab's reading group: a shortlist, polls, sessions with events, threads and reminders."""

    def __init__(self, bot: PaperclubBot):
        self.bot = bot

    def now(self) -> datetime:
        return self.bot.scheduler.clock()

    async def _organiser(self, ctx: Context) -> None:
        """Refuse (privately, through the error handler) anyone without Manage Events or the club's role."""
        author = ctx.author
        if not isinstance(author, discord.Member):
            raise ClubError(NOT_ORGANISER)
        if author.guild_permissions.manage_events:
            return
        settings = await self.bot.lib.club_settings(server_of(ctx))
        if settings.role_id is None or all(role.id != settings.role_id for role in author.roles):
            raise ClubError(NOT_ORGANISER)

    def _display_names(self, guild: discord.Guild | None, user_ids: Iterable[str]) -> dict[str, str]:
        """The display names of those of `user_ids` who are members of `guild`."""
        members = (guild.get_member(int(user_id)) if guild and user_id.isdigit() else None for user_id in user_ids)
        return {str(member.id): member.display_name for member in members if member is not None}

    async def _club_channel_id(self, ctx: Context) -> int:
        """The club's channel (from /club setup), else the one the command was given in."""
        settings = await self.bot.lib.club_settings(server_of(ctx))
        return settings.channel_id or ctx.channel.id

    @hybrid_group(name="club", invoke_without_command=True)
    @commands.guild_only()
    async def club_group(self, ctx: Context) -> None:
        """The paper club: propose, shortlist, withdraw, suggest, poll, schedule, next, cancel, history, setup."""
        await reply(ctx, "Paper club commands: `club propose`, `club shortlist`, `club withdraw`, `club suggest`, "
                         "`club poll`, `club schedule`, `club next`, `club cancel`, `club history`, `club setup`.",
                    private=True)

    # -- the shortlist -----------------------------------------------------------------------

    @subcommand(club_group, name="propose", extras=acknowledged())
    @commands.guild_only()
    async def propose(self, ctx: Context, *, paper: str) -> None:
        """Put a paper on the paper club's shortlist.

        Parameters
        ----------
        paper
            A paper: start typing its title, or give its id, arXiv id, DOI or link
        """
        proposal = await self.bot.lib.propose(server_of(ctx), paper, user_of(ctx))
        await reply(ctx, proposal_text(ctx.author.display_name, proposal.paper))

    @propose.autocomplete("paper")
    async def _propose_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await paper_choices(interaction, current)

    @subcommand(club_group, name="shortlist")
    @commands.guild_only()
    async def shortlist(self, ctx: Context) -> None:
        """The papers proposed for the paper club, with who proposed them and their likes here."""
        proposals = await self.bot.lib.shortlist(server_of(ctx))
        if not proposals:
            await reply(ctx, "The shortlist is empty: `/club propose` adds a paper, `/club suggest` offers some.")
            return
        names = self._display_names(ctx.guild, {p.proposer for p in proposals})
        await reply(ctx, embeds=[shortlist_card(proposals, names)])

    @subcommand(club_group, name="withdraw", extras=acknowledged(private=True))
    @commands.guild_only()
    async def withdraw(self, ctx: Context, *, paper: str) -> None:
        """Take your own proposal off the paper club's shortlist.

        Parameters
        ----------
        paper
            One of the papers you proposed
        """
        proposal = await self.bot.lib.withdraw(server_of(ctx), paper, user_of(ctx))
        await reply(ctx, f"Withdrew *{inline_title(proposal.paper)}* from the shortlist.", private=True)

    @withdraw.autocomplete("paper")
    async def _withdraw_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await proposed_paper_choices(interaction, current)

    @subcommand(club_group, name="suggest", extras=acknowledged())
    @commands.guild_only()
    @heavy()
    async def suggest(self, ctx: Context, count: commands.Range[int, 1, 10] = 5) -> None:
        """Papers this server likes most that the club has not read yet.

        Parameters
        ----------
        count
            How many papers (1 to 10)
        """
        results = await self.bot.lib.club_suggestions(server_of(ctx), count)
        if not results:
            await reply(ctx, "Nothing to suggest: the club has read everything this server's likes point to.")
            return
        await send_ranked(ctx, "Papers this server likes that the club has not read yet "
                               "(the 📚 menu proposes one):", results, private=False)

    # -- choosing ----------------------------------------------------------------------------

    @subcommand(club_group, name="poll", extras=acknowledged(private=True))
    @commands.guild_only()
    async def poll(self, ctx: Context, hours: commands.Range[int, 1, MAX_POLL_HOURS] = POLL_HOURS,
                   size: commands.Range[int, 2, MAX_POLL] = DEFAULT_POLL) -> None:
        """Let the club vote on the shortlist with a Discord poll; the winner is posted when it ends.

        Parameters
        ----------
        hours
            How long the poll stays open, in hours
        size
            How many shortlisted papers it offers (2 to 10): the most liked first
        """
        group = server_of(ctx)
        choices = await self.bot.lib.poll_choices(group, size)
        poll = await self.bot.lib.prepare_poll(group, await self._club_channel_id(ctx), [p.paper.id for p in choices],
                                               self.now() + timedelta(hours=hours))
        try:
            posted = await self.bot.club_loop.post_poll(poll, recovering=False)
        except discord.DiscordServerError:
            await reply(ctx, "Discord did not answer: the bot posts the poll once it does (within a minute or so).",
                        private=True)
            return
        await reply(ctx, poll_posted_text(posted.channel_id, hours, len(choices)), private=True)

    # -- sessions ----------------------------------------------------------------------------

    @subcommand(club_group, name="schedule", extras=acknowledged(private=True))
    @commands.guild_only()
    @organisers_only()
    async def schedule(self, ctx: Context, paper: str, when: str, presenter: discord.Member | None = None,
                       *, place: str | None = None) -> None:
        """Schedule a session: a Discord event, and a post of the paper's card with a thread on it.

        Parameters
        ----------
        paper
            The paper to read: start typing its title, or give its id, arXiv id or link
        when
            Date and local time, e.g. 2026-12-10 17:00 (the club's time zone)
        presenter
            Who presents it
        place
            Where the club meets: a room or a link
        """
        assert ctx.guild is not None
        channel_id = await self._club_channel_id(ctx)
        channel = await self._postable(channel_id)
        session = await self.bot.lib.schedule_session(
            server_of(ctx), paper, when, self.now(),
            presenter=presenter.display_name if presenter else None, place=place, by=user_of(ctx),
        )
        notes: list[str] = []
        event_id = await self._create_event(ctx.guild, session, notes)
        link = f"\nEvent: https://discord.com/events/{ctx.guild.id}/{event_id}" if event_id else ""
        try:
            post = await channel.send(f"**Paper club** · {session_text(session)}{link}",
                                      embed=paper_card(session.paper), view=card_view(session.paper),
                                      allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("Could not post session #%s: %s", session.id, exc)
            await self.bot.lib.attach_session(session.id, event_id)
            await reply(ctx, f"Scheduled: {session_text(session)}. Note: the bot could not post in <#{channel_id}> "
                             f"({exc.status}), so the session has no post and no thread.", private=True)
            return
        thread_id = await self._open_thread(post, session, notes)
        await self.bot.lib.attach_session(session.id, event_id, thread_id, post.channel.id)
        text = f"Scheduled: {session_text(session)}. Posted in <#{post.channel.id}>."
        if notes:
            text += " Note: " + "; ".join(notes) + "."
        await reply(ctx, text, private=True)

    async def _postable(self, channel_id: int) -> discord.abc.Messageable:
        """The channel a session is posted in; ClubError saying why the bot cannot use it."""
        try:
            return await messageable(self.bot, channel_id)
        except Unreachable as exc:
            raise ClubError(f"The paper club cannot post in channel {channel_id}: {exc}. /club setup sets its channel.") from None

    async def _create_event(self, guild: discord.Guild, session: Session, notes: list[str]) -> int | None:
        """The Discord event of a session: its id, or None (with a note why) when Discord refused."""
        try:
            event = await guild.create_scheduled_event(
                name=event_name(session),
                start_time=session.starts, end_time=session.ends, entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only, description=event_description(session),
                location=event_location(session),
            )
        except discord.HTTPException as exc:
            log.warning("Could not create the event of session #%s: %s", session.id, exc)
            notes.append("the Discord event could not be made (does the bot have Manage Events?)")
            return None
        return event.id

    async def _open_thread(self, post: discord.Message, session: Session, notes: list[str]) -> int | None:
        """The thread on a session's post, for its discussion and reminders; None (with a note)
        when Discord refused."""
        try:
            thread = await post.create_thread(name=thread_name(session))
        except (discord.HTTPException, ValueError) as exc:
            log.warning("Could not open the thread of session #%s: %s", session.id, exc)
            notes.append("the thread could not be opened (reminders go to the club's channel)")
            return None
        return thread.id

    @schedule.autocomplete("paper")
    async def _schedule_paper(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await paper_choices(interaction, current)

    @subcommand(club_group, name="next")
    @commands.guild_only()
    async def next_session(self, ctx: Context) -> None:
        """The paper club's next session."""
        session = await self.bot.lib.next_session(server_of(ctx), self.now())
        if session is None:
            await reply(ctx, "No paper club session is scheduled: `/club schedule` sets one.")
            return
        thread = (f" Discussion: https://discord.com/channels/{session.group}/{session.thread_id}"
                  if session.thread_id else "")
        await reply(ctx, f"Next paper club: {session_text(session)}.{thread}", embeds=[paper_card(session.paper)],
                    view=card_view(session.paper))

    @subcommand(club_group, name="cancel", extras=acknowledged())
    @commands.guild_only()
    @organisers_only()
    async def cancel(self, ctx: Context) -> None:
        """Cancel the paper club's next session (its event too; no reminders are sent)."""
        session = await self.bot.lib.cancel_session(server_of(ctx), self.now())
        if session.event_id and ctx.guild is not None:
            try:
                await self.bot.http.delete_scheduled_event(ctx.guild.id, session.event_id)
            except discord.HTTPException as exc:
                log.info("Could not delete the event of session #%s: %s", session.id, exc.status)
        await reply(ctx, f"Cancelled the paper club session: {session_text(session)}.")

    @subcommand(club_group, name="history")
    @commands.guild_only()
    async def history(self, ctx: Context) -> None:
        """The sessions the paper club held: date, paper, presenter and how many took part."""
        sessions = await self.bot.lib.club_history(server_of(ctx), self.now())
        if not sessions:
            await reply(ctx, "The paper club has held no session yet.")
            return
        await reply(ctx, embeds=[history_card(sessions)])

    @subcommand(club_group, name="setup")
    @commands.guild_only()
    @organisers_only()
    async def setup(self, ctx: Context, channel: discord.TextChannel, role: discord.Role | None = None,
                    ping: Literal["yes", "no"] = "no", timezone: str | None = None) -> None:
        """Set the paper club's channel, its role (who may run it), and whether reminders mention that role.

        Parameters
        ----------
        channel
            Where polls and sessions are posted
        role
            Members with this role may schedule and cancel sessions
        ping
            yes: reminders mention the role; no (the default): they mention nobody
        timezone
            The club's time zone, e.g. Europe/Berlin (else its channel digest's, else UTC)
        """
        if role is not None and role.is_default():
            raise ClubError("The club's role must be a role of its own, not the server's everyone role.")
        settings = await self.bot.lib.set_up_club(server_of(ctx), channel.id, role.id if role else None,
                                                  ping == "yes", timezone)
        await reply(ctx, setup_text(channel.id, settings.timezone, role.name if role else None, settings.ping))

    @setup.autocomplete("timezone")
    async def _setup_timezone(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return time_zone_choices(current)
