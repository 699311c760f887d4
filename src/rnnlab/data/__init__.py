"""Sequence tasks and dataset sources, all handed to one SequenceDataModule."""
