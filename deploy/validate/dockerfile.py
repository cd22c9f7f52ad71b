"""deploy/docker/Dockerfile and .dockerignore, without a Docker engine: every file the build copies exists
and is not excluded from the build context, the runtime stage is distroless, non-root and has no
HEALTHCHECK, and its ENHANCER_* defaults are configuration keys the binaries accept."""

import fnmatch
import re
from pathlib import Path

from report import Report

DOCKERFILE = Path("deploy/docker/Dockerfile")


def instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics, enough for this file: last match wins, `!` re-includes, `dir/` covers below."""
    state = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        candidates = [path] + ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 1)]
        if any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, pattern.replace("**/", "")) for c in candidates):
            state = not negate
    return state


def problems(root: Path, config_vars: set[str]) -> list[str]:
    found = []
    steps = instructions((root / DOCKERFILE).read_text())
    patterns = [p.strip() for p in (root / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    stages = [i for i, (k, _) in enumerate(steps) if k == "FROM"]
    if len(stages) < 2:
        found.append("expected a multi-stage build")
    runtime = steps[stages[-1]:] if stages else []
    for keyword, args in steps:
        if keyword == "COPY" and "--from=" not in args:
            *sources, _ = args.split()
            for source in sources:
                if not (root / source).exists():
                    found.append(f"COPY {source}: not in the repository")
                elif ignored(source.rstrip("/"), patterns):
                    found.append(f"COPY {source}: excluded by .dockerignore")
        if keyword == "HEALTHCHECK":
            found.append("HEALTHCHECK present: Kubernetes probes decide health")
    if runtime and "distroless" not in runtime[0][1]:
        found.append("the runtime stage is not distroless")
    users = [args for keyword, args in runtime if keyword == "USER"]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        found.append("the runtime stage must end with a numeric non-root USER")
    for keyword, args in runtime:
        if keyword == "ENV":
            for var in re.findall(r"(ENHANCER_\w+)=", args):
                if var not in config_vars:
                    found.append(f"ENV {var} is not a configuration key")
    for secret in ("target", ".env", "deploy"):
        if not ignored(secret, patterns):
            found.append(f".dockerignore does not exclude {secret}")
    return found


def run(root: Path, report: Report, config_vars: set[str]) -> None:
    report.check("docker: Dockerfile and .dockerignore", problems(root, config_vars))
    report.note("docker: the image is not built (no Docker engine on these machines); Dockerfile checked statically")
