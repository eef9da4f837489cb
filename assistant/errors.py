"""The error tree. Every error meant for a user is a ``CoachError``; its message is a full sentence
that ends with the fix. Interfaces turn these into output in exactly one place each.

    CoachError
     ├── ConfigError        bad or missing settings
     ├── KnowledgeError     the knowledge folder or a document cannot be used
     ├── IndexNotReadyError nothing has been ingested yet, or the index was built differently
     ├── StoreError         the vector store (embedded or server) cannot be reached or read
     ├── ProviderError      an LLM endpoint failed
     └── InputError         the user's question cannot be answered as given (empty, too long, binary)
          └── RateLimitError the user is asking faster than their budget allows (HTTP 429)

Developer misuse (wrong types, impossible arguments) raises plain ``ValueError``/``TypeError``.
"""

from __future__ import annotations


class CoachError(Exception):
    """An error a user can act on."""


class ConfigError(CoachError):
    pass


class KnowledgeError(CoachError):
    pass


class IndexNotReadyError(CoachError):
    pass


class StoreError(CoachError):
    pass


class ProviderError(CoachError):
    pass


class InputError(CoachError):
    pass


class RateLimitError(InputError):
    """Too many questions from one user in the window; wait and try again."""
