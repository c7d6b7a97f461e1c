"""Reading lists: what an import did, an upload refused for its size, and an export as a file."""

from __future__ import annotations

import io

import discord

from recommender import Exported, ImportReport

from .text import plain

REJECTIONS_SHOWN = 5


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def too_large(name: str, size: int, limit: int) -> str:
    """An upload of `size` bytes refused for being over `limit`."""
    return (f"{plain(name, 100)} is {megabytes(size)}; /import takes files up to "
            f"{megabytes(limit)}. Export a smaller collection, or ask whoever runs the "
            "bot to use `paperclub import`.")


def import_message(report: ImportReport) -> str:
    """What an import did, for the person who ran it."""
    done = report.files[0]
    if done.error:
        return f"I could not read {plain(done.path, 100)}: {done.error}."
    lines = [
        f"Imported {plain(done.path, 100)} ({done.format}): {done.entries} papers, "
        f"{done.liked} new likes ({done.added} new to the library, {done.matched} already here"
        + (f", {done.already_liked} you already liked" if done.already_liked else "") + ")."
    ]
    if done.rejected:
        lines.append(f"{len(done.rejected)} entries skipped:")
        lines += [f"• line {r.line}: {plain(r.reason, 150)}" for r in done.rejected[:REJECTIONS_SHOWN]]
        if len(done.rejected) > REJECTIONS_SHOWN:
            lines.append(f"…and {len(done.rejected) - REJECTIONS_SHOWN} more.")
    fuzzy = [m for m in done.merges if m.worth_checking]
    if fuzzy:
        lines.append(f"{len(fuzzy)} entries were taken for papers already here by their {fuzzy[0].reason}, "
                     f"e.g. line {fuzzy[0].source.rpartition(':')[2]} as “{plain(fuzzy[0].paper_title, 100)}”.")
    if done.encoding and done.encoding != "utf-8":
        lines.append(f"(The file was read as {done.encoding}.)")
    if done.entries:
        lines.append("Your recommendations now draw on them: try /recommend.")
    return "\n".join(lines)


def export_file(exported: Exported, name: str) -> discord.File:
    """An export as an attachment called `name` with its format's suffix."""
    return discord.File(io.BytesIO(exported.text.encode("utf-8")), filename=f"{name}{exported.suffix}")
