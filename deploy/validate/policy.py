"""The rules this project sets for its own manifests, beyond what the Kubernetes schemas say: hardened
pods, secrets only from Secrets, only configuration keys the binaries accept, shutdown longer than the
drain, and references between objects (selectors, ports, scale targets) that resolve."""

DEFAULT_DRAIN_SECS = 30  # shared/src/config/sections.rs, WorkerConfig::default
SECRET_VARS = {"ENHANCER_MASTER_KEY", "ENHANCER_PREVIOUS_MASTER_KEYS", "ENHANCER_DATABASE__URL",
               "ENHANCER_AMQP__URL", "ENHANCER_REDIS__URL", "ENHANCER_LLM__API_KEY"}


def _name(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def _pod_spec(doc: dict) -> dict | None:
    if doc["kind"] in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def _pod_labels(doc: dict) -> dict:
    return doc["spec"]["template"]["metadata"].get("labels", {})


def _selects(selector: dict, labels: dict) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _pod_problems(doc: dict, config_vars: set[str]) -> list[str]:
    spec, name, problems = _pod_spec(doc), _name(doc), []
    pod_sc = spec.get("securityContext", {})
    if pod_sc.get("runAsNonRoot") is not True:
        problems.append(f"{name}: pod securityContext.runAsNonRoot is not true")
    if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{name}: pod seccompProfile is not RuntimeDefault")
    if spec.get("enableServiceLinks") is not False:
        problems.append(f"{name}: enableServiceLinks must be false (service-link variables break config)")
    if spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{name}: a service account token is mounted; nothing here calls the API")
    for container in spec["containers"]:
        where = f"{name} container {container['name']}"
        sc = container.get("securityContext", {})
        if sc.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: root filesystem is writable")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation is not false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            problems.append(f"{where}: capabilities are not all dropped")
        resources = container.get("resources", {})
        for part in ("requests", "limits"):
            missing = {"cpu", "memory"} - set(resources.get(part, {}))
            if missing:
                problems.append(f"{where}: no {part} for {', '.join(sorted(missing))}")
        for env in container.get("env", []):
            var = env["name"]
            if var.startswith("ENHANCER_") and var not in config_vars:
                problems.append(f"{where}: {var} is not a configuration key (start-up would refuse it)")
            if var in SECRET_VARS and "secretKeyRef" not in env.get("valueFrom", {}):
                problems.append(f"{where}: {var} must come from a Secret (secretKeyRef)")
    return problems


def _deployment_problems(doc: dict, configmap: dict) -> list[str]:
    name, problems = _name(doc), []
    spec = _pod_spec(doc)
    container = spec["containers"][0]
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        if container.get(probe, {}).get("httpGet", {}).get("path") != path:
            problems.append(f"{name}: {probe} is not GET {path}")
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if name.endswith("-worker"):
        drain = int(configmap.get("ENHANCER_WORKER__DRAIN_GRACE_SECS", DEFAULT_DRAIN_SECS))
        if grace <= drain:
            problems.append(f"{name}: terminationGracePeriodSeconds {grace} is not longer than the drain {drain}")
    else:
        sleep = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        if grace <= sleep + 5:  # the preStop sleep plus the 5 s publish timeout of a request in flight
            problems.append(f"{name}: terminationGracePeriodSeconds {grace} leaves no time to drain")
    return problems


def _reference_problems(docs: list[dict]) -> list[str]:
    problems = []
    workloads = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    pods = [d for d in docs if d["kind"] in ("Deployment", "Job")]
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}

    def port_names(selector: dict) -> set[str]:
        names = set()
        for pod in pods:
            if _selects(selector, _pod_labels(pod)):
                for c in _pod_spec(pod)["containers"]:
                    names |= {p.get("name") for p in c.get("ports", [])}
        return names

    for doc in docs:
        kind, name = doc["kind"], _name(doc)
        if kind in ("HorizontalPodAutoscaler", "ScaledObject"):
            target = doc["spec"]["scaleTargetRef"]["name"]
            if target not in workloads:
                problems.append(f"{name}: scales {target}, which is not rendered")
        if kind == "PodDisruptionBudget":
            if not any(_selects(doc["spec"]["selector"]["matchLabels"], _pod_labels(p)) for p in pods):
                problems.append(f"{name}: selects no pod")
        if kind == "Service":
            available = port_names(doc["spec"]["selector"])
            if not available:
                problems.append(f"{name}: selects no pod")
            for port in doc["spec"]["ports"]:
                if isinstance(port["targetPort"], str) and port["targetPort"] not in available:
                    problems.append(f"{name}: targetPort {port['targetPort']} is no container port name")
        if kind == "NetworkPolicy":
            selector = doc["spec"]["podSelector"]["matchLabels"]
            available = port_names(selector)
            if not any(_selects(selector, _pod_labels(p)) for p in pods):
                problems.append(f"{name}: selects no pod")
            for rule in doc["spec"].get("ingress", []):
                for port in rule.get("ports", []):
                    if isinstance(port["port"], str) and port["port"] not in available:
                        problems.append(f"{name}: ingress port {port['port']} is no container port name")
        if kind == "Ingress":
            for rule in doc["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    backend = path["backend"]["service"]
                    service = services.get(backend["name"])
                    if service is None:
                        problems.append(f"{name}: backend {backend['name']} is not rendered")
                    elif backend["port"].get("name") not in {p["name"] for p in service["spec"]["ports"]}:
                        problems.append(f"{name}: backend port {backend['port']} is not on the Service")
        if kind == "ServiceMonitor":
            names = {p["name"] for s in services.values() for p in s["spec"]["ports"]}
            for endpoint in doc["spec"]["endpoints"]:
                if endpoint["port"] not in names:
                    problems.append(f"{name}: endpoint port {endpoint['port']} is on no Service")
    scaled = [d["spec"]["scaleTargetRef"]["name"] for d in docs if d["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")]
    for target in {t for t in scaled if scaled.count(t) > 1}:
        problems.append(f"{target} has two autoscalers (HPA and KEDA would fight)")
    return problems


def problems(docs: list[dict], config_vars: set[str]) -> list[str]:
    found = []
    configmaps = [d for d in docs if d["kind"] == "ConfigMap"]
    configmap = configmaps[0].get("data", {}) if configmaps else {}
    for key in configmap:
        if key.startswith("ENHANCER_") and key not in config_vars:
            found.append(f"ConfigMap: {key} is not a configuration key (start-up would refuse it)")
        if key in SECRET_VARS:
            found.append(f"ConfigMap: {key} is a secret and belongs in a Secret")
    for doc in docs:
        if _pod_spec(doc) is not None:
            found += _pod_problems(doc, config_vars)
        if doc["kind"] == "Deployment":
            found += _deployment_problems(doc, configmap)
        if doc["kind"] == "Job":
            hooks = doc["metadata"].get("annotations", {}).get("helm.sh/hook", "")
            if not {"pre-install", "pre-upgrade"} <= set(hooks.split(",")):
                found.append(f"{_name(doc)}: not a pre-install/pre-upgrade hook")
    return found + _reference_problems(docs)
