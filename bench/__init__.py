"""Benchmarks: each script prints a table with its reference rows measured in the same run."""

# The bare reference view of bench/bare_urls.py.
BARE_PATH = "/bench/bare/"
