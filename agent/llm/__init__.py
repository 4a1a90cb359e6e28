"""LLM assistance for the propose graph: client, payload, answer model, merge, rerank task.

Nothing here is needed offline: the graph's rerank node is a no-op without an
``LlmAssist`` in its context. Imports run one way: ``agent.llm`` uses ``tools/``,
``prompts/`` and ``agent.settings``, never the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.llm.client import LlmClient, make_openai
from agent.llm.usage import CallRecord, RunUsage
from agent.settings import Settings


@dataclass
class LlmAssist:
    """What the rerank node needs: a client, the batch size and whether raw samples may go."""

    client: LlmClient
    batch_size: int = 10
    send_samples: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "LlmAssist | None":
        """The assist the settings configure, or None when no endpoint and model are set."""
        if not settings.llm_base_url or not settings.llm_model:
            return None
        return cls(LlmClient.from_settings(settings), batch_size=settings.llm_batch_size, send_samples=settings.llm_send_samples)


def llm_configured(settings: Settings) -> bool:
    return bool(settings.llm_base_url and settings.llm_model)


__all__ = ["CallRecord", "LlmAssist", "LlmClient", "RunUsage", "llm_configured", "make_openai"]
