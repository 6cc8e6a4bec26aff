"""What summarising the pending raw posts would cost, worked out without asking any LLM.

Used by `wikigraph ingest --dry-run`: the same posts an ingest would summarise (missing or stale
notes), the same context and token budget, minus what the LLM cache already answers. Completion
tokens are counted at the configured maximum, so the cost is an upper bound for one attempt each.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.pipeline import Projection, pending_posts, summary_context
from ingest.summarize.base import Summarizer
from ingest.summarize.llm import LLMSummarizer


@dataclass
class SummaryEstimate:
    summarizer: str
    model: str | None = None
    posts: int = 0  # raw posts an ingest would summarise now
    cached: int = 0  # of those, answered before: no request
    truncated: int = 0  # would be cut to fit the token budget
    prompt_tokens: int = 0
    max_completion_tokens: int = 0
    prompt_cost_usd: float = 0.0
    max_cost_usd: float = 0.0

    @property
    def asked(self) -> int:
        return self.posts - self.cached

    def lines(self) -> list[str]:
        if self.model is None:
            return [f"{self.posts} post(s) would be summarised by the {self.summarizer} summarizer: no LLM, no cost"]
        return [
            f"{self.posts} post(s) would be summarised by {self.model}: {self.asked} request(s), "
            f"{self.cached} answered from the cache",
            f"estimated tokens: {self.prompt_tokens} prompt + at most {self.max_completion_tokens} answer"
            + (f"; {self.truncated} post(s) cut to fit the token budget" if self.truncated else ""),
            f"estimated cost: ${self.prompt_cost_usd:.4f} for prompts, at most ${self.max_cost_usd:.4f} in all "
            "(one attempt per post; retries would add to it)",
        ]


def estimate_summaries(projection: Projection, summarizer: Summarizer) -> SummaryEstimate:
    pending = pending_posts(projection.vault)
    if not isinstance(summarizer, LLMSummarizer):
        return SummaryEstimate(summarizer.name, posts=len(pending))
    config = summarizer.config
    estimate = SummaryEstimate(summarizer.name, model=f"{config.provider}:{config.model}", posts=len(pending))
    for path, post in pending:
        post_estimate = summarizer.estimate(post.title, post.body, summary_context(post, path.stem, projection))
        estimate.cached += post_estimate.cached
        estimate.truncated += post_estimate.truncated
        estimate.prompt_tokens += post_estimate.prompt_tokens
        estimate.max_completion_tokens += post_estimate.max_completion_tokens
    estimate.prompt_cost_usd = config.cost_usd(estimate.prompt_tokens, 0)
    estimate.max_cost_usd = config.cost_usd(estimate.prompt_tokens, estimate.max_completion_tokens)
    return estimate
