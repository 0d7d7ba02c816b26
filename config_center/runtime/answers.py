"""Answers encoded once per published snapshot.

A snapshot never changes (a publish installs a new one), so the encoded answer of a question to it is the same
bytes every time: the checklist API keeps them here and answers a repeated question without building, validating
and encoding it again. Keyed by the snapshot's identity (``EngineSnapshot`` compares by identity): the first
question to a new snapshot drops everything encoded for the old one. Only answers are kept, never refusals, and the
keys are questions the snapshot answered, so the memo is bounded by the configuration (cities × matters ×
channels); ``limit`` bounds it besides, past which answers are encoded each time rather than kept.
"""

from collections.abc import Hashable

from .engine import EngineSnapshot

DEFAULT_LIMIT = 50_000  # a province: 21 cities × ~120 bound matters × 6 channels ≈ 15,000; ~2 KB each


class EncodedAnswers:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        # One attribute holding (snapshot, answers): a thread reads both at once; two threads replacing it at
        # the same moment only cost one of them its entries.
        self._state: tuple[EngineSnapshot | None, dict] = (None, {})

    def get(self, snapshot: EngineSnapshot, key: Hashable) -> bytes | None:
        kept, answers = self._state
        return answers.get(key) if kept is snapshot else None

    def put(self, snapshot: EngineSnapshot, key: Hashable, body: bytes) -> bytes:
        kept, answers = self._state
        if kept is not snapshot:
            answers = {}
            self._state = (snapshot, answers)
        if len(answers) < self.limit:
            answers[key] = body
        return body

    def __len__(self) -> int:
        return len(self._state[1])
