#!/usr/bin/env python3
"""Holds a command at each libnftables context it makes, and acts there.

libnftables reads /etc/iproute2/rt_marks as each context starts; the test
runs the command in a mount namespace of its own where that name is a FIFO
(lib.sh: gated), so the command waits at each context until this opens the
FIFO. Usage: nft_gate.py FIFO PID NS ACTION [ARG]
  intrude        at every context, add chain inet bulwark_vpc intruder_N
  block CHAIN    at the first context once table inet bulwark_vpc is
                 there, add a regular chain CHAIN to it
  kill           at the first context once table inet bulwark_vpc is
                 there, SIGKILL the command
Prints the number of the context it acted at (intrude: how many there
were), once the command has ended (kill: once it is killed)."""
import errno
import os
import signal
import subprocess
import sys
import time

fifo, pid, ns, action = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
arg = sys.argv[5] if len(sys.argv) > 5 else None
nft = ["ip", "netns", "exec", ns, "nft"]


def alive():
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def has_table():
    return subprocess.run(nft + ["list", "table", "inet", "bulwark_vpc"],
                          capture_output=True).returncode == 0


n, acted = 0, 0
while alive():  # polled: a context that waits on the FIFO
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        if e.errno != errno.ENXIO:
            raise
        time.sleep(0.01)
        continue
    n += 1
    if action == "intrude":
        subprocess.run(nft + ["add", "chain", "inet", "bulwark_vpc", "intruder_%d" % n],
                       check=True)
        acted = n
    elif not acted and has_table():
        acted = n
        if action == "block":
            subprocess.run(nft + ["add", "chain", "inet", "bulwark_vpc", arg], check=True)
        elif action == "kill":
            # unshare, sh and ip exec one another: pid is bulwark by now.
            os.kill(pid, signal.SIGKILL)
            os.close(fd)
            break
    os.close(fd)
print(acted)
