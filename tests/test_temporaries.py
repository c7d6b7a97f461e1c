"""Temporary folders carry their process id, so that the next start removes those of dead
processes (a refit killed mid-way) and leaves a running one's alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from recommender import Library
from recommender.processes import remove_dead_folders, temporary_folder


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_temporary_folder_is_named_by_its_process(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with temporary_folder("transform") as folder:
        assert Path(folder).parent == tmp_path
        assert Path(folder).name.startswith(f"paperclub-transform-{os.getpid()}-")
        assert remove_dead_folders(tmp_path) == []  # ours: still running
        assert Path(folder).is_dir()


def test_the_next_start_removes_the_folders_of_dead_processes(tmp_path, monkeypatch):
    dead = tmp_path / f"paperclub-transform-{_dead_pid()}-abc123_x"
    (dead / "inner").mkdir(parents=True)
    (dead / "inner" / "docs-0.pickle").write_bytes(b"x" * 1000)
    alive = tmp_path / f"paperclub-count-{os.getpid()}-zz9"
    alive.mkdir()
    other = tmp_path / "paperclub-notes"
    other.mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Library(tmp_path / "lib.db"):
        pass
    assert not dead.exists() and alive.is_dir() and other.is_dir()
