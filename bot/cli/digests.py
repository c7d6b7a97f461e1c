"""Daily arXiv digests: what one would post (`digest --categories …`, `digest preview`), and
the ones the bot posts (`digest subscribe`, `unsubscribe`, `list`)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from . import context
from .context import State
from .errors import EXIT_NOT_FOUND, BadInput
from .feeds import FETCHED, exit_if_failed, fetch_feeds, print_feed, read_feeds
from .options import (
    categories_option,
    channel_option,
    cross_lists_option,
    discord_user_option,
    feed_options,
    floor_options,
    group_option,
    json_option,
    size_option,
    together,
    user_option,
)
from .output import emit_json, plural

if TYPE_CHECKING:
    from recommender import Preview


def _repeat_option(args: list[str], name: str) -> list[str]:
    """`name a b c` rewritten as `name a name b name c`, up to the next option."""
    spread: list[str] = []
    taking = False
    for position, arg in enumerate(args):
        if arg == "--":
            return spread + args[position:]
        if arg.startswith("-"):
            taking = arg == name or arg.startswith(name + "=")
        elif taking and spread[-1] != name:
            spread.append(name)
        spread.append(arg)
    return spread


class _GreedyCategories(click.Command):
    """A command whose `--categories` takes every value that follows it, so that
    `--categories cs.LG stat.ML` works as well as repeating the option or quoting the list."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _repeat_option(args, "--categories"))


class _DigestCommands(click.Group):
    """`paperclub digest`: a preview by itself (`digest --categories cs.LG`, as before the
    subcommands came), or a subcommand; `--categories` is greedy in both."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _repeat_option(args, "--categories"))


def _floor(min_score: float | None, only_relevant: bool) -> float | None:
    """The relevance floor --min-score or --only-relevant asks for (not both), or None."""
    if min_score is not None and only_relevant:
        raise click.UsageError("Use --min-score or --only-relevant, not both.")
    if only_relevant:
        from recommender.digest import ONLY_RELEVANT

        return ONLY_RELEVANT
    return min_score


_preview_options = together(
    categories_option(required=False),
    group_option("Rank by this group's likes, as a channel's digest does."),
    user_option("Rank by USER's likes, as their personal digest does."),
    size_option,
    cross_lists_option,
    floor_options,
    feed_options,
    click.option("--no-fetch", is_flag=True, help="Use only the announcements fetched before."),
    json_option("the digest and the fetch reports"),
)


@click.group(cls=_DigestCommands, invoke_without_command=True, subcommand_metavar="[COMMAND [ARGS]...]")
@_preview_options
@click.pass_context
def digest(
    ctx: click.Context, categories: tuple[str, ...], group: str | None, user: str | None, size: int,
    cross_lists: bool, min_score: float | None, only_relevant: bool, feeds: tuple[str, ...], day: datetime | None,
    no_fetch: bool, as_json: bool,
) -> None:
    """Daily arXiv digests: with --categories, what one would post today (nothing is
    recorded); `subscribe`, `unsubscribe` and `list` manage the ones the bot posts.

    A preview fetches today's announcements first, unless fetched already or --no-fetch.
    Exits with 1 when a feed could not be fetched.
    """
    if ctx.invoked_subcommand is not None:
        given = [f"--{name.replace('_', '-')}" for name in ctx.params
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for a preview "
                                   f"(`paperclub digest --categories …`); give `{ctx.invoked_subcommand}` its own "
                                   f"options after it.")
        return
    if not categories and not feeds:
        raise click.UsageError("Missing option '--categories': name the arXiv categories to preview "
                               "(or use a command: subscribe, unsubscribe, list, preview).")
    _preview(ctx.obj, categories, group, user, size, cross_lists, _floor(min_score, only_relevant), feeds, day,
             no_fetch, as_json)


@digest.command(name="preview", cls=_GreedyCategories)
@_preview_options
@click.pass_obj
def digest_preview(
    state: State, categories: tuple[str, ...], group: str | None, user: str | None, size: int,
    cross_lists: bool, min_score: float | None, only_relevant: bool, feeds: tuple[str, ...], day: datetime | None,
    no_fetch: bool, as_json: bool,
) -> None:
    """What a daily arXiv digest of the categories would post today (nothing is recorded).

    Fetches today's announcements first, unless fetched already or --no-fetch. With --feed,
    reads saved feeds instead (their categories are the preview's unless --categories says
    otherwise), and previews the day they are for (or --day). Exits with 1 when a feed could
    not be fetched.
    """
    if not categories and not feeds:
        raise click.UsageError("Missing option '--categories': name the arXiv categories to preview, "
                               "or give saved feeds with --feed FILE.")
    _preview(state, categories, group, user, size, cross_lists, _floor(min_score, only_relevant), feeds, day,
             no_fetch, as_json)


def _preview(
    state: State, categories: tuple[str, ...], group: str | None, user: str | None, size: int,
    cross_lists: bool, min_score: float | None, feeds: tuple[str, ...], day: datetime | None, no_fetch: bool,
    as_json: bool,
) -> None:
    from recommender import SubscriptionError

    if group and user:
        raise click.UsageError("Use --group or --user, not both: a digest goes to a channel or to a person.")
    if feeds and no_fetch:
        raise click.UsageError("Use --feed or --no-fetch, not both: --feed reads the feeds given.")
    now = context.now()
    wanted = day.date() if day else None
    if feeds:
        reports = read_feeds(state, feeds, now, wanted)
        categories = categories or tuple(r.category for r in reports if r.category)
        wanted = wanted or max((r.day for r in reports if r.day), default=None)
    else:
        reports = [] if no_fetch else fetch_feeds(state, categories, now, force=False, day=wanted)
    try:
        preview = state.library().preview_digest(
            categories, now, group=group, user=user, size=size, cross_lists=cross_lists, min_score=min_score,
            day=wanted,
        )
    except SubscriptionError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        emit_json({**preview.to_dict(), "min_score": min_score, "fetched": reports})
    else:
        for report in reports:
            if not (report.already and report.status in FETCHED):  # nothing to say about it
                print_feed(report, force=f"paperclub fetch --force {report.category}", err=True)
        _print_digest(preview, cross_lists, min_score)
    exit_if_failed(reports)


def _print_digest(preview: Preview, cross_lists: bool, min_score: float | None = None) -> None:
    names = ", ".join(preview.feeds)
    kind = "new or cross-listed paper" if cross_lists else "new paper"
    if not preview.picks:
        click.echo(f"No arXiv digest for {names} announced {preview.day.isoformat()}:", err=True)
        for line in _why_empty(preview, kind, min_score):
            click.echo(f"  {line}", err=True)
        return
    click.echo(f"arXiv digest for {names} · announced {preview.day.isoformat()} · "
               f"{len(preview.picks)} of {plural(preview.candidates, kind)}")
    for rank, pick in enumerate(preview.picks, 1):
        paper = pick.paper
        click.echo(f"{rank:2d}. " + click.style(paper.title, bold=True))
        click.echo(f"    arXiv:{paper.arxiv_id} · {paper.url}" if paper.arxiv_id else f"    #{paper.id}")
        if pick.reason:
            click.echo(f"    {pick.plain_reason}")


def _why_empty(preview: Preview, kind: str, min_score: float | None = None) -> list[str]:
    if preview.candidates:
        if min_score is not None:
            return [(f"none of the {plural(preview.candidates, kind)} scores {min_score:g} or more against the likes "
                     "(or they were liked or marked \"not for me\" already): a digest with this floor posts "
                     "nothing that day, or a one-line note with say_when_empty")]
        return [f"all {plural(preview.candidates, kind)} were liked or marked \"not for me\" already"]
    day = preview.day.isoformat()
    reasons = []
    for name, status in preview.feeds.items():
        if status == "not fetched":
            reasons.append(f"{name}: not fetched for {day} (run `paperclub fetch {name}`)")
        elif status == "empty":
            reasons.append(f"{name}: arXiv announced nothing for {day} (a holiday, or the feed is late)")
        elif status == "stale":
            reasons.append(f"{name}: the feed does not have the {day} announcement yet; try again later")
        elif status == "ok":
            reasons.append(f"{name}: no {kind}s announced for {day}")
        else:
            reasons.append(f"{name}: fetching the {day} announcement failed ({status}); try again later")
    return reasons


def _digest_target(channel: int | None, user: int | None) -> str:
    """The subscriber a command names: `--channel ID` or `--user ID`, exactly one."""
    from recommender.digest import channel_target, person_target

    if (channel is None) == (user is None):
        raise click.UsageError("Name the subscriber: --channel CHANNEL_ID for a channel's digest, or --user USER_ID "
                               "for a person's in direct messages (Discord ids: Developer Mode, Copy ID).")
    return channel_target(channel) if channel is not None else person_target(user or 0)


def _subscriber(subscription: Any) -> str:
    if subscription.kind == "dm":
        return f"user {subscription.user_id} (direct messages)"
    return f"channel {subscription.channel_id}" + (f" (group {subscription.group})" if subscription.group else "")


@digest.command(name="subscribe", cls=_GreedyCategories)
@categories_option(required=True)
@channel_option("Post the digest in this Discord channel.")
@discord_user_option("Send it to this Discord user in direct messages.")
@group_option("With --channel: the server (group) whose members' likes rank it.")
@click.option("--time", "post_time", default="08:00", show_default=True, metavar="HH:MM", help="Local time to post.")
@click.option("--timezone", default="UTC", show_default=True, help="The time zone of --time, e.g. Europe/Berlin.")
@size_option
@cross_lists_option
@floor_options
@click.option("--say-when-empty", is_flag=True, help="Post a one-line note on days with nothing to post.")
@json_option("the subscription")
@click.pass_obj
def digest_subscribe(
    state: State, categories: tuple[str, ...], channel: int | None, user: int | None, group: str | None,
    post_time: str, timezone: str, size: int, cross_lists: bool, min_score: float | None, only_relevant: bool,
    say_when_empty: bool, as_json: bool,
) -> None:
    """Start (or change) the daily digest the bot posts to a channel or sends to a person.

    With --min-score or --only-relevant, a paper less close to the likes is left out, and a
    day with nothing close enough posts nothing (or, with --say-when-empty, a one-line note).
    """
    from recommender import SubscriptionError

    target = _digest_target(channel, user)
    if group and user is not None:
        raise click.UsageError("--group is for a channel's digest; a person's is ranked by their own likes.")
    try:
        subscription = state.library().subscribe(
            target, categories, post_time=post_time, timezone_name=timezone, size=size, cross_lists=cross_lists,
            say_when_empty=say_when_empty, min_score=_floor(min_score, only_relevant), group=group, now=context.now(),
        )
    except SubscriptionError as exc:
        raise BadInput(str(exc)) from exc
    if as_json:
        emit_json(subscription)
    else:
        click.echo(f"Subscribed {_subscriber(subscription)}: {subscription.describe()}.")


@digest.command(name="unsubscribe")
@channel_option("Stop this channel's digest.")
@discord_user_option("Stop this person's digest.")
@json_option("the target and whether a digest was stopped")
@click.pass_obj
def digest_unsubscribe(state: State, channel: int | None, user: int | None, as_json: bool) -> None:
    """Stop a channel's or a person's daily digest. Exits with 3 when there was none."""
    target = _digest_target(channel, user)
    whom = f"channel {channel}" if channel is not None else f"user {user}"
    removed = state.library().unsubscribe(target)
    if as_json:
        emit_json({"target": target, "removed": removed})
    elif removed:
        click.echo(f"Stopped the daily digest of {whom}.")
    else:
        click.echo(f"{whom} has no daily digest.", err=True)
    if not removed:
        sys.exit(EXIT_NOT_FOUND)


@digest.command(name="list")
@group_option("Only the channels of this group.")
@json_option("the subscriptions")
@click.pass_obj
def digest_list(state: State, group: str | None, as_json: bool) -> None:
    """The daily digests the bot posts: who gets them, what, when, and with which floor."""
    subscriptions = state.library().subscriptions(group)
    if as_json:
        emit_json(subscriptions)
        return
    if not subscriptions:
        click.echo(f"No daily digests{f' in group {group}' if group else ''} "
                   "(`paperclub digest subscribe` starts one).", err=True)
    for subscription in subscriptions:
        click.echo(f"{_subscriber(subscription)}: {subscription.describe()}")


COMMANDS = (digest,)
