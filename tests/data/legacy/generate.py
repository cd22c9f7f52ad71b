#!/usr/bin/env python3
"""Writes the `tenant import-legacy` fixtures: JSON Lines exports of the earlier platform's `tenant_configs`
in the format of docs/OPERATIONS.md ("Migrating tenants from the earlier platform"), with Fernet tokens made
by Python's `cryptography`, the library the earlier platform used. The tests (tests/it/legacy_import.rs)
read the output and need no Python.

Run from this directory: python3 generate.py
Keys and IVs are random, so every run gives different (equally valid) output; commit the result.

Output:
- fixture.json: the keys and, per tenant, the plaintext secrets the tests expect after the import.
- tenants.jsonl: four valid rows (and a blank line). `hooli` has an http base URL, so it needs
  `--allow-insecure-url hooli`; `globex`'s credentials are under the platform's previous key, so the
  environment must list both keys, as the platform's MultiFernet did.
- mixed.jsonl: two valid rows among rows that are bad in one way each (see BAD_ROWS).
- changed.jsonl: `acme` renamed with a new webhook secret; the other rows the same content as in
  tenants.jsonl under fresh tokens (so equality must be decided on the plaintext).
- tool_changed.jsonl: `initech` under another tool (with valid credentials for it).
"""
import base64
import json

import cryptography
from cryptography.fernet import Fernet

# An old fixed timestamp (2020-09-13): exported tokens are old, and the reader must not apply a TTL.
ISSUED_AT = 1_600_000_000

KEYS = {name: Fernet.generate_key() for name in ("key", "old_key", "wrong_key")}

TENANTS = {
    "acme": {
        "name": "Acme IT",
        "tool_type": "jira",
        "base_url": "https://acme.atlassian.net",
        "webhook_secret": "whsec-legacy-acme-Zugang-ü-0123",
        "credentials": {"email": "ops@acme.example", "api_token": "ATATT-legacy-acme-token"},
        "settings": {"priority_map": {"Highest": "critical"}, "redact_pii": True},
    },
    "globex": {
        "name": "Globex Service Desk",
        "tool_type": "servicedesk_plus",
        "base_url": "https://sdp.globex.example",
        "webhook_secret": "whsec-legacy-globex-4567",
        "credentials": {"authtoken": "sdp-legacy-globex-authtoken"},
        "settings": None,
        "credentials_key": "old_key",
    },
    "initech": {
        "name": "Initech",
        "tool_type": "generic",
        "base_url": "https://hooks.initech.example/tickets",
        "webhook_secret": "whsec-legacy-initech-89ab",
        "credentials": {"callback_token": "cb-legacy-initech-token"},
        "settings": {"enhance_events": ["created", "updated"]},
    },
    "hooli": {
        "name": "Hooli",
        "tool_type": "generic",
        "base_url": "http://helpdesk.hooli.example",
        "webhook_secret": "whsec-legacy-hooli-cdef",
        "credentials": {},
        "settings": {},
    },
}


def token(plaintext: str, key: str = "key") -> str:
    return Fernet(KEYS[key]).encrypt_at_time(plaintext.encode("utf-8"), ISSUED_AT).decode("ascii")


def row(tenant_id: str, **overrides) -> dict:
    """The export row of a tenant; `overrides` replace fields (plaintext fields are encrypted here)."""
    t = {**TENANTS[tenant_id], **overrides}
    return {
        "tenant_id": tenant_id,
        "name": t["name"],
        "tool_type": t["tool_type"],
        "base_url": t["base_url"],
        "webhook_secret_encrypted": token(t["webhook_secret"], t.get("secret_key", "key")),
        "api_credentials_encrypted": token(json.dumps(t["credentials"]), t.get("credentials_key", "key")),
        "settings": t["settings"],
    }


def tampered(fernet_token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(fernet_token))
    raw[30] ^= 0x01  # a ciphertext byte: the HMAC no longer matches
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii")


def line(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def write_jsonl(path: str, rows: list) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for value in rows:
            out.write(line(value) + "\n")


# The bad rows of mixed.jsonl, one fault each; the line numbers are those the tests expect.
BAD_ROWS = [
    # line 2: the webhook secret token was changed
    ("tampered", lambda: {**row("hooli", base_url="https://helpdesk.hooli.example"),
                          "tenant_id": "tampered",
                          "webhook_secret_encrypted": tampered(row("hooli")["webhook_secret_encrypted"])}),
    # line 3: the credentials were encrypted with a key the environment does not hold
    ("wrong-key", lambda: {**row("initech", credentials_key="wrong_key"), "tenant_id": "wrong-key"}),
    # line 4: a tool without a plugin
    ("remedy", lambda: {**row("initech"), "tenant_id": "remedy", "tool_type": "bmc_remedy"}),
    # line 5: plain http, not allowed for this tenant
    ("plain-http", lambda: {**row("hooli"), "tenant_id": "plain-http"}),
    # line 6: jira credentials without the api token
    ("no-token", lambda: {**row("acme", credentials={"email": "ops@acme.example"}), "tenant_id": "no-token"}),
    # line 7: a private address without ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS
    ("on-prem", lambda: {**row("globex", base_url="https://10.20.30.40:8443"), "tenant_id": "on-prem"}),
    # line 8: not JSON
    ("", lambda: '{"tenant_id": "broken", "name": '),
    # line 9: the id of line 1 again
    ("acme", lambda: row("acme")),
    # line 10: a setting out of range
    ("zero-rate", lambda: {**row("initech", settings={"rate_limit": {"per_second": 0}}), "tenant_id": "zero-rate"}),
    # line 11: an id this platform does not accept
    ("Bad Id!", lambda: {**row("initech"), "tenant_id": "Bad Id!"}),
]


def main() -> None:
    write_jsonl("tenants.jsonl", [row("acme"), row("globex"), "", row("initech"), row("hooli")])
    write_jsonl("mixed.jsonl", [row("acme")] + [make() for _, make in BAD_ROWS] + [row("globex")])
    write_jsonl("changed.jsonl", [
        row("acme", name="Acme Corporation IT", webhook_secret="whsec-legacy-acme-rotated-4711"),
        row("globex"),
        row("initech"),
        row("hooli"),
    ])
    # Valid jira credentials, so the row passes validation and the conflict is with the stored tenant.
    write_jsonl("tool_changed.jsonl", [row("initech", tool_type="jira", credentials=TENANTS["acme"]["credentials"])])
    fixture = {
        "generator": f"python cryptography {cryptography.__version__}, tests/data/legacy/generate.py",
        "key": KEYS["key"].decode("ascii"),
        "old_key": KEYS["old_key"].decode("ascii"),
        "wrong_key": KEYS["wrong_key"].decode("ascii"),
        "tenants": {
            tenant_id: {"webhook_secret": t["webhook_secret"], "credentials": t["credentials"]}
            for tenant_id, t in TENANTS.items()
        },
        "changed_acme_webhook_secret": "whsec-legacy-acme-rotated-4711",
    }
    with open("fixture.json", "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=False, indent=2)
        out.write("\n")


if __name__ == "__main__":
    main()
