"""The five outcomes and how a person reads them."""

from __future__ import annotations

from enum import StrEnum

from app.cost_model.methods import Method
from app.vocabulary.words import APPROACHES_IN_SENTENCE


class Approach(StrEnum):
    lora = "lora"
    qlora = "qlora"
    full_fine_tuning = "full_fine_tuning"
    rag = "rag"
    dont_fine_tune = "dont_fine_tune"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def method(self) -> Method | None:
        """The training method behind a fine-tuning approach."""
        return {
            Approach.lora: Method.lora,
            Approach.qlora: Method.qlora,
            Approach.full_fine_tuning: Method.full,
        }.get(self)

    @property
    def fine_tunes(self) -> bool:
        return self.method is not None


LABELS = {a: APPROACHES_IN_SENTENCE[a.value] for a in Approach}
"""Each approach inside a sentence; headings and tables use app.vocabulary.words.approach."""

FINE_TUNING = (Approach.lora, Approach.qlora, Approach.full_fine_tuning)
