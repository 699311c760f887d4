"""Sweeps (``rnnlab-train -m``): job folders, pre-flight checks, failure isolation, summary."""
