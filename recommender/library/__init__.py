"""The `Library` facade, by section: its parts (`parts`), digests (`digests`), the paper club
(`club`) and the rest (`facade`): ingest, search, likes, rankings, follows, export."""

from .facade import SEEDED_KEY, Library

__all__ = ["SEEDED_KEY", "Library"]
