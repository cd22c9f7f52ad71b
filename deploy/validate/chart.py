"""Renders the Helm chart with Helm's own engine (helm-python-sdk) for each scenario, then checks every
rendered object: against the Kubernetes JSON schemas (kubernetes-validate, strict: unknown fields fail) for
the oldest and newest Kubernetes versions the chart targets, custom resources against crds.py, and the
rules this project sets for itself (policy.py)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import helm_python as helm
import jsonschema
import kubernetes_validate
import yaml

import crds
import policy
from report import Report

CHART = Path("deploy/helm/ticket-enhancer")
RELEASE, NAMESPACE = "enhancer", "tickets"


@dataclass
class Scenario:
    name: str
    values_file: str | None
    # (kind, name suffix) that must be rendered, and those that must not.
    present: set[tuple[str, str]] = field(default_factory=set)
    absent: set[tuple[str, str]] = field(default_factory=set)


SCENARIOS = [
    Scenario("defaults", None,
             present={("Deployment", "-ingest"), ("Deployment", "-worker"), ("Job", "-migrate"),
                      ("HorizontalPodAutoscaler", "-ingest"), ("HorizontalPodAutoscaler", "-worker"),
                      ("PodDisruptionBudget", "-ingest"), ("PodDisruptionBudget", "-worker"),
                      ("ConfigMap", "-config"), ("Service", "-ingest"), ("Service", "-worker")},
             absent={("ScaledObject", "-worker"), ("NetworkPolicy", "-ingest"), ("ServiceMonitor", ""),
                     ("Ingress", "-ingest")}),
    Scenario("every option on (KEDA, NetworkPolicy, ServiceMonitor, Ingress)", "ci/all-options-values.yaml",
             present={("ScaledObject", "-worker"), ("TriggerAuthentication", "-worker-amqp"),
                      ("NetworkPolicy", "-ingest"), ("NetworkPolicy", "-worker"), ("NetworkPolicy", "-migrate"),
                      ("ServiceMonitor", ""), ("Ingress", "-ingest"), ("HorizontalPodAutoscaler", "-ingest")},
             absent={("HorizontalPodAutoscaler", "-worker")}),
    Scenario("fixed replicas, no autoscaling or PDBs", "ci/fixed-replicas-values.yaml",
             present={("Deployment", "-ingest"), ("Deployment", "-worker")},
             absent={("HorizontalPodAutoscaler", "-ingest"), ("HorizontalPodAutoscaler", "-worker"),
                     ("PodDisruptionBudget", "-ingest"), ("ServiceAccount", ""), ("Job", "-migrate")}),
]


def kube_versions(chart_dir: Path) -> list[str]:
    """The oldest version Chart.yaml accepts and the newest kubernetes-validate knows."""
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    oldest = re.search(r"(\d+\.\d+)", chart["kubeVersion"]).group(1)
    return sorted({oldest, kubernetes_validate.latest_version().rsplit(".", 1)[0]})


def render(chart_dir: Path, values: dict | None) -> list[dict]:
    with helm.Chart.load(str(chart_dir)) as chart:
        manifests = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    docs = []
    for path, text in sorted(manifests.items()):
        if not path.endswith((".yaml", ".yml")):
            continue  # NOTES.txt
        for doc in yaml.safe_load_all(text):
            if doc is not None:
                doc["__source"] = path
                docs.append(doc)
    return docs


def schema_problems(docs: list[dict], versions: list[str], report: Report) -> list[str]:
    problems = []
    crd_kinds = set()
    for doc in docs:
        body = {k: v for k, v in doc.items() if k != "__source"}
        where = f"{doc['__source']}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in crds.SCHEMAS:
            crd_kinds.add(key[1])
            for error in jsonschema.Draft202012Validator(crds.SCHEMAS[key]).iter_errors(body):
                problems.append(f"{where}: {'.'.join(map(str, error.absolute_path))}: {error.message}")
            continue
        for version in versions:
            try:
                kubernetes_validate.validate(body, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(map(str, error.absolute_path))
                problems.append(f"{where}: Kubernetes {version}: {path}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(f"{where}: no Kubernetes {version} schema: {error.message}")
    if crd_kinds:
        report.note(f"{', '.join(sorted(crd_kinds))} checked against the minimal schemas in "
                    "deploy/validate/crds.py (not in the Kubernetes schemas; the cluster's CRD decides)")
    return problems


def expected_kinds(docs: list[dict], scenario: Scenario) -> list[str]:
    rendered = {(d["kind"], d["metadata"]["name"]) for d in docs}
    prefix = f"{RELEASE}-ticket-enhancer"
    problems = [f"expected {kind} {prefix}{suffix}" for kind, suffix in sorted(scenario.present)
                if (kind, prefix + suffix) not in rendered]
    problems += [f"unexpected {kind} {prefix}{suffix}" for kind, suffix in sorted(scenario.absent)
                 if (kind, prefix + suffix) in rendered]
    return problems


def values_config_problems(chart_dir: Path, config_vars: set[str], report: Report) -> list[str]:
    """`config.<section>.<key>` in values.yaml must be a key the binaries accept; keys the binaries accept
    but values.yaml does not list are only noted (they can still be set through extraEnv)."""
    values = yaml.safe_load((chart_dir / "values.yaml").read_text())
    listed = {f"ENHANCER_{s.upper()}__{k.upper()}" for s, keys in values["config"].items() for k in keys}
    problems = [f"values.yaml config sets {v}, which the configuration does not accept"
                for v in sorted(listed - config_vars)]
    managed = SECRET_AND_DERIVED | {"ENHANCER_CONFIG"}
    unlisted = sorted(v for v in config_vars - listed - managed if v.count("__") == 1)
    if unlisted:
        report.note(f"configuration keys not in values.yaml `config` (settable via extraEnv): {', '.join(unlisted)}")
    return problems


# Set by the templates from Secrets or from other values, so not listed under `config` in values.yaml.
SECRET_AND_DERIVED = {"ENHANCER_DATABASE__URL", "ENHANCER_AMQP__URL", "ENHANCER_REDIS__URL",
                      "ENHANCER_LLM__API_KEY", "ENHANCER_INGEST__LISTEN", "ENHANCER_INGEST__ADMIN_LISTEN",
                      "ENHANCER_WORKER__LISTEN",
                      "ENHANCER_WORKER__ID"}


def run(root: Path, report: Report, config_vars: set[str], chart_dir: Path | None = None) -> None:
    chart_dir = chart_dir or root / CHART
    versions = kube_versions(chart_dir)
    report.check("values.yaml `config` names only accepted configuration keys",
                 values_config_problems(chart_dir, config_vars, report))
    for scenario in SCENARIOS:
        values = None
        if scenario.values_file:
            values = yaml.safe_load((chart_dir / scenario.values_file).read_text())
        report.check(f"helm lint --strict: {scenario.name}", [m["error"] for m in lint(chart_dir, values)])
        try:
            docs = render(chart_dir, values)
        except helm.HelmError as error:
            report.check(f"render: {scenario.name}", [str(error)])
            continue
        kinds = sorted({d["kind"] for d in docs})
        report.check(f"render: {scenario.name} ({len(docs)} objects: {', '.join(kinds)})",
                     expected_kinds(docs, scenario))
        report.check(f"schemas: {scenario.name} (Kubernetes {' and '.join(versions)}, strict)",
                     schema_problems(docs, versions, report))
        report.check(f"policy: {scenario.name}", policy.problems(docs, config_vars))
    report.check("NOTES.txt warns of MiniLM's floors under a model never measured", floors_warning_problems(chart_dir))


def notes(chart_dir: Path, values: dict | None) -> str:
    with helm.Chart.load(str(chart_dir)) as chart:
        manifests = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return next((text for path, text in manifests.items() if path.endswith("NOTES.txt")), "")


def floors_warning_problems(chart_dir: Path) -> list[str]:
    """NOTES.txt warns when a model whose floors were never measured is given without both of its own, and
    only then (the measured models: shared/src/config/floors.rs)."""
    def embeddings(model: str, **floors) -> dict:
        return {"config": {"embeddings": {"base_url": "http://tei:8080/v1", "model": model, **floors}}}
    cases = [("no embedding server", None, False),
             ("bge-small-en-v1.5, no floors", embeddings("BAAI/bge-small-en-v1.5"), True),
             ("bge-small-en-v1.5, one floor", embeddings("BAAI/bge-small-en-v1.5", ticket_floor=0.7), True),
             ("bge-small-en-v1.5, its floors", embeddings("BAAI/bge-small-en-v1.5", ticket_floor=0.7,
                                                          article_floor=0.8), False),
             ("nomic-embed-text (a tag not measured), no floors", embeddings("nomic-embed-text"), True),
             ("nomic-embed-text:v1.5, no floors", embeddings("nomic-embed-text:v1.5"), False),
             ("all-mpnet-base-v2, no floors", embeddings("sentence-transformers/all-mpnet-base-v2"), False),
             ("all-MiniLM-L6-v2, no floors", embeddings("sentence-transformers/all-MiniLM-L6-v2"), False)]
    problems = []
    for name, values, warns in cases:
        try:
            text = notes(chart_dir, values)
        except helm.HelmError as error:
            return [f"render: {error}"]
        if ("default floors" in text) != warns:
            problems.append(f"{name}: NOTES.txt {'lacks' if warns else 'has'} the floors warning")
    return problems


def lint(chart_dir: Path, values: dict | None) -> list[dict]:
    """Warnings and errors of `helm lint --strict` (info-level findings such as a missing icon are left out)."""
    result = helm.lint(str(chart_dir), values, strict=True)
    findings = [m for m in result.get("messages", []) if m.get("severity", 0) >= 2]
    findings += [{"error": e} for e in result.get("errors", []) or []]
    return findings
