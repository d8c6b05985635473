"""Typed result values for the managed fine-tuning option and the energy estimate.

Kept beside result.py (which they extend) so that module stays one screenful per concept;
`Costs.managed_fine_tuning` and `Recommendation.energy` are declared there with these types.
"""

from __future__ import annotations

from pydantic import Field

from app.cost_model.ranges import Range
from app.rules.result import Result, Usd, UsdRange


class Amount(Result):
    """A quantity with the uncertainty of its inputs: low, expected and high."""

    low: float
    expected: float
    high: float

    @classmethod
    def of(cls, r: Range, digits: int = 1) -> Amount:
        return cls(
            low=round(r.low, digits), expected=round(r.expected, digits), high=round(r.high, digits)
        )


class ManagedOffer(Result):
    """One provider's managed fine-tuning, priced for this case."""

    id: str = Field(description="the offer's id in the managed fine-tuning data")
    provider: str = Field(description="the provider, in words")
    model: str = Field(description="the model it fine-tunes and serves, in words")
    open_weights: bool = Field(description="the model's weights are published")
    available: bool = Field(description="a team starting now can buy it")
    why_unavailable: str | None = Field(
        description="the provider's own dated reason it is closed to a team starting now"
    )
    training_usd_per_mtok: float = Field(description="USD per million training tokens")
    price_tier: str = Field("", description="which of the provider's prices applies, in words")
    training_tokens_per_run: int = Field(description="training examples x tokens x epochs")
    billed_tokens_per_run: int = Field(
        0,
        description="the tokens the provider bills a run for, by its own rule (Together AI: "
        "epochs x training tokens + evaluations x validation tokens)",
    )
    runs: int = Field(description="training runs in the programme, expected")
    build_usd: UsdRange = Field(description="the programme: runs x (training + test-set scoring)")
    serving_input_usd_per_mtok: float = Field(description="the fine-tuned model, per 1M input")
    serving_output_usd_per_mtok: float = Field(description="the fine-tuned model, per 1M output")
    serving_gpus: int = Field(
        0, description="GPUs of the dedicated deployment it is served on (0: served per token)"
    )
    serving_usd_per_gpu_hour: float | None = Field(
        None, description="the dedicated deployment's price per GPU-hour, billed whether used"
    )
    monthly_serving_usd: Usd = Field(description="the month's serving at those prices")
    training_source: str = Field(description="where the training price comes from")
    serving_source: str = Field(description="where the serving price comes from")
    as_of: str = Field(description="the date the prices were read, YYYY-MM-DD")
    stale: bool = Field(
        default=False,
        description="read longer ago than the documented maximum age: still used, check it",
    )


class ProviderNotice(Result):
    """What a provider's page says about retiring fine-tuned models or fine-tuning, dated."""

    provider: str
    date: str = Field(description="the date of the notice (or of reading an undated page)")
    text: str
    source: str = Field(description="the page, and the date it was read")


class ProviderEvent(Result):
    """An announced end date inside the chart's horizon that a drawn option depends on."""

    line: str = Field(description="the cost line (option) that depends on the provider")
    provider: str
    date: str = Field(description="the announced date, YYYY-MM-DD")
    month: int = Field(description="the chart's month it falls in (month 1 starts at review)")
    what: str = Field(description="what ends, in the provider's words")
    ends: str = Field(description="what this option loses then, in a few words, for the chart")
    action: str = Field(description="what happens then: migrate, retrain or serve yourself")
    then: str = Field(description="what happens then and its cost, in words")
    cost_usd: Usd = Field(description="what the move costs once, USD (0 where nothing is paid)")
    monthly_change_usd: Usd = Field(description="how the line's monthly cost moves, USD")
    source: str = Field(description="the provider's notice, as a reader cites it")


class ManagedFineTuning(Result):
    """The managed fine-tuning option: offered to a team at capability 1 or 2 (policy 5)."""

    line: str = Field("managed", description="its cost line in `monthly`, `series` and `options`")
    chosen: str = Field(description="the id of the offer the cost line is priced on")
    offers: tuple[ManagedOffer, ...] = Field(
        description="every offer for this plan's model, cheapest over the chart's months first"
    )
    notices: tuple[ProviderNotice, ...] = Field(
        description="the lock-in and deprecation risk: what the providers' pages say, dated"
    )
    data_read: str = Field(description="the date the price data was read, YYYY-MM-DD")


class Footprint(Result):
    """The energy and estimated emissions of one piece of GPU work."""

    what: str = Field(description="the work, in words")
    gpu: str = Field(description="GPU catalogue id")
    gpus: int = Field(description="GPUs at work at once")
    board_power_w: float = Field(description="each GPU's board power (maximum), watts")
    gpu_hours: Amount = Field(description="GPU-hours, all GPUs together")
    kwh: Amount = Field(description="facility energy: board power x GPU-hours x PUE, kWh")
    co2e_kg: Amount = Field(description="kWh x the grid's carbon intensity, kg CO2-equivalent")


class Energy(Result):
    """Energy and estimated CO2e for the training programme and a month of self-hosted serving."""

    training: Footprint | None = Field(description="the planned programme; null if none trains")
    serving_month: Footprint | None = Field(
        description="a month of the recommendation's self-hosted serving; null when a provider "
        "serves it (its hardware is not known)"
    )
    pue: Amount = Field(description="data-centre power usage effectiveness assumed")
    grid_gco2e_per_kwh: float = Field(description="grid carbon intensity assumed, g CO2e/kWh")
    assumptions: tuple[str, ...] = Field(description="each assumption with its source, in words")
