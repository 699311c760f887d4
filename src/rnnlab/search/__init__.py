"""An Optuna search's parts that every side of it shares: the search space read with Hydra's
grammar, the study's storage, its pruner, and a trial reporting from inside its job.

Kept below the callbacks, the report and the sweep (each of them opens the same study), and
free of torch and Lightning.
"""
