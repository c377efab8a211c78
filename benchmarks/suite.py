"""The honest benchmark: engine vs hand-written code, the server in another process.

    python -m benchmarks.suite [--contacts 20000] [--providers mailerlite,mailchimp,brevo,kit]
                               [--passes 3] [--runs 3] [--skip writes,rss,startup,...]

1. Pages: each provider's simulator is seeded and listed once through the engine
   (`benchmarks.pages`); every response is kept as raw bytes.
2. A replay server in another process (`benchmarks.replay_server`) answers each request
   with those bytes: one dict look-up, one write. Only the client's work is timed.
3. Per provider: the engine's and the hand loop's listings are compared record by record
   (`benchmarks.workers check`), then timed, each in its own process:
   * steady state: PASSES listings in each of two processes (engine, hand, hand, engine),
     best pass (engine: `Engine.load().connect`
     + `iterate`, on a fake clock so pacing never sleeps; hand: httpx + `json` + hand mapping);
   * whole process: `unimap call P contacts list --all --limit 1000` vs
     `python -m benchmarks.hand_ndjson`, stdout a pipe read to the end; the NDJSON of both
     is compared record by record first; best of RUNS.
4. Peak RSS of `unimap call mailerlite contacts list --all` over 10,000 and 50,000 contacts.
5. Start-up: `unimap --help`, `unimap validate mappings` (warm cache), `unimap call ...
   --explain`; best and median of RUNS+2 runs.
6. Writes, CPU only (`benchmarks.writes`): 5,000 upserts built per provider (and MailerLite's
   batches of 50), engine vs hand-written, bodies compared first; no I/O.

Prints a table, then one JSON line with every figure. Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.pages import PROVIDERS, Bench, read_bench
from benchmarks.report import print_table

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
UNIMAP = str(Path(sys.executable).with_name("unimap"))


def _run_json(args: list[str]) -> Any:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        output = done.stdout[-3000:] + done.stderr[-3000:]
        raise SystemExit(f"{' '.join(args[:4])}… failed:\n{output}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pages_file(work: Path, provider: str, contacts: int) -> Path:
    """The recorded pages of a provider's account of `contacts` (recorded once per work dir)."""
    path = work / f"{provider}-{contacts}.pickle"
    if not path.exists() or not path.with_suffix(".bench.json").exists():
        subprocess.run(
            [PYTHON, "-m", "benchmarks.pages", provider, str(contacts), str(path)],
            cwd=ROOT, check=True, timeout=900,
        )
    return path


@contextmanager
def replay(path: Path) -> Iterator[tuple[str, Bench]]:
    """The replay server of one pages file in a child process; yields (base URL, Bench)."""
    bench = read_bench(path)
    child = subprocess.Popen(
        [PYTHON, "-m", "benchmarks.replay_server", str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise SystemExit(f"the replay server did not start: {url!r}")
        yield url + bench.prefix, bench
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.terminate()
        child.wait(timeout=10)


def _worker(job: str, base_url: str, bench: Bench, contacts: int, *rest: str) -> Any:
    return _run_json([
        PYTHON, "-m", "benchmarks.workers", job, bench.provider, base_url,
        bench.credentials["api_key"], json.dumps(bench.query), str(contacts), *rest,
    ])


def _cli_command(base_url: str, bench: Bench) -> list[str]:
    query = [f"--query={k}={v}" for k, v in bench.query.items()]
    return [UNIMAP, "call", bench.provider, "contacts", "list", "--all", "--limit", "1000",
            "--api-key", bench.credentials["api_key"], "--base-url", base_url, *query]


def _hand_command(base_url: str, bench: Bench) -> list[str]:
    return [PYTHON, "-m", "benchmarks.hand_ndjson", bench.provider, base_url,
            bench.credentials["api_key"], json.dumps(bench.query)]


def whole_process(command: list[str], keep: bool = False) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds, stdout if `keep`) of a command writing to a pipe."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    chunks: list[bytes] = []
    while block := child.stdout.read(1 << 16):
        if keep:
            chunks.append(block)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[:5])}… exited {child.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, b"".join(chunks)


def _same_ndjson(engine_out: bytes, hand_out: bytes) -> str | None:
    from benchmarks.workers import first_difference

    mine = [json.loads(line) for line in engine_out.splitlines()]
    theirs = [json.loads(line) for line in hand_out.splitlines()]
    return first_difference(mine, theirs)


def provider_figures(work: Path, provider: str, contacts: int, passes: int, runs: int) -> Any:
    """Check, then steady state and whole process of one provider."""
    with replay(pages_file(work, provider, contacts)) as (base_url, bench):
        check = _worker("check", base_url, bench, contacts)
        steady: dict[str, list[float]] = {"engine": [], "hand": []}
        steady_cpu: dict[str, list[float]] = {"engine": [], "hand": []}
        for job in ("engine", "hand", "hand", "engine"):  # two processes each, ABBA
            figures = _worker(job, base_url, bench, contacts, str(passes))
            steady[job] += figures["seconds"]
            steady_cpu[job] += figures["cpu_seconds"]
        cli, script = _cli_command(base_url, bench), _hand_command(base_url, bench)
        problem = _same_ndjson(whole_process(cli, True)[2], whole_process(script, True)[2])
        if problem is not None:
            raise SystemExit(f"{provider}: unimap call and the script's NDJSON differ: {problem}")
        whole: dict[str, list[float]] = {"engine": [], "hand": []}
        whole_cpu: dict[str, list[float]] = {"engine": [], "hand": []}
        for index in range(runs):
            order = [("engine", cli), ("hand", script)]
            for name, command in order if index % 2 == 0 else reversed(order):
                wall, cpu, _ = whole_process(command)
                whole[name].append(wall)
                whole_cpu[name].append(cpu)
    best = {name: min(times) for name, times in steady.items()}
    best_whole = {name: min(times) for name, times in whole.items()}
    cpu_ratio = min(steady_cpu["hand"]) / min(steady_cpu["engine"])
    whole_cpu_ratio = min(whole_cpu["hand"]) / min(whole_cpu["engine"])
    return {
        "contacts": contacts,
        "check": check,
        "steady_seconds": steady,
        "steady_ratio": round(best["hand"] / best["engine"], 3),
        "steady_cpu_seconds": steady_cpu,
        "steady_cpu_ratio": round(cpu_ratio, 3),
        "engine_records_per_s": round(contacts / best["engine"]),
        "hand_records_per_s": round(contacts / best["hand"]),
        "whole_seconds": whole,
        "whole_ratio": round(best_whole["hand"] / best_whole["engine"], 3),
        "whole_cpu_seconds": whole_cpu,
        "whole_cpu_ratio": round(whole_cpu_ratio, 3),
    }


def rss_figures(work: Path, sizes: tuple[int, int]) -> Any:
    """Peak RSS of `unimap call mailerlite contacts list --all` at two account sizes."""
    peaks = {}
    for size in sizes:
        with replay(pages_file(work, "mailerlite", size)) as (base_url, bench):
            command = [PYTHON, "-m", "benchmarks.workers", "peak", *_cli_command(base_url, bench)]
            peaks[size] = _run_json(command)["peak_rss_bytes"]
    small, large = sizes
    return {"peak_rss_bytes": peaks, "ratio": round(peaks[large] / peaks[small], 3)}


def startup_figures(runs: int) -> Any:
    """Seconds of the start-up commands: wall (best, median) and CPU (best); each run once
    first (the mapping cache is warm)."""
    commands = {
        "unimap --help": [UNIMAP, "--help"],
        "unimap validate mappings": [UNIMAP, "validate", "mappings"],
        "unimap call --explain": [UNIMAP, "call", "mailerlite", "contacts", "list",
                                  "--api-key", "k", "--explain"],
    }
    figures = {}
    for name, command in commands.items():
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # warm the cache
        times, cpu = [], []
        for _ in range(runs):
            wall, cpu_seconds, _ = whole_process(command)
            times.append(wall)
            cpu.append(cpu_seconds)
        figures[name] = {
            "best": round(min(times), 3),
            "median": round(statistics.median(times), 3),
            "cpu_best": round(min(cpu), 3),
        }
    return figures


def compile_bytecode() -> None:
    """Byte-compile the checkout, as installing a wheel does: start-up is then not timed
    compiling modules (with `PYTHONDONTWRITEBYTECODE` set, a checkout compiles every module
    of the engine at every start)."""
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", "engine", "simulators", "benchmarks"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=300,
    )


def main(argv: list[str] | None = None) -> int:
    """Run every part asked for; print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--providers", default=",".join(PROVIDERS))
    parser.add_argument("--passes", type=int, default=3, help="listings per steady-state process")
    parser.add_argument("--runs", type=int, default=3, help="whole-process runs of each side")
    parser.add_argument("--rss-sizes", default="10000,50000")
    parser.add_argument("--skip", default="", help="comma-separated: reads,rss,startup,writes")
    parser.add_argument("--work", help="folder for the recorded pages (kept; default temporary)")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="unimap-bench-") as temporary:
        work = Path(args.work or temporary)
        work.mkdir(parents=True, exist_ok=True)
        figures: dict[str, Any] = {}
        if "reads" not in skip:
            figures["reads"] = {
                provider: provider_figures(work, provider, args.contacts, args.passes, args.runs)
                for provider in args.providers.split(",")
            }
        if "rss" not in skip:
            small, large = (int(n) for n in args.rss_sizes.split(","))
            figures["rss"] = rss_figures(work, (small, large))
        if "startup" not in skip:
            figures["startup"] = startup_figures(args.runs + 2)
        if "writes" not in skip:
            figures["writes"] = _run_json([PYTHON, "-m", "benchmarks.writes", "--json"])
    print_table(figures)
    print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
