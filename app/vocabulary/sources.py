"""The source documents as a reader cites them.

Data files key a rule or a constant's source by the document's file name (short, stable,
greppable); a person never reads a file name or a hash. `cite` rewrites every file name in a
source text into the citation `../shared/seeds/README.md` gives for it, keeping the quoted
sentence that follows it.
"""

from __future__ import annotations

import re

CITATIONS = {
    "000": '"Parameter-Efficient Fine-Tuning (LoRA / QLoRA)", architecture pattern card',
    "001": "Boolean & Beyond, guide for PMs reviewing a fine-tuning proposal (8 May 2026)",
    "002": "explainer article on LoRA and QLoRA",
    "003": 'Relinns Technologies, "Parameter-Efficient Fine-Tuning: LoRA & QLoRA Techniques" '
    "(25 Feb 2026)",
    "004": '"LoRA & Parameter-Efficient Fine-Tuning (PEFT)", AI glossary for executives',
}
"""Each seed document by its number, as the seeds' README says to cite it."""

SEED_FILE = re.compile(r"\b(\d{3})_[0-9a-f]{16}\.txt")


def cite(text: str) -> str:
    """`text` with each seed file name replaced by the document's citation."""
    return SEED_FILE.sub(lambda m: CITATIONS.get(m.group(1), "a source document"), text)
