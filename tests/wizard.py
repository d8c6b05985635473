"""The wizard walked as a person with JavaScript off walks it: plain form posts, each page
checked on the way. Shared by the page tests that need a wizard-made assessment or a step.

A helper module, not a test module (tests/test_architecture.py holds that no test module
imports another).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import BASE_ANSWERS
from tests.pages import check_page

FORM_VALUES = {
    **{k: v for k, v in BASE_ANSWERS.items() if k != "citations_required"},
    "citations_required": "no",
}
"""The base answers as a person types them into the form."""

SLUGS = [q.replace("_", "-") for q in BASE_ANSWERS]
"""Each question's step in the wizard's URLs, in the order it asks them."""


def hidden_fields(html: str) -> list[tuple[str, str]]:
    """The answers a wizard page carries forward, as (name, value) pairs."""
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)


def form_data(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs (a name may repeat) as httpx wants them."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def walk(client: TestClient, *, unsure: tuple[str, ...] = ()) -> str:
    """Answer the nine questions with plain form posts; returns the check page's URL."""
    response = client.get("/")
    check_page(response.text)
    url = "/wizard/objective"
    for qid, slug in zip(BASE_ANSWERS, SLUGS, strict=True):
        page = client.get(url)
        assert page.status_code == 200
        check_page(page.text)
        assert len(page.content) < 50_000
        form: list[tuple[str, str]] = hidden_fields(page.text)
        if qid in unsure:
            form.append(("unsure", qid))
        else:
            form.append((qid, str(FORM_VALUES[qid])))
        posted = client.post(f"/wizard/{slug}", data=form_data(form), follow_redirects=False)
        assert posted.status_code == 303, posted.text[:500]
        url = posted.headers["location"]
    assert url.startswith("/wizard/check")
    return url


def finish(client: TestClient, check_url: str, **context: str) -> str:
    """From the check page through the deployment step; returns the saved assessment's URL."""
    check = client.get(check_url)
    check_page(check.text)
    deployment_url = re.search(r'href="(/wizard/deployment[^"]*)"', check.text)
    assert deployment_url is not None
    page = client.get(deployment_url.group(1).replace("&amp;", "&"))
    check_page(page.text)
    form = hidden_fields(page.text) + list(context.items())
    created = client.post("/wizard/deployment", data=form_data(form), follow_redirects=False)
    assert created.status_code == 303, created.text[:800]
    return str(created.headers["location"])
