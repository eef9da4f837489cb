"""Chat completions from any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp).

Retries with exponential backoff on 429, 5xx, timeouts and dropped connections are the ``openai``
client's own (``max_retries``). Every failure comes out as a ``ProviderError`` whose message names
the model and what went wrong, in one line, with no secret in it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.config import LLMSettings
from assistant.errors import ProviderError

log = logging.getLogger("assistant.model.llm")


@dataclass
class Completion:
    model: str
    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False  # token counts estimated from text length (the server sent no usage)
    latency_ms: int = 0
    deltas: list[str] = field(default_factory=list)

    def cost_usd(self, prices: dict[str, tuple[float, float]]) -> float | None:
        price = prices.get(self.model)
        if price is None:
            return None
        return round((self.prompt_tokens * price[0] + self.completion_tokens * price[1]) / 1_000_000, 6)


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class ChatClient:
    def __init__(self, settings: LLMSettings) -> None:
        import openai

        self.settings = settings
        key = settings.api_key.get_secret_value() if settings.api_key else None
        if not settings.model:
            raise ProviderError("COACH_LLM__PROVIDER=openai needs COACH_LLM__MODEL (the model name to ask).")
        if not key and not settings.base_url:
            raise ProviderError(
                "COACH_LLM__PROVIDER=openai needs an API key (COACH_LLM__API_KEY or OPENAI_API_KEY), "
                "or COACH_LLM__BASE_URL for a local server that takes none."
            )
        self._client = openai.OpenAI(
            base_url=settings.base_url,
            # A local server takes no key; the client insists on one being set.
            api_key=key or "no-key",
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
        )

    def complete(
        self, model: str, messages: list[dict[str, str]], *, on_delta: Callable[[str], None] | None = None
    ) -> Completion:
        """One chat completion; streamed when ``on_delta`` is given (it gets each piece of text)."""
        import openai

        started = time.perf_counter()
        result = Completion(model=model)
        try:
            if on_delta is None:
                response = self._client.chat.completions.create(
                    model=model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.settings.temperature,
                    max_tokens=self.settings.max_tokens,
                )
                if not response.choices:
                    raise ProviderError(f"Model {model} returned no answer.")
                result.text = response.choices[0].message.content or ""
                if response.usage:
                    result.prompt_tokens = response.usage.prompt_tokens
                    result.completion_tokens = response.usage.completion_tokens
            else:
                for piece in self._stream(model, messages, result):
                    result.deltas.append(piece)
                    on_delta(piece)
                result.text = "".join(result.deltas)
        except openai.AuthenticationError as exc:
            raise ProviderError(f"Model {model}: the endpoint refused the API key (HTTP {exc.status_code}).") from exc
        except openai.NotFoundError as exc:
            raise ProviderError(f"Model {model}: the endpoint does not know this model (HTTP 404).") from exc
        except openai.APITimeoutError as exc:
            raise ProviderError(f"Model {model}: no answer within {self.settings.timeout_s:g} s.") from exc
        except openai.APIConnectionError as exc:
            raise ProviderError(f"Model {model}: cannot reach {self.settings.base_url or 'the OpenAI API'}.") from exc
        except openai.APIStatusError as exc:
            raise ProviderError(f"Model {model}: the endpoint answered HTTP {exc.status_code}.") from exc
        except (openai.OpenAIError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # Malformed JSON or a body that is not a chat completion.
            raise ProviderError(f"Model {model}: the endpoint's reply is not a chat completion.") from exc
        if not result.text.strip():
            raise ProviderError(f"Model {model} returned an empty answer.")
        if not result.prompt_tokens:
            result.estimated = True
            result.prompt_tokens = sum(_estimate_tokens(m["content"]) for m in messages)
            result.completion_tokens = _estimate_tokens(result.text)
        result.latency_ms = round((time.perf_counter() - started) * 1000)
        return result

    def _stream(self, model: str, messages: list[dict[str, str]], result: Completion) -> Iterator[str]:
        stream = self._client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens,
            stream=True,
        )
        for chunk in stream:
            usage = getattr(chunk, "usage", None)
            if usage:
                result.prompt_tokens = usage.prompt_tokens
                result.completion_tokens = usage.completion_tokens
            choices = getattr(chunk, "choices", None)
            if choices and choices[0].delta and choices[0].delta.content:
                yield choices[0].delta.content
