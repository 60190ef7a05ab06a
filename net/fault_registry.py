#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A registry for tests that misbehaves on purpose.

Serves the OCI image layout LAYOUT read-only over the distribution API
(GET /v2/<name>/manifests/<tag|digest>, GET /v2/<name>/blobs/<digest>,
with Range), the repository name ignored, on 127.0.0.1:PORT, and an
"object store" on 127.0.0.1:STORE_PORT that blob redirects lead to. Each
fault is an option; every request is logged to LOG as one line
"PORT METHOD PATH range=R auth=yes|no -> STATUS" so a test can check what
the client did.

  --die-mid-blob HEX  the first GET of that blob sends its headers and
                      half its bytes, then closes the connection
  --flaky N           the first N requests get 503 (odd ones) or 429 with
                      Retry-After: 1 (even ones)
  --redirect-blobs    blobs answer 307 to the object store (which refuses
                      any request carrying an Authorization header)
  --redirect-loop     blobs redirect /a -> /b -> /a ...
  --wrong-digest HEX  that blob is served with its last byte flipped
  --token             a bearer token is needed: 401 with a challenge whose
                      realm is /token on PORT, which hands out a token
                      only for service=fault and the pull scope
  --no-range          Range is ignored (200 with the whole blob)
  --only-tags         only manifests asked for by tag are served; every
                      blob and every manifest asked for by digest is 404
                      (a registry whose content is gone but its tags)
"""
import argparse
import hashlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fault-token.abc_123"
args = None
state = {"requests": 0, "died": False}
lock = threading.Lock()


def log(line):
    with lock, open(args.log, "a") as f:
        f.write(line + "\n")


def blob_path(digest):
    algo, _, hexd = digest.partition(":")
    if algo != "sha256" or len(hexd) != 64:
        return None
    p = os.path.join(args.layout, "blobs", "sha256", hexd)
    return p if os.path.isfile(p) else None


def manifest_for(ref):
    if ref.startswith("sha256:"):
        return blob_path(ref)
    with open(os.path.join(args.layout, "index.json")) as f:
        index = json.load(f)
    for m in index["manifests"]:
        ann = m.get("annotations", {})
        if ann.get("org.opencontainers.image.ref.name") == ref:
            return blob_path(m["digest"])
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status)

    def record(self, status):
        auth = "yes" if self.headers.get("Authorization") else "no"
        log("%d %s %s range=%s auth=%s -> %d" % (
            self.server.server_port, self.command, self.path,
            self.headers.get("Range", "-"), auth, status))

    def do_GET(self):
        if self.server.server_port == args.store_port:
            return self.store()
        with lock:
            state["requests"] += 1
            n = state["requests"]
        if n <= args.flaky:
            if n % 2:
                return self.send(503, b"busy")
            return self.send(429, b"slow down", {"Retry-After": "1"})
        if self.path.startswith("/token"):
            return self.token()
        if args.token and self.headers.get("Authorization") != \
                "Bearer " + TOKEN:
            realm = "http://127.0.0.1:%d/token" % args.port
            return self.send(401, b"{}", {
                "WWW-Authenticate": 'Bearer realm="%s",service="fault",'
                'scope="repository:%s:pull"' % (realm, self.repo())})
        if self.path == "/v2/":
            return self.send(200, b"{}")
        if self.path.startswith("/loop/"):
            nxt = "/loop/b" if self.path == "/loop/a" else "/loop/a"
            return self.send(302, b"", {"Location": nxt})
        parts = self.path.split("/")
        if len(parts) < 5 or parts[1] != "v2":
            return self.send(404, b"")
        kind, ref = parts[-2], parts[-1]
        if args.only_tags and (kind == "blobs" or ref.startswith("sha256:")):
            return self.send(404, b"")
        if kind == "manifests":
            return self.manifest(ref)
        if kind == "blobs":
            return self.blob(ref)
        return self.send(404, b"")

    def repo(self):
        parts = self.path.split("/")
        return "/".join(parts[2:-2]) if len(parts) >= 5 else "x"

    def token(self):
        q = self.path.partition("?")[2]
        params = dict(p.partition("=")[::2] for p in q.split("&") if p)
        if params.get("service") != "fault" or \
                not params.get("scope", "").endswith("%3Apull"):
            return self.send(400, b"bad token request")
        body = json.dumps({"token": TOKEN, "expires_in": 300}).encode()
        return self.send(200, body, {"Content-Type": "application/json"})

    def manifest(self, ref):
        p = manifest_for(ref)
        if not p:
            return self.send(404, b"")
        data = open(p, "rb").read()
        mt = json.loads(data).get("mediaType",
                                  "application/vnd.oci.image.manifest.v1+json")
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        return self.send(200, data, {"Content-Type": mt,
                                     "Docker-Content-Digest": digest})

    def blob(self, digest):
        if args.redirect_loop:
            return self.send(307, b"", {"Location": "/loop/a"})
        if args.redirect_blobs:
            loc = "http://127.0.0.1:%d/store/%s?sig=abc" % (
                args.store_port, digest)
            return self.send(307, b"", {"Location": loc})
        self.serve_blob(digest)

    def store(self):
        if self.headers.get("Authorization"):
            return self.send(400, b"object stores take no Authorization")
        if not self.path.startswith("/store/") or "?sig=abc" not in self.path:
            return self.send(403, b"")
        self.serve_blob(self.path[7:].partition("?")[0])

    def serve_blob(self, digest):
        p = blob_path(digest)
        if not p:
            return self.send(404, b"")
        data = bytearray(open(p, "rb").read())
        hexd = digest[7:]
        if hexd == args.wrong_digest and data:
            data[-1] ^= 0xff
        start = 0
        rng = self.headers.get("Range")
        if rng and not args.no_range and rng.startswith("bytes=") and \
                rng.endswith("-"):
            start = int(rng[6:-1])
        if hexd == args.die_mid_blob and not state["died"] and start == 0:
            state["died"] = True
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(bytes(data[:len(data) // 2]))
            self.wfile.flush()
            self.record(200)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if start:
            body = bytes(data[start:])
            return self.send(206, body, {
                "Content-Range": "bytes %d-%d/%d" % (start, len(data) - 1,
                                                     len(data))})
        return self.send(200, bytes(data))


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("layout")
    ap.add_argument("port", type=int)
    ap.add_argument("store_port", type=int)
    ap.add_argument("log")
    ap.add_argument("--die-mid-blob", default="")
    ap.add_argument("--flaky", type=int, default=0)
    ap.add_argument("--redirect-blobs", action="store_true")
    ap.add_argument("--redirect-loop", action="store_true")
    ap.add_argument("--wrong-digest", default="")
    ap.add_argument("--token", action="store_true")
    ap.add_argument("--no-range", action="store_true")
    ap.add_argument("--only-tags", action="store_true")
    args = ap.parse_args()
    servers = [ThreadingHTTPServer(("127.0.0.1", p), Handler)
               for p in (args.port, args.store_port)]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    sys.exit(main())
