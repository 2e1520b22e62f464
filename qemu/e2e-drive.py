#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host side of the end-to-end reconfiguration run.

Follows a running guest's console log and, each time the guest prints
"STEP NAME READY", sends that step's QMP commands to QEMU:

    e2e-drive.py --qmp SOCKET --log LOG --host ap0 \\
        --step 'NAME=COMMAND {"json": "arguments"}[;COMMAND ...]' ...

"host" is added to every command's arguments. The pseudo-command "query"
runs x-query-apvirt and prints what the checker compares; "query-settled"
does the same once nothing is pinned, no ISC registered and nothing
queued (queue resets finish asynchronously), or after 10 s:

    HOST queue 03.0005 requests=N replies=N discarded=N queued=N waiting=N rc=N in-guest=1
    HOST balance pins=N isc-registrations=N vm-refs=N hooks=N hook-calls=N zero=0|1
    HOST cfg-notifications=N
    HOST check ok | HOST check failed: SENTENCE

For each step: "HOST step NAME: COMMAND ARGS -> ok (T ms)" or "-> error:
DESC". A step the guest announces that has no commands, and a step
announced twice, are errors. Ends when QEMU closes the socket or the log
shows "init: exit"; the last line is "HOST done: N steps, N errors".
"""
import argparse
import json
import os
import socket
import sys
import time


class Qmp:
    def __init__(self, path, timeout):
        end = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)
        self.buf = b""
        self._read()  # greeting
        self.call("qmp_capabilities", {})

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP socket closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, args):
        self.sock.sendall(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
        while True:
            msg = self._read()
            if "event" in msg:
                continue
            if "error" in msg:
                return False, msg["error"].get("desc", str(msg["error"]))
            if "return" in msg:
                return True, msg["return"]


def parse_steps(specs):
    steps = {}
    for spec in specs:
        name, _, cmds = spec.partition("=")
        if not name or not cmds:
            raise SystemExit("e2e-drive: bad --step %r" % spec)
        todo = []
        for c in cmds.split(";"):
            cmd, _, args = c.strip().partition(" ")
            todo.append((cmd, json.loads(args) if args.strip() else {}))
        steps[name] = todo
    return steps


def report_query(out, ret):
    for q in sorted(ret.get("queues", []), key=lambda q: (q["adapter"], q["domain"])):
        out("HOST queue %02x.%04x requests=%d replies=%d discarded=%d queued=%d waiting=%d "
            "rc=%d in-guest=%d" % (q["adapter"], q["domain"], q["requests"], q["replies"],
                                   q["discarded"], q["queued"], q["replies-waiting"], q["rc"],
                                   1 if q["in-guest"] else 0))
    b = ret.get("balance", {})
    out("HOST balance pins=%d isc-registrations=%d vm-refs=%d hooks=%d hook-calls=%d zero=%d"
        % (b.get("pins", -1), b.get("isc-registrations", -1), b.get("vm-refs", -1),
           b.get("hooks", -1), b.get("hook-calls", -1), 1 if b.get("zero") else 0))
    out("HOST cfg-notifications=%d" % ret.get("cfg-notifications", -1))
    check = ret.get("check", None)
    out("HOST check ok" if check == "" else "HOST check failed: %s" % check)


def settled(ret):
    b = ret.get("balance", {})
    return (b.get("pins") == 0 and b.get("isc-registrations") == 0 and
            all(q["queued"] == 0 and q["replies-waiting"] == 0 for q in ret.get("queues", [])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--step", action="append", default=[])
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    a = ap.parse_args()
    steps = parse_steps(a.step)

    def out(line):
        print(line, flush=True)

    errors = 0
    done = set()
    try:
        qmp = Qmp(a.qmp, a.connect_timeout)
    except (OSError, EOFError, ValueError) as e:
        out("HOST error: no QMP connection on %s: %s" % (a.qmp, e))
        out("HOST done: 0 steps, 1 errors")
        return 1
    pos = 0
    partial = ""
    finished = False
    while not finished:
        try:
            with open(a.log, "rb") as f:
                f.seek(pos)
                data = f.read()
        except OSError:
            data = b""
        pos += len(data)
        text = partial + data.decode("utf-8", "replace").replace("\r", "")
        lines = text.split("\n")
        partial = lines.pop()
        for line in lines:
            if line.startswith("init: exit"):
                finished = True
            w = line.split()
            if len(w) != 3 or w[0] != "STEP" or w[2] != "READY":
                continue
            name = w[1]
            if name in done:
                out("HOST step %s: announced twice" % name)
                errors += 1
                continue
            done.add(name)
            if name not in steps:
                out("HOST step %s: no commands for this step" % name)
                errors += 1
                continue
            for cmd, args in steps[name]:
                t0 = time.monotonic()
                try:
                    if cmd == "query":
                        ok, ret = qmp.call("x-query-apvirt", {"host": a.host})
                    elif cmd == "query-settled":
                        end = t0 + 10.0
                        while True:
                            ok, ret = qmp.call("x-query-apvirt", {"host": a.host})
                            if not ok or settled(ret) or time.monotonic() > end:
                                break
                            time.sleep(0.1)
                    else:
                        ok, ret = qmp.call(cmd, dict(args, host=a.host))
                except (OSError, EOFError) as e:
                    ok, ret = False, "QMP connection lost: %s" % e
                    finished = True
                ms = (time.monotonic() - t0) * 1000
                if ok:
                    out("HOST step %s: %s %s -> ok (%.1f ms)" % (name, cmd, json.dumps(args), ms))
                    if cmd.startswith("query"):
                        report_query(out, ret)
                else:
                    out("HOST step %s: %s %s -> error: %s" % (name, cmd, json.dumps(args), ret))
                    errors += 1
                if finished:
                    break
        if not finished:
            try:
                # Still connected? A closed socket means QEMU has gone.
                qmp.sock.setblocking(False)
                try:
                    if qmp.sock.recv(65536, socket.MSG_PEEK) == b"":
                        finished = True
                except BlockingIOError:
                    pass
                finally:
                    qmp.sock.setblocking(True)
            except OSError:
                finished = True
            time.sleep(0.05)
    missing = sorted(set(steps) - done)
    for name in missing:
        out("HOST step %s: never announced by the guest" % name)
    errors += len(missing)
    out("HOST done: %d steps, %d errors" % (len(done), errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
