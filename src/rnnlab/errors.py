"""Errors a user can fix: each carries one sentence naming the bad value and what is valid."""


class RnnlabError(Exception):
    """Base class for problems caused by input (config, data file, checkpoint), not by a bug."""


class ConfigError(RnnlabError):
    """A config value is missing, of the wrong type, or out of range."""


class CheckpointError(RnnlabError):
    """A checkpoint file is missing, unreadable, or does not match the composed run."""


class DivergedError(RnnlabError):
    """Training produced a non-finite loss or gradient: the settings, not the code, need a fix."""
