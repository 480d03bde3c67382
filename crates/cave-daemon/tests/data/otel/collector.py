"""A stand-in OpenTelemetry collector for the daemon's exporter test.

It serves OTLP/HTTP JSON on 127.0.0.1 (`POST /v1/traces`) and checks every request against
the real protobuf definitions (opentelemetry-proto's ExportTraceServiceRequest, unknown
fields refused): OTLP's JSON writes trace and span ids as hex, which are turned into the
base64 that protobuf's JSON mapping expects first. Valid requests are appended, one JSON
line each, to the file named by the first argument and answered 200; invalid ones get 400
and a line starting with `invalid:` in that file. The first line on stdout is the port.
"""

import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

OUT = sys.argv[1]


def hex_to_base64(request):
    for resource in request.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return request


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            if self.path != "/v1/traces":
                raise ValueError(f"path {self.path}")
            if self.headers.get("Content-Type") != "application/json":
                raise ValueError(f"content type {self.headers.get('Content-Type')}")
            request = json.loads(body)
            json_format.Parse(json.dumps(hex_to_base64(json.loads(body))), ExportTraceServiceRequest())
            line, status = json.dumps(request), 200
        except Exception as error:  # noqa: BLE001 - every failure is a finding
            line, status = f"invalid: {error}", 400
        with open(OUT, "a", encoding="utf-8") as out:
            out.write(line + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
