"""What the Rust code defines, read from its source so deploy/ cannot drift from it: the metric names, types
and labels (ingest/src/metrics.rs, worker/src/metrics.rs) and the configuration keys
(shared/src/config/sections.rs) that ENHANCER_* variables may name."""

import re
from dataclasses import dataclass, field
from pathlib import Path

METRIC_SOURCES = ["ingest/src/metrics.rs", "worker/src/metrics.rs"]
CONFIG_SOURCE = "shared/src/config/sections.rs"
# Labels Prometheus adds from the scrape target (ServiceMonitor or a plain scrape config).
TARGET_LABELS = {"job", "instance", "namespace", "pod", "service", "container", "endpoint"}


@dataclass
class Metric:
    name: str
    kind: str  # counter, gauge or histogram
    labels: set[str] = field(default_factory=set)

    def series_names(self) -> set[str]:
        if self.kind == "histogram":
            return {f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count"}
        return {self.name}

    def series_labels(self, series: str) -> set[str]:
        extra = {"le"} if series.endswith("_bucket") else set()
        return self.labels | extra | TARGET_LABELS


def metrics(root: Path) -> tuple[dict[str, Metric], list[str]]:
    """Series name -> Metric, and the problems met while reading."""
    found: dict[str, Metric] = {}
    problems = []
    for rel in METRIC_SOURCES:
        path = root / rel
        if not path.exists():
            problems.append(f"{rel} is missing: its metric names cannot be checked")
            continue
        text = path.read_text()
        literals = list(re.finditer(r'"(enhancer_[a-z0-9_]+)"', text))
        for index, match in enumerate(literals):
            name = match.group(1)
            before = text[max(0, match.start() - 80) : match.start()]
            if "HistogramOpts::new(" in before or "histogram(" in before:
                kind = "histogram"
            elif "Gauge" in before:
                kind = "gauge"
            else:
                kind = "counter"
            end = literals[index + 1].start() if index + 1 < len(literals) else len(text)
            segment = text[match.end() : end]
            stop = segment.find(".expect(")
            if stop >= 0:
                segment = segment[:stop]
            label_list = re.search(r"&\[([^\]]*)\]", segment)
            labels = set(re.findall(r'"([a-z_]+)"', label_list.group(1))) if label_list else set()
            metric = Metric(name, kind, labels)
            for series in metric.series_names():
                found[series] = metric
    if not found:
        problems.append("no metric definitions found in " + ", ".join(METRIC_SOURCES))
    return found, problems


def config_variables(root: Path) -> set[str]:
    """Every ENHANCER_* variable the configuration accepts (it refuses unknown ones at start-up)."""
    text = (root / CONFIG_SOURCE).read_text()
    structs = {
        m.group(1): re.findall(r"^\s*pub (\w+):\s*([\w<>]+)", m.group(2), re.M)
        for m in re.finditer(r"pub struct (\w+) \{(.*?)\n\}", text, re.S)
    }
    names = {"ENHANCER_CONFIG"}
    for field_name, field_type in structs.get("Config", []):
        if field_type in structs:
            for key, _ in structs[field_type]:
                names.add(f"ENHANCER_{field_name.upper()}__{key.upper()}")
        else:
            names.add(f"ENHANCER_{field_name.upper()}")
    return names
