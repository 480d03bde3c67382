"""schemathesis hooks for cave-daemon: signs webhook calls the way a real sender does.

The webhook requires `X-BKG-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">` and a
fresh `X-BKG-Timestamp`; without them every generated body would be rejected as unsigned
before the daemon looks at the body. The signing is an auth provider, so schemathesis knows
the calls carry real credentials: its `ignored_auth` check then probes the same call without
them and with made-up ones, which the daemon must refuse (401). The secret comes from
BKG_WEBHOOK_SECRET, as for the daemon.
"""

import hashlib
import hmac
import json
import os
import time

import schemathesis
from schemathesis.core import NOT_SET


def wire_bytes(body):
    """The bytes schemathesis's requests transport sends for a JSON body."""
    if body is NOT_SET:
        return b""
    if isinstance(body, bytes):
        return body
    if body is None:
        return b"null"
    return json.dumps(body, allow_nan=False).encode()


@schemathesis.auth().apply_to(path="/api/v1/auth/keys/rotated")
class WebhookSignature:
    def get(self, case, ctx):
        return os.environ["BKG_WEBHOOK_SECRET"].encode()

    def set(self, case, secret, ctx):
        headers = dict(case.headers or {})
        # A generated timestamp is made current (a random one is stale); a call generated
        # without one (the missing-header check) keeps lacking it and must be refused.
        names = [n for n in headers if n.lower() == "x-bkg-timestamp"]
        timestamp = str(int(time.time()))
        for name in names:
            headers[name] = timestamp
        signed = f"{timestamp}." if names else "."
        digest = hmac.new(secret, signed.encode() + wire_bytes(case.body), hashlib.sha256)
        headers["X-BKG-Signature"] = f"sha256={digest.hexdigest()}"
        case.headers = headers
