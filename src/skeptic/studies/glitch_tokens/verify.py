"""Verification by prompting (Land & Bartolo 2024 §2.3 and Appendix A): can the model repeat a token when asked?

Each candidate token is put into repetition prompts; the model generates three tokens greedily and we record the
probability it gave the candidate at each of the three steps. A token's ``max_prob`` is the maximum over steps and
prompts; it is *verified* under-trained when ``max_prob`` < 1% (the paper's threshold). One of the paper's three
prompts is used, "repeats" (the token repeated, then the model continues), with as many repetitions as fit the
context (the paper's 50 at most). The other two ("input_output", "assistant_explain") rely on instruction-like
few-shot behaviour that a model this small does not have, so they would only add failures for every token. Prompt
text is encoded piece by piece with the candidate's id inserted between the pieces, so the candidate is always
exactly one token.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from tokenizers import Tokenizer

THRESHOLD = 0.01
"""Land & Bartolo: a candidate whose maximal repetition probability is below 1% is verified under-trained."""
N_GENERATE = 3
TOKEN = None  # marks where the candidate goes in a template


def templates(context: int) -> dict[str, list[str | None]]:
    """The prompt templates, as text pieces with the candidate's slots (``None``), sized to fit ``context``.

    "repeats" uses as many repetitions as fit (at most the paper's 50), keeping the end of the preamble.
    """
    n_rep = max(min(50, context - N_GENERATE - 4), 3)
    repeats: list[str | None] = [
        "Below is the output, as you can see it's just giving the same phrase repeated indefinitely:\n"
    ]
    repeats += [TOKEN] * n_rep
    return {"repeats": repeats}


def build_prompts(tok: Tokenizer, template: list[str | None], token_ids: np.ndarray, max_len: int) -> torch.Tensor:
    """``[len(token_ids), t]`` prompts, each with its candidate in every slot; the oldest tokens are cut to fit."""
    pieces: list[list[int]] = [tok.encode(p).ids if p is not None else [] for p in template]
    rows = []
    for t in token_ids:
        ids: list[int] = []
        for p, enc in zip(template, pieces, strict=True):
            ids.extend(enc if p is not None else [int(t)])
        rows.append(ids[-max_len:])
    return torch.tensor(rows, dtype=torch.long)


def repetition_probabilities(
    logits_fn: Callable[[torch.Tensor], torch.Tensor],
    prompts: torch.Tensor,
    targets: torch.Tensor,
    n_generate: int = N_GENERATE,
    per_model_fn: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy generation of ``n_generate`` tokens by every model at once.

    ``logits_fn(tokens [n, t]) -> [M, n, t, V]`` (only the last position is read, so ``[M, n, 1, V]`` will do).
    Once the models' greedy sequences part, model m continues its own: ``per_model_fn(tokens [M, n, t])`` gives
    model m's logits on ``tokens[m]`` for every m in one call; without it each model's sequences go through
    ``logits_fn`` separately (M calls, each running every model). Returns ``(max_prob [M, n], first_token [M, n])``:
    the largest probability of ``targets`` over the generated steps, and the first greedily generated token.
    """
    seq = prompts.unsqueeze(0)  # [1, n, t]; becomes [M, n, t] after the first step
    best: torch.Tensor | None = None
    first: torch.Tensor | None = None
    for step in range(n_generate):
        if seq.shape[0] == 1:
            logits = logits_fn(seq[0])[:, :, -1]
        elif per_model_fn is not None:  # each model continues its own greedy sequence
            logits = per_model_fn(seq)[:, :, -1]
        else:
            logits = torch.stack([logits_fn(seq[m])[m, :, -1] for m in range(seq.shape[0])])
        probs = torch.softmax(logits.float(), dim=-1)  # [M, n, V]
        p_target = probs.gather(-1, targets.view(1, -1, 1).expand(probs.shape[0], -1, 1)).squeeze(-1)
        best = p_target if best is None else torch.maximum(best, p_target)
        nxt = probs.argmax(dim=-1)  # [M, n]
        if step == 0:
            first = nxt
            seq = seq.expand(probs.shape[0], -1, -1)
        seq = torch.cat([seq, nxt.unsqueeze(-1)], dim=-1)
    assert best is not None and first is not None
    return best, first


def verify(
    tok: Tokenizer,
    logits_fn: Callable[[torch.Tensor], torch.Tensor],
    token_ids: np.ndarray,
    context: int,
    chunk: int = 128,
    per_model_fn: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> dict[str, np.ndarray]:
    """Every model's ``max_prob`` (max over templates and steps) and greedy repeat success for ``token_ids``
    (``logits_fn``, ``per_model_fn``: see :func:`repetition_probabilities`).

    Returns arrays ``[M, n]``: ``max_prob``, ``repeated`` (the first greedy token of some template is the candidate),
    and per template ``max_prob/<name>``.
    """
    out: dict[str, list[np.ndarray]] = {}
    for name, template in templates(context).items():
        probs, firsts = [], []
        for start in range(0, len(token_ids), chunk):
            ids = token_ids[start : start + chunk]
            prompts = build_prompts(tok, template, ids, context - N_GENERATE)
            p, f = repetition_probabilities(
                logits_fn, prompts, torch.as_tensor(ids, dtype=torch.long), per_model_fn=per_model_fn
            )
            probs.append(p.cpu().numpy())
            firsts.append((f.cpu() == torch.as_tensor(ids, dtype=torch.long).view(1, -1)).numpy())
        out[f"max_prob/{name}"] = [np.concatenate(probs, axis=1)]
        out[f"repeated/{name}"] = [np.concatenate(firsts, axis=1)]
    names = list(templates(context))
    result = {k: v[0] for k, v in out.items()}
    result["max_prob"] = np.max(np.stack([result[f"max_prob/{n}"] for n in names]), axis=0)
    result["repeated"] = np.any(np.stack([result[f"repeated/{n}"] for n in names]), axis=0)
    return result
