"""Bad input to `paperclub` gets one sentence and a documented exit status, never a traceback:
2 bad usage or input, 3 not found, 1 a failure (a read-only database, nothing ingested, an
unexpected error). Special files and over-long names are refused before anything opens them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli, main
from bot.cli.context import State
from bot.cli.output import shown_path
from recommender import FileProblem, read_text_file

from .conftest import DATA, ROOT

NOT_UTF8 = b"\xff\xfe".decode("utf-8", "surrogateescape")  # what Python makes of those argv bytes
HUGE = "a" * 50_000
LONG_NAME = "b" * 5_000


@pytest.fixture
def db(seeded_db, tmp_path):
    path = tmp_path / "cli.db"
    shutil.copy(seeded_db, path)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_process(*args: str | bytes, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot.cli ARGS` as a real process, arguments as raw bytes where given."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    environment.pop("PAPERCLUB_LOG_LEVEL", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=environment, capture_output=True, timeout=timeout,
    )


def assert_sentence(stderr: str, *phrases: str) -> None:
    assert "Traceback" not in stderr
    for phrase in phrases:
        assert phrase in stderr, stderr
    assert len(stderr) < 600, stderr


# -- arguments that are not UTF-8 ----------------------------------------------------------

@pytest.mark.parametrize("args, parameter", [
    (["show", NOT_UTF8], "PAPER"),
    (["similar", NOT_UTF8], "PAPER"),
    (["like", NOT_UTF8, "1"], "USER"),
    (["like", "ada", NOT_UTF8], "PAPERS"),
    (["dislike", "ada", NOT_UTF8], "PAPERS"),
    (["unlike", NOT_UTF8, "1"], "USER"),
    (["recommend", NOT_UTF8], "USER"),
    (["random", "--category", NOT_UTF8], "--category"),
    (["random", "--for", NOT_UTF8], "--for"),
    (["likes", NOT_UTF8], "USER"),
    (["digest", "--categories", "cs.LG", "--user", NOT_UTF8, "--no-fetch"], "--user"),
    (["search", "neural", NOT_UTF8], "QUERY"),
])
def test_arguments_that_are_not_utf8_are_refused_by_name(db, args, parameter):
    result = run("--db", str(db), *args)
    assert result.exit_code == 2
    assert_sentence(
        result.stderr, f"Invalid value for '{parameter}", "is not UTF-8 text (byte 0xff at character 1)"
    )


def test_bytes_in_argv_from_a_real_shell(db):
    done = run_process("--db", str(db), "show", b"\xff\xfe")
    assert done.returncode == 2
    assert_sentence(done.stderr.decode(), "is not UTF-8 text (byte 0xff")


def test_a_utf8_argument_still_works(db):
    assert run("--db", str(db), "like", "ada·é", "1").exit_code == 0
    assert "#1" in run("--db", str(db), "likes", "ada·é").stdout


@pytest.mark.parametrize("args", [["likes", " "], ["like", "", "1"], ["recommend", "ada", "--group", ""]])
def test_a_blank_name_is_refused(db, args):
    result = run("--db", str(db), *args)
    assert result.exit_code == 2
    assert_sentence(result.stderr, "is empty; give a name.")


# -- arguments far too long ----------------------------------------------------------------

def test_a_50kb_category_for_random(db):
    result = run("--db", str(db), "random", "--category", HUGE)
    assert result.exit_code == 2
    assert_sentence(result.stderr, "'--category'", "50,000 characters long")


@pytest.mark.parametrize("categories", [[HUGE], ["cs.LG", HUGE]])
def test_a_50kb_category_for_digest(db, categories):
    result = run("--db", str(db), "digest", "--categories", *categories, "--no-fetch")
    assert result.exit_code == 2
    assert_sentence(result.stderr, "'--categories'", "50,000 characters long")


# -- a read-only database ------------------------------------------------------------------

@contextmanager
def read_only(path: Path):
    """Make a file or folder read-only for this process. root ignores permission bits, so as
    root the file is made immutable (chattr +i), which the kernel refuses root as well."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: no way to make a file read-only")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i failed here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_like_on_a_read_only_database_file(db):
    with read_only(db):
        with pytest.raises(PermissionError):
            db.open("ab").close()  # the setup holds: nobody may write the file
        result = run("--db", str(db), "like", "ada", "1")
        assert result.exit_code == 1
        assert_sentence(result.stderr, f"The database {db} is read-only", "cannot save changes")
        reading = run("--db", str(db), "show", "1")
    assert reading.exit_code == 0, reading.output


def test_a_database_in_a_read_only_folder(seeded_db, tmp_path):
    folder = tmp_path / "shelf"
    folder.mkdir()
    db = folder / "paperclub.db"
    shutil.copy(seeded_db, db)
    with read_only(folder):
        with pytest.raises(PermissionError):
            (folder / "probe").touch()
        result = run("--db", str(db), "like", "ada", "1")
    assert result.exit_code == 1
    # named as paperclub names files: cut in the middle when long (pytest-123/… can make it so)
    assert_sentence(result.stderr, f"Cannot open the database {shown_path(db)}: its folder is read-only")


# -- special files and over-long names -----------------------------------------------------

def test_ingest_refuses_a_fifo_and_dev_zero_without_reading_them(db, tmp_path):
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)  # opening it would wait for a writer; /dev/zero would be read without end
    done = run_process("--db", str(db), "ingest", str(fifo), "/dev/zero", timeout=30)
    assert done.returncode == 1
    assert_sentence(
        done.stderr.decode(),
        f"{fifo}: skipped: not a regular file (a FIFO)",
        "/dev/zero: skipped: not a regular file (a character device)",
    )


def test_a_fifo_beside_good_files_is_skipped_and_the_rest_ingested(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    good = tmp_path / "good.csv"
    good.write_text("title,abstract\nA perfectly fine paper title,A perfectly fine abstract.\n")
    done = run_process("--db", str(db), "ingest", str(fifo), str(good), timeout=60)
    assert done.returncode == 0, done.stderr
    assert_sentence(done.stderr.decode(), "not a regular file (a FIFO)")
    assert "1 added" in done.stdout.decode()


def test_ingest_a_file_whose_name_is_not_utf8(db, tmp_path):
    path = tmp_path / os.fsdecode(b"\xfflisting.csv")
    path.write_text("title,abstract\nA perfectly fine paper title,A perfectly fine abstract.\n")
    result = run("--db", str(db), "ingest", str(path))
    assert result.exit_code == 1
    assert_sentence(result.stderr, "\ufffdlisting.csv: skipped: the file name is not UTF-8; rename the file")


def test_ingest_a_name_too_long_for_the_system(db, tmp_path):
    result = run("--db", str(db), "ingest", str(tmp_path / LONG_NAME))
    assert result.exit_code == 1
    assert_sentence(result.stderr, "skipped: file name too long for the system")


def test_a_database_name_too_long_for_the_system(tmp_path):
    result = run("--db", str(tmp_path / LONG_NAME), "stats")
    assert result.exit_code == 2
    assert_sentence(result.stderr, "The database file name is too long for the system", "characters")


@pytest.mark.parametrize("special", ["folder", "fifo"])
def test_a_database_that_is_not_a_regular_file(tmp_path, special):
    path = tmp_path / "db"
    path.mkdir() if special == "folder" else os.mkfifo(path)
    result = run("--db", str(path), "stats")
    assert result.exit_code == 1
    assert_sentence(result.stderr, f"Cannot use {path} as the database: not a regular file")


# -- arXiv papers not in the library -------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["show", "2401.99999"],
    ["show", "https://arxiv.org/abs/2401.99999v2"],
    ["similar", "arXiv:2401.99999"],
    ["like", "ada", "https://arxiv.org/pdf/2401.99999.pdf"],
    ["dislike", "ada", "2401.99999"],
])
def test_an_arxiv_paper_not_in_the_library_says_how_to_add_it(db, args):
    result = run("--db", str(db), *args)
    assert result.exit_code == 3
    assert_sentence(
        result.stderr,
        "arXiv:2401.99999 is not in the library; `paperclub add 2401.99999` brings it in from arXiv.",
    )


def test_an_old_style_arxiv_id_too(db):
    result = run("--db", str(db), "show", "hep-th/9901001")
    assert result.exit_code == 3
    assert_sentence(result.stderr, "`paperclub add hep-th/9901001`")


# -- the last line of defence --------------------------------------------------------------

def _broken_library(self, seed=True):
    raise RuntimeError("the index went missing")


@pytest.mark.parametrize("level, traceback_shown", [("INFO", False), ("DEBUG", True)])
def test_an_unexpected_error_is_a_sentence_unless_debugging(db, monkeypatch, capsys, level, traceback_shown):
    monkeypatch.setattr(State, "library", _broken_library)
    monkeypatch.setenv("PAPERCLUB_LOG_LEVEL", level)
    monkeypatch.setattr(sys, "argv", ["paperclub", "--db", str(db), "stats"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    stderr = capsys.readouterr().err
    assert "paperclub hit an unexpected error: RuntimeError: the index went missing; please report it" in stderr
    assert ("Traceback" in stderr) is traceback_shown


# -- reading a file: recommender.files -----------------------------------------------------

def test_read_text_file_reads_utf8_as_open_reads_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffTitre: Équations\r\nAuteurs\rfin\n".encode())
    assert read_text_file(path, 100) == "Titre: Équations\nAuteurs\nfin\n"


def test_read_text_file_reads_a_real_sample():
    sample = next(p for p in sorted(DATA.iterdir()) if p.is_file() and p.suffix in {".csv", ".txt", ".jsonl"})
    assert read_text_file(sample, 2**30) == sample.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("make, phrase", [
    (lambda p: os.mkfifo(p), "not a regular file (a FIFO)"),
    (lambda p: p.mkdir(), "not a regular file (a folder)"),
    (lambda p: None, "no such file"),
    (lambda p: p.write_bytes(b"x" * 1025), "file is larger than 1 KiB"),
    (lambda p: p.write_bytes(b"good text\n\xe9t\xe9\x00"), "not a text file (not UTF-8, and byte 13 is NUL)"),
    (lambda p: p.write_bytes(b"\x00\xef\xbb\xbfok \xff"), "not a text file (not UTF-8, and byte 0 is NUL)"),
])
def test_read_text_file_names_the_problem(tmp_path, make, phrase):
    path = tmp_path / "input"
    make(path)
    with pytest.raises(FileProblem) as problem:
        read_text_file(path, 1024)
    assert str(problem.value) == phrase


def test_read_text_file_refuses_a_device_and_a_long_name(tmp_path):
    with pytest.raises(FileProblem, match=r"^not a regular file \(a character device\)$"):
        read_text_file(Path("/dev/zero"), 1024)
    with pytest.raises(FileProblem, match="^file name too long for the system$"):
        read_text_file(tmp_path / LONG_NAME, 1024)


def test_read_text_file_permission(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file: permission cannot be denied to this process")
    path = tmp_path / "secret.txt"
    path.write_text("hidden")
    path.chmod(0)
    with pytest.raises(FileProblem, match="^permission denied$"):
        read_text_file(path, 1024)
