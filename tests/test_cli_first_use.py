"""What a new user meets first, as a user would expect it: plain JSON, a mistyped --db, an
identifier not in the library, snippets, help texts, Discord ids, empty exports, import reports
(issue 22's smaller surprises)."""

from __future__ import annotations

import json

import pytest

from bot.cli import cli

from .conftest import DATA
from .test_cli import db, run  # noqa: F401 - the fixture and the runner of the CLI tests


def test_json_reasons_are_plain_text_with_the_highlighted_words_beside(db):
    run("--db", db, "like", "ada", "Neural Ordinary Differential Equations", "Latent ODEs")
    picks = json.loads(run("--db", db, "recommend", "ada", "--json").stdout)
    assert picks and all("*" not in p["reason"] for p in picks)
    first = picks[0]
    assert first["reason"].startswith("shares ") and first["highlighted"]
    assert all(word in first["reason"] for word in first["highlighted"])
    assert first["highlighted"][-1] in ("Neural Ordinary Differential Equations",
                                         "Latent ODEs for Irregularly-Sampled Time Series")
    text = run("--db", db, "recommend", "ada").stdout
    assert first["reason"] in text and "*" not in text


def test_a_missing_folder_in_db_is_refused_and_nothing_is_created(tmp_path):
    missing = tmp_path / "typo" / "deeper" / "x.db"
    result = run("--db", str(missing), "stats")
    assert result.exit_code == 2
    assert f"The folder of the database, {missing.parent}, does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_the_default_location_is_created_as_before(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAPERCLUB_DB", raising=False)
    result = run("stats")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "paperclub.db").is_file()


def test_an_identifier_not_in_the_library_says_how_to_bring_it_in(db):
    doi = run("--db", db, "show", "10.1103/PhysRevB.50.17953")
    assert doi.exit_code == 3
    assert doi.stderr.startswith("No paper with the DOI 10.1103/physrevb.50.17953 is in the library; ")
    assert "paperclub import USER FILE" in doi.stderr and "Did you mean" not in doi.stderr
    arxiv = run("--db", db, "similar", "2401.99999")
    assert arxiv.exit_code == 3 and "Did you mean" not in arxiv.stderr
    assert "`paperclub add 2401.99999`" in arxiv.stderr
    assert "Did you mean" in run("--db", db, "show", "Neural Ordinary Differentail").stderr  # titles still do


@pytest.mark.parametrize("query", ["cat:cs.LG", "year:2019", "neural ode"])
def test_snippets_end_on_a_word_with_an_ellipsis(db, query):
    results = json.loads(run("--db", db, "search", query, "-n", "20", "--json").stdout)
    assert results
    for result in results:
        snippet = result["snippet"]
        if snippet != result["abstract"]:
            assert snippet.endswith("…") or result["abstract"].endswith(snippet.split("…")[-1]), snippet
            cut = snippet.rstrip("…").split()[-1]
            assert cut in result["abstract"].split() or cut.rstrip(".,;:)") in result["abstract"], snippet


def test_help_summaries_are_whole_and_say_what_they_take():
    listing = run("--help").stdout
    follow = next(line for line in listing.splitlines() if line.strip().startswith("follow "))
    assert '"R.' not in follow and "author or a phrase" in follow
    assert "DOI" in run("like", "--help").stdout


def test_a_discord_id_that_is_not_one_gets_a_sentence(db):
    result = run("--db", db, "digest", "subscribe", "--channel", "abc", "--categories", "cs.LG")
    assert result.exit_code == 2
    assert "'abc' is not a Discord id: an id is a number of up to 20 digits" in result.stderr
    assert "integer range" not in result.stderr


def test_an_empty_export_exits_3_with_a_sentence_and_writes_nothing(db, tmp_path):
    out = tmp_path / "nobody.bib"
    result = run("--db", db, "export", "--user", "nobody", "-o", str(out))
    assert result.exit_code == 3
    assert result.stderr == "Nothing to export: nobody has not liked any papers.\n"
    assert not out.exists()
    assert run("--db", db, "export", "--group", "lab").stderr == "Nothing to export: no papers were liked in lab.\n"


def test_import_says_what_each_file_did_in_a_sentence(db):
    bib = DATA / "bib"
    first = run("--db", db, "import", "ada", str(bib / "jabref.bib"), str(bib / "zotero.ris"))
    lines = first.stdout.splitlines()
    assert lines[0].endswith("jabref.bib (bibtex): 8 papers, all new to the library; ada likes 8 more papers; "
                             "1 entry rejected.")
    assert lines[1].endswith("zotero.ris (ris): 2 papers, 1 new to the library, 1 already in it; "
                             "ada likes 2 more papers; 1 entry rejected.")
    assert lines[-1] == ("In all, ada likes 10 papers from these files (10 newly liked); 9 new to the library, "
                         "2 entries rejected.")
    again = run("--db", db, "import", "ada", str(bib / "jabref.bib"))
    assert again.stdout.endswith("jabref.bib (bibtex): 8 papers, all already in the library; ada liked them already; "
                                 "1 entry rejected.\n")
    assert len(again.stdout.splitlines()) == 1


def test_every_command_but_export_backup_and_run_takes_json_as_the_readme_says():
    import click

    def without_json(command: click.Command, name: str) -> list[str]:
        found = [] if any(p.name == "as_json" for p in command.params) else [name]
        if isinstance(command, click.Group):
            found = [] if not command.invoke_without_command else found
            for sub_name, sub in command.commands.items():
                found += without_json(sub, f"{name} {sub_name}".strip())
        return found

    assert sorted(without_json(cli, "")) == ["backup", "export", "run"]
    readme = (DATA.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "Every command but `export` (which writes a file), `backup` and `run` takes `--json`" in readme
