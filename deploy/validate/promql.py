"""Just enough PromQL reading to find the metric names and label names an expression uses."""

import re

from catalog import Metric

FUNCTIONS_AND_KEYWORDS = {
    # aggregations and keywords
    "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    "group", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or",
    "unless", "inf", "nan",
    # functions
    "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "histogram_quantile",
    "abs", "absent", "absent_over_time", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max",
    "changes", "resets", "time", "timestamp", "vector", "scalar", "sort", "sort_desc", "label_replace",
    "label_join", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
    "last_over_time", "present_over_time", "quantile_over_time", "exp", "ln", "log2", "log10", "sqrt",
}
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")


def substitute_grafana_variables(expr: str) -> str:
    """Grafana template variables -> values PromQL accepts."""
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
    return re.sub(r"\$\{?(\w+)\}?", ".*", expr)


def analyse(expr: str, catalog: dict[str, Metric]) -> list[str]:
    """Problems with the metric and label names in one expression."""
    problems = []
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals cannot hold names we care about
    used: dict[str, Metric] = {}
    # metric{matchers}
    for match in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}", text):
        name, matchers = match.group(1), match.group(2)
        if name in FUNCTIONS_AND_KEYWORDS:
            continue
        metric = catalog.get(name)
        if metric is None:
            problems.append(f"unknown metric {name}")
            continue
        used[name] = metric
        for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers):
            if label not in metric.series_labels(name):
                problems.append(f"{name} has no label {label}")
    bare = re.sub(r"\{[^}]*\}", "", text)
    groupings = GROUPING.findall(bare)
    bare = GROUPING.sub(" ", bare)
    bare = re.sub(r"\[[^\]]*\]", "", bare)  # range and subquery durations
    bare = re.sub(r"\boffset\s+\w+", " ", bare)
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)", bare):
        name = match.group(1)
        rest = bare[match.end() :].lstrip()
        if name in FUNCTIONS_AND_KEYWORDS or rest.startswith("("):
            continue
        if re.fullmatch(r"\d+[smhdwy]", name) or re.fullmatch(r"e\d+", name):
            continue
        metric = catalog.get(name)
        if metric is None:
            problems.append(f"unknown metric {name}")
        else:
            used[name] = metric
    if not used and not problems:
        problems.append("references no metric at all")
    known_labels = set().union(*(m.series_labels(s) for s, m in used.items())) if used else set()
    for _, labels in groupings:
        for label in (part.strip() for part in labels.split(",")):
            if label and label not in known_labels:
                problems.append(f"groups by {label}, which none of its metrics has")
    return sorted(set(problems))
