"""What a person reads: their interests (`taste`, muting one), and the authors and phrases they
follow."""

from __future__ import annotations

import sys

import click

from .context import State
from .errors import EXIT_NOT_FOUND, BadInput
from .options import author_option, group_option, json_option, phrase_argument, user_argument
from .output import emit_json, plural, quoted
from .render import where

# The largest interest number taken (more is a typo, and past 2**63 SQLite fails).
MAX_INTEREST = 1000


@click.command()
@user_argument
@group_option("USER's likes in this group (and ungrouped ones).")
@click.option("--mute", type=click.IntRange(1, MAX_INTEREST), metavar="N", help="Mute interest N: it draws no recommendations.")
@click.option("--unmute", type=click.IntRange(1, MAX_INTEREST), metavar="N", help="Let interest N draw recommendations again.")
@json_option("the interests")
@click.pass_obj
def taste(state: State, user: str, group: str | None, mute: int | None, unmute: int | None, as_json: bool) -> None:
    """USER's interests: their likes grouped by topic, each with its top words and two
    example papers; --mute N / --unmute N first.

    A handful of likes is one interest; likes far apart make several, and each draws
    recommendations in proportion to its likes. Exits with 3 for an interest number USER
    does not have.
    """
    from recommender import InterestNotFound

    if mute is not None and unmute is not None:
        raise BadInput("Use --mute or --unmute, not both.")
    library = state.library()
    number = mute if mute is not None else unmute
    changed = None
    if number is not None:
        try:
            changed = library.mute_interest(user, number, muted=mute is not None, group=group)
        except InterestNotFound as exc:
            none_yet = not library.taste(user, group)
            click.echo(f"{user} has no interests yet: they appear once {user} likes a few papers."
                       if none_yet else str(exc), err=True)
            sys.exit(EXIT_NOT_FOUND)
    interests = library.taste(user, group)
    if as_json:
        emit_json(interests)
        return
    if changed is not None:
        if changed.muted:
            click.echo(f"Muted interest {changed.number} ({changed.label}): it draws no recommendations until "
                       f"`paperclub taste {quoted(user)} --unmute {changed.number}`.", err=True)
        else:
            click.echo(f"Interest {changed.number} ({changed.label}) draws recommendations again.", err=True)
    if not interests:
        click.echo(f"{user} has not liked any papers yet{f' in {group}' if group else ''}; "
                   f"their interests appear once they like a few (`paperclub like {quoted(user)} PAPER`).", err=True)
        return
    likes_count = sum(i.likes for i in interests)
    click.echo(f"{user}'s {plural(len(interests), 'interest')}, from {plural(likes_count, 'like')}"
               f"{f' in {group}' if group else ''}:")
    for interest in interests:
        state_note = " · muted" if interest.muted else ""
        click.echo(f"{interest.number:2d}. " + click.style(", ".join(interest.terms) or interest.label, bold=True)
                   + f" · {plural(interest.likes, 'like')}{state_note}")
        for paper in interest.examples:
            click.echo(f"    - {paper.title}  {where(paper)}")
    if group:
        click.echo(library.co_like_weight(group).describe())
    if len(interests) > 1 and changed is None:
        click.echo(f"Mute one with `paperclub taste {quoted(user)} --mute N`.", err=True)


def _follow_target(author: str | None, phrase: tuple[str, ...]) -> tuple[str, str]:
    """(kind, text) of a follow named by --author or by the words of a phrase, exactly one."""
    words = " ".join(phrase).strip()
    if author is not None and words:
        raise BadInput("Give an author (--author NAME) or a phrase, not both.")
    if author is None and not words:
        raise BadInput("Say what to follow: --author NAME or a PHRASE, such as `neural ODE`.")
    return ("author", author) if author is not None else ("phrase", words)


@click.command(short_help="Follow an author or a phrase for USER: their new papers reach USER's digest.")
@user_argument
@phrase_argument
@author_option("Follow this author instead of a phrase.")
@group_option("The group (lab) the follow belongs to: lifts its papers in its digests.")
@json_option("the follow")
@click.pass_obj
def follow(state: State, user: str, phrase: tuple[str, ...], author: str | None, group: str | None,
           as_json: bool) -> None:
    """Follow an author (--author "R. T. Q. Chen") or a PHRASE ("neural ODE") for USER.

    Every new paper by the author, or with the phrase in its title or abstract, reaches USER's
    digest, marked why. Authors match with accents and initials folded: "R. T. Q. Chen" is
    "Ricky T. Q. Chen". Exits with 2 for an empty or over-long follow.
    """
    from recommender import FollowError

    kind, text = _follow_target(author, phrase)
    library = state.library()
    try:
        followed, added = library.follow(user, text, kind=kind, group=group)
    except FollowError as exc:
        raise BadInput(str(exc)) from exc
    kept = next((f for f in library.follows(user) if (f.kind, f.text) == (followed.kind, followed.text)), followed)
    if as_json:
        emit_json({**kept.to_dict(), "added": added})
        return
    if not added:
        click.echo(f"{user} already follows {kept.describe()}.")
        return
    papers = "every new paper of theirs" if kind == "author" else "every new paper with it in the title or abstract"
    click.echo(f"{user} follows {kept.describe()}: {papers} reaches {user}'s digest, marked why.")


@click.command()
@user_argument
@phrase_argument
@author_option("Stop following this author.")
@json_option("the follows removed")
@click.pass_obj
def unfollow(state: State, user: str, phrase: tuple[str, ...], author: str | None, as_json: bool) -> None:
    """Stop following an author (--author NAME) or a PHRASE for USER, in every group.

    Exits with 3 when USER does not follow it.
    """
    kind, text = _follow_target(author, phrase)
    library = state.library()
    removed = library.unfollow(user, text, kind=kind)
    if as_json:
        emit_json(removed)
    elif removed:
        for gone in removed:
            click.echo(f"{user} no longer follows {gone.describe()}{f' (in {gone.group})' if gone.group else ''}.")
    else:
        kept = library.follows(user)
        what = f"author {text}" if kind == "author" else f"“{text}”"
        known = (f"; they follow {', '.join(f.describe() for f in kept[:5])}{' …' if len(kept) > 5 else ''}"
                 if kept else "; they follow nothing")
        click.echo(f"{user} does not follow {what}{known}.", err=True)
    if not removed:
        sys.exit(EXIT_NOT_FOUND)


@click.command()
@user_argument
@json_option("the follows")
@click.pass_obj
def follows(state: State, user: str, as_json: bool) -> None:
    """The authors and phrases USER follows, oldest first."""
    kept = state.library().follows(user)
    if as_json:
        emit_json(kept)
        return
    if not kept:
        click.echo(f"{user} follows no authors or phrases (`paperclub follow {quoted(user)} --author NAME` "
                   "or a phrase).", err=True)
    for item in kept:
        place = f" · in {item.group}" if item.group else ""
        since = f" · since {item.created[:10]}" if item.created else ""
        click.echo(f"{item.describe()}{place}{since}")


COMMANDS = (taste, follow, unfollow, follows)
