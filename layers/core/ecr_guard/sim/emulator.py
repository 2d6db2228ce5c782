"""The embedded AWS: moto in-process (default), or a moto server on loopback.

Inside, the process's AWS configuration points at the emulator only: fake credentials, no
profile, no config or credentials file, no instance metadata, and (for the server) an endpoint
URL that every boto3 client honours. Nothing can reach a real AWS account. Everything is
restored on the way out.
"""

from __future__ import annotations

import logging
import os
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from unittest import mock

from ecr_guard.sim import require_emulator

LOOPBACK = "127.0.0.1"

_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Anything that could send a client elsewhere than the emulator, or to real credentials.
_REMOVED_PREFIXES = ("AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS", "AWS_WEB_IDENTITY")
_REMOVED = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_CA_BUNDLE",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    }
)


@dataclass(frozen=True)
class Emulator:
    """Where the emulator answers: in-process (`endpoint_url` None) or a loopback server."""

    region: str
    endpoint_url: str | None = None

    @property
    def kind(self) -> str:
        return f"moto server on {self.endpoint_url}" if self.endpoint_url else "moto in-process"


@contextmanager
def emulated_aws(region: str, *, server: bool = False) -> Iterator[Emulator]:
    """AWS in this process is the emulator, with the guard's moto fixes, until the block ends."""
    require_emulator(server=server)
    from ecr_guard.sim.moto_fixes import ecr_as_in_aws  # noqa: PLC0415 (moto is optional)

    with ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ))
        for name in list(os.environ):
            if name in _REMOVED or name.startswith(_REMOVED_PREFIXES):
                del os.environ[name]
        os.environ.update(_FAKE_CREDENTIALS, AWS_DEFAULT_REGION=region, AWS_REGION=region)
        stack.enter_context(ecr_as_in_aws())
        if server:
            endpoint = stack.enter_context(_moto_server())
            os.environ["AWS_ENDPOINT_URL"] = endpoint
            yield Emulator(region=region, endpoint_url=endpoint)
        else:
            from moto import mock_aws  # noqa: PLC0415

            stack.enter_context(mock_aws())
            yield Emulator(region=region)


@contextmanager
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    # The server's request log would interleave with the simulation's output.
    requests_log = logging.getLogger("werkzeug")
    level = requests_log.level
    requests_log.setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    server.start()
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        # The server shares this process's moto state: start from an empty account.
        _reset(endpoint)
        yield endpoint
    finally:
        _reset(endpoint)
        server.stop()
        requests_log.setLevel(level)


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        response.read()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port
