"""The `ecr-guard` command line: `check`, `policy` and the commands registered in `cli.app`."""
