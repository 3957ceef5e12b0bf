#!/usr/bin/env python3
"""make_plist_seeds.py -- write the seed corpora of the plist fuzz targets.

    python3 tests/fuzz/make_plist_seeds.py      (from anywhere; deterministic)

Writes tests/fuzz/corpus/fuzz_plist_xml/seed-* and
tests/fuzz/corpus/fuzz_plist_binary/seed-*: valid plists (launchd jobs and
every value type, the binary ones written by Python's plistlib) and
malformed ones, one family per check of the readers (docs/plist.md).
Stale seed-* files are removed; other files (saved crash reproducers) are
left alone.
"""
import datetime
import os
import plistlib
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))
XML_DIR = os.path.join(ROOT, "corpus", "fuzz_plist_xml")
BIN_DIR = os.path.join(ROOT, "corpus", "fuzz_plist_binary")

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
        '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n')

DEMO = {
    "Label": "com.example.demo",
    "ProgramArguments": ["/usr/local/libexec/demo-server", "--verbose"],
    "MachServices": {"com.example.demo": True,
                     "com.example.reset": {"ResetAtClose": True, "HideUntilCheckIn": True},
                     "com.example.off": False},
    "KeepAlive": {"SuccessfulExit": False, "Crashed": True, "NetworkState": True},
    "RunAtLoad": True,
    "OnDemand": False,
    "ThrottleInterval": 10,
    "ExitTimeOut": 0,
    "EnvironmentVariables": {"LANG": "C", "PATH": "/bin"},
    "WorkingDirectory": "/tmp",
    "StandardInPath": "/dev/null",
    "StandardOutPath": "/tmp/out",
    "StandardErrorPath": "/tmp/err",
    "Umask": "022",
    "Disabled": False,
    "AbandonProcessGroup": True,
    "StartInterval": 60,
    "keepalive": True,
    "Unknown": [1, 2.5, b"x"],
}

TYPES = {
    "s": "hello", "u": "caf\u00e9 \U0001F600", "e": "", "i": -1, "big": 2**64 - 1,
    "min": -2**63, "r": 3.5, "t": True, "f": False, "d": b"\x00\xff" * 10,
    "date": datetime.datetime(2001, 1, 2, 3, 4, 5), "a": [[], {}, [[1]]],
    "long": "x" * 40,
}


def xml_seeds():
    s = {}
    s["demo"] = plistlib.dumps(DEMO, fmt=plistlib.FMT_XML)
    s["types"] = plistlib.dumps(TYPES, fmt=plistlib.FMT_XML)
    s["minimal"] = (HEAD + '<plist version="1.0"><dict><key>Label</key><string>a</string>'
                    '<key>Program</key><string>/bin/true</string></dict></plist>\n').encode()
    s["no-wrapper"] = b"<dict><key>Label</key><string>a</string></dict>"
    s["comments-pi"] = (b"<?xml version='1.0'?><!-- a --><plist><?pi x?><dict><!-- b -->"
                        b"<key>k</key><!-- c --><true/></dict></plist><!-- d -->")
    s["trailing-garbage"] = b"<plist><true/></plist>junk <<< &&&"
    s["cdata-entities"] = (b"<plist><string>&lt;&amp;&#65;&#x263A;<![CDATA[<x>]]>"
                           b"</string></plist>")
    s["integers"] = (b"<plist><array><integer>0x7fffffffffffffff</integer>"
                     b"<integer>-9223372036854775808</integer>"
                     b"<integer>18446744073709551615</integer><integer> +0X1f</integer>"
                     b"</array></plist>")
    s["reals"] = (b"<plist><array><real>nan</real><real>-Infinity</real><real>.5e-3</real>"
                  b"</real></array></plist>")
    s["data-date"] = (b"<plist><array><data>\n aGVs\n bG8=\n</data>"
                      b"<date>2001-01-01T00:00:00Z</date></array></plist>")
    s["utf16"] = "\ufeff<plist><string>\u00e9</string></plist>".encode("utf-16-le")
    s["utf16-nobom"] = "<plist><string>\u00e9</string></plist>".encode("utf-16-be")
    s["latin1"] = b"<?xml version='1.0' encoding='ISO-8859-1'?><string>caf\xe9</string>"
    s["deep-128"] = b"<array>" * 128 + b"<true/>" + b"</array>" * 128
    s["deep-129"] = b"<array>" * 129 + b"<true/>" + b"</array>" * 129
    s["deep-300"] = b"<array>" * 300 + b"</array>" * 300
    s["dup-keys"] = (b"<dict><key>Label</key><string>a</string><key>Label</key>"
                     b"<string>b</string><key>Program</key><string>/x</string></dict>")
    # malformed
    s["empty-plist"] = b"<plist></plist>"
    s["two-objects"] = b"<plist><true/><false/></plist>"
    s["unknown-tag"] = b"<plist><foo/></plist>"
    s["mismatch"] = b"<plist><dict>\n</array></plist>"
    s["unclosed"] = b"<plist><dict><key>a</key>"
    s["non-key"] = b"<plist><dict><string>a</string></dict></plist>"
    s["value-missing"] = b"<plist><dict><key>a</key></dict></plist>"
    s["bad-integer"] = b"<plist><integer>12abc</integer></plist>"
    s["overflow"] = b"<plist><integer>18446744073709551616</integer></plist>"
    s["bad-real"] = b"<plist><real>1.5 </real></plist>"
    s["bad-date"] = b"<plist><date>2001-13-01T00:00:00</date></plist>"
    s["bad-data"] = b"<plist><data>a===</data></plist>"
    s["nonempty-true"] = b"<plist><true>yes</true></plist>"
    s["entity"] = b"<plist><string>&bogus;</string></plist>"
    s["xxe"] = (b'<!DOCTYPE plist [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<plist><string>&x;</string></plist>")
    s["laughs"] = (b'<!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa">'
                   b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                   b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                   b"<plist><string>&c;</string></plist>")
    s["bad-encoding"] = b'<?xml version="1.0" encoding="bogus"?><plist/>'
    s["bad-utf8"] = b"<plist><string>\xff\xfe</string></plist>"
    s["json"] = b'{"Label": "x"}'
    s["openstep"] = b"{ Label = x; }"
    s["job-errors"] = (b"<plist><dict><key>Label</key><string>com.apple.launchd.x</string>"
                       b"<key>Umask</key><string>0x9999</string></dict></plist>")
    s["job-types"] = (b"<plist><dict><key>Label</key><string>a</string><key>Program</key>"
                      b"<string>/x</string><key>MachServices</key><dict><key>" + b"n" * 130 +
                      b"</key><true/></dict></dict></plist>")
    return s


# --- binary: plistlib, and an assembler for what plistlib never writes -------

def assemble(objects, top=0, offset_size=1, ref_size=1, table=None, nobjects=None):
    """objects: list of bytes; returns a complete bplist00 file."""
    out = bytearray(b"bplist00")
    offsets = []
    for o in objects:
        offsets.append(len(out))
        out += o
    table_at = len(out) if table is None else table
    for off in offsets:
        out += off.to_bytes(8, "big")[8 - offset_size:]
    out += bytes(6) + bytes([offset_size, ref_size])
    out += struct.pack(">QQQ", len(objects) if nobjects is None else nobjects, top, table_at)
    return bytes(out)


def bin_seeds():
    s = {}
    s["demo"] = plistlib.dumps(DEMO, fmt=plistlib.FMT_BINARY)
    s["types"] = plistlib.dumps(TYPES, fmt=plistlib.FMT_BINARY)
    s["many"] = plistlib.dumps({"k%03d" % i: "v%03d" % i for i in range(300)},
                               fmt=plistlib.FMT_BINARY)
    s["minimal-job"] = plistlib.dumps({"Label": "a", "Program": "/bin/true"},
                                      fmt=plistlib.FMT_BINARY)
    s["bool"] = assemble([b"\x09"])
    s["int128"] = assemble([b"\x14" + bytes(8) + b"\xff" * 8])
    s["int128-neg"] = assemble([b"\x14" + b"\xff" * 8 + b"\x80" + bytes(7)])
    s["int128-range"] = assemble([b"\x14" + bytes(7) + b"\x01" + bytes(8)])
    s["float32"] = assemble([b"\x22\x3f\xc0\x00\x00"])
    s["date"] = assemble([b"\x33" + struct.pack(">d", 86401.0)])
    s["long-data"] = assemble([b"\x4f\x10\x14" + bytes(20)])
    s["utf16"] = assemble([b"\x64\x00\xe9\xd8\x3d\xde\x00\xff\xff"])
    s["lone-surrogate"] = assemble([b"\x61\xd8\x3d"])
    s["ascii-high"] = assemble([b"\x52\xc3\xa9"])
    s["null"] = assemble([b"\x00"])
    s["fill"] = assemble([b"\x0f"])
    s["uid"] = assemble([b"\x80\x01"])
    s["set"] = assemble([b"\xc1\x01", b"\x09"])
    s["dict-int-key"] = assemble([b"\xd1\x01\x01", b"\x10\x01"])
    s["dict-self-key"] = assemble([b"\xd1\x00\x00"])
    s["dict-nul-key"] = assemble([b"\xd1\x01\x01", b"\x53a\x00b"])
    s["cycle-self"] = assemble([b"\xa1\x00"])
    s["cycle-two"] = assemble([b"\xa1\x01", b"\xa2\x02\x00", b"\x09"])
    s["shared-dag"] = assemble([bytes([0xa2, i + 1, i + 1]) for i in range(30)] + [b"\x09"])
    s["deep"] = assemble([bytes([0xa1]) + (i + 1).to_bytes(2, "big") for i in range(140)] +
                         [b"\x09"], offset_size=2, ref_size=2)
    s["huge-count"] = assemble([b"\xaf\x13" + b"\xff" * 8])
    s["huge-dict"] = assemble([b"\xdf\x13\x7f" + b"\xff" * 7])
    s["ref-range"] = assemble([b"\xa1\x05"])
    s["bad-offset"] = assemble([b"\x09", b"\x08"])[:-32 - 1] + b"\x03" + \
        assemble([b"\x09", b"\x08"])[-32:]
    s["bad-trailer-top"] = assemble([b"\x09"], top=5)
    s["bad-trailer-sizes"] = assemble([b"\x09"], offset_size=1, ref_size=0)
    s["bad-trailer-count"] = assemble([b"\x09"], nobjects=2**64 - 1)
    s["bad-trailer-table"] = assemble([b"\x09"], table=2**64 - 1)
    s["version-15"] = b"bplist15" + assemble([b"\x09"])[8:]
    s["truncated"] = plistlib.dumps(TYPES, fmt=plistlib.FMT_BINARY)[:-7]
    s["too-short"] = b"bplist00\x09"
    s["not-bplist"] = b"<plist><true/></plist>"
    s["job-nul"] = assemble([b"\xd2\x01\x02\x03\x04", b"\x55Label", b"\x57Program",
                             b"\x53a\x00b", b"\x52/x"])
    return s


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.startswith("seed-"):
            os.remove(os.path.join(directory, name))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write(XML_DIR, xml_seeds())
    write(BIN_DIR, bin_seeds())
