"""A small closed-loop HTTP/1.1 load generator, used when `wrk` is not installed.

Run in its own process by the harness: N keep-alive connections to one loopback URL for a
fixed time, one request in flight per connection. Prints one line "WRK_JSON {...}" with the
same fields as bench/wrk_load.lua. Slower than wrk, so it is only a fallback.
"""

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


async def _connection(host, port, head: bytes, template, state, latencies, deadline):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            body = b""
            if template is not None:
                state["n"] += 1
                body = template.replace("{n}", f"p-{state['n']}").encode()
            request = head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            if not status_line:
                state["read"] += 1
                return
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if int(status_line.split()[1]) > 399:
                state["status"] += 1
    except (ConnectionError, asyncio.IncompleteReadError):
        state["read"] += 1
    finally:
        writer.close()


async def _run(args) -> dict:
    url = urlsplit(args.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = [f"{args.method} {path} HTTP/1.1", f"Host: {url.netloc}"]
    headers += args.header
    head = ("\r\n".join(headers) + "\r\n").encode()
    state = {"n": 0, "status": 0, "read": 0}
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(
        *(
            _connection(url.hostname, url.port, head, args.body, state, latencies, deadline)
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        if not latencies:
            return 0
        return int(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e6)

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "p50_us": pct(50),
        "p95_us": pct(95),
        "p99_us": pct(99),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        "connect": 0,
        "read": state["read"],
        "write": 0,
        "status": state["status"],
        "timeout": 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default=None)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in {"127.0.0.1", "localhost"}:
        parser.error("loopback URLs only")
    print("WRK_JSON " + json.dumps(asyncio.run(_run(args))), flush=True)


if __name__ == "__main__":
    main()
