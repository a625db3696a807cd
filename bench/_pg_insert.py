"""The raw PostgreSQL reference of bench/api_create.py, run in its own process.

N connections, each inserting one ticket row per transaction (autocommit) for a fixed time:
a copy of a row the API wrote (every column), numbered from the same sequence, with distinct
titles and the current time. Prints one line "WRK_JSON {...}" like the HTTP load generators.
"""

import argparse
import asyncio
import json
import time

import psycopg
from psycopg.types.json import Jsonb

# Set per run by the copy of the template row, the values the API wrote for a ticket.
OVERRIDES = {
    "number": "'INC' || lpad(nextval('seq_ticket_incident')::text, 7, '0')",
    "title": "%(title)s",
    "reported_at": "now()",
    "created_at": "now()",
    "updated_at": "now()",
}


def _insert_statement(dsn: str, template_id: int) -> tuple[str, dict]:
    """INSERT of a row like ticket `template_id` (all its columns, so schema changes follow)."""
    with psycopg.connect(dsn) as conn:
        cursor = conn.execute("SELECT * FROM tickets_ticket WHERE id = %s", [template_id])
        columns = [c.name for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    del row["id"]
    values, params = [], {}
    for n, (column, value) in enumerate(row.items()):
        if column in OVERRIDES:
            values.append(OVERRIDES[column])
        else:
            values.append(f"%(c{n})s")
            params[f"c{n}"] = Jsonb(value) if isinstance(value, dict | list) else value
    sql = f"INSERT INTO tickets_ticket ({', '.join(row)}) VALUES ({', '.join(values)}) RETURNING id"
    return sql, params


async def _worker(dsn, n, statement, latencies, deadline):
    sql, params = statement
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            started = time.perf_counter()
            await conn.execute(sql, {**params, "title": f"Raw insert {n}-{i}"})
            latencies.append(time.perf_counter() - started)


async def _run(args) -> dict:
    statement = _insert_statement(args.dsn, args.template)
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(
        *(_worker(args.dsn, n, statement, latencies, deadline) for n in range(args.connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e6)

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "p50_us": pct(50),
        "p95_us": pct(95),
        "p99_us": pct(99),
        "max_us": int(latencies[-1] * 1e6),
        "connect": 0,
        "read": 0,
        "write": 0,
        "status": 0,
        "timeout": 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--template", type=int, required=True, help="id of a ticket to copy")
    args = parser.parse_args()
    print("WRK_JSON " + json.dumps(asyncio.run(_run(args))), flush=True)


if __name__ == "__main__":
    main()
