"""Mixture-of-experts: which weights a step reads, and which it only has to hold.

Every expert must be resident (the router may pick any of them for the next token), so memory
counts them all: training and serving memory use the total parameter count. Compute follows
the active parameters: a token runs attention, the router, any shared expert and its
`experts_per_token` routed experts, so FLOPs use `ModelSpec.active_params`.

Reading is in between. Decoding one stream reads the active experts alone (dense-active). A
batch of B tokens in one step reads every expert that at least one of them picked. Assuming the
router picks independently and evenly for each token (the load-balancing loss every current
MoE trains with pushes it there), an expert escapes all B tokens with probability
(1 - k/E)^B, so a step reads a share 1 - (1 - k/E)^B of each layer's experts: k/E for one
token, rising to nearly all of them in a large batch (dense-total). Real routers are somewhat
skewed, which leaves a few cold experts unread: this share is the upper end for a given batch,
so decode-speed estimates lean slow, never fast.
"""

from __future__ import annotations

from app.cost_model.catalogue import ModelSpec


def expert_share_read(model: ModelSpec, tokens: float) -> float:
    """The expected share of each layer's routed experts that `tokens` tokens touch (1 if dense)."""
    if not model.is_moe:
        return 1.0
    miss = 1.0 - model.experts_per_token / model.experts
    return 1.0 - float(miss ** max(1.0, tokens))


def params_read(model: ModelSpec, tokens: float) -> float:
    """Text-model parameters a step over `tokens` tokens reads: the active ones for a single
    token, up to every parameter when the batch touches every expert. The vision tower of a
    multimodal checkpoint is never read for text."""
    unread = model.expert_params * (1.0 - expert_share_read(model, tokens))
    return model.params - model.vision_params_b * 1e9 - unread


def resident_weight_bytes(model: ModelSpec) -> float:
    """Serving memory for the weights: every expert at the checkpoint's expert precision (MXFP4
    for gpt-oss), everything else in bf16."""
    experts = model.expert_params
    return (model.params - experts) * 2.0 + experts * model.expert_weight_bits / 8.0


def weight_bytes_read(model: ModelSpec, tokens: float) -> float:
    """Weight bytes one serving step over `tokens` tokens reads, each weight in its served
    precision: between the active experts' bytes (one token) and every expert's (a big batch)."""
    experts_read = model.expert_params * expert_share_read(model, tokens)
    others = params_read(model, tokens) - experts_read
    return others * 2.0 + experts_read * model.expert_weight_bits / 8.0


def params_text(model: ModelSpec) -> str:
    """The parameter counts in words, for assumption lines."""
    if not model.is_moe:
        return f"{model.params_b:g}B parameters"
    return (
        f"{model.params_b:g}B parameters, all {model.experts} experts resident; "
        f"{model.active_params_b:.1f}B active per token ({model.experts_per_token} experts)"
    )
