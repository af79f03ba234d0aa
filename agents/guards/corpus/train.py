"""Trains the guard classifier on corpus.jsonl and writes agents/guards/classifier.npz:
`uv run python -m agents.guards.corpus.train [--report]`.

Reproducible: the corpus is regenerated deterministically, shuffling uses a fixed seed, and the
weights file records the corpus hash and the training settings (a test checks they are fresh).
Only the `train` split is learnt from; `--report` prints recall and false positives on the
held-out split, by family and by language."""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from agents.guards.classifier import HASH_DIM, LABELS, WEIGHTS_FILE, design_matrix, softmax
from agents.guards.corpus.generate import CORPUS_FILE, CorpusRow
from agents.guards.normalize import prepare
from agents.guards.pii import find_pii, mask

SETTINGS = {"epochs": 40, "batch": 128, "learning_rate": 0.05, "l2": 1e-5, "seed": 18, "hash_dim": HASH_DIM}
TRAINER_VERSION = "1"


def corpus_sha256(path: Path = CORPUS_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_rows(path: Path = CORPUS_FILE) -> list[CorpusRow]:
    return [
        CorpusRow.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line
    ]


def segments(rows: list[CorpusRow]) -> tuple[list[str], np.ndarray]:
    """Every text the guard would score for each row (the detection copy and any decoded
    payload), with the row's label."""
    texts, labels = [], []
    for row in rows:
        prepared = prepare(mask(row.text, find_pii(row.text)))  # as the guard sees it
        for text in [prepared.text, *prepared.hidden]:
            texts.append(text)
            labels.append(LABELS.index(row.label))
    return texts, np.array(labels)


def train(texts: list[str], labels: np.ndarray, vectors: np.ndarray, settings: dict = SETTINGS) -> np.ndarray:
    """Softmax regression with Adam on minibatches, classes weighted to balance."""
    rng = np.random.default_rng(settings["seed"])
    dim = HASH_DIM + vectors.shape[1] + 1
    weights = np.zeros((dim, len(LABELS)), dtype=np.float32)
    m, v = np.zeros_like(weights), np.zeros_like(weights)
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float32)
    class_weight = (counts.sum() / (len(LABELS) * np.maximum(counts, 1))).astype(np.float32)
    onehot = np.eye(len(LABELS), dtype=np.float32)[labels]
    step = 0
    for _ in range(settings["epochs"]):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), settings["batch"]):
            batch = order[start : start + settings["batch"]]
            x = design_matrix([texts[i] for i in batch], vectors[batch])
            p = softmax(x @ weights)
            w = class_weight[labels[batch]][:, None]
            grad = x.T @ ((p - onehot[batch]) * w) / len(batch) + settings["l2"] * weights
            step += 1
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            m_hat, v_hat = m / (1 - 0.9**step), v / (1 - 0.999**step)
            weights -= settings["learning_rate"] * m_hat / (np.sqrt(v_hat) + 1e-8)
    return weights


def save(weights: np.ndarray, corpus_hash: str, path: Path = WEIGHTS_FILE) -> None:
    meta = {
        "meta_corpus_sha256": corpus_hash,
        "meta_settings": json.dumps(SETTINGS, sort_keys=True),
        "meta_trainer": TRAINER_VERSION,
        "meta_labels": ",".join(LABELS),
    }
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
        np.savez_compressed(tmp, weights=weights.astype(np.float16), **meta)
    Path(tmp.name).chmod(0o644)
    Path(tmp.name).replace(path)


def report(rows: list[CorpusRow], probabilities: list[np.ndarray], threshold: float = 0.5) -> dict:
    """Per family and language on held-out rows: share judged correctly."""
    by: dict[str, list[bool]] = defaultdict(list)
    for row, p in zip(rows, probabilities, strict=True):
        flagged = p[1:].max() >= threshold
        label = LABELS[int(np.argmax(p[1:])) + 1] if flagged else "benign"
        ok = label == row.label if row.label != "benign" else not flagged
        by[f"label:{row.label}"].append(ok)
        by[f"family:{row.family}"].append(ok)
        by[f"language:{row.language}:{'benign' if row.label == 'benign' else 'harmful'}"].append(ok)
    return {k: round(sum(v) / len(v), 3) for k, v in sorted(by.items())}


def main() -> None:
    from knowledge.embeddings.minilm import MiniLMEmbedder

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache-dir", type=Path, default=Path("data/models"))
    parser.add_argument("--report", action="store_true", help="print held-out figures")
    args = parser.parse_args()
    embedder = MiniLMEmbedder(cache_dir=args.cache_dir)
    rows = load_rows()
    train_rows = [r for r in rows if r.split == "train"]
    texts, labels = segments(train_rows)
    weights = train(texts, labels, embedder.embed(texts))
    save(weights, corpus_sha256())
    print(f"trained on {len(texts)} texts from {len(train_rows)} rows → {WEIGHTS_FILE}")
    if args.report:
        from agents.guards.classifier import GuardClassifier

        model = GuardClassifier.load()
        held_out = [r for r in rows if r.split == "test"]
        probs = []
        for row in held_out:
            prepared = prepare(row.text)
            seg = [prepared.text, *prepared.hidden]
            probs.append(model.probabilities(seg, embedder.embed(seg)).max(axis=0))
        print(json.dumps(report(held_out, probs), indent=1))


if __name__ == "__main__":
    main()
