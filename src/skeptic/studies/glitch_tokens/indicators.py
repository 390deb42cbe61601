"""Indicators of under-trained tokens from a model's weights, their accuracy (AUROC), and a checkpoint scanner.

Indicators (low = more likely under-trained), after Land & Bartolo 2024 §2.2 and Rumbelow & Watkins 2023:

* ``unembedding_cosine``: remove the first principal component ``p`` of the readout matrix ``U``
  (``U' = U − (U p) pᵀ``, Land & Bartolo: it is a direction shared by all rows), take the mean ``ū`` of the rows
  of known-unused tokens, and score each row by its cosine distance ``1 − cos(U'ᵢ, ū)``.
* ``input_norm``: ``‖Eᵢ‖₂`` of the input embedding, for models with untied embeddings.
* ``centroid_distance``: ``‖Eᵢ − Ē‖₂``, the distance to the centroid of all input embeddings (Rumbelow & Watkins:
  the anomalous tokens "were among those closest to the centroid of the entire set of 50,257 tokens").

The scanner (:func:`scan`) reads a Hugging Face-style checkpoint directory (``*.safetensors`` weights and
``tokenizer.json``) through safetensors only (no pickle), and flags as candidates the tokens whose main indicator
lies in the lowest ``candidate_percent`` percent (2% as in Land & Bartolo's released code).
"""

from __future__ import annotations

import json
import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from skeptic.study import UsageError

INPUT_KEYS = (
    "embed_tokens.weight",
    "wte.weight",
    "word_embeddings.weight",
    "embed_in.weight",
    "tok_embeddings.weight",
    "token_embedding.weight",
)
OUTPUT_KEYS = ("lm_head.weight", "embed_out.weight", "output.weight", "unembedding.weight")
INVALID_UTF8_BYTES = (0xC0, 0xC1, *range(0xF5, 0x100))
"""Bytes that never occur in valid UTF-8 text: a single-byte token for one of them is unused by construction."""


class ScanError(UsageError):
    """A checkpoint the scanner cannot read (missing files, malformed safetensors or tokenizer, no embedding)."""


MAX_TOKENIZER_BYTES = 256 * 2**20
"""The most bytes of ``tokenizer.json`` read (the largest public ones, Gemma's, are about 35 MB)."""
MAX_JSON_DEPTH = 100
"""The deepest nesting of ``tokenizer.json`` parsed (real ones nest about 6 deep; Python's parser recurses, so a
100,000-deep file would exhaust its stack)."""
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
"""Weights saved with pickle: never loaded (unpickling runs code from the file)."""


def shown(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters for a one-line message (its full length said)."""
    return text if len(text) <= limit else f"{text[: limit - 20]}…{text[-10:]} ({len(text)} characters)"


def _where(path: Path) -> str:
    """A path as echoed in a message: cut when long (a 300-character name stays readable)."""
    return shown(str(path), 120)


def _regular_file(path: Path, what: str) -> None:
    """Refuse anything but a regular file before opening it: a FIFO would block ``open`` forever, a device
    (``/dev/zero``) would never end."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ScanError(f"{what} {_where(path)}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kinds = {
            stat.S_ISFIFO: "a FIFO",
            stat.S_ISCHR: "a device",
            stat.S_ISBLK: "a device",
            stat.S_ISDIR: "a directory",
        }
        kind = next((name for test, name in kinds.items() if test(mode)), "a socket or other special file")
        raise ScanError(f"{what} {_where(path)} is {kind}, not a regular file")


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(data: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, found without parsing it (strings skipped)."""
    bare = _JSON_STRING.sub(b"", data)
    steps = np.frombuffer(bare, dtype=np.uint8)
    delta = np.isin(steps, (ord("["), ord("{"))).astype(np.int64) - np.isin(steps, (ord("]"), ord("}")))
    return int(np.cumsum(delta).max(initial=0))


def read_tokenizer_json(path: Path) -> dict[str, Any]:
    """``tokenizer.json`` parsed, within :data:`MAX_TOKENIZER_BYTES` and :data:`MAX_JSON_DEPTH`; :class:`ScanError`
    with one line otherwise."""
    _regular_file(path, "the tokenizer")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOKENIZER_BYTES + 1)
    except OSError as exc:
        raise ScanError(f"the tokenizer {_where(path)}: {exc.strerror or exc}") from None
    if len(data) > MAX_TOKENIZER_BYTES:
        raise ScanError(f"{_where(path)} is larger than the cap of {MAX_TOKENIZER_BYTES // 2**20} MiB for a tokenizer")
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise ScanError(f"{_where(path)} nests {depth} deep, beyond the cap of {MAX_JSON_DEPTH} for a tokenizer.json")
    try:
        tok_json = json.loads(data.decode("utf-8"))
        if not isinstance(tok_json, dict) or "model" not in tok_json:
            raise ValueError("no 'model' section")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ScanError(f"{_where(path)}: not a Hugging Face tokenizer.json ({shown(str(exc), 200)})") from None
    return tok_json


# ---------------------------------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------------------------------


def first_principal_component(mat: torch.Tensor) -> torch.Tensor:
    """The unit first principal component of the rows of ``mat`` ``[n, d]`` (centred covariance, by ``eigh``)."""
    x = mat.float()
    x = x - x.mean(dim=0)
    _, vecs = torch.linalg.eigh((x.T @ x).double())  # the d × d covariance in float32, its eigenvectors in float64
    pc = vecs[:, -1]
    out: torch.Tensor = (pc * torch.sign(pc[torch.argmax(pc.abs())])).to(mat.dtype)  # a fixed sign
    return out


def cosine_distance(mat: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``1 − cos(matᵢ, v)`` for every row (norms clipped at 1e-6 as in Land & Bartolo's code)."""
    out: torch.Tensor = 1 - (mat @ v) / (mat.norm(dim=1) * v.norm()).clamp(min=1e-6)
    return out


def unembedding_cosine(readout: torch.Tensor, reference: list[int]) -> torch.Tensor:
    """Land & Bartolo's indicator: cosine distance to the mean known-unused row, first principal component removed."""
    if not reference:
        raise ValueError("the unembedding indicator needs at least one known-unused token")
    pc = first_principal_component(readout)
    u = readout - torch.outer(readout @ pc, pc)
    return cosine_distance(u, u[reference].mean(dim=0))


def input_norm(embedding: torch.Tensor) -> torch.Tensor:
    """``‖Eᵢ‖₂`` for every row of the input embedding."""
    out: torch.Tensor = embedding.norm(dim=1)
    return out


def centroid_distance(embedding: torch.Tensor) -> torch.Tensor:
    """``‖Eᵢ − Ē‖₂``: each row's distance to the centroid of all rows (Rumbelow & Watkins)."""
    out: torch.Tensor = (embedding - embedding.mean(dim=0)).norm(dim=1)
    return out


def shared_direction_fraction(delta: torch.Tensor) -> float:
    """``‖mean Δ‖² / mean ‖Δᵢ‖²`` ∈ [0, 1] for displacements ``Δ`` ``[n, d]``: 1 when every row moved by the same
    vector (a collapse along one shared direction), ≈ 1/n for independent random moves."""
    if delta.shape[0] == 0:
        return float("nan")
    num = float(delta.mean(dim=0).pow(2).sum())
    den = float(delta.pow(2).sum(dim=1).mean())
    return num / den if den > 0 else float("nan")


# ---------------------------------------------------------------------------------------------------------------
# Accuracy of an indicator against known labels
# ---------------------------------------------------------------------------------------------------------------


def auroc(score_pos: np.ndarray, score_neg: np.ndarray) -> float:
    """P(score of a positive > score of a negative) + ½ P(tie): the Mann–Whitney form of the area under the ROC."""
    pos, neg = np.asarray(score_pos, float), np.asarray(score_neg, float)
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(allv.size)
    sorted_v = allv[order]
    i = 0
    while i < allv.size:  # average ranks over ties
        j = i
        while j + 1 < allv.size and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2
    return float(u / (pos.size * neg.size))


def hanley_mcneil_se(a: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUROC ``a`` from ``n_pos`` positives and ``n_neg`` negatives (Hanley & McNeil 1982, eq. 2):
    ``SE² = [a(1−a) + (n₊−1)(Q₁−a²) + (n₋−1)(Q₂−a²)] / (n₊ n₋)``, ``Q₁ = a/(2−a)``, ``Q₂ = 2a²/(1+a)``."""
    if n_pos < 1 or n_neg < 1 or math.isnan(a):
        return float("nan")
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    var = (a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (n_pos * n_neg)
    return math.sqrt(max(var, 0.0))


def bootstrap_auroc_se(pos: np.ndarray, neg: np.ndarray, rng: np.random.Generator, n_boot: int = 200) -> float:
    """The AUROC's standard error by a stratified bootstrap over tokens (resampling positives and negatives)."""
    vals = [
        auroc(rng.choice(pos, size=pos.size, replace=True), rng.choice(neg, size=neg.size, replace=True))
        for _ in range(n_boot)
    ]
    return float(np.std(vals, ddof=1))


# ---------------------------------------------------------------------------------------------------------------
# Tokenizer analysis and the known-unused reference set
# ---------------------------------------------------------------------------------------------------------------


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: printable bytes map to themselves, the other 68 to code points 256, 257, …"""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    out, n = {}, 0
    for b in range(256):
        if b in keep:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + n)
            n += 1
    return out


def known_unused(tokenizer_json: dict[str, Any], vocab: dict[str, int]) -> list[int]:
    """Token ids unused by construction: special tokens named reserved/unused, and single-byte tokens for bytes that
    never occur in valid UTF-8 (byte-level ``Ġ``-style alphabets, or ``<0xF5>``-style byte fallback)."""
    ids: set[int] = set()
    for added in tokenizer_json.get("added_tokens", []) or []:
        content = str(added.get("content", ""))
        if any(w in content.lower() for w in ("reserved", "unused")):
            ids.add(int(added["id"]))
    b2u = bytes_to_unicode()
    for b in INVALID_UTF8_BYTES:
        for name in (b2u[b], f"<0x{b:02X}>"):
            if name in vocab:
                ids.add(vocab[name])
    return sorted(ids)


CATEGORIES = ("ok", "special", "unreachable_special", "partial_utf8", "unreachable_single", "unreachable_multi")
"""Token categories with magikarp's meanings (Land & Bartolo's ``TokenizerAnalyzer.categorize_token``): decode the
token alone, encode the text again; ``ok`` when that gives the token back (``special`` for a special token),
otherwise ``unreachable_special`` (a ``<...>``/``[...]`` marker), ``partial_utf8`` (the decoded text holds U+FFFD:
an incomplete UTF-8 sequence, magikarp's UNDECODEABLE), ``unreachable_single`` (re-encodes to another single token)
or ``unreachable_multi`` (re-encodes to several tokens). A token that is not ``ok`` can never appear in encoded
text, so it is never trained whatever the corpus."""


def single_byte(raw: str | None) -> int | None:
    """The byte value of a single-byte token (GPT-2's byte alphabet, or ``<0xAB>`` byte fallback), else None."""
    if raw is None:
        return None
    if len(raw) == 6 and raw.startswith("<0x") and raw.endswith(">"):
        try:
            return int(raw[3:5], 16)
        except ValueError:
            return None
    if len(raw) == 1:
        u2b = {u: b for b, u in bytes_to_unicode().items()}
        return u2b.get(raw)
    return None


def categorize(tokenizer: Any, n_rows: int, special: set[int]) -> list[dict[str, Any]]:
    """For every id below ``n_rows``: ``category`` (see :data:`CATEGORIES`; ``padding`` for rows with no token) and
    ``byte`` (the byte value of a single-byte token, else None). ``tokenizer`` is a ``tokenizers.Tokenizer``."""
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    id_to_token = {i: t for t, i in vocab.items()}
    ids = [i for i in range(n_rows) if i in id_to_token]
    texts = tokenizer.decode_batch([[i] for i in ids], skip_special_tokens=False)
    encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
    out: list[dict[str, Any]] = [{"category": "padding", "byte": None} for _ in range(n_rows)]
    for i, s, enc in zip(ids, texts, encoded, strict=True):
        again = list(enc.ids)
        if again == [i]:
            cat = "special" if i in special else "ok"
        elif len(s) >= 3 and s[0] in "[<" and s[-1] in "]>" and any(c.isalpha() for c in s):
            cat = "unreachable_special"
        elif "\ufffd" in s:
            cat = "partial_utf8"
        elif len(again) == 1:
            cat = "unreachable_single"
        else:
            cat = "unreachable_multi"
        out[i] = {"category": cat, "byte": single_byte(id_to_token[i])}
    return out


def _random_matrix_stats(mat: torch.Tensor) -> dict[str, Any]:
    x = mat.double()
    n, d = x.shape
    norms = x.norm(dim=1)
    cv = float(norms.std() / norms.mean().clamp(min=1e-30))
    cv_random = 1 / math.sqrt(2 * d)
    xc = x - x.mean(dim=0)
    eig = torch.linalg.eigvalsh(xc.T @ xc / n)
    top_ratio = float(eig[-1] / eig.mean().clamp(min=1e-30))
    mp_edge = (1 + math.sqrt(d / n)) ** 2
    return {
        "norm_cv": cv,
        "norm_cv_random": cv_random,
        "top_eigen_ratio": top_ratio,
        "top_eigen_ratio_random": mp_edge,
        "looks_random": bool(cv <= 1.5 * cv_random and top_ratio <= 1.5 * mp_edge),
    }


def untrained_check(embedding: torch.Tensor, readout: torch.Tensor | None = None) -> dict[str, Any]:
    """Does the checkpoint look like an untrained random initialization?

    Rows drawn i.i.d. from an isotropic Gaussian have (a) row norms with a coefficient of variation near
    ``1/√(2d)`` and (b) a covariance whose largest eigenvalue is at most about ``(1 + √(d/n))²`` times the mean
    eigenvalue (the Marchenko–Pastur edge). Training spreads the norms and makes a matrix anisotropic (a few
    dominant directions). A matrix *looks random* when both statistics stay within 1.5× their random-matrix values.

    ``looks_untrained`` when the input embedding looks random and, for an untied model (``readout`` given and not
    equal to ``embedding``), the readout matrix does too. The readout is needed: an untied model whose embeddings
    start large (``init_std`` 0.2) keeps an input embedding close to its random start after training, while every
    readout row receives a gradient at every step (the softmax's), so its readout is far from random (measured in
    the study at ``init_std=0.2``: input embedding within the random bounds, readout not).
    The input embedding's statistics are the top-level keys; the readout's, when checked, are under ``readout``.
    """
    out = _random_matrix_stats(embedding)
    looks = out["looks_random"]
    out["readout"] = None
    if readout is not None and not (readout.shape == embedding.shape and bool(torch.equal(readout, embedding))):
        out["readout"] = _random_matrix_stats(readout)
        looks = looks and out["readout"]["looks_random"]
    out["looks_untrained"] = bool(looks)
    return out


# ---------------------------------------------------------------------------------------------------------------
# The scanner
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    """What :func:`scan` found: one row per token (id, token text, indicator values, candidate flag)."""

    path: str
    tied: bool
    vocab_size: int
    d_model: int
    main_indicator: str
    reference: list[int]
    threshold: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    untrained: dict[str, Any] = field(default_factory=dict)
    """:func:`untrained_check` of the input embedding and, when untied, the readout (``looks_untrained`` is the
    warning)."""
    verification: dict[str, Any] = field(default_factory=dict)
    """What :func:`verify_checkpoint` found, when it ran (empty otherwise)."""

    def category_counts(self) -> dict[str, int]:
        """How many tokens fall in each category (and how many are single bytes)."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[r["category"]] = out.get(r["category"], 0) + 1
        out["byte tokens"] = sum(r["byte"] is not None for r in self.rows)
        return out

    def candidates(self) -> list[dict[str, Any]]:
        """The flagged tokens, most under-trained first."""
        return sorted((r for r in self.rows if r["candidate"]), key=lambda r: r[self.main_indicator])

    def top(self, n: int) -> list[dict[str, Any]]:
        """The ``n`` tokens (category ``ok``, not reference) with the lowest main indicator."""
        ok = [r for r in self.rows if r["category"] == "ok" and not r["reference"]]
        return sorted(ok, key=lambda r: r[self.main_indicator])[:n]


def _safetensor_files(root: Path) -> list[Path]:
    try:
        files = sorted(root.glob("*.safetensors"))
        pickled = sorted(p.name for p in root.iterdir() if p.suffix in PICKLE_SUFFIXES)
    except OSError as exc:
        raise ScanError(f"{_where(root)}: {exc.strerror or exc}") from None
    if not files and pickled:
        raise ScanError(
            f"{_where(root)} holds only pickle weights ({', '.join(pickled[:3])}): refused, since loading pickle can "
            "run code; convert them to safetensors"
        )
    if not files:
        raise ScanError(f"{_where(root)}: no *.safetensors weights in this directory (pickle checkpoints are not read)")
    for f in files:
        _regular_file(f, "the weights")
    return files


def _find_tensor(files: list[Path], suffixes: tuple[str, ...]) -> tuple[str, torch.Tensor] | None:
    from safetensors import SafetensorError, safe_open

    for f in files:
        try:
            with safe_open(str(f), framework="pt") as handle:
                keys = list(handle.keys())
                for suffix in suffixes:
                    for k in keys:
                        if k == suffix or k.endswith("." + suffix):
                            t = handle.get_tensor(k)
                            if t.dim() == 2:
                                return k, t.float()
        except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
            raise ScanError(
                f"{_where(f)}: not a readable safetensors file ({type(exc).__name__}: {shown(str(exc), 200)})"
            ) from None
    return None


def check_checkpoint(path: str | Path) -> tuple[Path, list[Path]]:
    """The checks that need no tensor read: ``path`` is a directory holding regular ``*.safetensors`` files (not
    only pickle weights) whose headers parse and name an input-embedding tensor, and a regular ``tokenizer.json``.

    Returns ``(root, weight files)``; :class:`ScanError` (one line) otherwise. Cheap: only the headers are read.
    """
    root = Path(path)
    try:
        if not root.exists():
            raise ScanError(f"{_where(root)}: no such file or directory")
        if not root.is_dir():
            raise ScanError(
                f"{_where(root)}: not a directory (give the checkpoint directory with *.safetensors and tokenizer.json)"
            )
        tok_path = root / "tokenizer.json"
        has_tokenizer = tok_path.exists() or tok_path.is_symlink()
    except (OSError, ValueError) as exc:  # a name too long, a loop of links, an unreadable directory, a NUL byte
        raise ScanError(f"{_where(root)}: {getattr(exc, 'strerror', None) or exc}") from None
    files = _safetensor_files(root)
    if not has_tokenizer:
        raise ScanError(f"{_where(root)}: no tokenizer.json (save the tokenizer beside the weights)")
    _regular_file(tok_path, "the tokenizer")
    from safetensors import SafetensorError, safe_open

    names: list[str] = []
    for f in files:
        try:
            with safe_open(str(f), framework="pt") as handle:  # parses and checks the header; reads no tensor
                names += handle.keys()
        except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
            raise ScanError(
                f"{_where(f)}: not a readable safetensors file ({type(exc).__name__}: {shown(str(exc), 200)})"
            ) from None
    if not names:
        raise ScanError(f"{_where(root)}: its safetensors files hold no tensors")
    if not any(k == suffix or k.endswith("." + suffix) for k in names for suffix in INPUT_KEYS):
        raise ScanError(
            f"{_where(root)}: no input-embedding tensor among its {len(names)} tensors (looked for names ending in "
            f"{', '.join(INPUT_KEYS)})"
        )
    return root, files


def load_checkpoint(path: str | Path) -> tuple[torch.Tensor, torch.Tensor, bool, dict[str, Any]]:
    """``(input embedding, readout matrix, tied, tokenizer JSON)`` from a checkpoint directory; :class:`ScanError`
    with one clear line when something is missing or malformed."""
    root, files = check_checkpoint(path)
    tok_json = read_tokenizer_json(root / "tokenizer.json")
    found_in = _find_tensor(files, INPUT_KEYS)
    if found_in is None:
        raise ScanError(
            f"{_where(root)}: no input-embedding tensor (looked for names ending in {', '.join(INPUT_KEYS)})"
        )
    found_out = _find_tensor(files, OUTPUT_KEYS)
    embedding = found_in[1]
    readout = found_out[1] if found_out is not None else embedding
    tied = found_out is None or (readout.shape == embedding.shape and bool(torch.equal(readout, embedding)))
    if readout.shape != embedding.shape:
        raise ScanError(
            f"{_where(root)}: embedding {tuple(embedding.shape)} and readout {tuple(readout.shape)} differ in shape"
        )
    if embedding.shape[0] <= embedding.shape[1]:
        raise ScanError(f"{_where(root)}: the embedding {tuple(embedding.shape)} has fewer rows than columns")
    if not bool(torch.isfinite(embedding).all() and torch.isfinite(readout).all()):
        raise ScanError(f"{_where(root)}: the embedding matrices contain NaN or infinite values")
    return embedding, readout, tied, tok_json


def compute_indicators(embedding: torch.Tensor, readout: torch.Tensor, reference: list[int]) -> dict[str, np.ndarray]:
    """Every indicator that applies: the unembedding one when ``reference`` is non-empty; all on CPU floats."""
    out = {
        "input_norm": input_norm(embedding).numpy(),
        "centroid_distance": centroid_distance(embedding).numpy(),
    }
    if reference:
        out["unembedding_cosine"] = unembedding_cosine(readout, reference).numpy()
    return out


def scan(path: str | Path, reference: list[int] | None = None, candidate_percent: float = 2.0) -> ScanResult:
    """Score every token of the checkpoint at ``path`` by the indicators above and flag candidates.

    ``reference``: known-unused token ids; by default the tokenizer's reserved/unused special tokens, single-byte
    tokens of bytes invalid in UTF-8, and embedding rows beyond the tokenizer's vocabulary. The main indicator is the
    input-embedding norm for untied models (Land & Bartolo's choice there) and the unembedding indicator for tied
    ones (which needs a reference set).
    """
    from tokenizers import Tokenizer

    embedding, readout, tied, tok_json = load_checkpoint(path)
    try:
        tok = Tokenizer.from_str(json.dumps(tok_json))
    except Exception as exc:  # tokenizers raises its own Exception type for a malformed definition
        where = _where(Path(path) / "tokenizer.json")
        raise ScanError(f"{where}: the tokenizer cannot be loaded ({shown(str(exc), 200)})") from None
    vocab = tok.get_vocab(with_added_tokens=True)
    n_rows = embedding.shape[0]
    if reference is None:
        reference = [i for i in known_unused(tok_json, vocab) if i < n_rows]
        reference += list(range(max(vocab.values(), default=-1) + 1, n_rows))  # padding rows: no token at all
    bad = [i for i in reference if not 0 <= i < n_rows]
    if bad:
        raise ScanError(f"reference token ids {bad[:5]} lie outside the vocabulary of {n_rows} rows")
    if tied and not reference:
        raise ScanError("tied embeddings need known-unused tokens (--reference ID,ID,...): none were found")
    ind = compute_indicators(embedding, readout, reference)
    main = "input_norm" if not tied else "unembedding_cosine"
    id_to_token = {i: t for t, i in vocab.items()}
    special = {int(a["id"]) for a in tok_json.get("added_tokens", []) or [] if a.get("special")}
    cats = categorize(tok, n_rows, special)
    ref_set = set(reference)
    # candidates among the tokens text can contain (magikarp's OK): the others are untrainable by construction and
    # are listed by category instead of crowding the top of the ranking
    eligible = [i for i in range(n_rows) if cats[i]["category"] == "ok" and i not in ref_set]
    threshold = float(np.percentile(ind[main][eligible], candidate_percent)) if eligible else float("nan")
    values = {k: v.tolist() for k, v in ind.items()}
    texts = tok.decode_batch([[i] for i in range(n_rows)], skip_special_tokens=False)
    rows = []
    for i in range(n_rows):
        raw = id_to_token.get(i)
        row: dict[str, Any] = {"id": i, "token": raw, "text": texts[i] if raw is not None else None}
        row.update({k: v[i] for k, v in values.items()})
        row.update(cats[i])
        row["reference"] = i in ref_set
        row["candidate"] = cats[i]["category"] == "ok" and i not in ref_set and row[main] <= threshold
        rows.append(row)
    return ScanResult(
        str(path),
        tied,
        n_rows,
        embedding.shape[1],
        main,
        sorted(reference),
        threshold,
        rows,
        untrained=untrained_check(embedding, readout),
    )


def save_checkpoint(
    path: str | Path,
    embedding: torch.Tensor,
    readout: torch.Tensor | None,
    tokenizer_json: str,
    extra: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write ``model.safetensors`` (``transformer.wte.weight`` and, when untied, ``lm_head.weight``), ``config.json``
    and ``tokenizer.json`` in the layout ``transformers`` saves GPT-2-style models in."""
    from safetensors.torch import save_file

    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    tensors = {"transformer.wte.weight": embedding.detach().float().contiguous().cpu()}
    if readout is not None:
        tensors["lm_head.weight"] = readout.detach().float().contiguous().cpu()
    tensors.update({k: v.detach().contiguous().cpu() for k, v in (extra or {}).items()})
    save_file(tensors, str(root / "model.safetensors"), metadata={"format": "pt"})
    config = {"model_type": "gpt2", "vocab_size": embedding.shape[0], "n_embd": embedding.shape[1]}
    config["tie_word_embeddings"] = readout is None
    (root / "config.json").write_text(json.dumps(config))
    (root / "tokenizer.json").write_text(tokenizer_json, encoding="utf-8")


def verify_checkpoint(path: str | Path, token_ids: list[int], max_context: int = 64) -> dict[str, Any]:
    """Verification by prompting (Land & Bartolo §2.3, the 'repeats' prompt, threshold 1%) of ``token_ids`` in the
    checkpoint at ``path``, where ``transformers`` can load it as a causal language model.

    Returns ``{"ran": False, "why": ...}`` when it cannot run (``transformers`` missing, an architecture it does not
    know, weights it would have to initialize at random); otherwise ``{"ran": True, "max_prob": {id: p}}``.
    """
    try:
        import transformers
    except ImportError:
        return {"ran": False, "why": "transformers is not installed (pip install 'skeptic[scan]')"}
    from tokenizers import Tokenizer

    from skeptic.studies.glitch_tokens import verify

    root = Path(path)
    for entry in sorted(root.iterdir()):  # transformers opens whichever it wants (config.json, ...): no FIFO, no device
        if not entry.is_dir():
            _regular_file(entry, "the checkpoint file")
    try:
        loaded: Any = transformers.AutoModelForCausalLM.from_pretrained(
            str(root), output_loading_info=True, use_safetensors=True
        )
        model: Any = loaded[0]
        info: dict[str, Any] = loaded[1]
    except Exception as exc:  # transformers raises many types for a checkpoint it cannot read
        return {"ran": False, "why": f"transformers cannot load it as a causal LM ({type(exc).__name__})"}
    if info.get("missing_keys"):
        return {
            "ran": False,
            "why": f"{len(info['missing_keys'])} weights missing from the checkpoint (e.g. {info['missing_keys'][0]}): "
            "transformers would initialize them at random",
        }
    model.eval()
    tok = Tokenizer.from_file(str(root / "tokenizer.json"))
    n_pos = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
    context = min(int(n_pos or max_context), max_context)
    ids = np.asarray(token_ids, dtype=np.int64)

    def logits_fn(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            out: torch.Tensor = model(input_ids=x).logits.float()[None]
        return out

    ver = verify.verify(tok, logits_fn, ids, context)
    return {
        "ran": True,
        "threshold": verify.THRESHOLD,
        "max_prob": {int(t): float(p) for t, p in zip(ids, ver["max_prob"][0], strict=True)},
    }
