"""The bot reaches the core only through `recommender`'s public names, and the rules both front
ends follow (export formats, targets, the relevance floor, digest sizes) are the core's."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

import click
import pytest

import recommender
from bot.cli import cli
from bot.cogs.reading_lists import FormatName
from recommender import EXPORT_FORMATS, export_format
from recommender.export import WRITERS

BOT = Path(__file__).resolve().parent.parent / "bot"
CORE = BOT.parent / "recommender"


def core_submodules_imported(tree: ast.AST) -> list[str]:
    """The `recommender.*` modules a module imports by name (`import recommender.x`,
    `from recommender.x import y`, `from recommender import x` where x is a module)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("recommender."):
                found.append(node.module)
            elif node.module == "recommender":
                found += [f"recommender.{a.name}" for a in node.names if a.name not in recommender.__all__]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("recommender.")]
    return found


def test_the_bot_imports_only_the_public_names_of_recommender():
    imported = {str(path.relative_to(BOT.parent)): core_submodules_imported(ast.parse(path.read_text("utf-8")))
                for path in sorted(BOT.rglob("*.py"))}
    assert {path: modules for path, modules in imported.items() if modules} == {}
    assert sum(map(len, imported.values())) == 0 and len(imported) > 30


@pytest.mark.parametrize("source", [
    "from recommender.digest import ONLY_RELEVANT",
    "import recommender.files",
    "def f():\n    from recommender.ingest import INDEXING",
    "from recommender import digest",
])
def test_an_import_of_a_core_module_is_found(source):
    assert core_submodules_imported(ast.parse(source))


def test_every_export_format_has_a_writer_and_both_front_ends_offer_exactly_these():
    names = [f.name for f in EXPORT_FORMATS]
    assert set(WRITERS) == set(names) and len(names) == len(set(names))
    assert list(get_args(FormatName)) == names, "the slash command's choices are the core's formats"
    option = next(p for p in cli.commands["export"].params if p.name == "fmt")
    assert isinstance(option.type, click.Choice) and list(option.type.choices) == names
    assert export_format("ris").suffix == ".ris"
    with pytest.raises(ValueError, match="expected one of: bibtex, biblatex, ris, csljson, csv"):
        export_format("docx")


def test_a_library_shows_no_part_of_itself(tmp_path):
    """Beside its declared calls, a Library shows only its settings: the store, the ingester,
    the index keeper, the recommender, the digest book and the club are private."""
    from recommender import Library

    with Library(tmp_path / "x.db") as library:
        assert {name for name in vars(library) if not name.startswith("_")} == {"path", "background_index"}
        assert not hasattr(library, "store")


SQL_STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|WITH|REPLACE)\s")


def sql_outside_the_store(path: Path) -> list[str]:
    """The SQL statements a module holds and the statements it runs, by line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATEMENT.match(node.value):
            found.append(f"{node.lineno}: {node.value.strip()[:40]}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "execute", "executemany", "executescript"):
            found.append(f"{node.lineno}: .{node.func.attr}(…)")
    return found


def test_sql_lives_only_in_the_store():
    store = CORE / "store"
    modules = [path for path in sorted([*CORE.rglob("*.py"), *BOT.rglob("*.py")]) if store not in path.parents]
    found = {str(path.relative_to(BOT.parent)): sql_outside_the_store(path) for path in modules}
    assert {path: statements for path, statements in found.items() if statements} == {}


def test_the_sql_check_finds_a_statement_and_a_call(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('QUERY = "SELECT id FROM papers"\nconn.execute(QUERY)\n"""Select the best."""\n', "utf-8")
    assert sql_outside_the_store(module) == ["1: SELECT id FROM papers", "2: .execute(…)"]
