"""Writes that touch several models: loading the demo data set (demo.py), merging sources
(merge.py), and the next target an achievement report states (next_target.py)."""

from claims.services.demo import DEMO_DIR, DemoDataError, LoadReport, form_for, load_demo_data
from claims.services.merge import MergeRefused, MergeResult, merge_reason, merge_sources
from claims.services.next_target import add_next_claim, next_claim

__all__ = [
    "DEMO_DIR",
    "DemoDataError",
    "LoadReport",
    "MergeRefused",
    "MergeResult",
    "add_next_claim",
    "form_for",
    "load_demo_data",
    "merge_reason",
    "merge_sources",
    "next_claim",
]
