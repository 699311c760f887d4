"""Registers rnnlab's ``ucr_recipe`` resolver wherever Hydra composes a config.

Hydra imports every module of the ``hydra_plugins`` namespace when it first composes a
config (its plugin discovery), in rnnlab-train's pre-flight, in the job and in a launcher's
workers alike; ``experiment=ucr`` interpolates ``${ucr_recipe:...}``, so the resolver must
exist by then. What it computes is in rnnlab.data.sources.ucr_recipe.
"""

from rnnlab.data.sources.ucr_recipe import register_resolver

register_resolver()
