"""Text embeddings on a local CPU model (fastembed / ONNX)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.errors import EmbeddingModelError

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class EmbedConfig:
    model_name: str = DEFAULT_MODEL
    model_path: Path | None = None
    batch_size: int = 32


class Embedder:
    """Wraps one loaded model. Create with `Embedder.load(config)`; the constructor does no I/O."""

    def __init__(self, model, config: EmbedConfig, dimension: int) -> None:
        self._model = model
        self.config = config
        self.dimension = dimension

    @classmethod
    def load(cls, config: EmbedConfig) -> "Embedder":
        kwargs = {}
        if config.model_path is not None:
            if not (Path(config.model_path) / "model.onnx").exists() and not any(Path(config.model_path).glob("*.onnx")):
                raise EmbeddingModelError(
                    f"no ONNX model in {config.model_path} (WIKIGRAPH_EMBED_MODEL_PATH must be a directory with model.onnx and tokenizer files)"
                )
            kwargs["specific_model_path"] = str(config.model_path)
        try:
            model = _load_model(config, kwargs)
        except Exception as exc:  # fastembed raises bare ValueError/OSError/HTTP errors
            hint = "" if config.model_path else " (offline? set WIKIGRAPH_EMBED_MODEL_PATH to a local model directory)"
            raise EmbeddingModelError(f"could not load embedding model {config.model_name!r}: {exc}{hint}") from exc
        probe = next(iter(model.embed(["dimension probe"])))
        return cls(model, config, len(probe))

    @property
    def name(self) -> str:
        return self.config.model_name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        # Texts of similar length share a batch: a batch is padded to its longest text, so mixing a title with a
        # long paragraph makes the title cost as much as the paragraph.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: Iterable = self._model.embed([texts[i] for i in order], batch_size=self.config.batch_size)
        found: list[list[float]] = [[] for _ in texts]
        for position, vector in zip(order, vectors, strict=True):
            found[position] = vector.tolist()
        return found

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]


def _load_model(config: EmbedConfig, kwargs: dict):
    from fastembed import TextEmbedding

    return TextEmbedding(config.model_name, **kwargs)
