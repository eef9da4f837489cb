"""Stand-in models for tests and measurement: an OpenAI-compatible endpoint that misbehaves on purpose, and
one that replays hand-written strong-model answers."""
