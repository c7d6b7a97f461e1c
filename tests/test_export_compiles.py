"""The BibTeX and BibLaTeX exports of hostile titles compile with pdflatex and bibtex or biber,
running nothing and reading no file a title names. Runs where TeX Live is installed (Debian:
texlive-latex-base, texlive-latex-recommended, texlive-bibtex-extra, biber); skipped elsewhere."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from recommender import Library

from .conftest import INGEST_DAY
from .test_export_safety import HOSTILE_TITLES, _csl_item

# Titles that would read a file, write one, or ask the shell for a command, were they TeX.
COMPILED_TITLES = HOSTILE_TITLES + [
    "Reads \\input{secret} aloud",
    "\\immediate\\openout9=pwned.txt \\immediate\\write9{x} done",
    "\\immediate\\write18{touch shelled} now",
    "Ends in an open brace {",
]
SECRET = "LEAKEDSECRET"
DOCUMENTS = {
    "bibtex": "\\bibliographystyle{plain}\\nocite{*}\\bibliography{refs}",
    "biber": "\\nocite{*}\\printbibliography",
}
PREAMBLES = {"bibtex": "", "biber": "\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}"}


def _missing(*tools: str) -> list[str]:
    return [tool for tool in tools if shutil.which(tool) is None]


def _run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "openout_any": "p", "openin_any": "a"}
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, env=environment)


@pytest.mark.parametrize("fmt, backend", [("bibtex", "bibtex"), ("bibtex", "biber"), ("biblatex", "biber")])
def test_a_hostile_export_compiles_to_its_text_and_runs_nothing(empty: Library, tmp_path, fmt, backend):
    missing = _missing("pdflatex", backend)
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (TeX Live: texlive-latex-base, "
                    "texlive-latex-recommended, texlive-bibtex-extra, biber)")
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps([_csl_item(n, t) for n, t in enumerate(COMPILED_TITLES)]), encoding="utf-8")
    assert empty.import_likes("ada", [source], today=INGEST_DAY).added == len(COMPILED_TITLES)
    folder = tmp_path / "paper"
    folder.mkdir()
    (folder / "refs.bib").write_text(empty.export(fmt, user="ada").text, encoding="utf-8")
    (folder / "secret.tex").write_text(SECRET + "\n", encoding="utf-8")
    (folder / "main.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
        f"{PREAMBLES[backend]}\\begin{{document}}{DOCUMENTS[backend]}\\end{{document}}\n", encoding="utf-8")
    latex = ("pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "main")

    runs = [_run(folder, *latex), _run(folder, backend, "main"), _run(folder, *latex), _run(folder, *latex)]

    assert [run.returncode for run in runs] == [0, 0, 0, 0], [run.stdout[-2000:] for run in runs]
    log = (folder / "main.log").read_text(encoding="utf-8", errors="replace")
    bibliography_log = (folder / "main.blg").read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"^! ", log, re.MULTILINE)
    assert not re.search(r"error message|ERROR|WARN", bibliography_log)
    # TeX logs each file it reads as `(path`; a command run through the shell as `runsystem`.
    assert "secret.tex" not in log and "/etc/hostname" not in log and "runsystem" not in log
    assert not (folder / "pwned.txt").exists() and not (folder / "shelled").exists()
    entries = (folder / "main.bbl").read_text(encoding="utf-8")
    assert len(re.findall(r"\\bibitem|\\entry\{", entries)) == len(COMPILED_TITLES)
    if shutil.which("pdftotext"):
        text = " ".join(_run(folder, "pdftotext", "main.pdf", "-").stdout.split())
        assert SECRET not in text
        for title in ("A Harmless Study \\input{/etc/hostname}", "Reads \\input{secret} aloud",
                      "Trailing backslash \\", "Unbalanced } brace { and \\def\\x{y}"):
            assert title in text
