"""Story vectors: what a headline is about, as a point in a static embedding space.

The model is WordLlama's ``l2_supercat`` at 256 dimensions (MIT licence): one
vector per token of the Llama 2 tokenizer, 16 MB, shipped inside the
``wordllama`` wheel from PyPI and read here with ``tokenizers`` and
``safetensors`` (the package's own loader is not used: it looks for the bundled
tokenizer in the wrong folder, then tries a download, and configures logging
on import). Nothing is downloaded at run time.

A text's vector is the mean of its tokens' vectors, each minus the mean vector
of its script's tokens in the vocabulary (tokens without letters, digits and
punctuation, as they are). Centering by script takes away what every
headline of a script shares, so that Arabic, Devanagari or Thai headlines are
no longer close merely for being written in the same letters (and English
ones gain too: stories-dev coverage 0.920 -> 0.943 at the same P@1). Byte
tokens (the tokenizer's fallback for characters it does not know) and the
bare word-start marker carry nothing and are left out.

A record's vector is its headline's, plus half its excerpt's when it has one
(the headline leads; the excerpt adds evidence), normalised to length 1.

Beside the vector, a record gets its *reliability* in [0, 1]: how much its
headline's tokens carry words rather than letters. The tokenizer cuts words it
knows into pieces of several letters and spells out words it does not know
letter by letter; a mean of single letters says nothing about the story. An
ideograph, kana or hangul syllable counts as two letters (it is a syllable or
a morpheme). Reliability = mean letters per token - 1, clipped to [0, 1]:
1 for English, German, French, Spanish, Chinese, Japanese, Korean; about 0.8
for Russian; near 0 for Arabic, Hindi or Thai, where the story step leans on
shared words instead (see :mod:`crawler.stories`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

if "numpy" not in sys.modules:
    # A story window's products are small (a few thousand rows by 256): OpenBLAS's threads only add
    # hand-offs, 1.4-8 ms instead of 0.04 ms per product on two cores. Set before numpy loads it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

MODEL = "wordllama-l2_supercat-256/centered-1"  # stored beside each vector: another model means new vectors
DIMENSIONS = 256
EXCERPT_WEIGHT = 0.5
_WORD_START = "\u2581"  # SentencePiece's word-start marker


class ModelMissing(RuntimeError):
    """The ``wordllama`` package (which carries the model) is not installed."""


def _package_folder() -> Path:
    spec = importlib.util.find_spec("wordllama")  # finds the folder without running the package
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the story step needs the wordllama package (requirements.txt), which carries its model")
    return Path(next(iter(spec.submodule_search_locations)))


_SYLLABLES = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


_ASCII_LETTERS = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _script(token: str) -> tuple[str, int]:
    """The script of a token's first letter (``""`` when it has none) and its weight in letters."""
    if token.isascii():  # most of the vocabulary: Latin letters, digits, punctuation
        count = len(token) - len(token.translate(_ASCII_LETTERS))
        return ("LATIN" if count else ""), count
    letters = [ch for ch in token if ch.isalpha()]
    if not letters:
        return "", 0
    script = unicodedata.name(letters[0], "?").split()[0]
    return script, len(letters) + len(_SYLLABLES.findall(token))  # a syllable or ideograph counts twice


class Embedder:
    """Headline vectors from the bundled static embeddings (load once per process: :func:`embedder`)."""

    def __init__(self, folder: Path | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or _package_folder()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        table = load_file(str(folder / "weights" / "l2_supercat_256.safetensors"))["embedding.weight"]
        table = table.astype(np.float32)
        size = table.shape[0]
        scripts = [""] * size
        self.letters = np.zeros(size, dtype=np.float32)
        self.keep = np.ones(size, dtype=bool)
        for piece, index in self.tokenizer.get_vocab().items():
            if index >= size:
                continue
            if (piece.startswith("<0x") and piece.endswith(">")) or piece in ("<unk>", "<s>", "</s>", _WORD_START):
                self.keep[index] = False  # byte fallbacks, special tokens and the bare word-start mark
            else:
                scripts[index], self.letters[index] = _script(piece.replace(_WORD_START, ""))
        codes: dict[str, int] = {}
        script_of = np.array([codes.setdefault(script, len(codes)) if script else -1 for script in scripts])
        script_of[~self.keep] = -1
        lettered = np.flatnonzero(script_of >= 0)
        counts = np.bincount(script_of[lettered], minlength=len(codes))
        sums = np.zeros((len(codes), table.shape[1]), dtype=np.float64)
        order = lettered[np.argsort(script_of[lettered], kind="stable")]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        present = counts > 0
        sums[present] = np.add.reduceat(table[order], starts[present], axis=0)
        means = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        table[lettered] -= means[script_of[lettered]]  # each token minus its script's mean
        self.table = table

    def _ids(self, texts: list[str]) -> list[np.ndarray]:
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        out = []
        for item in encoded:
            ids = np.array(item.ids, dtype=np.int64)
            out.append(ids[self.keep[ids]] if len(ids) else ids)
        return out

    def _means(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        ids = self._ids(texts)
        means = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        counts = np.array([len(tokens) for tokens in ids])
        filled = np.flatnonzero(counts)
        for begin in range(0, len(filled), 256):  # 256 texts at a time: their token vectors stay small
            rows = filled[begin : begin + 256]
            tokens = np.concatenate([ids[row] for row in rows])
            starts = np.concatenate([[0], np.cumsum(counts[rows])[:-1]])
            means[rows] = np.add.reduceat(self.table[tokens], starts, axis=0) / counts[rows, None]
        return means, ids

    def vectors(self, titles: list[str], excerpts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors (float32, one row per record) and reliabilities for these headlines and excerpts."""
        heads, ids = self._means(titles)
        heads = _unit(heads)
        with_excerpt = [i for i, text in enumerate(excerpts) if text.strip()]
        if with_excerpt:
            tails, _ = self._means([excerpts[i] for i in with_excerpt])
            heads[with_excerpt] += EXCERPT_WEIGHT * _unit(tails)
        return _unit(heads), self._reliability(ids)

    def reliability(self, titles: list[str]) -> np.ndarray:
        """How much the model reads these headlines as words (see the module's docstring), in [0, 1]."""
        return self._reliability(self._ids(titles))

    def _reliability(self, ids: list[np.ndarray]) -> np.ndarray:
        reliability = np.zeros(len(ids), dtype=np.float32)
        for row, tokens in enumerate(ids):
            letters = self.letters[tokens]
            letters = letters[letters > 0]
            if len(letters):
                reliability[row] = min(1.0, max(0.0, float(letters.mean()) - 1.0))
        return reliability


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> Embedder:
    return Embedder()


def embedder() -> Embedder:
    """The process's embedder (the model is read on first use, about 0.25 s)."""
    with _lock:
        return _load()


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<f4")
