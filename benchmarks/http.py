"""Throughput and latency of /api/v1/health under a bounded local load, beside a bare Starlette endpoint.

Both apps are served by uvicorn in child processes on loopback; a fixed number of concurrent
httpx clients sends requests for a fixed time. Prints requests/s, p50 and p99 for each and the ratio.

    .venv/bin/python benchmarks/http.py [--seconds 10] [--concurrency 16]
"""

from __future__ import annotations

import os
import sys

# This file is named http.py (as the issue asks): keep it from shadowing the standard `http` package.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse
import asyncio
import socket
import statistics
import subprocess
import tempfile
import time

import httpx

BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def health(request):
    return JSONResponse({"status": "ok"})

app = Starlette(routes=[Route("/health", health)])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server at {url} did not start")


async def load(url: str, seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            response = await client.get(url)
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return len(latencies), latencies, errors


def measure(name: str, url: str, seconds: float, concurrency: int) -> float:
    asyncio.run(load(url, 1.0, concurrency))  # warm-up
    count, latencies, errors = asyncio.run(load(url, seconds, concurrency))
    latencies.sort()
    rate = count / seconds
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"{name:<28} {rate:>9.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   errors {errors}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "CLAIMLINE_DATA_DIR": folder, "CLAIMLINE_LOG_LEVEL": "WARNING"}
        subprocess.run([python, "-m", "claimline.cli", "db", "upgrade"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        bare_file = os.path.join(folder, "bare_app.py")
        with open(bare_file, "w") as handle:
            handle.write(BARE_APP)
        ours_port, bare_port = free_port(), free_port()
        uvicorn = [python, "-m", "uvicorn", "--host", "127.0.0.1", "--log-level", "warning"]
        ours = start([*uvicorn, "--factory", "claimline.web.app:create_app", "--port", str(ours_port)], env,
                     f"http://127.0.0.1:{ours_port}/api/v1/health")
        bare = start([*uvicorn, "--app-dir", folder, "bare_app:app", "--port", str(bare_port)], env,
                     f"http://127.0.0.1:{bare_port}/health")
        try:
            print(f"bounded load: {options.concurrency} concurrent clients, "
                  f"{options.seconds:.0f} s each, one worker")
            ours_rate = measure("claimline /api/v1/health", f"http://127.0.0.1:{ours_port}/api/v1/health",
                                options.seconds, options.concurrency)
            bare_rate = measure("bare Starlette /health", f"http://127.0.0.1:{bare_port}/health",
                                options.seconds, options.concurrency)
            print(f"ratio claimline / bare: {ours_rate / bare_rate:.2f}")
        finally:
            ours.terminate()
            bare.terminate()


if __name__ == "__main__":
    main()
