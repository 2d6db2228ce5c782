"""ecr-guard's benchmark suite: `python -m bench.run` (or `make bench`) measures the guard against
its performance budgets, side by side with the obvious alternatives, and writes
docs/performance.md."""
