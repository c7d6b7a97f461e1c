"""/import and /export, as text commands (dpytest) and slash commands (interaction payloads)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import bibtexparser
import discord
import discord.ext.test as dpytest
import pytest

from bot.cogs import reading_lists
from bot.render.reading_lists import import_message

from tests.conftest import store_of
from tests.test_bot_harness import (  # noqa: F401
    FakeDiscordAPI,
    api,
    bot,
    bot_db,
    deliver,
    interaction_payload,
    messages,
    sent,
    snowflake,
)

DATA = Path(__file__).parent / "data"

BIB = Path(__file__).resolve().parent / "data" / "bib"
EPHEMERAL = 64


@pytest.fixture
def uploads(monkeypatch, tmp_path) -> list[tuple[dict[str, Any], dict[str, bytes]]]:
    """Each message the bot sends with files: its JSON part and the files by name (what
    Discord would receive), for channel messages and interaction answers alike. (dpytest keeps
    each file it is sent in the working folder: that is a temporary one here.)"""
    monkeypatch.chdir(tmp_path)
    found: list[tuple[dict[str, Any], dict[str, bytes]]] = []
    real = discord.http.handle_message_parameters

    def recording(*args: Any, **kwargs: Any):
        params = real(*args, **kwargs)
        if params.multipart:
            parts = {part["name"]: part for part in params.multipart}
            body = json.loads(parts.pop("payload_json")["value"])
            files = {}
            for part in parts.values():
                files[part["filename"]] = part["value"].read()
                part["value"].seek(0)
            found.append((body, files))
        return params

    for module in (discord.abc, discord.message, discord.webhook.async_, discord.interactions):
        if hasattr(module, "handle_message_parameters"):
            monkeypatch.setattr(module, "handle_message_parameters", recording)
    return found


def people():
    config = dpytest.get_config()
    return config.members, config.channels[0]


async def test_text_import_likes_the_entries_for_the_sender_in_this_server(bot):
    (ada, bob), channel = people()
    await dpytest.message("!import", member=0, attachments=[str(BIB / "jabref.bib")])
    [answer] = messages()
    assert answer.content.startswith("Imported jabref.bib (bibtex): 8 papers, 8 new likes "
                                     "(8 new to the library, 0 already here).")
    assert "• line 107: entry 'Untitled2020' has no title" in answer.content
    assert "try /recommend" in answer.content
    signals = await bot.lib.likes(str(ada.id))
    assert len(signals) == 8 and {s.group for s in signals} == {str(channel.guild.id)}
    assert await bot.lib.likes(str(bob.id)) == []
    # again: nothing new
    await dpytest.message("!import", member=0, attachments=[str(BIB / "jabref.bib")])
    assert "0 new likes (0 new to the library, 8 already here, 8 you already liked)" in messages()[0].content


async def test_an_upload_over_the_limit_is_refused_with_the_limit(bot, monkeypatch):
    monkeypatch.setattr(reading_lists, "MAX_IMPORT_BYTES", 1000)
    await dpytest.message("!import", member=0, attachments=[str(BIB / "jabref.bib")])
    [answer] = messages()
    assert answer.content.startswith("jabref.bib is 0.0 MB; /import takes files up to 0.0 MB.")
    (ada, _), _ = people()
    assert await bot.lib.likes(str(ada.id)) == []


async def test_an_upload_in_no_known_format_is_explained(bot, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("just some words\n")
    await dpytest.message("!import", member=0, attachments=[str(notes)])
    assert messages()[0].content.startswith("I could not read notes.txt: not a supported format")


async def test_text_export_sends_my_likes_as_a_file(bot, uploads):
    await dpytest.message("!import", member=0, attachments=[str(BIB / "scholar.bib")])
    messages()
    await dpytest.message("!export mine ris", member=0)
    assert len(messages()) == 1
    [(body, files)] = uploads
    assert body["content"] == "3 papers you liked, as ris."
    assert list(files) == ["my-likes.ris"] and files["my-likes.ris"].count(b"TY  - ") == 3
    await dpytest.message("!export mine", member=1)
    assert "No papers you liked yet" in messages()[0].content


def _attachment_option(path: Path, size: int | None = None) -> tuple[dict, dict]:
    attachment_id = str(snowflake())
    resolved = {"attachments": {attachment_id: {
        "id": attachment_id, "filename": path.name, "size": path.stat().st_size if size is None else size,
        "url": path.as_uri(), "proxy_url": path.as_uri(),
    }}}
    return {"name": "file", "type": 11, "value": attachment_id}, resolved


async def test_slash_import_answers_only_the_caller(bot, api):
    (ada, _), channel = people()
    option, resolved = _attachment_option(BIB / "zotero.ris")
    data = {"id": str(snowflake()), "name": "import", "type": 1, "options": [option], "resolved": resolved}
    await deliver(bot, interaction_payload(2, data, ada, channel))
    assert api.calls[0][1]["data"]["flags"] == EPHEMERAL
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["content"].startswith("Imported zotero.ris (ris): 2 papers, 2 new likes")
    assert messages() == [], "nothing was posted in the channel"


async def test_slash_import_of_a_file_discord_says_is_too_large_is_not_downloaded(bot, api, tmp_path):
    (ada, _), channel = people()
    huge = tmp_path / "library.bib"
    huge.write_text("@misc{a, title={A}}\n")
    option, resolved = _attachment_option(huge, size=7 * 1024 * 1024)
    huge.unlink()  # reading it would fail: the size alone must refuse it
    data = {"id": str(snowflake()), "name": "import", "type": 1, "options": [option], "resolved": resolved}
    await deliver(bot, interaction_payload(2, data, ada, channel))
    answer = api.answers()[-1]
    assert answer["flags"] == EPHEMERAL
    assert answer["content"].startswith("library.bib is 7.0 MB; /import takes files up to 5.0 MB.")


async def test_slash_export_is_private_for_mine_and_public_for_the_server(bot, api, uploads):
    (ada, _), channel = people()
    await dpytest.message("!import", member=0, attachments=[str(BIB / "zotero-bbt.bib")])
    messages()
    for scope, private in (("mine", True), ("server", False)):
        api.calls.clear()
        data = {"id": str(snowflake()), "name": "export", "type": 1, "options": [
            {"name": "scope", "type": 3, "value": scope}, {"name": "format", "type": 3, "value": "biblatex"}]}
        await deliver(bot, interaction_payload(2, data, ada, channel))
        body, files = uploads[-1]
        assert bool(body.get("flags", 0) & EPHEMERAL) == private
        whose = "you liked" if private else "liked here"
        assert body["content"] == f"5 papers {whose}, as biblatex."
        [(name, data)] = files.items()
        assert name == ("my-likes.bib" if private else "server-likes.bib")
        assert len(bibtexparser.parse_string(data.decode("utf-8")).entries) == 5


async def test_likes_mentions_import_and_export(bot):
    await dpytest.message("!likes", member=1)
    assert "/import" in messages()[0].content
    await dpytest.message("!import", member=0, attachments=[str(BIB / "scholar.bib")])
    messages()
    await dpytest.message("!likes", member=0)
    footer = messages()[0].embeds[0].footer.text
    assert "/import" in footer and "/export" in footer


async def test_an_imported_paper_is_named_by_its_doi_in_paper_and_like(bot):
    (_, bob), _ = people()
    await dpytest.message("!import", member=0, attachments=[str(BIB / "jabref.bib")])
    messages()
    await dpytest.message("!paper 10.1103/PhysRevB.50.17953", member=1)
    [card] = messages()[0].embeds
    assert card.title == "Projector augmented-wave method"
    await dpytest.message("!like doi:10.1103/physrevb.50.17953", member=1)
    assert "Projector augmented-wave method" in messages()[0].content
    signals = await bot.lib.likes(str(bob.id))
    assert [s.paper.title for s in signals] == ["Projector augmented-wave method"]


def test_the_import_message_tells_merges_by_title_and_the_encoding(seeded):
    from tests.conftest import INGEST_DAY

    merged = seeded.import_likes("ada", [BIB / "zotero-bbt.bib"], today=INGEST_DAY)
    message = import_message(merged)
    assert "entries were taken for papers already here by their title" in message
    latin1 = Path(__file__).resolve().parent / "data" / "encoding" / "jabref-latin1.bib"
    read = seeded.import_likes("ada", [latin1], today=INGEST_DAY)
    assert "(The file was read as iso8859-1.)" in import_message(read)


async def test_a_like_takes_its_turn_while_an_upload_is_imported(tmp_path):
    """/import writes on a thread of its own, in short steps: a like made meanwhile on the
    writer thread waits a step, not the whole file."""
    from bot.worker import AsyncLibrary, LibraryThreads
    from recommender import CallKind

    rows = [json.loads(line) for line in (DATA / "arxiv-metadata-snapshot-sample.jsonl").open(encoding="utf-8")]
    entries = [f"@article{{k{n},\n  title = {{{' '.join(r['title'].split())}}},\n"
               f"  author = {{{r['authors_parsed'][0][0]}, {r['authors_parsed'][0][1]}}},\n"
               f"  abstract = {{{' '.join(r['abstract'].split())}}},\n  year = {{2020}}\n}}\n"
               for n, r in enumerate(rows)]
    threads = LibraryThreads(str(tmp_path / "lab.db"))
    library = await threads.start()
    lib = AsyncLibrary(threads)
    try:
        seeded = await threads.run(CallKind.READ, store_of(library).count_papers)
        upload = await lib.read_upload("big.bib", "\n".join(entries).encode("utf-8"))
        importing = asyncio.ensure_future(lib.import_upload("ada", upload, None))
        while await threads.run(CallKind.READ, store_of(library).count_papers) == seeded:  # its first step is written
            await asyncio.sleep(0.01)
        await lib.like("bob", 1, None)
        assert not importing.done(), "the like waited for the whole import"
        report = await importing
        done = report.files[0]
        assert done.added + done.matched + len(done.rejected) == len(rows) and done.added > 1900
        assert [s.paper.id for s in await lib.likes("bob")] == [1]
    finally:
        await threads.stop()
