from __future__ import annotations

from bots.cli.benchmark import run_benchmark
from bots.startup.runtime import Runtime
from bots.startup.settings import Settings


async def test_bench_runs_every_phase_through_the_real_graph() -> None:
    report = await run_benchmark(Runtime(Settings()), conversations=3, turns=2, think_time=0.01)
    assert report.conversations == 3
    for phase in (report.sequential, report.paced, report.burst):
        assert phase.turns == 6
        assert 0 < phase.p50_ms <= phase.p99_ms <= phase.max_ms
