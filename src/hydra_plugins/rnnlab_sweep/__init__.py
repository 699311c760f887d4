"""rnnlab's Hydra sweepers: the basic grid sweeper and the Optuna sweeper, made resumable.

Hydra only instantiates sweepers that live in the ``hydra_plugins`` namespace package, so
these thin subclasses live here; what they do is in ``rnnlab.sweep.resuming`` (grids) and
``rnnlab.sweep.study`` (searches).
"""
