#!/usr/bin/env python3
"""make_fixtures.py -- write the plist fixtures of test_plist_binary.c.

    python3 tests/launchd/data/make_fixtures.py     (from anywhere)

Python's plistlib is the independent writer: each fixture is written once
as XML and once as a binary plist, and the tests check that both read to
the same tree with the values below.  The output is deterministic; the
tests never need Python.
"""
import datetime
import os
import plistlib

HERE = os.path.dirname(os.path.abspath(__file__))

TYPES = {
    "ascii": "hello",
    "empty": "",
    "long": "a string longer than fifteen characters",
    "unicode": "caf\u00e9 \u2603 \U0001F600",
    "int0": 0,
    "int255": 255,
    "int256": 256,
    "int65536": 65536,
    "int2p32": 2**32,
    "neg1": -1,
    "int64min": -2**63,
    "int64max": 2**63 - 1,
    "uint64max": 2**64 - 1,
    "int2p63": 2**63,
    "real": 3.5,
    "negreal": -0.25,
    "yes": True,
    "no": False,
    "data": b"\x00\x01\x02\xff",
    "bigdata": bytes(range(40)),
    "nodata": b"",
    "date": datetime.datetime(2001, 1, 2, 0, 0, 1),
    "olddate": datetime.datetime(1970, 1, 1, 0, 0, 0),
    "array": [1, "two", [3]],
    "emptyarray": [],
    "emptydict": {},
    "nested": {"a": {"b": {"c": "d"}}},
}

DEMO = {
    "Label": "com.example.demo",
    "ProgramArguments": ["/usr/local/libexec/demo-server", "--verbose"],
    "MachServices": {"com.example.demo": True,
                     "com.example.demo.reset": {"ResetAtClose": True}},
    "KeepAlive": {"SuccessfulExit": False},
    "ThrottleInterval": 10,
    "StandardErrorPath": "/tmp/demo.err",
    "EnvironmentVariables": {"LANG": "C", "DEMO": "1"},
}

# More than 255 objects (2-byte references) and counts above 14 (the
# length follows the marker as an integer object).
MANY = {
    "strings": ["s%03d" % i for i in range(300)],
    "dict": {"k%02d" % i: i for i in range(20)},
}


def write(name, value):
    for fmt, ext in ((plistlib.FMT_XML, "plist"), (plistlib.FMT_BINARY, "bplist")):
        with open(os.path.join(HERE, name + "." + ext), "wb") as f:
            f.write(plistlib.dumps(value, fmt=fmt))


if __name__ == "__main__":
    write("types", TYPES)
    write("demo", DEMO)
    write("many", MANY)
