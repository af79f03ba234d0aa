"""moto's DynamoDB-compatible server on 127.0.0.1, for the tests of both DynamoDB users."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def moto_dynamodb_endpoint() -> Iterator[str]:
    """URL of a moto server on a free port of 127.0.0.1, stopped at the end of the session."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def make_dynamodb_client(endpoint_url: str, *, attempts: int = 3) -> Any:
    """A boto3 DynamoDB client with fake credentials that talks only to `endpoint_url`."""
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client(
        "dynamodb",
        endpoint_url=endpoint_url,
        config=Config(
            retries={"max_attempts": attempts, "mode": "standard"},
            connect_timeout=2,
            read_timeout=5,
            proxies={},
        ),
    )


@pytest.fixture
def dynamodb_client(moto_dynamodb_endpoint: str) -> Any:
    return make_dynamodb_client(moto_dynamodb_endpoint)


@pytest.fixture
def unique_table() -> Callable[[], str]:
    """Table names unique to a test, since moto's server state lasts the whole session."""
    return lambda: f"customerAccountStatus-{uuid.uuid4().hex[:8]}"
