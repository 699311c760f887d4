"""The field's usual figure of a benchmark: rnnlab's accuracy against a reference method's,
one point per set, the diagonal drawn (above it, rnnlab is the more accurate).

One panel per reference method; bars span ± one standard deviation over seeds; filled
points are the sets the recipe was tuned on, open ones the sets held out from tuning.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from rnnlab.report.ucr_results import Benchmark


def benchmark_figure(bench: Benchmark) -> Figure:
    """A scatter per reference method of the sets that have a published figure."""
    methods = bench.methods
    figure = Figure(figsize=(4.6 * len(methods), 4.6), layout="constrained")
    axes = figure.subplots(1, len(methods), squeeze=False)
    for ax, method in zip(axes[0], methods, strict=True):
        shown = [r for r in bench.results if r.references.get(method) is not None]
        for r in shown:
            x = r.references[method].accuracy  # type: ignore[union-attr]
            ax.errorbar(
                x,
                r.mean,
                yerr=r.std,
                fmt="o",
                color="tab:blue",
                markerfacecolor="tab:blue" if r.tuned else "white",
                capsize=3,
            )
            ax.annotate(
                r.dataset, (x, r.mean), textcoords="offset points", xytext=(4, -10), fontsize=7
            )
        values = [r.mean for r in shown] + [r.references[method].accuracy for r in shown]  # type: ignore[union-attr]
        low = min([*values, 0.5]) - 0.05
        ax.plot([low, 1.0], [low, 1.0], color="grey", linestyle="--", linewidth=1)
        ax.set_xlim(low, 1.01)
        ax.set_ylim(low, 1.01)
        ax.set_aspect("equal")
        tally = bench.tally(method)
        ax.set_title(
            f"rnnlab vs {method}: {tally['win']} W / {tally['tie']} T / {tally['loss']} L",
            fontsize=10,
        )
        ax.set_xlabel(f"{method} test accuracy (published)")
        ax.set_ylabel("rnnlab test accuracy (mean ± std over seeds)")
    figure.suptitle(
        "above the diagonal: rnnlab more accurate; filled: sets the recipe was tuned on, "
        "open: held out",
        fontsize=8,
    )
    return figure
