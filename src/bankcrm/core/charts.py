"""ECharts options travel to the page as compact JSON in a data-* attribute (no inline script: CSP)."""

import json


def chart_json(option: dict) -> str:
    return json.dumps(option, ensure_ascii=False, separators=(",", ":"))
