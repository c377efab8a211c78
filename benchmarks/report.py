"""The benchmark suite's table: one line per figure, with its target."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "steady": 1.0,
    "whole": 0.9,
    "rss_mb": 50.0,
    "rss_ratio": 1.10,
    "unimap --help": 0.10,
    "unimap validate mappings": 0.15,
    "unimap call --explain": 0.20,
}


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _reads(reads: dict[str, Any]) -> list[str]:
    lines = [
        f"{'listing (engine vs hand)':34}{'engine/s':>10}{'hand/s':>10}{'ratio':>8}"
        f"{'cpu':>7}  target"
    ]
    for provider, fig in reads.items():
        ratio = fig["steady_ratio"]
        lines.append(
            f"{provider + ' steady state':34}{fig['engine_records_per_s']:>10,}"
            f"{fig['hand_records_per_s']:>10,}{ratio:>8.3f}{fig['steady_cpu_ratio']:>7.3f}"
            f"  >= {TARGETS['steady']} "
            f"{_verdict(ratio >= TARGETS['steady'])}"
        )
        whole = fig["whole_seconds"]
        best_engine, best_hand = min(whole["engine"]), min(whole["hand"])
        lines.append(
            f"{provider + ' whole process (s)':34}{best_engine:>10.3f}{best_hand:>10.3f}"
            f"{fig['whole_ratio']:>8.3f}{fig['whole_cpu_ratio']:>7.3f}  >= {TARGETS['whole']} "
            f"{_verdict(fig['whole_ratio'] >= TARGETS['whole'])}"
        )
    return lines


def _rss(rss: dict[str, Any]) -> list[str]:
    peaks = rss["peak_rss_bytes"]
    small, large = sorted(peaks, key=int)
    mb = {size: peaks[size] / 1e6 for size in peaks}
    return [
        f"peak RSS unimap call --all: {small}: {mb[small]:.1f} MB, {large}: {mb[large]:.1f} MB "
        f"(<= {TARGETS['rss_mb']:.0f} MB {_verdict(mb[large] <= TARGETS['rss_mb'])}); "
        f"ratio {rss['ratio']:.3f} (<= {TARGETS['rss_ratio']} "
        f"{_verdict(rss['ratio'] <= TARGETS['rss_ratio'])})"
    ]


def _startup(startup: dict[str, Any]) -> list[str]:
    lines = [f"{'start-up (s)':34}{'best':>10}{'median':>10}{'cpu':>7}  target"]
    for name, fig in startup.items():
        target = TARGETS[name]
        lines.append(
            f"{name:34}{fig['best']:>10.3f}{fig['median']:>10.3f}{fig['cpu_best']:>7.3f}"
            f"  <= {target} "
            f"{_verdict(fig['median'] <= target)}"
        )
    return lines


def _writes(writes: dict[str, Any]) -> list[str]:
    lines = [f"{'writes, CPU only (s)':34}{'engine':>10}{'hand':>10}{'ratio':>8}"]
    for name, fig in writes.items():
        lines.append(f"{name:34}{fig['engine']:>10.3f}{fig['hand']:>10.3f}{fig['ratio']:>8.3f}")
    return lines


def print_table(figures: dict[str, Any]) -> None:
    """Print every part present in `figures` (ratios are hand time / engine time; `cpu` is the
    same ratio over CPU seconds — steady state: the measuring process; whole process and
    start-up: the command — which a busy machine disturbs less than wall time)."""
    lines: list[str] = []
    if "reads" in figures:
        lines += _reads(figures["reads"])
    if "rss" in figures:
        lines += _rss(figures["rss"])
    if "startup" in figures:
        lines += _startup(figures["startup"])
    if "writes" in figures:
        lines += _writes(figures["writes"])
    print("\n".join(lines))
