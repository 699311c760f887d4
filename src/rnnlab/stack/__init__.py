"""Many small runs trained as one stacked network, each member still a run of its own."""
