"""The result's energy estimate: the planned training programme and a month of self-hosted
serving, each as board power x GPU-hours x PUE and then x the grid's carbon intensity
(app/cost_model/energy.py), with the assumptions said in words."""

from __future__ import annotations

from app.cost_model.constants import Band, load_constants
from app.cost_model.energy import energy_data, footprint
from app.cost_model.ranges import Range
from app.cost_model.serving import Traffic, self_host
from app.rules.base.facts import MethodFacts
from app.rules.decision.engine import Evaluation
from app.rules.decision.plan import Plan as PlanValues
from app.rules.economics.cost_block import SERIES_NAMES, CostBlock
from app.rules.economics.options import recommended_line
from app.rules.result.extras import Amount, Energy, Footprint
from app.vocabulary import words


def _programme_hours(m: MethodFacts) -> Range:
    """All GPU-hours of the programme's runs, the LoRA comparison first for full fine-tuning."""
    est = m.estimate
    own = est.gpu_hours_per_experiment.scale(est.runs)
    return own if m.comparison is None else _programme_hours(m.comparison) + own


def _typed(what: str, gpu: str, gpus: int, hours: Range) -> Footprint:
    f = footprint(gpu, hours)
    return Footprint(
        what=what,
        gpu=gpu,
        gpus=gpus,
        board_power_w=f.board_power_w,
        gpu_hours=Amount.of(f.gpu_hours),
        kwh=Amount.of(f.kwh),
        co2e_kg=Amount.of(f.co2e_kg),
    )


def _training(plan: PlanValues) -> Footprint | None:
    m = plan.method
    if m is None or plan.fine_tuning is None:
        return None
    est = m.estimate
    what = (
        f"the {words.approach_in_sentence(plan.fine_tuning.value)} programme "
        f"({est.runs} runs on {words.gpus(est.request.gpu.id, est.gpu_count)})"
    )
    return _typed(what, est.request.gpu.id, est.gpu_count, _programme_hours(m))


def _serving(ev: Evaluation, plan: PlanValues, block: CostBlock) -> Footprint | None:
    """A month of the recommendation's serving when it is self-hosted, else of the planned
    fine-tuned model's; when a provider serves it, the fleet that would carry the same traffic
    self-hosted. None when nothing is served on an open model of the plan."""
    lines = [recommended_line(ev, block)]
    if plan.fine_tuning is not None:
        lines.append(SERIES_NAMES[plan.fine_tuning])
    hours = load_constants().get("hours_per_month")
    for line in lines:
        host = block.serving[line].self_host
        if host is not None:
            what = f"a month of serving, self-hosted on {words.gpus(host.gpu, host.gpus)}"
            return _typed(what, host.gpu, host.gpus, Range.exact(host.gpus * hours))
    if plan.fine_tuning is None or plan.model is None:
        return None
    ctx = ev.facts.context
    traffic = Traffic(
        ctx.monthly_requests, ctx.input_tokens_per_request, ctx.output_tokens_per_request
    )
    target = ev.facts.answers.latency_p99_ms
    own = self_host(plan.model, traffic, 1, Band.expected, ctx.tenants, target)
    if own is None or own.self_host is None:
        return None
    host = own.self_host
    what = (
        f"a month of serving if self-hosted on {words.gpus(host.gpu, host.gpus)} "
        "(the plan has a provider serve it)"
    )
    return _typed(what, host.gpu, host.gpus, Range.exact(host.gpus * hours))


def energy_summary(ev: Evaluation, plan: PlanValues, block: CostBlock) -> Energy:
    data = energy_data()
    assumptions = (
        (
            "Each GPU draws its board power (its maximum) for every GPU-hour, so the figures "
            "are the top of what the GPUs draw at the planned hours."
        ),
        (
            f"Data-centre PUE {data.pue.low:.2f} (low) to {data.pue.expected:.2f} (expected and "
            f"high): {data.pue_source}."
        ),
        f"Grid carbon intensity {data.grid_gco2e_per_kwh:.0f} g CO2e per kWh: {data.grid_source}.",
        (
            "The range (P10 to P90) combines the GPU-hours' uncertain factors and the PUE as "
            "independent factors; a month of always-on serving has no range in its hours."
        ),
    )
    return Energy(
        training=_training(plan),
        serving_month=_serving(ev, plan, block),
        pue=Amount.of(data.pue, 2),
        grid_gco2e_per_kwh=data.grid_gco2e_per_kwh,
        assumptions=assumptions,
    )
