"""Minimal JSON schemas for the custom resources the chart renders. The Kubernetes schemas in
kubernetes-validate cover only built-in kinds; these cover the fields this chart sets (KEDA 2.x
ScaledObject and TriggerAuthentication, Prometheus Operator ServiceMonitor), refusing unknown fields so a
typo fails. They are not the upstream CRDs: a cluster's API server has the final word."""

STRING = {"type": "string", "minLength": 1}
INT = {"type": "integer"}
LABELS = {"type": "object", "additionalProperties": {"type": "string"}}


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": required or []}


_METADATA = {"type": "object", "required": ["name"],
             "properties": {"name": STRING, "labels": LABELS, "annotations": LABELS}}

_SCALED_OBJECT = _obj({
    "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "ScaledObject"}, "metadata": _METADATA,
    "spec": _obj({
        "scaleTargetRef": _obj({"apiVersion": STRING, "kind": {"enum": ["Deployment", "StatefulSet"]},
                                "name": STRING}, ["name"]),
        "minReplicaCount": INT, "maxReplicaCount": INT, "pollingInterval": INT, "cooldownPeriod": INT,
        "fallback": _obj({"failureThreshold": INT, "replicas": INT}, ["failureThreshold", "replicas"]),
        "advanced": {"type": "object"},
        "triggers": {"type": "array", "minItems": 1, "items": _obj({
            "type": STRING, "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "authenticationRef": _obj({"name": STRING, "kind": STRING}, ["name"]),
        }, ["type", "metadata"])},
    }, ["scaleTargetRef", "triggers"]),
}, ["apiVersion", "kind", "metadata", "spec"])

_TRIGGER_AUTH = _obj({
    "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "TriggerAuthentication"},
    "metadata": _METADATA,
    "spec": _obj({"secretTargetRef": {"type": "array", "minItems": 1, "items": _obj(
        {"parameter": STRING, "name": STRING, "key": STRING}, ["parameter", "name", "key"])}}),
}, ["apiVersion", "kind", "metadata", "spec"])

_SERVICE_MONITOR = _obj({
    "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "ServiceMonitor"},
    "metadata": _METADATA,
    "spec": _obj({
        "selector": {"type": "object", "properties": {"matchLabels": LABELS, "matchExpressions": {
            "type": "array", "items": _obj({"key": STRING, "operator": {"enum": ["In", "NotIn", "Exists",
                                            "DoesNotExist"]}, "values": {"type": "array"}}, ["key", "operator"])}}},
        "namespaceSelector": {"type": "object"},
        "endpoints": {"type": "array", "minItems": 1, "items": _obj({
            "port": STRING, "path": STRING, "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
            "scrapeTimeout": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"}, "scheme": STRING,
        }, ["port"])},
    }, ["selector", "endpoints"]),
}, ["apiVersion", "kind", "metadata", "spec"])

SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): _SCALED_OBJECT,
    ("keda.sh/v1alpha1", "TriggerAuthentication"): _TRIGGER_AUTH,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _SERVICE_MONITOR,
}
