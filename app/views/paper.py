"""The paper sizes a report is laid out on: what the results page's links and the PDF share."""

from __future__ import annotations

from typing import Literal

Paper = Literal["a4", "letter"]
PAPER_SIZES: dict[Paper, str] = {"a4": "A4", "letter": "letter"}
