"""Reports on folders of runs: one table, two CSVs and a few figures (``rnnlab-report``).

Kept import-light: matplotlib and torch are imported only when figures are drawn.
"""
