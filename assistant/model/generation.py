"""The ``openai`` provider: fluent answers from an OpenAI-compatible model, verified sentence by sentence.

Chain: the primary model, then the fallback model when the primary fails (after the client's own
retries), then the offline extractive answer. A model's answer is kept only for the statements the
verifier finds supported by the passages they cite; when most of it is unsupported, the offline answer
is given instead and the answer says so (``verification.fallback``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.config import Settings
from assistant.errors import ProviderError
from assistant.model.llm import ChatClient, Completion
from assistant.model.prompts import PromptLibrary
from assistant.model.verify import Verified, Verifier
from assistant.types import Chunk

log = logging.getLogger("assistant.model.generation")


@dataclass
class ModelAnswer:
    completion: Completion
    verified: Verified
    prompt_version: str


@dataclass
class Attempt:
    """What the chain did: the answer it kept (if any) and the one-line notices for the user."""

    answer: ModelAnswer | None
    notices: list[str]
    prompt_version: str
    failed_models: list[str]
    overhead_ms: int = 0  # time spent here beyond the model calls


def sources_block(chunks: Sequence[Chunk]) -> str:
    parts = []
    for n, chunk in enumerate(chunks, 1):
        parts.append(f"[{n}] {chunk.title} — {chunk.section}\n{chunk.text.strip()}")
    return "\n\n".join(parts)


def fence(text: str) -> str:
    """User text cannot close the data fences the prompt puts around it."""
    return text.replace("<", "‹").replace(">", "›")


def keeps_model_answer(verified: Verified) -> bool:
    """Whether what is left of the model's answer after verification still answers: removing a
    sentence keeps the rest, unless nothing is left or less than a third of what the model said
    survived (a weak model's few true sentences beside many invented ones). What is left is supported
    sentence by sentence, so a short answer with one claim removed still answers with the rest."""
    v = verified
    return v.kept >= 1 and 2 * v.kept >= v.removed


def verification_notice(verified: Verified, kept: bool) -> str | None:
    """What verification did, in numbers, for the user; ``None`` when it changed nothing."""
    v = verified
    if kept:
        if not v.removed:
            return None
        were = "was" if v.removed == 1 else "were"
        it = "it" if v.removed == 1 else "them"
        return f"{v.removed} of {v.statements} sentences {were} removed: the playbook does not support {it}."
    if not v.statements:
        return "The model gave no answer from the playbook; this is the offline answer."
    sentences = "sentence" if v.statements == 1 else "sentences"
    return (
        f"{v.removed} of {v.statements} {sentences} of the model's answer were not supported by the playbook, "
        "too few to answer with; this is the offline answer."
    )


class LLMGenerator:
    def __init__(self, settings: Settings, verifier: Verifier, client: ChatClient | None = None) -> None:
        self.settings = settings.llm
        self.verifier = verifier
        self.prompts = PromptLibrary(self.settings.prompts_dir, self.settings.prompt_version)
        # Fail at start-up, not at the first question, when a template is missing.
        self.system = self.prompts.get("system")
        self.template = self.prompts.get("answer")
        self.condenser = self.prompts.get("condense")
        self.client = client or ChatClient(self.settings)

    @property
    def models(self) -> list[str]:
        chain = [self.settings.model or ""]
        if self.settings.fallback_model and self.settings.fallback_model not in chain:
            chain.append(self.settings.fallback_model)
        return chain

    @property
    def prompt_version(self) -> str:
        return f"{self.template.id}+{self.system.id}"

    def answer(
        self, question: str, sources: Sequence[Chunk], *, on_delta: Callable[[str], None] | None = None
    ) -> Attempt:
        messages = [
            {"role": "system", "content": self.system.render()},
            {
                "role": "user",
                "content": self.template.render(sources=fence(sources_block(sources)), question=fence(question)),
            },
        ]
        started = time.perf_counter()
        notices: list[str] = []
        failed: list[str] = []
        model_ms = 0
        for model in self.models:
            call_started = time.perf_counter()
            try:
                completion = self.client.complete(model, messages, on_delta=on_delta)
            except ProviderError as exc:
                model_ms += round((time.perf_counter() - call_started) * 1000)
                log.warning("model call failed: %s", exc)
                notices.append(str(exc))
                failed.append(model)
                continue
            model_ms += round((time.perf_counter() - call_started) * 1000)
            verified = self.verifier.verify(completion.text, sources)
            log.info(
                "model call: model=%s latency_ms=%d prompt_tokens=%d completion_tokens=%d statements=%d kept=%d "
                "removed=%d recited=%d prompt=%s",
                model,
                completion.latency_ms,
                completion.prompt_tokens,
                completion.completion_tokens,
                verified.statements,
                verified.kept,
                verified.removed,
                verified.recited,
                self.prompt_version,
            )
            overhead = round((time.perf_counter() - started) * 1000) - model_ms
            done = ModelAnswer(completion, verified, self.prompt_version)
            return Attempt(done, notices, self.prompt_version, failed, overhead)
        return Attempt(None, notices, self.prompt_version, failed)

    def condense(self, question: str, history: list[str]) -> str:
        """The model's standalone rewrite of a follow-up; a ``ProviderError`` when it cannot give one."""
        lines = "\n".join(f"Earlier question: {fence(h)}" for h in history[-4:])
        prompt = self.condenser.render(history=lines, question=fence(question))
        completion = self.client.complete(self.models[0], [{"role": "user", "content": prompt}])
        rewritten = " ".join(completion.text.strip().splitlines()[0].split()) if completion.text.strip() else ""
        rewritten = rewritten.strip("\"'“” ")
        if not rewritten or len(rewritten) > 4 * len(question) + 200:
            raise ProviderError(f"Model {completion.model} gave no usable rewrite of the follow-up.")
        return rewritten
