#!/usr/bin/env python3
"""A tiny HTTPS proxy (HTTP CONNECT) for bulwark's tests.

Listens on loopback only, records the first line of every request it gets
(one a line: "CONNECT localhost:443", or "GET http://…" for a plain HTTP
request, which it refuses with 403: it is no HTTP proxy) and relays a
CONNECT to its target when that is a loopback address; any other target
is refused (403), so a test never sends traffic anywhere else.

    connect_proxy.py --log proxy.log --ready ready.file [--port 0]

ready.file gets the port it listens on, once it does.
"""
import argparse
import ipaddress
import os
import select
import socket
import socketserver
import threading

ARGS = None
LOCK = threading.Lock()


def record(line):
    with LOCK, open(ARGS.log, "a") as f:
        f.write(line + "\n")


def is_loopback(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    return infos and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def relay(a, b):
    socks = [a, b]
    while True:
        ready, _, _ = select.select(socks, [], [], 60)
        if not ready:
            return
        for s in ready:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


class Handler(socketserver.StreamRequestHandler):
    rbufsize = 0  # unbuffered: nothing after the headers is read ahead of relay()

    def refuse(self, status):
        self.wfile.write(b"HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                         % status.encode())

    def handle(self):
        line = self.rfile.readline(8192).decode("latin-1").rstrip("\r\n")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        record(line)
        parts = line.split()
        if len(parts) != 3 or parts[0] != "CONNECT":
            self.refuse("403 Forbidden")
            return
        host, _, port = parts[1].rpartition(":")
        host = host.strip("[]")
        if not port.isdigit() or not is_loopback(host, int(port)):
            self.refuse("403 Forbidden")
            return
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            self.refuse("502 Bad Gateway")
            return
        with upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            relay(self.connection, upstream)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--port", type=int, default=0)
    ARGS = ap.parse_args()
    server = Server(("127.0.0.1", ARGS.port), Handler)
    with open(ARGS.ready + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(ARGS.ready + ".tmp", ARGS.ready)
    server.serve_forever()


if __name__ == "__main__":
    main()
