"""Offline validation of everything under deploy/ (called by deploy/validate.sh, which prepares the venv
and promtool). Run from the repository root: python3 deploy/validate/run.py [--promtool PATH]."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import alerts  # noqa: E402
import catalog  # noqa: E402
import chart  # noqa: E402
import compose  # noqa: E402
import dashboard  # noqa: E402
import dockerfile  # noqa: E402
import selftest  # noqa: E402
from report import Report  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--promtool", required=True, help="path of promtool (Prometheus 2.x)")
    parser.add_argument("--only", choices=["chart", "alerts", "dashboard", "compose", "docker", "selftest"])
    args = parser.parse_args()
    root = Path.cwd()
    report = Report()

    metrics, problems = catalog.metrics(root)
    names = sorted({m.name for m in metrics.values()})
    report.check(f"metric catalog from {', '.join(catalog.METRIC_SOURCES)} ({len(names)} metrics)", problems)
    config_vars = catalog.config_variables(root)
    report.check(f"configuration keys from {catalog.CONFIG_SOURCE} ({len(config_vars)} variables)",
                 [] if len(config_vars) > 10 else ["too few keys found: has the file's layout changed?"])

    steps = {
        "chart": lambda: chart.run(root, report, config_vars),
        "alerts": lambda: alerts.run(root, report, metrics, args.promtool),
        "dashboard": lambda: dashboard.run(root, report, metrics, args.promtool),
        "compose": lambda: compose.run(root, report, config_vars),
        "docker": lambda: dockerfile.run(root, report, config_vars),
        "selftest": lambda: selftest.run(root, report, config_vars, metrics, args.promtool),
    }
    for name, step in steps.items():
        if args.only in (None, name):
            print(f"== {name}")
            step()
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
