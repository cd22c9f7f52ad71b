"""deploy/prometheus/alerts.yaml: structure, runbook links that resolve to headings of docs/OPERATIONS.md,
metric and label names the code defines, then promtool's own check and the unit tests beside the rules."""

import re
import subprocess
from pathlib import Path

import yaml

import promql
from catalog import Metric
from report import Report

RULES = Path("deploy/prometheus/alerts.yaml")
TESTS = Path("deploy/prometheus/alerts.test.yaml")
REQUIRED_ANNOTATIONS = {"summary", "description", "runbook_url"}
SEVERITIES = {"info", "warning", "critical"}


def heading_anchors(markdown: str) -> set[str]:
    """Anchors as GitHub renders them: lower case, punctuation dropped, spaces to hyphens, -1/-2 for repeats."""
    anchors: set[str] = set()
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        anchor = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        candidate, n = anchor, 0
        while candidate in anchors:
            n += 1
            candidate = f"{anchor}-{n}"
        anchors.add(candidate)
    return anchors


def structure_problems(root: Path, doc: dict, catalog: dict[str, Metric]) -> list[str]:
    problems = []
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list) or not doc["groups"]:
        return ["the file must hold a non-empty `groups` list"]
    anchors_by_file: dict[str, set[str]] = {}
    seen = set()
    for group in doc["groups"]:
        if not group.get("name") or not group.get("rules"):
            problems.append(f"group {group.get('name')!r} needs a name and rules")
            continue
        for rule in group["rules"]:
            name = rule.get("alert")
            if not name:
                problems.append(f"group {group['name']}: a rule without `alert` (recording rules belong elsewhere)")
                continue
            if name in seen:
                problems.append(f"{name}: defined twice")
            seen.add(name)
            if not isinstance(rule.get("expr"), str) or not rule["expr"].strip():
                problems.append(f"{name}: no expr")
            else:
                problems += [f"{name}: {p}" for p in promql.analyse(rule["expr"], catalog)]
            if not re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))):
                problems.append(f"{name}: `for` must be a duration such as 15m (a one-scrape blip must not page)")
            if rule.get("labels", {}).get("severity") not in SEVERITIES:
                problems.append(f"{name}: labels.severity must be one of {sorted(SEVERITIES)}")
            annotations = rule.get("annotations", {})
            missing = REQUIRED_ANNOTATIONS - set(annotations)
            if missing:
                problems.append(f"{name}: missing annotations {sorted(missing)}")
            link = annotations.get("runbook_url", "")
            match = re.fullmatch(r"(docs/[\w./-]+\.md)#([\w-]+)", link)
            if not match:
                problems.append(f"{name}: runbook_url {link!r} is not docs/<file>.md#<heading-anchor>")
                continue
            file, anchor = match.groups()
            if file not in anchors_by_file:
                path = root / file
                anchors_by_file[file] = heading_anchors(path.read_text()) if path.exists() else set()
            if anchor not in anchors_by_file[file]:
                problems.append(f"{name}: {file} has no heading with anchor #{anchor}")
    return problems


def test_coverage_problems(rules: dict, tests: dict) -> list[str]:
    """Every alert needs a case where it fires and one where it stays quiet."""
    fires, quiet = set(), set()
    for case in tests.get("tests", []):
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    problems = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert")
            if name not in fires:
                problems.append(f"{name}: no unit test where it fires")
            if name not in quiet:
                problems.append(f"{name}: no unit test where it stays quiet")
    return problems


def promtool(promtool_path: str, *args: str, cwd: Path) -> list[str]:
    result = subprocess.run([promtool_path, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    if result.returncode == 0:
        return []
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()][:40]


def run(root: Path, report: Report, catalog: dict[str, Metric], promtool_path: str,
        rules_path: Path | None = None) -> None:
    rules_path = rules_path or root / RULES
    try:
        doc = yaml.safe_load(rules_path.read_text())
    except yaml.YAMLError as error:
        report.check(f"alerts: {RULES} parses", [str(error)])
        return
    count = sum(len(g.get("rules", [])) for g in doc.get("groups", [])) if isinstance(doc, dict) else 0
    report.check(f"alerts: structure, metric names and runbook links ({count} rules)",
                 structure_problems(root, doc, catalog))
    report.check("alerts: promtool check rules", promtool(promtool_path, "check", "rules", rules_path.name,
                                                          cwd=rules_path.parent))
    tests_path = rules_path.parent / TESTS.name
    report.check("alerts: every rule has firing and quiet unit tests",
                 test_coverage_problems(doc, yaml.safe_load(tests_path.read_text())))
    report.check("alerts: promtool test rules", promtool(promtool_path, "test", "rules", tests_path.name,
                                                         cwd=rules_path.parent))
