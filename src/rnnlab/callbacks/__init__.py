"""Lightning callbacks rnnlab adds: figures, console lines, the run's config in checkpoints."""
