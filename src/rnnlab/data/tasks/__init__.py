"""Synthetic sequence tasks from the lesson and the long-memory literature."""
