#!/usr/bin/env python3
"""The attackers of bench/ca_soak.sh, all at once against one xmppcert-ca until SECONDS pass:

  idle       IDLE TCP connections that never send a byte (reconnected when the CA closes them)
  slowloris  SLOW TLS clients sending a request's headers one byte every 2 s
  tarpit     4 ACME accounts ordering names whose validation targets (127.0.0.{3..6}, http-01
             and tls-alpn-01 ports) accept and then send one byte every 5 s
  hostile    POSTs of JSON nested 100,000 deep and of bodies over the 1 MiB cap
  flood      new-nonce requests on 4 keep-alive connections, as fast as they are answered

Each attacker binds its own loopback source addresses (127.0.N.M), as attackers on the
Internet come from other addresses than the honest clients (the CA caps connections per
address). Prints one JSON line of counts at the end; "unexpected" lists answers that must
never come (a 5xx to a hostile post, a hostile post accepted). Exit 0 unless the script
itself failed. Needs python3-cryptography (the ACME accounts sign ES256).
"""
import argparse
import asyncio
import base64
import collections
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.request

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

counts = collections.Counter()
unexpected = []
lock = threading.Lock()


def count(name, n=1):
    with lock:
        counts[name] += n


def note(text):
    with lock:
        if len(unexpected) < 20:
            unexpected.append(text)


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# ---- idle TCP connections and slowloris TLS clients (one asyncio loop) ----

async def idle_connection(args, source, stop):
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.open_connection(args.host, args.port,
                                                           local_addr=(source, 0))
            count("idle_connected")
            try:
                await asyncio.wait_for(reader.read(1), timeout=max(0.1, stop - time.monotonic()))
                count("idle_closed_by_ca")
            except asyncio.TimeoutError:
                pass
            writer.close()
        except OSError:
            count("idle_refused")
        await asyncio.sleep(1)


async def slowloris(args, source, stop):
    request = b"POST /acme/new-order HTTP/1.1\r\nHost: ca\r\nX-Slow: " + b"a" * 4000
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(args.host, args.port, ssl=tls_context(),
                                        local_addr=(source, 0)), timeout=15)
            count("slowloris_handshakes")
            for byte in request:
                if time.monotonic() >= stop:
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(2)
                if reader.at_eof():
                    break
            count("slowloris_closed_by_ca")
            writer.close()
        except (OSError, asyncio.TimeoutError, ssl.SSLError):
            count("slowloris_refused")
        await asyncio.sleep(1)


def connection_attackers(args, stop):
    async def main():
        tasks = []
        for i in range(args.idle):  # 50 per address: under the CA's 64 per address
            tasks.append(idle_connection(args, f"127.0.1.{i // 50 + 1}", stop))
        for i in range(args.slowloris):
            tasks.append(slowloris(args, f"127.0.2.{i // 50 + 1}", stop))
        await asyncio.gather(*tasks)
    asyncio.run(main())


# ---- requests (threads with http.client) ----

def https(source):
    return http.client.HTTPSConnection(ARGS.host, ARGS.port, context=tls_context(), timeout=30,
                                       source_address=(source, 0))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class AcmeAccount:
    """Just enough of an ACME client for an attacker: newAccount, newOrder, challenges."""

    def __init__(self, source):
        self.source = source
        self.key = ec.generate_private_key(ec.SECP256R1())
        numbers = self.key.public_key().public_numbers()
        self.jwk = {"crv": "P-256", "kty": "EC", "x": b64(numbers.x.to_bytes(32, "big")),
                    "y": b64(numbers.y.to_bytes(32, "big"))}
        self.kid = None
        self.connection = https(source)
        self.directory = json.loads(self.request("GET", "/directory")[2])

    def request(self, method, path, body=None, headers=None):
        for attempt in range(3):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response, response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = https(self.source)
                if attempt == 2:
                    raise

    def path(self, url):
        return url[url.index("/", len("https://")):]

    def nonce(self):
        _, response, _ = self.request("HEAD", "/acme/new-nonce")
        return response.getheader("Replay-Nonce")

    def post(self, url, payload):
        header = {"alg": "ES256", "nonce": self.nonce(), "url": url}
        if self.kid:
            header["kid"] = self.kid
        else:
            header["jwk"] = self.jwk
        protected = b64(json.dumps(header).encode())
        body = "" if payload is None else b64(json.dumps(payload).encode())
        r, s = decode_dss_signature(
            self.key.sign(f"{protected}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
        jws = {"protected": protected, "payload": body,
               "signature": b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}
        status, response, raw = self.request(
            "POST", self.path(url), json.dumps(jws), {"Content-Type": "application/jose+json"})
        if status >= 500:
            note(f"{status} to {self.path(url)}: {raw[:200]!r}")
        return status, response, raw


def set_address(name, address):
    body = json.dumps({"host": name, "addresses": [address]}).encode()
    urllib.request.urlopen(urllib.request.Request(ARGS.dns_management + "/add-a", data=body),
                           timeout=10).read()


def tarpit_account(number, stop):
    target = f"127.0.0.{3 + number}"
    account = AcmeAccount(f"127.0.3.{number + 1}")
    status, response, _ = account.post(account.directory["newAccount"],
                                       {"termsOfServiceAgreed": True})
    account.kid = response.getheader("Location")
    i = 0
    while time.monotonic() < stop:
        i += 1
        name = f"tarpit{number}-{i}.soak.test"
        set_address(name, target)
        status, _, raw = account.post(account.directory["newOrder"],
                                      {"identifiers": [{"type": "dns", "value": name}]})
        if status == 429:
            count("tarpit_rate_limited")
            time.sleep(5)
            continue
        if status != 201:
            count(f"tarpit_order_{status}")
            time.sleep(1)
            continue
        order = json.loads(raw)
        status, _, raw = account.post(order["authorizations"][0], None)
        for challenge in json.loads(raw).get("challenges", []):
            if challenge["type"] in ("http-01", "tls-alpn-01"):
                status, _, _ = account.post(challenge["url"], {})
                count(f"tarpit_challenge_{status}")
        time.sleep(0.2)


def tarpit_server(address, port, stop):
    listener = socket.create_server((address, port), backlog=256)
    listener.settimeout(1)

    def hold(connection):
        with connection:
            while time.monotonic() < stop:
                try:
                    connection.sendall(b"\x16")
                except OSError:
                    return
                time.sleep(5)

    while time.monotonic() < stop:
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            continue
        count("tarpit_connections")
        threading.Thread(target=hold, args=(connection,), daemon=True).start()


def hostile_posts(stop):
    deep = "[" * 100000 + "]" * 100000
    jws_deep = '{"protected":"eyJhbGciOiJFUzI1NiJ9","payload":' + deep + ',"signature":"AA"}'
    oversized = '{"protected":"' + "A" * (2 << 20) + '"}'
    source = "127.0.4.1"
    connection = https(source)
    i = 0
    while time.monotonic() < stop:
        i += 1
        body, what = (jws_deep, "deep") if i % 2 else (oversized, "oversized")
        try:
            connection.request("POST", "/acme/new-account", body=body,
                               headers={"Content-Type": "application/jose+json"})
            response = connection.getresponse()
            response.read()
            count(f"hostile_{what}_{response.status}")
            if response.status < 400 or response.status >= 500:
                note(f"{what} POST answered {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = https(source)
        except (OSError, http.client.HTTPException):
            count(f"hostile_{what}_closed")  # the CA may close instead of reading 2 MiB
            connection.close()
            connection = https(source)
        time.sleep(0.05)


def nonce_flood(number, stop):
    source = f"127.0.5.{number + 1}"
    connection = https(source)
    while time.monotonic() < stop:
        try:
            connection.request("HEAD", "/acme/new-nonce")
            response = connection.getresponse()
            response.read()
            count("flood_nonces" if response.status == 200 else f"flood_{response.status}")
            if response.status >= 500:
                note(f"new-nonce answered {response.status}")
        except (OSError, http.client.HTTPException):
            count("flood_reconnects")
            connection.close()
            connection = https(source)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--tls-port", type=int, required=True)
    parser.add_argument("--dns-management", required=True, help="pebble-challtestsrv's URL")
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--slowloris", type=int, default=200)
    parser.add_argument("--tarpit-accounts", type=int, default=4)
    parser.add_argument("--flood-connections", type=int, default=4)
    ARGS = parser.parse_args()
    stop = time.monotonic() + ARGS.seconds
    threads = [threading.Thread(target=connection_attackers, args=(ARGS, stop))]
    for number in range(ARGS.tarpit_accounts):
        for port in (ARGS.http_port, ARGS.tls_port):
            threads.append(threading.Thread(target=tarpit_server,
                                            args=(f"127.0.0.{3 + number}", port, stop)))
        threads.append(threading.Thread(target=tarpit_account, args=(number, stop)))
    threads.append(threading.Thread(target=hostile_posts, args=(stop,)))
    for number in range(ARGS.flood_connections):
        threads.append(threading.Thread(target=nonce_flood, args=(number, stop)))
    failed = []

    def run(thread_target, *thread_args):
        try:
            thread_target(*thread_args)
        except Exception as error:  # an attacker that died is reported, not silently lost
            failed.append(f"{thread_target.__name__}: {error!r}")

    for thread in threads:
        thread._target, thread._args = run, (thread._target, *thread._args)
        thread.daemon = True
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0, stop - time.monotonic()) + 30)
    print(json.dumps({"counts": dict(sorted(counts.items())), "unexpected": unexpected,
                      "attackers_failed": failed}))


if __name__ == "__main__":
    main()
