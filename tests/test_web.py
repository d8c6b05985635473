"""The wizard, the results page and the method page, through the app with JavaScript off."""

from __future__ import annotations

import html
import io
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.http.templating import breakable
from app.rules.base.catalogue import load_rules
from app.views.method import effect_in_words, in_general, name_in_words
from tests.conftest import BASE_ANSWERS
from tests.pages import check_page
from tests.wizard import finish, form_data, hidden_fields, walk


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_walk_the_wizard_to_a_shareable_result(client: TestClient) -> None:
    location = finish(client, walk(client), title="Support copilot", tenants="3")
    assert location.startswith("/assessments/")
    page = client.get(location)
    assert page.status_code == 200
    parsed = check_page(page.text)
    assert "Recommended: LoRA" in page.text
    assert "/static/vendor/plotly-strict-4.1.1.min.js" in page.text
    assert "Answer time, p99 (estimated)" in page.text  # each line's estimate, beside serving
    assert "first words after" in page.text
    assert any("report.pdf" in link for link in parsed.links)
    api = client.get(f"/api/v1{location}").json()
    assert api["title"] == "Support copilot"
    assert api["context"]["tenants"] == 3


def test_check_page_lists_every_answer_with_a_change_link(client: TestClient) -> None:
    page = client.get(walk(client))
    assert page.text.count("Change<span") == 9
    change = re.search(r'href="(/wizard/budget-usd\?[^"]+return=check)"', page.text)
    assert change is not None
    link = change.group(1).replace("&amp;", "&")
    assert ("return", "check") in parse_qsl(urlsplit(link).query)
    again = client.get(link)
    assert 'value="10000"' in again.text


def test_a_bad_answer_is_shown_beside_the_field_and_kept(client: TestClient) -> None:
    page = client.get("/wizard/labelled-examples?objective=behaviour")
    form = [*hidden_fields(page.text), ("labelled_examples", "lots")]
    response = client.post("/wizard/labelled-examples", data=form_data(form))
    assert response.status_code == 422
    check_page(response.text)
    assert "There is a problem" in response.text
    assert 'value="lots"' in response.text
    assert "The number of examples must be a whole number from 0 to 10,000,000" in response.text


def test_thousands_separators_and_dollar_signs_are_accepted(client: TestClient) -> None:
    posted = client.post(
        "/wizard/budget-usd", data={"budget_usd": "$12,500"}, follow_redirects=False
    )
    assert posted.status_code == 303
    assert "budget_usd=12500" in posted.headers["location"]


@pytest.mark.parametrize(
    ("slug", "field", "typed", "stored"),
    [
        ("labelled-examples", "labelled_examples", "10k", "10000"),
        ("budget-usd", "budget_usd", "$5k", "5000"),
        ("budget-usd", "budget_usd", "1.5m", "1500000"),
    ],
)
def test_thousands_and_millions_may_be_typed_as_k_and_m(
    client: TestClient, slug: str, field: str, typed: str, stored: str
) -> None:
    posted = client.post(f"/wizard/{slug}", data={field: typed}, follow_redirects=False)
    assert posted.status_code == 303
    assert f"{field}={stored}" in posted.headers["location"]


@pytest.mark.parametrize("typed", ["NaN", "nan", "inf", "-Infinity", "1.5k5"])
def test_not_a_number_is_refused_beside_the_field(client: TestClient, typed: str) -> None:
    response = client.post("/wizard/budget-usd", data={"budget_usd": typed})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert f'value="{typed}"' in response.text


def test_a_number_and_not_sure_together_ask_for_one_or_the_other(client: TestClient) -> None:
    response = client.post(
        "/wizard/budget-usd", data={"budget_usd": "20000", "unsure": "budget_usd"}
    )
    assert response.status_code == 422
    assert "not both" in response.text
    assert 'value="20000"' in response.text


def test_not_sure_uses_the_conservative_default_and_is_flagged(client: TestClient) -> None:
    location = finish(client, walk(client, unsure=("budget_usd",)))
    page = client.get(location)
    assert "Assumptions you asked us to make" in page.text
    api = client.get(f"/api/v1{location}").json()
    assert api["unsure"] == ["budget_usd"]
    assert api["answers"]["budget_usd"] == 5000


def test_deployment_errors_are_shown_and_typed_values_kept(client: TestClient) -> None:
    check_url = walk(client)
    page = client.get(
        client.get(check_url).url.path.replace("check", "deployment")
        + "?"
        + urlsplit(check_url).query
    )
    form = [*hidden_fields(page.text), ("tenants", "0"), ("title", "x" * 201)]
    response = client.post("/wizard/deployment", data=form_data(form))
    assert response.status_code == 422
    check_page(response.text)
    assert 'value="0"' in response.text
    assert "200 characters or fewer" in response.text


def test_an_invisible_title_is_refused_beside_its_field_and_kept(client: TestClient) -> None:
    """Issue 21, F12: a title of a Hangul filler and a blank Braille pattern showed nothing."""
    check_url = walk(client)
    page = client.get("/wizard/deployment?" + urlsplit(check_url).query)
    typed = [("title", "\u3164\u2800")]
    response = client.post(
        "/wizard/deployment", data=form_data([*hidden_fields(page.text), *typed])
    )
    assert response.status_code == 422
    check_page(response.text)
    assert "The title must have some visible text" in response.text
    assert 'value="\u3164\u2800"' in response.text


def test_every_deployment_error_comes_in_one_round_naming_its_field(client: TestClient) -> None:
    """A number out of range, a GPU and an API model not on the lists: all three at once, each
    message naming its field and the summary linking to it."""
    check_url = walk(client)
    page = client.get("/wizard/deployment?" + urlsplit(check_url).query)
    typed = [("monthly_requests", "lots"), ("gpu", "tpu-v9"), ("reference_api_model", "gpt-0")]
    response = client.post(
        "/wizard/deployment", data=form_data([*hidden_fields(page.text), *typed])
    )
    assert response.status_code == 422
    check_page(response.text)
    summary = response.text[response.text.index("error-summary") :]
    summary = summary[: summary.index("</ul>")]
    assert '<a href="#monthly_requests">Requests per month must be a whole number' in summary
    assert '<a href="#gpu">Choose the GPU from the list</a>' in summary
    assert '<a href="#reference_api_model">Choose the reference API model from the list</a>' in (
        summary
    )
    assert "genai-prices" not in response.text
    assert 'value="lots"' in response.text


def test_the_reference_api_model_is_chosen_from_a_list(client: TestClient) -> None:
    from app.cost_model.prices import reference_api_choices  # noqa: PLC0415

    check_url = walk(client)
    page = client.get("/wizard/deployment?" + urlsplit(check_url).query).text
    assert '<select class="select" name="reference_api_model" id="reference_api_model"' in page
    assert '<option value="">GPT-5.2 (the default)</option>' in page
    assert '<option value="claude-sonnet-4-5">Claude Sonnet 4.5 (Anthropic)</option>' in page
    results = client.get(f"/assessments/{_create(client)}").text
    for choice in reference_api_choices():
        assert f'<option value="{choice.id}"' in results


def test_the_api_names_no_library_version_for_an_unknown_api_model(client: TestClient) -> None:
    body = {"answers": BASE_ANSWERS, "context": {"reference_api_model": "gpt-0"}}
    detail = client.post("/api/v1/recommendations", json=body).json()["errors"][0]
    assert detail["field"] == "context.reference_api_model"
    assert "GET /api/v1/questions" in detail["message"]
    assert not re.search(r"genai-prices \d", detail["message"])


def test_cross_site_form_posts_are_refused(client: TestClient) -> None:
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        response = client.post("/wizard/objective", data={"objective": "both"}, headers=headers)
        assert response.status_code == 403


def test_same_site_form_posts_pass(client: TestClient) -> None:
    response = client.post(
        "/wizard/objective",
        data={"objective": "both"},
        headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def _create(client: TestClient, **extra: Any) -> str:
    body = {"answers": BASE_ANSWERS, "title": "Fintech", **extra}
    return str(client.post("/api/v1/assessments", json=body).json()["id"])


def test_assumptions_recalculate_without_javascript(client: TestClient) -> None:
    assessment = _create(client)
    saved = client.get(f"/assessments/{assessment}").text
    changed = client.get(f"/assessments/{assessment}?monthly_requests=9000000&horizon_months=12")
    assert changed.status_code == 200
    check_page(changed.text)
    assert "Recalculated with other assumptions" in changed.text
    assert changed.text != saved
    bad = client.get(f"/assessments/{assessment}?monthly_requests=lots")
    assert bad.status_code == 422
    assert 'value="lots"' in bad.text


def test_a_recalculated_view_is_whole_and_shareable(client: TestClient) -> None:
    """Every figure, heading and table follows the assumptions in the URL, and the view's share
    link and both PDF links carry them; the saved page keeps the saved figures."""
    assessment = _create(client)
    saved = client.get(f"/assessments/{assessment}").text
    query = "monthly_requests=9000000&horizon_months=12"
    page = client.get(f"/assessments/{assessment}?{query}").text
    assert "Cumulative cost over 24 months" in saved
    assert "Cumulative cost over 12 months" in page
    series = page[page.index('id="series-table"') :]
    series = series[: series.index("</table>")]
    assert '<th scope="col">Month 12</th>' in series
    assert "Month 24" not in series
    assert "Requests per month: 9,000,000 requests" in page
    assert "(saved: " in page
    assert f'/assessments/{assessment}?{html.escape(query)}"' in page  # the share link
    assert f'href="/assessments/{assessment}/report.pdf?{html.escape(query)}"' in page
    letter = f"/assessments/{assessment}/report.pdf?{html.escape(query)}&amp;paper=letter"
    assert f'href="{letter}"' in page
    assert "Recalculated with other assumptions" not in saved
    assert 'href="/assessments/' + assessment + '/report.pdf"' in saved


def test_the_saved_assumptions_typed_again_are_not_a_recalculation(client: TestClient) -> None:
    assessment = _create(client)
    saved = client.get(f"/assessments/{assessment}?horizon_months=24")
    assert saved.status_code == 200
    assert "Recalculated with other assumptions" not in saved.text


def test_a_recalculated_view_downloads_as_its_own_pdf(client: TestClient) -> None:
    """The PDF of a shared recalculated link has the view's figures and says what moved."""
    assessment = _create(client, title="Support bot")
    query = "monthly_requests=9000000&horizon_months=12"
    pdf = client.get(f"/assessments/{assessment}/report.pdf?{query}")
    assert pdf.status_code == 200
    assert "tunewise-support-bot-recalculated-a4.pdf" in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "Recalculated with other assumptions" in text
    assert "9,000,000 requests" in text
    saved = client.get(f"/assessments/{assessment}/report.pdf")
    assert "Recalculated" not in pdf_text(saved.content)
    assert saved.content != pdf.content
    bad = client.get(f"/assessments/{assessment}/report.pdf?horizon_months=0")
    assert bad.status_code == 422


def test_chart_data_travels_as_json_not_inline_script(client: TestClient) -> None:
    page = client.get(f"/assessments/{_create(client)}").text
    assert '<script type="application/json" id="assessment-data">' in page
    assert "<script>" not in page


def test_a_title_with_html_is_shown_as_text(client: TestClient) -> None:
    assessment = _create(client, title='<script>alert("x")</script>')
    page = client.get(f"/assessments/{assessment}").text
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_unknown_assessments_and_steps_are_404(client: TestClient) -> None:
    assert client.get("/assessments/nope").status_code == 404
    assert client.get("/wizard/nope").status_code == 404


def test_rerun_shows_what_changed(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    assessment_id = _create(client)
    stored = store.get(assessment_id)
    old = stored.result.model_copy(update={"rules_version": "0.9.0"})
    older = store.create(title="Old", result=old)
    page = client.get(f"/assessments/{older.id}")
    assert "This assessment was made with older data" in page.text
    rerun = client.get(f"/assessments/{older.id}/rerun")
    check_page(rerun.text)
    assert "0.9.0" in rerun.text
    assert "(changed)" in rerun.text


def test_recent_assessments_and_the_method_page(client: TestClient) -> None:
    client.get(f"/assessments/{_create(client, title='Listed one')}")  # opened: listed
    listing = client.get("/assessments")
    check_page(listing.text)
    assert "Listed one" in listing.text
    method = client.get("/method")
    check_page(method.text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", method.text))
    catalogue = load_rules()
    for rule in (*catalogue.rules, *catalogue.constraints):
        assert name_in_words(rule.id) in text
        assert rule.id not in text  # a reader never sees an internal id
    for threshold in catalogue.threshold_table:
        assert name_in_words(threshold.name) in text
    for section in ("Managed fine-tuning services", "Energy and emissions", "Measured runs"):
        assert section in text
    assert not re.search(r"\{[a-z_]+\}", text), "a rule's reason printed with its blanks"
    assert not re.search(r"(?<![.\w])app/|\.toml\b|\b00[0-4]_[0-9a-f]{16}", text)
    assert not re.search(r"\b(full_fine_tuning|dont_fine_tune)\b|\blora [+-]", text)


def test_method_page_words() -> None:
    assert name_in_words("min_examples") == "Min examples"
    assert name_in_words("mfu_qlora") == "MFU QLoRA"
    assert in_general("under {latency} with {leader}") == (
        "under your p99 target with the leading approach"
    )
    rule = next(r for r in load_rules().rules if r.id == "behaviour-belongs-in-fine-tuning")
    expected = "LoRA +3, QLoRA +3, Full fine-tuning +3, RAG (retrieval) \u22122"
    assert effect_in_words(rule) == expected


def test_an_id_may_wrap_after_an_underscore_and_stays_escaped() -> None:
    assert str(breakable("min_examples_lora")) == "min_<wbr>examples_<wbr>lora"
    assert str(breakable("<b>_x")) == "&lt;b&gt;_<wbr>x"


def test_the_api_can_return_the_chart_model(client: TestClient) -> None:
    body = {"answers": BASE_ANSWERS}
    with_chart = client.post("/api/v1/recommendations?include=chart", json=body).json()
    assert {t["approach"] for t in with_chart["chart"]["traces"]} >= {"api", "lora"}
    assert "chart" not in client.post("/api/v1/recommendations", json=body).json()
