"""Text read as a person reads it: the ids a person must never see, and a page's visible text.

Shared by the decision-document, page-one and proposal-page tests. A helper module, not a test
module (tests/test_architecture.py holds that no test module imports another).

The ids are derived from the catalogues, never listed here: model and GPU ids, approach ids,
rule ids, the reference API model's id, and the answers' enum values. They may appear only in
"How the score was reached", collapsed on the page and in the PDF's appendix.
"""

from __future__ import annotations

import re
from functools import cache

from app.cost_model.catalogue import load_catalogue
from app.cost_model.prices import DEFAULT_REFERENCE_API_MODEL
from app.questions.text import catalogue_text
from app.rules.base.approaches import Approach
from app.rules.base.catalogue import load_rules

SCORING = "How the score was reached"
"""The one section where ids may be read: collapsed on the page, the PDF's appendix."""


def _is_a_word(value: str) -> bool:
    """An enum value that is also an everyday word ("monthly") can't be told from prose."""
    return re.fullmatch(r"[a-z]+", value) is not None


@cache
def raw_ids() -> frozenset[str]:
    """Every id a person must not read, from the catalogues themselves."""
    catalogue, rules, text = load_catalogue(), load_rules(), catalogue_text()
    ids = {*catalogue.models, *catalogue.gpus, DEFAULT_REFERENCE_API_MODEL}
    ids |= {a.value for a in Approach}  # "lora" and "rag" in lower case are ids, not words
    ids |= {r.id for r in (*rules.rules, *rules.constraints)}
    for question in (*text.questions, *text.context):
        ids |= {v for v in question.options if not _is_a_word(v) and not v.isdigit()}
    return frozenset(ids)


@cache
def raw_pattern() -> re.Pattern[str]:
    """A raw id as a whole token, Python's True/False, or a float printed as `1000.0`."""
    ids = sorted(map(re.escape, raw_ids()), key=len, reverse=True)
    token = "|".join((*ids, "True", "False"))
    return re.compile(rf"(?<![\w.-])(?:{token})(?![\w-]|\.\w)|(?<![\d.])\d[\d,]*\.0(?![\d.])")


def what_a_person_reads(text: str) -> list[str]:
    """Each raw id, `.txt` file name or "(s)" plural in the text, with its surroundings."""
    found = [text[max(0, m.start() - 40) : m.end() + 20] for m in raw_pattern().finditer(text)]
    found += [f"a .txt file: {m.group()}" for m in re.finditer(r"\S*\.txt\b", text)]
    found += [f'"(s)": {m.group()}' for m in re.finditer(r"\S*\(s\)", text)]
    return found


def visible_text(html: str) -> str:
    """The page's text outside the collapsed scoring section and the script data."""
    html = re.sub(r'<details class="scoring".*?</details>', "", html, flags=re.DOTALL)
    html = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)
