"""Servers on loopback for the storage and deployment tests, each in a process of its own on a
free port, killed on the way out: an S3-compatible object store (moto's standalone server) and
Redis (``redis-server``, Debian's package, with nothing saved to disk)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT = 30  # seconds
ACCESS_KEY = "unionportal-test"
SECRET_KEY = "unionportal-test-secret"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def moto_server(log_dir: Path):
    """The endpoint URL of a fresh moto server; the process is killed on the way out."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = log_dir / f"moto-{port}.log"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with open(log, "wb") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(endpoint):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.kill()
        process.wait(timeout=10)


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The environment a portal process reads to use ``bucket`` on ``endpoint``."""
    return {"AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION}


def new_bucket(endpoint: str) -> str:
    """A new, empty bucket on ``endpoint``; its name."""
    import boto3

    name = f"up-{uuid.uuid4().hex[:20]}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, region_name=REGION)
    client.create_bucket(Bucket=name)
    return name


def bucket_keys(endpoint: str, bucket: str) -> dict[str, bytes]:
    """``{key: content}`` of every object in ``bucket``."""
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, region_name=REGION)
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", ()):
            found[entry["Key"]] = client.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
    return found


@contextmanager
def redis_server(log_dir: Path):
    """``redis://127.0.0.1:PORT/0`` of a fresh Redis; the process is killed on the way out."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        raise RuntimeError("redis-server is not installed (make test installs Debian's redis-server)")
    port = free_port()
    log = log_dir / f"redis-{port}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                    "--appendonly", "no", "--dir", str(log_dir)],
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)
