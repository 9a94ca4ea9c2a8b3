"""Benchmark: how long recomputing a presenter rotation takes.

Run from the repository root:  make bench   (or .venv/bin/python -m bench.bench_rotation)

(a) one large group: 40 meetings x 2 presenters, 40 members with random
    unavailability, recomputed mid-series after some announced presenters
    become unavailable;
(b) an intensive: 300 members in 30 groups of 10 (8-12 meetings each, two
    presenters per meeting when there are fewer meetings than members), all
    recomputed one after another the same way;
(c) baseline: sorting an input of comparable size (one (member, meeting,
    available) triple per pair), timed in the same run so the ratios, unlike
    absolute times, carry over between machines.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from balint_online.rotation.engine import (
    MeetingSlot,
    RotationInfeasible,
    RotationInput,
    RotationPlan,
    plan_rotation,
)


def recomputation(
    rng: random.Random, first_member: int, members: int, meetings: int, ppm: int
) -> tuple[RotationInput, list[tuple[int, int, bool]]]:
    """A group a third of the way through its series whose plan must be repaired.

    Returns the input and the same roster x meetings as triples for the baseline.
    """
    roster = list(range(first_member, first_member + members))
    ids = [first_member * 1000 + n for n in range(1, meetings + 1)]
    fresh = [MeetingSlot(mid, n, False) for n, mid in enumerate(ids, 1)]
    while True:  # redraw the rare availability no plan can satisfy
        unavailable = {x: {m for m in ids if rng.random() < 0.15} for x in roster}
        first = recompute(RotationInput(fresh, roster, ppm, {}, {}, _frozen(unavailable)))
        if isinstance(first, RotationPlan):
            break
    announced = first.presenters

    held = meetings // 3
    series = [MeetingSlot(mid, n, n <= held) for n, mid in enumerate(ids, 1)]
    presented = {mid: list(announced[mid]) for mid in ids[:held]}
    current = {mid: list(announced[mid]) for mid in ids[held:]}
    for mid in ids[held:]:
        for x in current[mid]:
            if rng.random() < 0.1:  # an announced presenter can no longer come
                unavailable[x].add(mid)
    inp = RotationInput(series, roster, ppm, presented, current, _frozen(unavailable))
    triples = [(x, mid, mid not in unavailable[x]) for x in roster for mid in ids]
    rng.shuffle(triples)
    return inp, triples


def recompute(inp: RotationInput) -> RotationPlan | RotationInfeasible:
    """One recomputation; a group found infeasible was still recomputed, so it counts too."""
    try:
        return plan_rotation(inp)
    except RotationInfeasible as e:
        return e


def _frozen(unavailable: dict[int, set[int]]) -> dict[int, frozenset[int]]:
    return {x: frozenset(v) for x, v in unavailable.items()}


def seconds_per_call(action: Callable[[], object], budget: float = 0.5) -> float:
    """Median over batches of the time per call, batches sized to ~1/5 of the budget."""
    start = time.perf_counter()
    action()
    once = max(time.perf_counter() - start, 1e-7)
    per_batch = max(1, int(budget / 5 / once))
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_batch):
            action()
        samples.append((time.perf_counter() - start) / per_batch)
    return statistics.median(samples)


def report(title: str, work: float, baseline: float, baseline_label: str) -> None:
    print(title)
    print(f"  recomputation   {work * 1e3:10.3f} ms")
    print(f"  baseline        {baseline * 1e3:10.3f} ms   ({baseline_label})")
    print(f"  ratio           {work / baseline:10.1f} x baseline")


def main() -> None:
    rng = random.Random(20240601)

    inp, triples = recomputation(rng, 1, members=40, meetings=40, ppm=2)
    plan = recompute(inp)
    outcome = f"{len(plan.changes)} changes" if isinstance(plan, RotationPlan) else "infeasible"
    report(
        f"(a) one group: 40 members, 40 meetings x 2 presenters ({outcome})",
        seconds_per_call(lambda: recompute(inp)),
        seconds_per_call(lambda: sorted(triples)),
        f"sorting {len(triples)} availability triples",
    )

    groups = []
    for g in range(30):
        meetings = rng.randint(8, 12)
        groups.append(recomputation(rng, 1 + 10 * g, members=10, meetings=meetings, ppm=1 if meetings >= 10 else 2))
    inputs = [inp for inp, _ in groups]
    all_triples = [t for _, triples in groups for t in triples]
    infeasible = sum(isinstance(recompute(inp), RotationInfeasible) for inp in inputs)
    whole = seconds_per_call(lambda: [recompute(inp) for inp in inputs], budget=1.0)
    report(
        f"(b) intensive: 300 members in 30 groups of 10, 8-12 meetings each, one after another"
        f" ({infeasible} of 30 infeasible after the changes)",
        whole,
        seconds_per_call(lambda: sorted(all_triples)),
        f"sorting {len(all_triples)} availability triples",
    )
    print(f"  per group       {whole / len(inputs) * 1e3:10.3f} ms")


if __name__ == "__main__":
    main()
