"""Daily digests: a subscription in a sentence, a digest's header or its quiet-day line, and
what /digest preview says."""

from __future__ import annotations

from recommender import ONLY_RELEVANT, Digest, DigestKind, Preview, Subscription

from .text import plain


def subscription_text(subscription: Subscription | None, whose: str, command: str = "/digest subscribe") -> str:
    """A subscription in a sentence; `whose` is "This channel" or "You", `command` how to set one."""
    has, gets = ("have", "get") if whose == "You" else ("has", "gets")
    if subscription is None:
        return f"{whose} {has} no daily digest. Set one with `{command}`."
    return f"{whose} {gets} a daily arXiv digest: {plain(subscription.describe(), 1500)}."


def floor_text(floor: float) -> str:
    return "only relevant papers" if floor == ONLY_RELEVANT else f"a min_score of {floor:g}"


# -- a digest --------------------------------------------------------------------------------


def is_quiet(digest: Digest) -> bool:
    """Whether a digest is one line saying there is nothing to post, rather than cards."""
    return digest.kind != DigestKind.PAPERS or not digest.picks


def quiet_text(digest: Digest) -> str:
    """The line of a day with nothing to post (which says so when new papers came but none
    reached the subscriber's floor)."""
    names = ", ".join(digest.categories)
    if digest.below_floor:
        whose = "your" if digest.user_id else "this channel's"
        return f"Nothing relevant in {names} today: no new paper reached {whose} relevance floor."
    return f"No new arXiv papers in {names} today."


def digest_header(digest: Digest) -> str:
    """The head of a digest's first message: its categories, its day, and how many papers for whom."""
    day = digest.announce_day or digest.local_day
    whom = "you" if digest.user_id else "this server"
    count = len(digest.picks)
    return (f"**arXiv digest · {', '.join(digest.categories)} · {day:%a %d %b %Y}**\n"
            f"{count} new {'paper' if count == 1 else 'papers'} picked for {whom}.")


# -- a preview -------------------------------------------------------------------------------


def preview_text(preview: Preview, floor: float | None) -> str:
    """What a preview says above its cards, or alone when it has none: nothing reached the
    floor, nothing new came, or how many of the new papers it shows."""
    names = ", ".join(preview.feeds)
    if preview.below_floor and floor is not None:
        return (f"Nothing relevant to post from {names} for {preview.day:%a %d %b}: none of its "
                f"new papers reaches the floor ({floor_text(floor)}).")
    if not preview.picks:
        states = "; ".join(f"{name}: {state}" for name, state in preview.feeds.items())
        return f"Nothing new to post from {names} for {preview.day:%a %d %b} ({states})."
    kept = f", above the floor ({floor_text(floor)})" if floor is not None else ""
    return (f"Preview of the digest for {names} · {preview.day:%a %d %b %Y}: "
            f"{len(preview.picks)} of {preview.candidates} new papers{kept}.")
