"""The notice's 【办件情况】: the hall's service figures in words (issue 11, points 1–2).

A seam: the service figures are another part's work. Until they are stored this says nothing,
and the notice leaves the section out.
"""

from __future__ import annotations

from patrol.reports.period_report import PeriodReport


def services_paragraphs(report: PeriodReport) -> list[str]:
    """The paragraphs of 【办件情况】 for ``report``'s period ([]: no figures, no section)."""
    del report  # read by the service-figures part when it lands
    return []
