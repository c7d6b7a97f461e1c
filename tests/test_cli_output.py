"""The CLI's one JSON writer: the core's objects go out as their `to_dict()`, anything else
that JSON cannot hold is refused rather than written as its repr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.output import emit_json
from recommender import Library


def test_emit_json_writes_the_cores_objects_as_their_dicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Library(str(tmp_path / "lib.db")) as library:
        library.ensure_seeded()
        paper = library.paper("1")
        emit_json({"papers": [paper], "note": "ünïcode"})
    written = json.loads(capsys.readouterr().out)
    assert written == {"papers": [json.loads(json.dumps(paper.to_dict()))], "note": "ünïcode"}


def test_emit_json_refuses_what_has_no_dict() -> None:
    with pytest.raises(TypeError, match="object cannot be written as JSON"):
        emit_json([object()])
