"""The validation must be able to fail: each case breaks a copy of a file on purpose and expects the check
that guards it to report a failure. A case the checks let through fails the run."""

import json
import shutil
import tempfile
from pathlib import Path

import alerts
import chart
import dashboard
from catalog import Metric
from report import Report


class Quiet(Report):
    """Collects results without printing them."""

    def check(self, name: str, problems: list[str]) -> bool:
        if problems:
            self.failures.append(name)
        else:
            self.passed += 1
        return not problems

    def note(self, text: str) -> None:
        self.notes.append(text)


def _broken_chart(root: Path, tmp: Path, template: str, old: str, new: str) -> Path:
    copy = tmp / "chart"
    shutil.copytree(root / chart.CHART, copy)
    path = copy / "templates" / template
    text = path.read_text()
    assert old in text, f"self-test cannot find {old!r} in {template}"
    path.write_text(text.replace(old, new, 1))
    return copy


CHART_CASES = [
    ("a template with a syntax error", "worker-deployment.yaml", "{{ include \"te.image\" . }}",
     "{{ include \"te.image\" . "),
    ("a field Kubernetes does not know", "ingest-deployment.yaml", "revisionHistoryLimit: 5",
     "revisionHistoryLimit: 5\n  replicaz: 2"),
    ("a value of the wrong type", "ingest-hpa.yaml", "minReplicas: {{ $a.minReplicas }}",
     "minReplicas: \"two\""),
    ("a worker killed before its drain ends", "worker-deployment.yaml",
     "{{ add $drain (int .Values.worker.shutdownMarginSeconds) }}", "{{ $drain }}"),
    ("a secret passed as a plain value", "migrate-job.yaml", "          env:\n",
     "          env:\n            - name: ENHANCER_MASTER_KEY\n              value: not-a-secret\n"),
    ("a Service port that no container has", "worker-service.yaml", "targetPort: metrics", "targetPort: metricz"),
]


def _verdict(baseline: Quiet, broken: Quiet) -> list[str]:
    """The breakage must make a check fail that passes on the unbroken file."""
    return [] if set(broken.failures) - set(baseline.failures) else ["the checks passed it"]


def run(root: Path, report: Report, config_vars: set[str], catalog: dict[str, Metric], promtool_path: str) -> None:
    baseline = Quiet()
    chart.run(root, baseline, config_vars)
    for description, template, old, new in CHART_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            quiet = Quiet()
            chart.run(root, quiet, config_vars, _broken_chart(root, Path(tmp), template, old, new))
            report.check(f"self-test: chart with {description} is rejected", _verdict(baseline, quiet))

    rules = (root / alerts.RULES).read_text()
    baseline = Quiet()
    alerts.run(root, baseline, catalog, promtool_path)
    alert_cases = [
        ("a runbook link to a missing heading", "#ticketenhancerretryratehigh", "#no-such-heading"),
        ("an unknown metric", "enhancer_worker_jobs_in_flight", "enhancer_worker_jobs_in_flite"),
        ("invalid PromQL", "> 300", "> > 300"),
    ]
    for description, old, new in alert_cases:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(root / alerts.TESTS, Path(tmp) / alerts.TESTS.name)
            path = Path(tmp) / alerts.RULES.name
            path.write_text(rules.replace(old, new, 1))
            quiet = Quiet()
            alerts.run(root, quiet, catalog, promtool_path, path)
            report.check(f"self-test: alert rules with {description} are rejected", _verdict(baseline, quiet))

    baseline = Quiet()
    dashboard.run(root, baseline, catalog, promtool_path)
    dash = json.loads((root / dashboard.DASHBOARD).read_text())
    target = next(p for p in dashboard.panels(dash["panels"]) if p.get("targets"))["targets"][0]
    target["expr"] = target["expr"].replace("enhancer_", "enhancr_", 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dashboard.json"
        path.write_text(json.dumps(dash))
        quiet = Quiet()
        dashboard.run(root, quiet, catalog, promtool_path, path)
        report.check("self-test: dashboard with an unknown metric is rejected", _verdict(baseline, quiet))
