"""bench/replay_findings.py replays every finding of "Hold under attack and fault"."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def replay_module():
    spec = importlib.util.spec_from_file_location(
        "bench_replay_findings", ROOT / "bench" / "replay_findings.py"
    )
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path  # it puts bench/ first, for its own imports
    return module


def test_the_replay_has_one_replay_for_each_of_the_twelve_findings_in_order():
    findings = replay_module().FINDINGS
    assert [number for number, _, _ in findings] == list(range(1, 13))
    assert all(name and callable(replay) for _, name, replay in findings)
    assert len({replay for _, _, replay in findings}) == 12
