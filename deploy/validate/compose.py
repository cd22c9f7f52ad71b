"""deploy/compose.yaml, without a Docker engine: parses, has the services the README promises, references
only services it defines, and names only configuration keys the binaries accept."""

import re
from pathlib import Path

import yaml

from report import Report

COMPOSE = Path("deploy/compose.yaml")
EXPECTED = {"postgres", "rabbitmq", "redis", "migrate", "ingest", "worker"}


def problems(root: Path, doc: dict, config_vars: set[str]) -> list[str]:
    found = []
    services = doc.get("services", {})
    missing = EXPECTED - set(services)
    if missing:
        found.append(f"missing services {sorted(missing)}")
    for name, service in services.items():
        depends = service.get("depends_on", {})
        for target in depends if isinstance(depends, (dict, list)) else []:
            if target not in services:
                found.append(f"{name}: depends on undefined service {target}")
        env = service.get("environment", {})
        for var in env if isinstance(env, dict) else []:
            if var.startswith("ENHANCER_") and var not in config_vars:
                found.append(f"{name}: {var} is not a configuration key (start-up would refuse it)")
        build = service.get("build")
        if build:
            context = (root / COMPOSE.parent / build["context"]).resolve()
            if not (context / build["dockerfile"]).exists():
                found.append(f"{name}: build file {build['dockerfile']} not found in {context}")
    if "mariadb" in services or "mysql" in services:
        found.append("unexpected database service")
    worker = services.get("worker", {})
    if worker.get("deploy", {}).get("replicas") != 2:
        found.append("worker: two replicas expected (deploy.replicas: 2)")
    if services.get("migrate", {}).get("command") != ["enhancer-worker", "migrate"]:
        found.append("migrate: command must be enhancer-worker migrate")
    for name in ("ingest", "worker"):
        condition = services.get(name, {}).get("depends_on", {}).get("migrate", {}).get("condition")
        if condition != "service_completed_successfully":
            found.append(f"{name}: must wait for migrate to complete successfully")
    if "management" not in services.get("rabbitmq", {}).get("image", ""):
        found.append("rabbitmq: use an image with the management plugin")
    grace = services.get("worker", {}).get("stop_grace_period", "10s")
    if int(re.match(r"(\d+)", grace).group(1)) <= 30:
        found.append("worker: stop_grace_period must exceed the 30 s drain")
    return found


def run(root: Path, report: Report, config_vars: set[str]) -> None:
    try:
        doc = yaml.safe_load((root / COMPOSE).read_text())
    except yaml.YAMLError as error:
        report.check(f"compose: {COMPOSE} parses", [str(error)])
        return
    report.check(f"compose: {len(doc.get('services', {}))} services wired with known configuration keys",
                 problems(root, doc, config_vars))
    report.note("compose: not run (`docker compose config` needs the compose plugin, which is not installed "
                "here); structure checked instead")
