"""Every ```yaml block of a Markdown file must parse (the manifests and
compose files of docs/operations.md, Deployment), and a Kubernetes
Deployment's probes must be the documented ones: readiness on /ready,
liveness on /health. Prints one line per block; exit 1 on any fault, 77
(skipped) when PyYAML (Debian: python3-yaml) is not installed."""
import re
import sys

try:
    import yaml
except ImportError:
    print("python3-yaml is not installed (scripts/install-deps.sh --with-test-tools): skipped")
    sys.exit(77)


def probes_fault(doc):
    """The documented probes of a Deployment, or what is wrong with them."""
    for c in doc["spec"]["template"]["spec"]["containers"]:
        ready = c.get("readinessProbe", {}).get("httpGet", {}).get("path")
        live = c.get("livenessProbe", {}).get("httpGet", {}).get("path")
        if ready != "/ready" or live != "/health":
            return f"container {c.get('name')}: readiness on {ready}, liveness on {live} (want /ready, /health)"
    return None


def main(path):
    text = open(path, encoding="utf-8").read()
    blocks = re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        print(f"{path}: no yaml block")
        return 1
    faults = 0
    for i, block in enumerate(blocks, 1):
        line = text[: text.find(block)].count("\n") + 1
        try:
            docs = [d for d in yaml.safe_load_all(block) if d is not None]
            if not docs or not all(isinstance(d, dict) for d in docs):
                raise ValueError("not a mapping at the top")
            for d in docs:
                if d.get("kind") == "Deployment" and (fault := probes_fault(d)):
                    raise ValueError(fault)
            print(f"ok yaml block {i} (line {line}): {len(docs)} document(s)")
        except (yaml.YAMLError, ValueError, KeyError, TypeError) as e:
            faults += 1
            print(f"BAD yaml block {i} (line {line}): {e}")
    print(f"{len(blocks) - faults} valid, {faults} invalid")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
