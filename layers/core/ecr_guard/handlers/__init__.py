"""The Lambda handlers, inside the package so that `ecr-guard simulate` and the tests run exactly
the code Lambda runs. Each `functions/<name>/app.py` re-exports one of them for SAM."""
