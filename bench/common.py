"""Helpers shared by the benchmark scripts: where the repository and its sample data live."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "tests" / "data"


def use_repository_code() -> None:
    """Make `import recommender` load this checkout's code, whether or not it is installed."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def data_file(name: str) -> Path:
    """A sample file bundled with the tests (real public arXiv metadata, see tests/data/README.md)."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"sample data file not found: {path}")
    return path
