"""deploy/grafana/ticket-enhancer.json: parses, every panel has queries, every query names metrics and
labels the code defines and is valid PromQL (promtool checks them as recording rules)."""

import json
import re
import tempfile
from pathlib import Path

import yaml

import promql
from alerts import promtool
from catalog import Metric
from report import Report

DASHBOARD = Path("deploy/grafana/ticket-enhancer.json")


def panels(items: list[dict]) -> list[dict]:
    """Every panel, including those folded into rows."""
    found = []
    for item in items:
        found.append(item)
        found += panels(item.get("panels", []))
    return found


def run(root: Path, report: Report, catalog: dict[str, Metric], promtool_path: str,
        path: Path | None = None) -> None:
    path = path or root / DASHBOARD
    try:
        dash = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        report.check(f"dashboard: {DASHBOARD} parses", [str(error)])
        return
    problems, exprs, used = [], [], set()
    all_panels = panels(dash.get("panels", []))
    ids = [p.get("id") for p in all_panels]
    if len(ids) != len(set(ids)):
        problems.append("panel ids are not unique")
    for panel in all_panels:
        title = panel.get("title", f"panel {panel.get('id')}")
        if panel.get("type") == "row":
            continue
        if "gridPos" not in panel:
            problems.append(f"{title}: no gridPos")
        targets = panel.get("targets", [])
        if not targets:
            problems.append(f"{title}: no queries")
        for target in targets:
            expr = promql.substitute_grafana_variables(target.get("expr", ""))
            problems += [f"{title}: {p}" for p in promql.analyse(expr, catalog)]
            used |= {m.name for s, m in catalog.items() if re.search(rf"\b{s}\b", expr)}
            exprs.append(expr)
    for variable in dash.get("templating", {}).get("list", []):
        query = variable.get("definition", "")
        match = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query) if query else None
        if query and not match:
            problems.append(f"variable {variable['name']}: unsupported query {query!r}")
        elif match and (match.group(1) not in catalog or match.group(2) not in catalog[match.group(1)].labels):
            problems.append(f"variable {variable['name']}: {query} names an unknown metric or label")
    report.check(f"dashboard: {len(all_panels)} panels, {len(exprs)} queries name known metrics and labels",
                 problems)
    unused = sorted({m.name for m in catalog.values()} - used)
    if unused:
        report.note(f"metrics not on the dashboard yet: {', '.join(unused)}")
    # promtool parses every query as the expression of a recording rule.
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": e} for i, e in enumerate(exprs)]}]}
    with tempfile.TemporaryDirectory() as tmp:
        rules_file = Path(tmp) / "dashboard-queries.yaml"
        rules_file.write_text(yaml.safe_dump(rules))
        report.check("dashboard: every query is valid PromQL (promtool)",
                     promtool(promtool_path, "check", "rules", rules_file.name, cwd=Path(tmp)))
