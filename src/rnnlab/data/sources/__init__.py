"""Real sequence data read from files that installed PyPI packages ship.

Nothing is downloaded: each source locates its package's data folder without importing
the package (rnnlab.data.sources.packaged), parses the file itself, fits its scaling on
the training split only and returns SequenceSplits with that Normalisation attached.
"""
