#!/usr/bin/env python3
"""Socket activation as systemd does it, for tests on machines without
systemd-socket-activate: binds and listens on a Unix socket, passes it as
fd 3 (LISTEN_FDS=1, LISTEN_PID the program's own pid) and runs the program.

    socket_activate.py PATH PROGRAM [ARGS...]
"""
import os
import socket
import sys

if len(sys.argv) < 3:
    sys.exit("usage: socket_activate.py PATH PROGRAM [ARGS...]")
path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(path)
sock.listen(64)
if sock.fileno() != 3:
    os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
# exec keeps the pid: the program finds its own pid here, as sd_listen_fds wants.
os.environ["LISTEN_PID"] = str(os.getpid())
os.execvp(sys.argv[2], sys.argv[2:])
