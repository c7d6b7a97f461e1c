"""How each facade call runs: every public method of `Library` is declared a read, a write, a
network call or a bulk write (`recommender.calls`), and the bot's `AsyncLibrary` runs each on the
threads its declaration names."""

from __future__ import annotations

import ast
import inspect
import threading
from pathlib import Path

import pytest

from bot.worker import AsyncLibrary, Declared, LibraryThreads
from recommender import CallKind, Library, Lookup, kind_of
from recommender.calls import declared_calls, reads, writes

BOT = Path(__file__).resolve().parent.parent / "bot"
POOL_OF = {CallKind.READ: "paperclub-read", CallKind.WRITE: "paperclub-write",
           CallKind.NETWORK: "paperclub-net", CallKind.BULK: "paperclub-bulk"}


def test_every_public_method_and_property_of_the_library_is_declared():
    calls = declared_calls(Library)
    undeclared = sorted(name for name, kind in calls.items() if kind is None)
    assert undeclared == [], f"declare how these run (recommender.calls): {', '.join(undeclared)}"
    assert len(calls) > 80 and {"like", "subscribe", "propose", "index_path", "colleague_weight"} <= set(calls)


def test_an_undeclared_method_is_found_even_in_a_section_or_behind_a_property():
    class Section:
        @reads
        def declared(self) -> int:
            return 1

        def forgotten(self) -> int:
            return 2

    class Facade(Section):
        @property
        def shown(self) -> int:
            return 3

        def _private(self) -> None:
            pass

    assert declared_calls(Facade) == {"declared": CallKind.READ, "forgotten": None, "shown": None}


def test_a_declaration_changes_nothing_about_the_method():
    def like(user: str, ref: int, group: str | None = None) -> str:
        """Like it."""
        return f"{user} likes {ref} in {group}"

    declared = writes(like)
    assert declared is like and kind_of(like) is CallKind.WRITE
    assert inspect.signature(declared) == inspect.signature(like) and declared.__doc__ == "Like it."
    assert declared("ada", 3) == "ada likes 3 in None"


def test_the_kinds_of_some_calls():
    assert kind_of(Library.like) is CallKind.WRITE and kind_of(Library.search) is CallKind.READ
    assert kind_of(Library.add_from_arxiv) is CallKind.NETWORK and kind_of(Library.fetch_feed) is CallKind.NETWORK
    assert kind_of(Library.import_upload) is CallKind.BULK
    # reading what is pending no longer abandons old digests: that is a write of its own
    assert kind_of(Library.pending_digests) is CallKind.READ
    assert kind_of(Library.abandon_stale_digests) is CallKind.WRITE


def test_the_bots_view_runs_every_declared_method_but_close():
    viewed = {name: attribute for name, attribute in vars(AsyncLibrary).items() if isinstance(attribute, Declared)}
    methods = {name for name, kind in declared_calls(Library).items()
               if not isinstance(inspect.getattr_static(Library, name), property)}
    assert set(viewed) == methods - {"close"}, "AsyncLibrary lists each Library method once, by its name"
    assert all(attribute.kind is kind_of(getattr(Library, name)) for name, attribute in viewed.items())


def test_the_view_refuses_an_undeclared_method_or_another_name():
    def forgotten(library: Library) -> None:
        pass

    with pytest.raises(TypeError, match="does not declare"):
        Declared(forgotten)
    with pytest.raises(TypeError, match="same name"):
        Declared(Library.like).__set_name__(AsyncLibrary, "unlike")


async def test_each_call_runs_on_the_threads_its_declaration_names(seeded):
    threads = LibraryThreads(seeded.path, seeded)
    await threads.start()
    lib = AsyncLibrary(threads)
    seen: dict[str, str] = {}
    for name in ("search", "like", "add_from_arxiv", "import_upload"):
        real = getattr(seeded, name)

        def spying(*args, real=real, name=name, **kwargs):
            seen[name] = threading.current_thread().name
            return real(*args, **kwargs)

        setattr(seeded, name, spying)
    try:
        assert await lib.search("flow", 3)
        assert (await lib.like("ada", 1, None)).id == 1
        addition = await lib.add_from_arxiv(["2501.99999"], lambda ids: Lookup(not_found=list(ids)))
        assert addition.papers == []
        upload = await lib.read_upload("mine.bib", b"@article{a, title={Neural Ordinary Differential Equations}}")
        await lib.import_upload("ada", upload, None)
    finally:
        await threads.stop()
    for name, thread in seen.items():
        assert thread.startswith(POOL_OF[kind_of(getattr(Library, name))]), (name, thread)
    assert len(seen) == 4


def test_the_bot_reaches_the_library_only_through_its_view():
    """No module of the bot but the client (which hands the matcher's thread its Library) and the
    command line (synchronous: it calls the Library itself) names `.library`, and none chooses a
    pool or reaches a part of the facade."""
    command_line = BOT / "cli"
    for path in BOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not names & {"run_blocking", "run_write", "run_network", "run_bulk"}, path
        assert not names & {"store", "digests", "club", "keeper", "ingester", "recommender", "_club", "_digests"}, path
        if path.name not in ("client.py", "worker.py") and command_line not in path.parents:
            assert "library" not in names, path
