"""The guard without an AWS account: the Lambda handlers run in-process against an embedded AWS
emulator (moto), driven by scenario files (`ecr-guard simulate`, `ecr-guard demo`).

moto is an optional dependency (`ecr-guard[sim]`): nothing here imports it at import time;
`require_emulator` says clearly when it is missing.
"""

from __future__ import annotations

import importlib.util

from ecr_guard.errors import ConfigError

INSTALL_HINT = "install ecr-guard[sim] (pip install 'ecr-guard[sim]')"


def require_emulator(*, server: bool = False) -> None:
    """ConfigError with the install command when moto (and for `server`, its server) is
    missing."""
    needed = ("moto", "boto3", "flask", "flask_cors") if server else ("moto", "boto3")
    for module in needed:
        if importlib.util.find_spec(module) is None:
            what = "moto's server" if module.startswith("flask") else "the AWS emulator moto"
            raise ConfigError(f"the simulator needs {what}: {INSTALL_HINT}")
