"""The `paperclub` command, driven through click's runner and as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli.progress import line_progress
from bot.cli import cli
from recommender.ingest import INDEXING

from .conftest import ROOT


@pytest.fixture
def db(seeded_db, tmp_path):
    path = tmp_path / "cli.db"
    shutil.copy(seeded_db, path)
    return str(path)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_first_use_creates_the_database_with_the_bundled_seeds(tmp_path):
    path = tmp_path / "paperclub.db"  # in a folder that exists: a missing one is a typo (exit 2)
    result = run("--db", str(path), "search", "neural", "ODE")
    assert result.exit_code == 0, result.output
    assert "Created" in result.stderr and "80 bundled papers" in result.stderr
    assert "Neural Ordinary Differential Equations" in result.stdout
    again = run("--db", str(path), "stats", "--json")
    assert json.loads(again.stdout)["papers"] == 80
    assert "Created" not in again.stderr


def test_search_json_is_machine_readable(db):
    result = run("--db", db, "search", "author:Duvenaud", "--limit", "3", "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert all("David Duvenaud" in row["authors"] for row in rows)
    assert {"id", "title", "score", "snippet", "url"} <= rows[0].keys()


def test_search_pages(db):
    first = json.loads(run("--db", db, "search", "neural", "-n", "2", "--json").stdout)
    second = json.loads(run("--db", db, "search", "neural", "-n", "2", "--page", "2", "--json").stdout)
    assert len(first) == len(second) == 2
    assert {r["id"] for r in first}.isdisjoint({r["id"] for r in second})


def test_unsearchable_query_explains_itself(db):
    result = run("--db", db, "search", '""')
    assert result.exit_code == 2
    assert "search" in result.stderr.lower()
    assert "Traceback" not in result.output


def test_show_by_fragment_and_json(db):
    text = run("--db", db, "show", "Oops I Took")
    assert text.exit_code == 0
    assert "Chris J. Maddison" in text.stdout
    assert "Seen in:" in text.stdout
    data = json.loads(run("--db", db, "show", "Oops I Took", "--json").stdout)
    assert data["published"] == "2021-02-08"
    assert len(data["sources"]) == 2


def test_show_unknown_paper_suggests_titles(db):
    result = run("--db", db, "show", "Neural Ordinery Diferential")
    assert result.exit_code == 3
    assert "Did you mean" in result.stderr
    assert "Neural Ordinary Differential Equations" in result.stderr


def test_ingest_reports_rejections_with_file_and_line(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,abstract\nA fine paper title here,Fine abstract text.\nNo abstract,\n")
    result = run("--db", db, "ingest", str(bad))
    assert result.exit_code == 0
    assert "1 added" in result.stdout and "1 rejected" in result.stdout
    assert "bad.csv:3" in result.stderr
    report = json.loads(run("--db", db, "ingest", str(bad), "--json").stdout)
    assert report["unchanged"] == 1 and report["added"] == 0


def test_ingest_without_paths_reingests_the_seeds_unchanged(db):
    report = json.loads(run("--db", db, "ingest", "--json").stdout)
    assert (report["added"], report["merged"], report["unchanged"]) == (0, 0, 90)


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite" * 100)
    result = run("--db", str(junk), "stats")
    assert result.exit_code == 1
    assert "not a paperclub database" in result.stderr


def test_the_module_runs_as_a_process(db):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PAPERCLUB_DB=db)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "search", "neural ODE"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Neural Ordinary Differential Equations" in done.stdout


# -- start-up: a command line that answers at once ---------------------------------------

HEAVY = ("sklearn", "scipy", "numpy", "discord")


def heavy_modules_after(code: str) -> list[str]:
    """The heavy packages a fresh interpreter has imported after running `code`."""
    probe = (
        f"{code}\nimport sys\n"
        f"print('HEAVY:', *sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.rpartition("HEAVY:")[2].split()


@pytest.mark.parametrize("args", [["--help"], ["search", "--help"], ["run", "--help"], ["recommend", "--help"]])
def test_help_imports_neither_scikit_learn_numpy_nor_discord(args):
    code = f"from bot.cli import cli\ncli.main({args!r}, prog_name='paperclub', standalone_mode=False)"
    assert heavy_modules_after(code) == []


def test_the_core_types_load_without_the_ranking_stack():
    code = "import recommender\nfrom recommender import Paper, PaperNotFound, QueryError, parse_arxiv_ref"
    assert heavy_modules_after(code) == []


def test_every_public_name_of_the_core_still_imports():
    import recommender

    assert set(recommender.__all__) == set(recommender._ORIGINS)
    for name in recommender.__all__:
        assert getattr(recommender, name) is not None, name
    assert set(recommender.__all__) <= set(dir(recommender))
    from recommender import Library, time_zone_names  # noqa: F401  (the `from` form too)
    with pytest.raises(AttributeError, match="no attribute 'Nonesuch'"):
        recommender.Nonesuch  # noqa: B018


def test_search_imports_neither_scikit_learn_nor_numpy(db):
    code = f"from bot.cli import cli\ncli.main(['--db', {db!r}, 'search', 'neural'], standalone_mode=False)"
    assert heavy_modules_after(code) == []


def test_a_large_ingest_says_on_a_terminal_while_it_indexes(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    show = line_progress()
    assert show is not None
    show(INDEXING, 0, 90)
    show(INDEXING, 90, 90)
    assert capsys.readouterr().err == "", "a small ingest is indexed at once: nothing to say"
    show(INDEXING, 0, 20000)
    show(INDEXING, 20000, 20000)
    said = capsys.readouterr().err.splitlines()
    assert said[0] == "Indexing 20,000 papers for recommendations…"
    assert said[1].startswith("Indexed in ") and said[1].endswith(" s.") and len(said) == 2


def test_reading_and_importing_import_neither_scikit_learn_nor_scipys_clustering(db):
    """The index loads and ranks with numpy and SciPy's sparse matrices; a small library's
    refit after an import is paperclub's own TF-IDF; interests cut their own tree."""
    bib = ROOT / "tests" / "data" / "reading_lists" / "bibtex-tidy.bib"
    commands = [["like", "ada", "43", "34", "39", "29", "25", "1", "8", "9", "16", "12"], ["recommend", "ada"],
                ["taste", "ada"], ["similar", "43"], ["random", "--for", "ada"], ["import", "bob", str(bib)]]
    code = "from bot.cli import cli\n" + "".join(
        f"cli.main(['--db', {db!r}, *{args!r}], prog_name='paperclub', standalone_mode=False)\n" for args in commands
    ) + "import sys\nprint('LOADED:', *sorted(m for m in sys.modules if m.startswith(('sklearn', 'scipy.cluster'))))"
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rpartition("LOADED:")[2].split() == []
