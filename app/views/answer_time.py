"""What would meet a missed p99 target, in words: the fixes the serving plan carries."""

from __future__ import annotations

from app.rules.result import ServingPlan
from app.vocabulary import numbers, words


def what_would_meet(plan: ServingPlan) -> str:
    """The fixes a missed target has, in one sentence: streaming, shorter answers, a smaller
    model, a faster GPU kind."""
    said = []
    for fix in plan.latency_fixes:
        at = numbers.ms(fix.estimated_p99_ms)
        if fix.kind == "streaming":
            said.append(f"streaming the answer (first words after about {at})")
        elif fix.kind == "shorter_answers" and fix.output_tokens:
            said.append(
                f"answers of at most {numbers.count(fix.output_tokens)} tokens (about {at})"
            )
        elif fix.kind == "smaller_model" and fix.model:
            cost = (
                f", {numbers.usd_about(fix.monthly_usd)} a month"
                if fix.monthly_usd is not None
                else ""
            )
            said.append(f"{words.model_name(fix.model)} instead (about {at}{cost})")
        elif fix.kind == "faster_gpu" and fix.gpu:
            said.append(f"{words.gpu_name(fix.gpu)} instead (about {at})")
    return ("What would meet it: " + "; or ".join(said) + ".") if said else ""
