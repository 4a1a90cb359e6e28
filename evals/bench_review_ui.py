"""Load on the review web app: N concurrent reviewers against a local server with a big queue.

    .venv/bin/python -m evals.bench_review_ui                  # 50 reviewers, 10,000 items
    .venv/bin/python -m evals.bench_review_ui --reviewers 10 --items 2000 --rounds 5
    .venv/bin/python -m evals.bench_review_ui --think-ms 2000   # people read a page before the next
    .venv/bin/python -m evals.bench_review_ui --workers 2       # crosswalk serve --workers 2

Seeds a temporary data dir (one real offline propose run on the demo export, its review
items copied into enough runs to reach ``--items``), creates one supervisor account per
reviewer, starts ``crosswalk serve`` in its own process on a free loopback port and lets
every reviewer sign in, then browse: a queue page (random page, filter and sort) and an
item page, ``--rounds`` times. Browsing starts once everyone has signed in. Without
``--think-ms`` every reviewer requests non-stop (a stress test); with it each pauses a
random 0..2x that long after a page. The request count is bounded (reviewers x rounds x 2)
and nothing but 127.0.0.1 is contacted. Prints p50/p95/max latency per page kind.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from agent.settings import Settings
from agent.store import Run, dispose_engines, open_session
from agent.store.models import ReviewItem, new_id
from agent.store.review import items_of_run

ROOT = Path(__file__).resolve().parent.parent
DEMO_EXPORT = ROOT / "evals" / "demo" / "custody_export.csv"
PASSWORD = "load test password 42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HOST = "127.0.0.1"


def seed(settings: Settings, items: int, reviewers: int) -> list[str]:
    """A propose run on the demo export, copied into as many review items as asked; returns their ids."""
    from agent.jobs.propose_job import ProposeRequest, run_propose_job
    from agent.store import users as user_store
    from tools.standards import bundled_standard_path

    out = settings.data_dir / "proposal.json"
    request = ProposeRequest(out_path=out, source_path=DEMO_EXPORT, target_schema_path=bundled_standard_path(), offline=True)
    run_id = run_propose_job(settings.model_copy(update={"user": "integrator"}), request).run_id
    rng = random.Random(7)
    with open_session(settings) as session:
        template_run = session.get(Run, run_id)
        assert template_run is not None
        templates = items_of_run(session, run_id)
        made = len(templates)
        per_run = 25
        while made < items:
            run = Run(kind="propose", actor="integrator", dataset_id=template_run.dataset_id,
                      mapping_version_id=template_run.mapping_version_id, status=template_run.status,
                      summary=template_run.summary)
            session.add(run)
            session.flush()
            batch = []
            for n in range(min(per_run, items - made)):
                source = templates[n % len(templates)]
                confidence = round(rng.uniform(0.3, 0.99), 4)
                proposal = {**source.proposal, "field": {**source.proposal["field"], "confidence": confidence}}
                batch.append(ReviewItem(id=new_id(), run_id=run.id, kind=source.kind, target=f"{source.target}",
                                        proposal=proposal, proposed_by="integrator", confidence=confidence))
            session.add_all(batch)
            made += len(batch)
            session.commit()
        for n in range(reviewers):
            user_store.create_user(session, f"reviewer{n:02d}", PASSWORD, "supervisor", created_by="bench")
        ids = list(session.exec(ReviewItem.__table__.select().with_only_columns(ReviewItem.__table__.c.id)).scalars())
    return ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CROSSWALK_DATA_DIR": str(data_dir), "CROSSWALK_WEB_COOKIE_SECURE": "false"}
    command = [sys.executable, "-c", "from agent.cli import main; main()", "serve", "--host", HOST, "--port", str(port),
               "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("server did not start within 60 s")


def reviewer(base: str, name: str, item_ids: list[str], rounds: int, seed_no: int,
             signed_in: threading.Barrier, think: float) -> dict[str, list[float]]:
    """One person: sign in, then look at queue pages and items; latencies in seconds per page kind.

    Everyone signs in first and browsing starts together (the barrier), so the browsing
    figures are not the queue behind 50 simultaneous password hashes.
    """
    rng = random.Random(seed_no)
    timings: dict[str, list[float]] = {"sign_in": [], "queue": [], "item": []}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        started = time.perf_counter()
        page = client.get("/sign-in")
        token = CSRF.search(page.text)
        assert token is not None, "no CSRF token on the sign-in page"
        answer = client.post("/sign-in", data={"username": name, "password": PASSWORD, "csrf_token": token.group(1), "next": ""})
        assert answer.status_code == 303, (answer.status_code, answer.text[:300])
        timings["sign_in"].append(time.perf_counter() - started)
        signed_in.wait(timeout=600)  # a reviewer that failed to sign in breaks the barrier instead of hanging it
        for _ in range(rounds):
            params = {"page": str(rng.randint(1, 100)), "sort": rng.choice(["confidence", "-confidence", "created"]),
                      "kind": rng.choice(["", "value_map", "mapping_field", "field_merge"])}
            started = time.perf_counter()
            response = client.get("/queue", params=params)
            timings["queue"].append(time.perf_counter() - started)
            assert response.status_code == 200, (response.status_code, response.text[:300])
            time.sleep(rng.uniform(0, 2 * think))  # reading the page, on average ``think`` seconds
            started = time.perf_counter()
            response = client.get(f"/items/{rng.choice(item_ids)}")
            timings["item"].append(time.perf_counter() - started)
            assert response.status_code == 200, (response.status_code, response.text[:300])
            time.sleep(rng.uniform(0, 2 * think))
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10, help="queue + item page views per reviewer")
    parser.add_argument("--think-ms", type=float, default=0,
                        help="mean pause between a reviewer's pages (0: every reviewer requests non-stop, a stress test)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (crosswalk serve --workers)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crosswalk-load-") as tmp:
        data_dir = Path(tmp) / "cw"
        settings = Settings(data_dir=data_dir, user=None)
        t0 = time.perf_counter()
        item_ids = seed(settings, args.items, args.reviewers)
        dispose_engines()
        print(f"seeded {len(item_ids):,} review items and {args.reviewers} supervisors in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        server = start_server(data_dir, port, args.workers)
        try:
            base = f"http://{HOST}:{port}"
            signed_in = threading.Barrier(args.reviewers, action=lambda: browsing.append(time.perf_counter()))
            browsing: list[float] = []
            with ThreadPoolExecutor(max_workers=args.reviewers) as pool:
                results = list(pool.map(lambda n: reviewer(base, f"reviewer{n:02d}", item_ids, args.rounds, n, signed_in,
                                                         args.think_ms / 1000),
                                        range(args.reviewers)))
            wall = time.perf_counter() - browsing[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
    browsed = 0
    print(f"{args.reviewers} concurrent reviewers, {args.rounds} rounds each, server on {HOST} "
          f"({args.workers} uvicorn worker process{'es' if args.workers != 1 else ''}, "
          + (f"mean think time {args.think_ms:.0f} ms)" if args.think_ms else "no think time)"))
    print(f"{'page':<8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind in ("sign_in", "queue", "item"):
        values = [v for r in results for v in r[kind]]
        browsed += 0 if kind == "sign_in" else len(values)
        print(f"{kind:<8} {len(values):>8} {statistics.median(values) * 1000:>8.0f} "
              f"{percentile(values, 0.95) * 1000:>8.0f} {max(values) * 1000:>8.0f}")
    print(f"browsing: {browsed:,} page views in {wall:.1f} s ({browsed / wall:.0f} pages/s)")


if __name__ == "__main__":
    main()
