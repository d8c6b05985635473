"""Whether the planned model can answer within the latency target, and what would.

The latency answer is the time to the whole answer (the question says so): generation takes
one decode step per output token, so a long answer cannot arrive in 100 ms however small the
model. The estimate is the cost model's (app/cost_model/latency.py), on the option the cost
block serves the fine-tuned model with: its self-hosted plan when it is self-hosted (sized for
the target too, so the rule fires only when no fleet meets it), at the batch an answer shares at
the busy hour (arrivals.py); when a
provider hosts it (whose speed is not known here), the model answering alone on the fastest
catalogue GPU, so the rule only claims what no ordinary 16-bit deployment could beat. The
rule fires when even the low end of that estimate misses the target, and says what would meet
it, computed from the same estimate: a shorter answer, a smaller model, a faster GPU.

`line_latency` gives each cost line's estimate for the result (API lines from published
speeds, self-hosted lines from their plan; hosted lines have none).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.cost_model import latency
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.constants import Band
from app.cost_model.latency import LatencyEstimate
from app.cost_model.latency_fit import (
    LatencyCheck,
    LatencyFix,
    after_retrieval,
    check_api,
    check_plan,
)
from app.cost_model.serving import (
    SelfHostPlan,
    ServingCost,
    Traffic,
    fine_tuned_monthly,
    retrieved_tokens,
)
from app.questions import Context
from app.rules.base.facts import MODEL, Facts
from app.rules.decision.registry import Fired, rule
from app.vocabulary import words
from app.vocabulary.numbers import ms, ms_range, plural

RETRIEVAL = frozenset({"rag", "recommended"})
"""The cost lines that retrieve before they answer."""

ALONE = 1
"""The batch of the best case: one answer decoded at a time."""


def _traffic(ctx: Context, extra_input: int = 0) -> Traffic:
    return Traffic(
        ctx.monthly_requests,
        ctx.input_tokens_per_request + extra_input,
        ctx.output_tokens_per_request,
    )


def _on(gpu_id: str, tensor_parallel: int) -> str:
    """'one NVIDIA L4 24GB', or two or more of a GPU 'working as one' (tensor parallel)."""
    if tensor_parallel == 1:
        return f"one {words.gpu_name(gpu_id)}"
    return f"{words.gpus(gpu_id, tensor_parallel)} working as one"


@dataclass(frozen=True, slots=True)
class Judged:
    """The option the rule judges: a GPU, how many per replica, the batch, the estimate."""

    gpu: GpuSpec
    tensor_parallel: int
    batch: int
    estimate: LatencyEstimate
    planned: bool
    """True: the self-hosted serving plan; False: the best case on the fastest GPU."""
    plan: SelfHostPlan | None = None
    """The self-hosted serving plan, when planned."""

    def basis(self) -> str:
        gpu = _on(self.gpu.id, self.tensor_parallel)
        if self.planned:
            return f"self-hosted on {gpu}, decoding {plural(self.batch, 'answer')} at a time"
        return f"even answering alone on {gpu}, the fastest GPU in the catalogue"


@lru_cache(maxsize=1024)
def judged(model: ModelSpec, ctx: Context, target_ms: int) -> Judged | None:
    """The fine-tuned model's serving as the cost block plans it (LoRA's line, sized for the
    target too), at the batch an answer shares at the busy hour."""
    traffic = _traffic(ctx)
    serve = fine_tuned_monthly(
        model,
        traffic,
        on_prem=ctx.on_prem_required,
        adapters=True,
        tenants=ctx.tenants,
        target_ms=target_ms,
    )
    if serve.self_host is not None:
        plan = serve.self_host
        gpu = load_catalogue().gpus[plan.gpu]
        est = latency.for_plan(model, plan, traffic)
        batch = est.batch or plan.batch
        return Judged(gpu, plan.tensor_parallel, batch, est, planned=True, plan=plan)
    best = latency.fastest(model, traffic, ALONE)
    if best is None:
        return None
    gpu, tp, est = best
    return Judged(gpu, tp, ALONE, est, planned=False)


def _estimate(model: ModelSpec, j: Judged, traffic: Traffic) -> LatencyEstimate | None:
    """Another model on the judged option's footing: the same GPU at the same batch when
    planned, the fastest GPU alone otherwise."""
    if j.planned:
        found = latency.on_gpu(model, j.gpu, traffic, j.batch)
        return None if found is None else found[1]
    best = latency.fastest(model, traffic, ALONE)
    return None if best is None else best[2]


def _fix_words(fix: LatencyFix, j: Judged) -> str:
    """One typed fix (app/cost_model/latency_fit.py) in words."""
    if fix.kind == "streaming":
        return f"streaming the answer (its first words in about {ms(fix.p99_ms)})"
    where = ""
    shape = (fix.gpu, fix.tensor_parallel)
    if fix.gpu is not None and fix.tensor_parallel and shape != (j.gpu.id, j.tensor_parallel):
        where = f" served on {_on(fix.gpu, fix.tensor_parallel)}"
    if fix.kind == "shorter_answers" and fix.output_tokens is not None:
        return f"answers of at most {plural(fix.output_tokens, 'token')}{where}"
    other = load_catalogue().models[fix.model] if fix.model is not None else None
    if fix.kind == "smaller_model" and other is not None:
        return (
            f"a model of at most {other.params_b:g}B parameters, such as {other.name}"
            f"{where} (about {ms(fix.p99_ms)})"
        )
    return f"serving on {_on(fix.gpu or j.gpu.id, fix.tensor_parallel or 1)}"


def fixes(model: ModelSpec, ctx: Context, j: Judged, target: int) -> str:
    """What would meet the target. For the serving plan, the cost model's typed fixes (the
    same the result carries): streaming, shorter answers, a smaller model, each with the fleet
    that meets it. For the best case on the fastest GPU: the longest answer that fits, the
    largest smaller catalogue model that fits."""
    traffic = _traffic(ctx)
    found: list[str] = []
    if j.plan is not None:
        return _joined(
            [_fix_words(f, j) for f in check_plan(model, j.plan, traffic, target).fixes], j
        )
    tokens = latency.most_output_tokens(model, j.gpu, j.tensor_parallel, j.batch, traffic, target)
    if tokens:
        found.append(f"answers of at most {plural(tokens, 'token')}")
    smaller = [m for m in load_catalogue().plan_models if m.params_b < model.params_b]
    for m in reversed(smaller):
        est = _estimate(m, j, traffic)
        if est is not None and est.p99_ms.expected <= target:
            found.append(
                f"a model of at most {m.params_b:g}B parameters, such as {m.name} "
                f"(about {ms(est.p99_ms.expected)})"
            )
            break
    if j.planned and (best := latency.fastest(model, traffic, j.batch)) is not None:
        gpu, tp, est = best
        on = _on(gpu.id, tp)
        if gpu.id != j.gpu.id and est.p99_ms.expected <= target:
            found.append(f"serving on {on} (about {ms(est.p99_ms.expected)})")
        elif not tokens and (
            most := latency.most_output_tokens(model, gpu, tp, j.batch, traffic, target)
        ):
            found.append(f"answers of at most {plural(most, 'token')} served on {on}")
    return _joined(found, j)


def _joined(found: list[str], j: Judged) -> str:
    if not found:
        return (
            "no single change does: even the first token takes about "
            f"{ms(j.estimate.first_token_ms.expected)}, so relax the target"
        )
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + ", or " + found[-1]


@rule("latency-target-out-of-reach", *MODEL)
def _out_of_reach(f: Facts) -> Fired | None:
    """The planned model misses the p99 target even at the low end of its estimate."""
    target = f.answers.latency_p99_ms
    j = judged(f.model, f.context, target)
    if j is None or j.estimate.p99_ms.low <= target:
        return None
    est = j.estimate
    return Fired(
        {"latency": f"{target:,}", "output_tokens": f"{f.context.output_tokens_per_request:,}"},
        later=lambda: {
            "model": f.model.name,
            "basis": j.basis(),
            "estimate": ms(est.p99_ms.expected),
            "range": ms_range(est.p99_ms.low, est.p99_ms.high),
            "per_token": ms(est.per_token_ms.expected),
            "first_token": ms(est.first_token_ms.expected),
            "fixes": fixes(f.model, f.context, j, target),
        },
    )


def line_latency(
    model: ModelSpec, ctx: Context, name: str, serve: ServingCost, target_ms: int
) -> LatencyCheck | None:
    """A cost line's answer time against the target, with what would meet it: an API line
    from its published speed, a self-hosted line from its plan; None for a line a provider
    hosts, whose speed is not recorded. A line with retrieval (`rag`, and `recommended`: the
    fine-tuned model with retrieval beside it) waits for the retrieval hop, and its prompts
    carry the retrieved context."""
    retrieval = name in RETRIEVAL
    extra = retrieved_tokens(Band.expected) if retrieval else 0  # the retrieved context
    if serve.approach == "api":
        return _api_latency(ctx.reference_api_model, _traffic(ctx, extra), target_ms, retrieval)
    if serve.self_host is None:
        return None
    return _plan_latency(model, serve.self_host, _traffic(ctx, extra), target_ms, retrieval)


@lru_cache(maxsize=1024)
def _api_latency(
    reference: str, traffic: Traffic, target_ms: int, retrieval: bool
) -> LatencyCheck | None:
    """An API line's check, cached: it depends on the API's published speed, the traffic and
    the target, never on the answers that move most (examples, budget)."""
    check = check_api(reference, traffic, target_ms)
    return after_retrieval(check) if retrieval and check is not None else check


@lru_cache(maxsize=1024)
def _plan_latency(
    model: ModelSpec, plan: SelfHostPlan, traffic: Traffic, target_ms: int, retrieval: bool
) -> LatencyCheck:
    """A self-hosted line's check, cached on its plan like `check_plan`, the retrieval hop
    added when the line retrieves."""
    check = check_plan(model, plan, traffic, target_ms)
    return after_retrieval(check) if retrieval else check
