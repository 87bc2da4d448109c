#!/usr/bin/python3
"""Plug and unplug DIMMs in a running hotmm over QEMU's QMP socket.

    scripts/qmp.py plug SIZE [--node N] [--id ID] [--addr ADDR]
                                                   memory-backend-ram + pc-dimm, then wait
                                                   for hotmm's answer (_OST)
    scripts/qmp.py unplug ID                       device_del, wait for DEVICE_DELETED (or
                                                   hotmm's refusal), then drop the backend
    scripts/qmp.py list                            the DIMMs QEMU has, with hotmm's last _OST

The socket is the one `make run` opens (build/qmp.sock), or --socket PATH,
or $HOTMM_QMP; `./run-qemu.sh --qmp PATH` opens one anywhere. Exit status:
0 done, 1 refused or failed (the reason is printed), 2 bad usage.

The module is also the tests' and the bench's QMP client (Python's
standard library only): QMP(path) connects and negotiates; command() runs
one command and keeps the events that arrive meanwhile; wait_event() waits
for one; plug() and unplug() are the two hotplug conversations, returning
what QEMU and the guest said and how long it took.
"""
import argparse
import json
import os
import re
import socket
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOCKET = os.path.join(ROOT, "build", "qmp.sock")

# _OST (ACPI 6.5, 6.3.5) as QEMU relays it in ACPI_DEVICE_OST: source, status.
OST_DEVICE_CHECK = 0x01
OST_EJECT_REQUEST = 0x03
OST_EJECT_IN_PROGRESS = 0x84
OST_NAMES = {
    (OST_DEVICE_CHECK, 0x00): "inserted",
    (OST_DEVICE_CHECK, 0x01): "insert failed",
    (OST_DEVICE_CHECK, 0x82): "insert not supported (refused)",
    (OST_EJECT_REQUEST, 0x00): "ejected",
    (OST_EJECT_REQUEST, 0x01): "eject failed",
    (OST_EJECT_REQUEST, 0x82): "eject refused: device busy",
    (OST_EJECT_REQUEST, 0x84): "eject in progress",
}


def ost_name(source, status):
    return OST_NAMES.get((source, status), f"source {source:#x}, status {status:#x}")


class QMPError(Exception):
    """QEMU answered a command with an error, or the conversation broke."""


class QMP:
    """One QMP connection. Events that arrive are kept in self.events
    (oldest first) until wait_event() takes them."""

    def __init__(self, path, timeout=10.0, connect_timeout=2.0):
        self.path = path
        self.timeout = timeout
        self.events = []
        self._buf = b""
        self._id = 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + connect_timeout
        while True:  # QEMU may not have created the socket yet
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        greeting = self._read(time.monotonic() + timeout)
        if "QMP" not in greeting:
            raise QMPError(f"not a QMP greeting: {greeting}")
        self.command("qmp_capabilities")

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, deadline):
        """The next JSON message (event or reply)."""
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from QEMU in time")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise QMPError("QEMU closed the QMP socket")
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        msg = json.loads(line)
        if "event" in msg:
            ts = msg.get("timestamp", {})
            msg["time"] = ts.get("seconds", 0) + ts.get("microseconds", 0) / 1e6
        return msg

    def command(self, name, **args):
        """Run one command; return its "return" value or raise QMPError."""
        self._id += 1
        msg = {"execute": name, "id": self._id}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if "event" in reply:
                self.events.append(reply)
            elif reply.get("id") == self._id:
                if "error" in reply:
                    raise QMPError(f"{name}: {reply['error'].get('desc', reply['error'])}")
                return reply.get("return")

    def wait_event(self, match, timeout=None):
        """The first event (kept or new) for which match(event) is true; it
        is taken off self.events. Raises TimeoutError."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            for i, ev in enumerate(self.events):
                if match(ev):
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def poll_events(self, seconds=0.0):
        """Collect the events that arrive within seconds; return self.events."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read(deadline))
        except TimeoutError:
            pass
        return self.events

    def hmp(self, line):
        """A human monitor command (what `Ctrl-A c` gives), its output."""
        return self.command("human-monitor-command", **{"command-line": line})

    # ---- memory devices ----
    def memory_devices(self):
        """query-memory-devices: a dict per DIMM (id, addr, size, slot, node, memdev, ...)."""
        return [d["data"] for d in self.command("query-memory-devices")]

    def ospm_status(self):
        """query-acpi-ospm-status: the last _OST per slot, keyed by device id."""
        return {s["device"]: s for s in self.command("query-acpi-ospm-status")
                if s.get("device")}


def ost_event(dimm_id, source):
    """An ACPI_DEVICE_OST from the guest about dimm_id, for source."""
    def match(ev):
        info = ev.get("data", {}).get("info", {})
        return (ev["event"] == "ACPI_DEVICE_OST" and info.get("device") == dimm_id
                and info.get("source") == source and info.get("status") != OST_EJECT_IN_PROGRESS)
    return match


def parse_size(text):
    """"1G", "512M", "256m", "1073741824" -> bytes (a bare number is bytes)."""
    m = re.fullmatch(r"(\d+)([KkMmGgTt]?)(?:i?[Bb])?", text.strip())
    if not m:
        raise ValueError(f"bad size '{text}': use e.g. 512M or 1G")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[m.group(2).lower()]


def free_ids(q):
    """The first N with neither dimmN nor memN in use: (dimm id, backend id)."""
    used = {c["name"] for c in q.command("qom-list", path="/objects")}
    used |= {d.get("id") for d in q.memory_devices()}
    n = 0
    while f"dimm{n}" in used or f"mem{n}" in used:
        n += 1
    return f"dimm{n}", f"mem{n}"


def plug(q, size, node=None, dimm_id=None, addr=None, wait=True, timeout=60.0):
    """Hot-add a DIMM: object-add memory-backend-ram, device_add pc-dimm
    (at addr when given; QEMU otherwise packs DIMMs first-fit, 2 MiB aligned).

    With wait, wait for the guest's _OST about it. Returns a dict: id,
    memdev, slot, addr, size, node, and with wait "ost" (the status: 0
    added, 0x82 refused, ...) and "seconds" (device_add sent to the _OST
    event, as QEMU stamped it). A device_add QEMU refuses raises QMPError
    (and the backend is deleted again).
    """
    size = parse_size(size) if isinstance(size, str) else size
    dimm, mem = free_ids(q)
    if dimm_id:
        dimm = dimm_id
    q.command("object-add", **{"qom-type": "memory-backend-ram", "id": mem, "size": size})
    args = {"driver": "pc-dimm", "id": dimm, "memdev": mem}
    if node is not None:
        args["node"] = node
    if addr is not None:
        args["addr"] = addr
    sent = time.time()
    try:
        q.command("device_add", **args)
    except QMPError:
        q.command("object-del", id=mem)
        raise
    info = next(d for d in q.memory_devices() if d.get("id") == dimm)
    result = {"id": dimm, "memdev": mem, "slot": info["slot"], "addr": info["addr"],
              "size": info["size"], "node": info["node"]}
    if wait:
        ev = q.wait_event(ost_event(dimm, OST_DEVICE_CHECK), timeout)
        result["ost"] = ev["data"]["info"]["status"]
        result["seconds"] = ev["time"] - sent
    return result


def unplug(q, dimm_id, timeout=60.0, delete_backend=True):
    """Ask for a DIMM's removal (device_del) and wait for the outcome.

    Returns a dict: "deleted" (QEMU sent DEVICE_DELETED: the guest ejected
    it), "ost" (the guest's final _OST status for the eject request; None
    when it ejected without one), "seconds" (device_del sent to the
    outcome). After DEVICE_DELETED the memory backend is deleted too.
    Raises QMPError for an unknown id, TimeoutError if the guest says
    nothing.
    """
    info = next((d for d in q.memory_devices() if d.get("id") == dimm_id), None)
    if info is None:
        raise QMPError(f"no DIMM with id '{dimm_id}' (list shows them)")
    refused = ost_event(dimm_id, OST_EJECT_REQUEST)

    def outcome(ev):
        return ((ev["event"] == "DEVICE_DELETED" and ev["data"].get("device") == dimm_id)
                or refused(ev))

    sent = time.time()
    q.command("device_del", id=dimm_id)
    ev = q.wait_event(outcome, timeout)
    result = {"id": dimm_id, "deleted": ev["event"] == "DEVICE_DELETED",
              "ost": None if ev["event"] == "DEVICE_DELETED" else ev["data"]["info"]["status"],
              "seconds": ev["time"] - sent}
    if result["deleted"] and delete_backend:
        q.command("object-del", id=info["memdev"].rsplit("/", 1)[-1])
    return result


# ---- command line ----

def mib(n):
    return f"{n >> 20} MiB" if n % (1 << 20) == 0 else f"{n} bytes"


def cmd_plug(q, args):
    r = plug(q, args.size, node=args.node, dimm_id=args.id, addr=args.addr, timeout=args.timeout)
    where = f"slot {r['slot']}, {r['addr']:#x}, {mib(r['size'])}, node {r['node']}"
    if r["ost"] == 0:
        print(f"{r['id']}: {where}: added by the guest ({r['seconds'] * 1000:.0f} ms)")
        return 0
    print(f"{r['id']}: {where}: {ost_name(OST_DEVICE_CHECK, r['ost'])} "
          f"(the guest's console says why; `unplug {r['id']}` takes it out)")
    return 1


def cmd_unplug(q, args):
    r = unplug(q, args.id, timeout=args.timeout)
    if r["deleted"]:
        print(f"{args.id}: ejected, DEVICE_DELETED ({r['seconds'] * 1000:.0f} ms); backend deleted")
        return 0
    print(f"{args.id}: {ost_name(OST_EJECT_REQUEST, r['ost'])}; the DIMM stays "
          f"(the guest's console says why)")
    return 1


def cmd_list(q, args):
    devs = q.memory_devices()
    ost = q.ospm_status()
    if not devs:
        print("no DIMMs")
        return 0
    print(f"{'id':<8} {'slot':>4}  {'addr':<18}  {'size':>9}  {'node':>4}  {'memdev':<8} "
          f"{'plugged':<7}  last _OST")
    for d in devs:
        o = ost.get(d.get("id"))
        last = ost_name(o["source"], o["status"]) if o and o.get("source") else "-"
        print(f"{d.get('id', '-'):<8} {d['slot']:>4}  {d['addr']:#018x}  {mib(d['size']):>9}  "
              f"{d['node']:>4}  {d['memdev'].rsplit('/', 1)[-1]:<8} "
              f"{'hot' if d['hotplugged'] else 'cold':<7}  {last}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="qmp.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", default=os.environ.get("HOTMM_QMP", DEFAULT_SOCKET),
                    help="QMP socket (default $HOTMM_QMP or build/qmp.sock, make run's)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds to wait for the guest (default 60)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plug", help="hot-add a DIMM of SIZE (e.g. 1G)")
    p.add_argument("size")
    p.add_argument("--node", type=int, help="NUMA node (QEMU's pc-dimm node=)")
    p.add_argument("--id", help="device id (default the first free dimmN)")
    p.add_argument("--addr", type=lambda a: int(a, 0),
                   help="guest physical address (2 MiB aligned; default: QEMU's first fit)")
    p = sub.add_parser("unplug", help="hot-remove the DIMM with this id")
    p.add_argument("id")
    sub.add_parser("list", help="the DIMMs QEMU has")
    args = ap.parse_args(argv)
    if args.cmd == "plug":
        try:
            parse_size(args.size)
        except ValueError as e:
            ap.error(str(e))
    try:
        q = QMP(args.socket, timeout=10.0)
    except OSError as e:
        print(f"qmp.py: cannot connect to {args.socket}: {e.strerror or e} "
              f"(is QEMU running with --qmp? `make run` opens build/qmp.sock)", file=sys.stderr)
        return 1
    try:
        with q:
            return {"plug": cmd_plug, "unplug": cmd_unplug, "list": cmd_list}[args.cmd](q, args)
    except (QMPError, TimeoutError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
