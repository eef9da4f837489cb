"""Measuring the Coach: the gold sets and their judge, the eval run and its report, user-worded and
rewritten questions, strong-model answers through the verifier, calibration, and the benchmarks."""
