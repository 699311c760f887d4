"""rnnlab: config-driven experiments with recurrent networks (RNN, LSTM, GRU).

Kept import-light on purpose: the command-line entry points validate a config
before torch or Lightning is imported, so a typo is reported in well under a second.
"""

__version__ = "0.1.0"
