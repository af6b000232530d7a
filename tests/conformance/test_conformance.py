"""The Helm chart corpus (``../shared/conformance``) must not regress below ``baseline.json``.

``baseline.json`` holds, per ``chart/variant``, the best status helmlite has reached
(``identical`` > ``same-objects`` > ``different`` > ``error``, see ``helmlite.conformance``).
A variant rendering worse than its baseline fails; rendering better only asks for the baseline
to be raised (``python -m helmlite.conformance --json tests/conformance/baseline.json``). The
corpus is another project's data and is not copied here: without it the test is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helmlite.conformance import DEFAULT_CORPUS, STATUSES, load_index, run_variant

BASELINE_FILE = Path(__file__).with_name("baseline.json")
BASELINE: dict[str, str] = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not (DEFAULT_CORPUS / "golden" / "INDEX.json").is_file(), reason="no conformance corpus at ../shared/conformance"
)


def _charts() -> list[str]:
    return sorted({key.rsplit("/", 1)[0] for key in BASELINE})


def test_baseline_names_only_corpus_variants() -> None:
    known = {v.key for v in load_index(DEFAULT_CORPUS)}
    assert set(BASELINE) <= known
    assert set(BASELINE.values()) <= set(STATUSES)


@pytest.mark.parametrize("chart", _charts())
def test_chart_does_not_regress(chart: str) -> None:
    variants = [v for v in load_index(DEFAULT_CORPUS) if v.chart == chart and v.key in BASELINE]
    regressions = []
    for variant in variants:
        result = run_variant(DEFAULT_CORPUS, variant)
        expected = BASELINE[variant.key]
        if STATUSES.index(result.status) < STATUSES.index(expected):
            regressions.append(f"{variant.key}: {result.status} (baseline {expected}) {result.detail}")
    assert not regressions, "\n".join(regressions)
