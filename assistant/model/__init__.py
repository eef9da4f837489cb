"""A language model's answer and its check: the OpenAI-compatible client, prompts, the model chain, and
the citation verifier with the hard facts, meaning and statements it reads."""
