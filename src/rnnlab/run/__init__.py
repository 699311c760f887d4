"""What the entry points run: building components, training, evaluating, writing results."""
