#!/usr/bin/env python3
"""make_seeds.py -- write the seed corpora of the fuzz targets.

    python3 tests/fuzz/make_seeds.py        (from anywhere; deterministic)

Writes tests/fuzz/corpus/fuzz_mach_msg/seed-* and
tests/fuzz/corpus/fuzz_kmsg_get/seed-*, the seed families of
docs spec mach-ipc.md 9.2: 1 header dispositions, 2 send sizes, 3
descriptor counts, 4 descriptor types, 5 port descriptor names x
dispositions, 9 failure cleanup, 10 circularity, 11 queues (fuzz_mach_msg
only: they need several calls), 14 urefs; plus a few receive-side seeds
(9.1 #14) and the port routines a task reaches through its task port.  Stale seed-* files are removed; other files (saved crash
reproducers) are left alone.

Input formats: fuzz_kmsg_get takes the message bytes; fuzz_mach_msg takes
calls, each a 20-byte header (option, send_size, rcv_size, rcv_name: u32;
msg_len, flags: u16) and the message (see fuzz_mach_msg.c).  Name fields holding 1..15 select a
fixture name (tests/fuzz/fuzz_fixture.h); the fixed names themselves are
used raw in MIG arguments.
"""
import os
import struct
import sys

# --- the fixture (fuzz_fixture.h) --------------------------------------------
R, SO, RX, PS, DN, S2, SU, DP, SELF, T2, STALE, FREE, FAR, SM, SMR = range(1, 16)
RAW = {R: 0x4003, SO: 0x4103, RX: 0x4203, PS: 0x4303, DN: 0x4403, S2: 0x4503, SU: 0x4603,
       DP: 0x4703, T2: 0x4803}
NULL, DEAD = 0, 0xFFFFFFFF
EXTRA = 0x4A03          # a free name a seed may allocate (mach_port_allocate_name)

# --- Mach constants ------------------------------------------------------------
MOVE_RECEIVE, MOVE_SEND, MOVE_SONCE, COPY_SEND, MAKE_SEND, MAKE_SONCE = range(16, 22)
COMPLEX = 0x80000000
PORT, OOL, OOL_PORTS, OOL_VOLATILE, GUARDED = range(5)
SEND_MSG, RCV_MSG, RCV_LARGE, RCV_LARGE_IDENTITY = 0x1, 0x2, 0x4, 0x8
SEND_NOTIFY = 0x80


def trailer(n):
    return (n & 0xF) << 24


NDR = bytes([0, 0, 0, 0, 0, 1, 0, 0])
RCV_BIG = 4096

# --- messages (spec 1.1-1.3) ---------------------------------------------------


def bits(remote, local=0, voucher=0, complex_=False):
    return remote | local << 8 | voucher << 16 | (COMPLEX if complex_ else 0)


def header(b, remote, local=0, voucher=0, msg_id=42):
    return struct.pack("<6I", b, 0, remote, local, voucher, msg_id & 0xFFFFFFFF)


def port_desc(name, disp):
    return struct.pack("<IIHBB", name, 0, 0, disp, PORT)


def desc16(word64, b8, b9, b10, dtype, word32):
    return struct.pack("<QBBBBI", word64, b8, b9, b10, dtype, word32)


def ool_desc(size=0, copy=0, dealloc=0, addr=0, dtype=OOL):
    return desc16(addr, dealloc, copy, 0, dtype, size)


def guarded_desc(name, flags, context=0, disp=MOVE_RECEIVE):
    return struct.pack("<QHBBI", context, flags, disp, GUARDED, name)


def message(remote_disp, remote, local_disp=0, local=0, descs=None, body=b"",
            voucher_disp=0, voucher=0, msg_id=42, count=None):
    """A message; descs (a list, possibly empty) makes it complex."""
    complex_ = descs is not None
    m = header(bits(remote_disp, local_disp, voucher_disp, complex_), remote, local,
               voucher, msg_id)
    if complex_:
        m += struct.pack("<I", len(descs) if count is None else count) + b"".join(descs)
    return m + body


def mig(routine, args, reply_disp=0, reply=0, descs=None, dest=SELF):
    """A MIG request to a task port: NDR then 32-bit arguments."""
    body = NDR + b"".join(struct.pack("<I", a & 0xFFFFFFFF) for a in args)
    return message(COPY_SEND, dest, reply_disp, reply, descs=descs, body=body,
                   msg_id=routine)


# --- mach_msg calls --------------------------------------------------------------


RAW_SIZE, MAY_WAIT, WITH_OOL = 0x1, 0x2, 0x10
NAME2_C, NAME2_E = 0x5003, 0x5103   # task 2's receive rights (behind S2 and SU)


def call(msg, option=SEND_MSG, rcv_size=0, rcv_name=0, send_size=None, thread=0, wait=False,
         ool=False):
    """Threads 0 and 1 are task 1's, 2 task 2's, 3 the small task 3's; wait: the
    call may park; ool: memfds are attached for the OOL regions."""
    flags = ((RAW_SIZE if send_size is not None else 0) | (MAY_WAIT if wait else 0) |
             (WITH_OOL if ool else 0) | thread << 2)
    return struct.pack("<IIIIHH", option, send_size or 0, rcv_size, rcv_name,
                       len(msg), flags) + msg


def send_rcv(msg, rcv_name=R, rcv_size=RCV_BIG, option=0):
    return call(msg, SEND_MSG | RCV_MSG | option, rcv_size, rcv_name)


def rcv(rcv_name=R, rcv_size=RCV_BIG, option=0, **kw):
    return call(b"", RCV_MSG | option, rcv_size, rcv_name, **kw)


def to_r(descs=None, body=b"", **kw):
    """A message to R (MAKE_SEND), received back by the same call."""
    return send_rcv(message(MAKE_SEND, R, descs=descs, body=body), **kw)


# --- seed families -----------------------------------------------------------------

DISPS = [0, 15, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26, 255]


def headers():
    """9.2 #1: header-only messages, (remote, local) dispositions, reply NULL/valid/DEAD."""
    m = message
    return {
        "hdr-copy-send": m(COPY_SEND, S2),
        "hdr-make-send-reply-sonce": m(MAKE_SEND, R, MAKE_SONCE, R),
        "hdr-move-sonce-dest": m(MOVE_SONCE, SO),
        "hdr-reply-dead": m(COPY_SEND, S2, MAKE_SONCE, DEAD),
        "hdr-remote-receive": m(MOVE_RECEIVE, R),
        "hdr-local-receive": m(COPY_SEND, S2, MOVE_RECEIVE, R),
        "hdr-local-0-name": m(COPY_SEND, S2, 0, R),
        "hdr-dest-dead": m(COPY_SEND, DEAD),
        "hdr-dest-dead-name": m(MOVE_SEND, DN),
        "hdr-dest-dead-port": m(COPY_SEND, DP, MAKE_SONCE, R),
        "hdr-dest-pset": m(COPY_SEND, PS),
        "hdr-reply-dead-port": m(COPY_SEND, S2, COPY_SEND, DP),
        "hdr-voucher-name": m(COPY_SEND, S2, voucher_disp=MOVE_SEND, voucher=R),
        "hdr-voucher-raw": struct.pack("<6I", 0x7F00E013, 0, S2, 0, 0x12345678, 1),
    }


def same_name():
    """9.2 #10: dest == reply (or voucher) on one name, urefs 1 (R) and 2 (S2)."""
    out = {}
    for name, n in (("r", R), ("s2", S2)):
        for d, l in ((MOVE_SEND, MOVE_SEND), (MOVE_SEND, COPY_SEND), (MAKE_SEND, MOVE_SONCE)):
            out["same-%s-%d-%d" % (name, d, l)] = message(d, n, l, n)
    out["same-voucher-move-move"] = message(MOVE_SEND, R, voucher_disp=MOVE_SEND, voucher=R)
    out["same-reply-voucher"] = message(COPY_SEND, S2, COPY_SEND, R, voucher_disp=COPY_SEND,
                                        voucher=R)
    return out


def sizes():
    """9.2 #2: send_size 0..29 with and without COMPLEX (bytes of that length)."""
    out = {}
    for s, cx in ((0, 0), (4, 0), (20, 0), (23, 0), (24, 0), (25, 0), (26, 0),
                  (24, 1), (27, 1), (28, 1), (29, 1)):
        full = header(bits(COPY_SEND, complex_=cx), S2) + bytes(8)
        out["size-%d%s" % (s, "-complex" if cx else "")] = full[:s]
    return out


def counts():
    """9.2 #3 and #5 of 9.1: descriptor counts against the bytes there."""
    p = port_desc(S2, COPY_SEND)
    o = ool_desc()
    m = lambda descs, count=None, body=b"": message(COPY_SEND, S2, descs=descs, count=count,
                                                     body=body)
    return {
        "count-0": m([]),
        "count-1": m([p]),
        "count-max-fit": m([p, p, p]),
        "count-max-fit-plus-1": m([p, p, p], count=4),
        "count-ffffffff": m([p, p], count=0xFFFFFFFF),
        "count-mixed-exact": m([p, o, p]),
        "count-mixed-plus-4": m([p, o, p], body=bytes(4)),
        "count-mixed-minus-4": m([p, p, o])[:-4],
        "count-16-at-end-minus-12": m([p, o])[:-12] + bytes(8),
    }


def types():
    """9.2 #4: descriptor type byte 0..6 and 0xff, to a port and to a kernel object."""
    out = {}
    for t in (1, 2, 3, 4, 5, 0xFF):
        d = desc16(0, 0, 0, MOVE_RECEIVE if t == GUARDED else COPY_SEND, t, 0)
        out["type-%d" % t] = message(COPY_SEND, S2, descs=[d])
    for t in (OOL_VOLATILE, GUARDED):
        d = desc16(0, 1, 0, MOVE_RECEIVE, t, RX)
        out["type-%d-kobject" % t] = message(COPY_SEND, SELF, descs=[d], msg_id=3201)
    out["type-ool-copy-2"] = message(COPY_SEND, S2, descs=[ool_desc(16, copy=2)])
    out["type-ool-ports-huge"] = message(COPY_SEND, S2, descs=[
        desc16(0, 0, 0, COPY_SEND, OOL_PORTS, 16384)])
    out["type-guarded-flags-4"] = message(COPY_SEND, S2, descs=[guarded_desc(RX, 4)])
    out["type-guarded-send"] = message(COPY_SEND, S2, descs=[guarded_desc(RX, 1, 0, MOVE_SEND)])
    return out


def port_names():
    """9.2 #5: one port descriptor, names x dispositions; received back from R."""
    names = {"null": NULL, "dead": DEAD, "unknown": FREE, "deadname": DN, "pset": PS,
             "send": S2, "sonce": SO, "receive": RX, "sendrecv": R, "kobject": SELF,
             "deadport": DP, "pegged": SU}
    return {"desc-%s" % k: b"".join(to_r([port_desc(n, d)]) for d in DISPS)
            for k, n in names.items()}


def cleanup():
    """9.2 #9: good descriptors, then a bad one: the good ones are destroyed."""
    good = [port_desc(RX, MOVE_RECEIVE), port_desc(R, MAKE_SONCE), port_desc(SO, MOVE_SONCE)]
    return {
        "cleanup-bad-name": message(COPY_SEND, S2, MAKE_SONCE, R, good + [port_desc(FREE, COPY_SEND)]),
        "cleanup-bad-disp": message(COPY_SEND, S2, MAKE_SONCE, R, good + [port_desc(S2, 22)]),
        "cleanup-bad-right": message(COPY_SEND, S2, MOVE_SEND, S2, good + [port_desc(PS, MOVE_SEND)]),
    }


def circular_one():
    """9.2 #10 (circularity) in one message: a receive right sent to itself."""
    return {
        "circ-self": message(MAKE_SEND, R, descs=[port_desc(R, MOVE_RECEIVE)]),
        "circ-self-sendonce": message(MOVE_SONCE, SO, descs=[port_desc(R, MOVE_RECEIVE)]),
        "circ-self-guarded": message(COPY_SEND, R, descs=[guarded_desc(R, 2)]),
        "circ-other-then-self": message(MAKE_SEND, R, descs=[
            port_desc(RX, MOVE_RECEIVE), port_desc(R, MOVE_RECEIVE)]),
    }


def circular_calls():
    """Cycles of 2 and 3 ports, and a port destroyed into itself."""
    alloc_extra = call(mig(3203, [1, EXTRA]))
    notify_self = call(mig(3213, [RAW[R], 69, 0], descs=[port_desc(R, MAKE_SONCE)]))
    return {
        "circ-2": call(message(MAKE_SEND, RX, descs=[port_desc(R, MOVE_RECEIVE)]))
                  + call(message(COPY_SEND, R, descs=[port_desc(RX, MOVE_RECEIVE)])),
        "circ-3": alloc_extra
                  + call(message(MAKE_SEND, RX, descs=[port_desc(R, MOVE_RECEIVE)]))
                  + call(message(MAKE_SEND, EXTRA, descs=[port_desc(RX, MOVE_RECEIVE)]))
                  + call(message(COPY_SEND, R, descs=[port_desc(EXTRA, MOVE_RECEIVE)])),
        "circ-port-destroyed": notify_self + call(mig(3205, [RAW[R]])),
        "circ-port-destroyed-in-transit": notify_self
                  + call(message(MAKE_SEND, RX, descs=[port_desc(R, MOVE_RECEIVE)]))
                  + call(mig(3205, [RAW[RX]])),
    }


UNREADABLE, NO_MEMORY = 0xffffffffffffffff, 0xfffffffffffffffe


def ool_ports_desc(count, disp, dealloc=0, addr=0):
    return desc16(addr, dealloc, 0, disp, OOL_PORTS, count)


def ool_regions():
    """Issue 3: OOL memory and OOL ports sent by tasks, with their memfds;
    markers for unreadable regions; cleanup and circularity through arrays."""
    def with_ool(msg):
        return call(msg, SEND_MSG | RCV_MSG, RCV_BIG, R, ool=True)
    mem = [ool_desc(size, copy, dealloc) for size in (1, 4095, 4096, 16385, 65536)
           for copy, dealloc in ((0, 0), (1, 1))]
    return {
        "ool-memory": b"".join(with_ool(message(MAKE_SEND, R, descs=[d])) for d in mem),
        "ool-memory-markers": b"".join(with_ool(message(MAKE_SEND, R, MAKE_SONCE, R,
                                  descs=[ool_desc(64, 1, 0, addr)]))
                                  for addr in (UNREADABLE, NO_MEMORY, 0x1234)),
        "ool-memory-offsets": b"".join(with_ool(message(MAKE_SEND, R, descs=[ool_desc(20000, 1, 0, off)]))
                                  for off in (1, 100, 4095, 4096)),
        "ool-ports": b"".join(with_ool(message(MAKE_SEND, R, descs=[ool_ports_desc(n, d)]))
                              for n in (1, 3, 15) for d in (COPY_SEND, MAKE_SEND, MAKE_SONCE,
                                                          MOVE_SEND, MOVE_RECEIVE, 22)),
        "ool-cleanup": with_ool(message(COPY_SEND, S2, MAKE_SONCE, R, [
            port_desc(RX, MOVE_RECEIVE), ool_desc(4096, 1, 1), ool_ports_desc(4, COPY_SEND),
            ool_desc(64, 1, 0, UNREADABLE)])),
        "ool-circular": with_ool(message(MAKE_SEND, RX, descs=[ool_ports_desc(15, MOVE_RECEIVE)])),
        "ool-pseudo": set_qlimit(0) + call(message(MAKE_SEND, R, descs=[
            ool_desc(4096, 1, 0), ool_ports_desc(3, MAKE_SEND)]), ool=True),
    }


def set_qlimit(q):
    return call(mig(3218, [RAW[R], 1, 1, q]))


def queues():
    """9.2 #11: qlimits, a full queue (pseudo-receive), send-once and kernel bypass."""
    fill = b"".join(call(message(MAKE_SEND, R, msg_id=i)) for i in range(5))
    seq = trailer(1)
    return {
        "queue-full": fill + call(message(MAKE_SEND, R, MAKE_SONCE, R,
                                          [port_desc(RX, MOVE_RECEIVE)]))
                      + call(message(MOVE_SONCE, SO)) + rcv(option=seq) + rcv(option=seq),
        "queue-full-kernel-reply": fill + call(mig(3201, [RAW[R]], MAKE_SONCE, R))
                      + rcv(option=trailer(4)),
        "queue-qlimit-0": set_qlimit(0) + call(message(MAKE_SEND, R, MOVE_SEND, S2,
                      [port_desc(S2, COPY_SEND), port_desc(R, MAKE_SONCE)], body=bytes(8))),
        "queue-qlimit-1": set_qlimit(1) + call(message(MAKE_SEND, R)) + call(message(MAKE_SEND, R))
                      + rcv(option=seq),
        "queue-qlimit-1024": set_qlimit(1024) + fill + fill + rcv(rcv_name=PS) + rcv(),
        "queue-qlimit-1025": set_qlimit(1025),
        "queue-other-task": b"".join(call(message(COPY_SEND, S2, MAKE_SONCE, R)) for _ in range(6)),
    }


def urefs():
    """9.2 #14: a send entry at 65534 (SU) driven to 65535 and beyond."""
    su = RAW[SU]
    mod = lambda delta: call(mig(3208, [su, 0, delta], MAKE_SONCE, R))
    return {
        "uref-copyout-pegs": to_r([port_desc(SU, COPY_SEND), port_desc(SU, COPY_SEND)])
                             + call(message(MOVE_SEND, SU)) + mod(-1)
                             + call(mig(3207, [su, 0], MAKE_SONCE, R)) + rcv() + rcv(),
        "uref-mod-refs": mod(1) + mod(-1) + mod(-65535) + rcv() + rcv() + rcv(),
        "uref-mod-refs-range": mod(65536) + mod(-65536) + mod(-65534) + rcv(),
        "uref-move-last": call(message(MOVE_SEND, S2)) + call(message(MOVE_SEND, S2))
                          + call(message(MOVE_SEND, S2)),
        "uref-dead-name-move": to_r([port_desc(DN, MOVE_SEND), port_desc(DN, COPY_SEND)]),
    }


def receives():
    """Receive side (9.1 #14): sizes, RCV_LARGE, sets, trailers."""
    sizes_ = (0, 4, 8, 12, 16, 23, 24, 31, 32, 59)
    out = {"rcv-sizes": b"".join(call(message(MAKE_SEND, R, MAKE_SONCE, R), SEND_MSG | RCV_MSG,
                                      size, R) for size in sizes_)}
    out["rcv-large"] = call(message(MAKE_SEND, R), SEND_MSG | RCV_MSG | RCV_LARGE, 16, R) + rcv()
    out["rcv-large-identity-set"] = (call(message(MAKE_SEND, RX), SEND_MSG)
                                     + rcv(PS, 16, RCV_LARGE | RCV_LARGE_IDENTITY) + rcv(PS))
    out["rcv-trailers"] = b"".join(to_r(option=trailer(t)) for t in range(16))
    out["rcv-empty"] = rcv() + rcv(PS) + rcv(S2) + rcv(DN) + rcv(NULL)
    out["rcv-mig-reply"] = call(mig(3204, [1], MAKE_SONCE, R), SEND_MSG | RCV_MSG, RCV_BIG, R)
    out["rcv-notify-option"] = call(message(COPY_SEND, S2), SEND_MSG | SEND_NOTIFY)
    return out


def mig_routines():
    """The port routines a task reaches through its task port, on the fixture names
    (replies go to R, received at the end)."""
    names = [RAW[k] for k in (SO, RX, PS, DN, S2, SU, DP, T2)] + [NULL, DEAD, RAW[R]]
    q = lambda routine, args, descs=None: call(mig(routine, args, MAKE_SONCE, R, descs))
    drain = rcv() + rcv() + rcv()
    per_name = lambda routine, *rest: b"".join(q(routine, [n] + list(rest)) for n in names)
    so_r = [port_desc(R, MAKE_SONCE)]
    return {
        "mig-type-refs": per_name(3201) + per_name(3207, 0) + drain,
        "mig-deallocate": per_name(3206) + drain,
        "mig-destroy": per_name(3205) + drain,
        "mig-mod-refs": b"".join(q(3208, [n, r, d]) for n in names for r, d in
                                 ((1, -1), (4, -1), (2, -1))) + drain,
        "mig-names-set-status": q(3200, []) + q(3211, [RAW[PS]]) + drain,
        "mig-notify-dead-name": q(3213, [RAW[S2], 72, 0], so_r) + q(3213, [RAW[DP], 72, 0], so_r)
                                + q(3213, [RAW[DN], 66, 1], so_r) + q(3206, [RAW[S2]])
                                + q(3206, [RAW[S2]]) + drain,
        "mig-notify-no-senders": q(3213, [RAW[R], 70, 0], [port_desc(SO, MOVE_SONCE)])
                                 + call(message(MOVE_SEND, R)) + drain + drain,
        "mig-notify-send-possible": q(3213, [RAW[S2], 66, 1], so_r) + q(3218, [RAW[R], 1, 1, 0])
                                    + q(3213, [RAW[R], 66, 1], so_r) + drain,
        "mig-insert-extract": q(3214, [0x4B03], [port_desc(RX, MAKE_SEND)])
                              + q(3214, [RAW[R]], [port_desc(R, MAKE_SEND)])
                              + q(3215, [RAW[RX], MOVE_RECEIVE]) + q(3215, [RAW[SO], MOVE_SONCE])
                              + drain + drain,
        "mig-members": q(3212, [RAW[R], RAW[PS]]) + q(3226, [RAW[RX], RAW[PS]])
                       + q(3227, [RAW[RX], RAW[PS]]) + q(3212, [RAW[R], 0]) + drain + drain,
        "mig-guard-context": q(3229, [RAW[R], 7, 0]) + q(3233, [RAW[R], 9, 0, 1])
                             + q(3233, [RAW[RX], 9, 0, 1]) + q(3228, [RAW[RX]])
                             + q(3234, [RAW[RX], 9, 0]) + q(3232, [RAW[R], -1, 9, 0])
                             + drain + drain,
        "mig-peek-seqno": call(message(MAKE_SEND, R)) + q(3209, [RAW[R], trailer(3), 0, 64])
                          + q(3216, [RAW[R], 5]) + q(3210, [RAW[R], 3]) + q(3217, [RAW[R], 2, 10])
                          + drain + drain,
        "mig-other-task": call(mig(3204, [1], MAKE_SONCE, R, dest=T2))
                          + call(mig(3418, [0, 1], MAKE_SONCE, R)) + call(mig(3409, [4], MAKE_SONCE, R))
                          + call(mig(3410, [4], MAKE_SONCE, R, [port_desc(S2, COPY_SEND)]))
                          + drain + drain,
    }


def waits():
    """9.1 #9: threads parked in receive and send, woken by messages, by room in the
    queue, by port death and set changes, or interrupted at the end of the input."""
    fill = b"".join(call(message(MAKE_SEND, R, msg_id=i)) for i in range(5))
    park_rcv = lambda name, thread=1, **kw: rcv(name, thread=thread, wait=True, **kw)
    blocked_send = call(message(MAKE_SEND, R, MAKE_SONCE, R, [port_desc(S2, COPY_SEND)]),
                        thread=1, wait=True)
    return {
        "wait-rcv-woken": park_rcv(R) + call(message(MAKE_SEND, R, descs=[port_desc(RX, MAKE_SEND)])),
        "wait-rcv-too-large": park_rcv(R, rcv_size=24, option=RCV_LARGE)
                              + call(message(MAKE_SEND, R, body=bytes(64))) + rcv(),
        "wait-rcv-set": park_rcv(PS) + call(message(MAKE_SEND, RX)),
        "wait-rcv-port-dies": park_rcv(RX) + call(mig(3205, [RAW[RX]])),
        "wait-rcv-moved": park_rcv(RX) + call(message(COPY_SEND, S2, descs=[port_desc(RX, MOVE_RECEIVE)])),
        "wait-rcv-set-destroyed": park_rcv(PS) + call(mig(3206, [RAW[PS]])),
        "wait-rcv-interrupted": park_rcv(R) + park_rcv(PS, thread=0) + park_rcv(NAME2_C, thread=2),
        "wait-send-room": fill + blocked_send + rcv() + rcv(),
        "wait-send-qlimit-raised": fill + blocked_send + call(mig(3218, [RAW[R], 1, 1, 10])),
        "wait-send-port-dies": fill + blocked_send + call(mig(3205, [RAW[R]])),
        "wait-send-interrupted": fill + blocked_send,
        "wait-send-rcv": fill + call(message(MAKE_SEND, R), SEND_MSG | RCV_MSG, RCV_BIG, R,
                                     thread=1, wait=True) + rcv() + rcv(),
        "task2-receive": call(message(COPY_SEND, S2, MAKE_SONCE, R,
                                      [port_desc(R, MAKE_SEND), port_desc(RX, MOVE_RECEIVE)]))
                         + rcv(NAME2_C, thread=2) + rcv(R),
        "task2-wait": rcv(NAME2_E, thread=2, wait=True) + call(message(MOVE_SEND, SU))
                      + call(message(COPY_SEND, SU), thread=2),
    }


def small_task():
    """9.2 #12: a receiver whose space fills up (spec 6.6: header and body errors)."""
    rights = [port_desc(R, MAKE_SEND), port_desc(RX, MAKE_SEND), port_desc(S2, COPY_SEND),
              port_desc(R, MAKE_SONCE)]
    to_small = lambda descs=None, reply=MAKE_SONCE: call(message(COPY_SEND, SM, reply, R, descs))
    return {
        "small-body-error": to_small(rights) + rcv(SMR, thread=3) + rcv(),
        "small-header-error": to_small(rights[:2]) + to_small([]) + rcv(SMR, thread=3)
                              + rcv(SMR, thread=3) + rcv() + rcv(),
        "small-too-large": to_small(rights) + rcv(SMR, 24, thread=3) + rcv(),
        "small-pseudo-receive": b"".join(call(message(MAKE_SEND, SMR), thread=3) for _ in range(5))
                                + call(message(MAKE_SEND, SMR, MAKE_SONCE, SMR,
                                               [port_desc(SMR, MAKE_SONCE)] * 3), thread=3),
    }


def raw_sizes():
    """9.2 #2 sizes no input can carry: send_size passed as given."""
    m = message(COPY_SEND, S2)
    return {"size-raw-%d" % s: call(m, send_size=s) for s in (50331580, 50331584, 0xFFFFFFFF, 28)}


# --- the two corpora ------------------------------------------------------------------


def single_messages():
    out = {}
    for family in (headers, same_name, sizes, counts, types, cleanup, circular_one):
        out.update(family())
    return out


def corpus_kmsg_get():
    out = single_messages()
    out["uref-copy-pegged"] = message(MAKE_SEND, R, descs=[port_desc(SU, COPY_SEND)] * 3)
    return out


def packed(prefix, seeds, per=6):
    """Several single messages as consecutive calls, each received back from R."""
    keys = sorted(seeds)
    return {"%s-%d" % (prefix, i // per + 1): b"".join(send_rcv(seeds[k]) for k in keys[i:i + per])
            for i in range(0, len(keys), per)}


def corpus_mach_msg():
    out = {}
    for prefix, family in (("hdr", headers), ("same", same_name), ("count", counts),
                           ("type", types), ("size", sizes)):
        out.update(packed(prefix, family()))
    for k, v in dict(cleanup(), **circular_one()).items():
        out[k] = send_rcv(v)
    for family in (port_names, circular_calls, queues, urefs, receives, raw_sizes, mig_routines,
                   waits, small_task, ool_regions):
        out.update(family())
    return out


def write_corpus(root, name, seeds):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if old.startswith("seed-") and old[5:] not in seeds:
            os.remove(os.path.join(d, old))
    for k, v in sorted(seeds.items()):
        with open(os.path.join(d, "seed-" + k), "wb") as f:
            f.write(v)
    print("%s: %d seeds" % (d, len(seeds)))


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    write_corpus(root, "fuzz_mach_msg", corpus_mach_msg())
    write_corpus(root, "fuzz_kmsg_get", corpus_kmsg_get())
    return 0


if __name__ == "__main__":
    sys.exit(main())
