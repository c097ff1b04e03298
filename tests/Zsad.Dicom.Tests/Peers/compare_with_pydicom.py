#!/usr/bin/python3
"""Compares Zsad's DICOM JSON of a file with what pydicom reads from the same file.

usage: compare_with_pydicom.py FILE ZSAD_JSON
Exit 0 when every element agrees; otherwise prints each difference and exits 1.
Normalisations, each a real equivalence rather than a tolerance:
- numbers compare as floats (DS "1.50" == 1.5);
- an empty string and null are the same empty value (PS3.18 F.2.5);
- ambiguous dictionary VRs (OB/OW, US/SS) read from Implicit VR may be named either way;
- pydicom keeps big-endian bytes of OW/OF/OL/OD/OV as read; DICOM JSON InlineBinary is little endian.
"""
import base64
import json
import sys

import pydicom

SWAP_UNIT = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}
AMBIGUOUS = [{"OB", "OW"}, {"US", "SS"}, {"US", "OW"}, {"SS", "OW"}]


def pydicom_json(path):
    ds = pydicom.dcmread(path, force=False)
    big = not ds.is_little_endian
    result = ds.to_json_dict(bulk_data_threshold=1 << 62)
    if big:
        swap_big_endian(result)
    return result


def swap_big_endian(obj):
    for value in obj.values():
        unit = SWAP_UNIT.get(value.get("vr"))
        if unit and "InlineBinary" in value:
            raw = bytearray(base64.b64decode(value["InlineBinary"]))
            for i in range(0, len(raw) - unit + 1, unit):
                raw[i:i + unit] = raw[i:i + unit][::-1]
            value["InlineBinary"] = base64.b64encode(bytes(raw)).decode()
        for item in value.get("Value", []) if value.get("vr") == "SQ" else []:
            swap_big_endian(item)


def same_scalar(a, b):
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    if isinstance(a, dict) and isinstance(b, dict):  # PN
        keys = set(a) | set(b)
        return all((a.get(k) or "") == (b.get(k) or "") for k in keys)
    return a == b


def compare(expected, actual, path, problems):
    for tag in sorted(set(expected) | set(actual)):
        where = f"{path}{tag}"
        if tag not in actual:
            problems.append(f"{where}: missing in Zsad (pydicom: {expected[tag]})")
            continue
        if tag not in expected:
            problems.append(f"{where}: only in Zsad ({actual[tag]})")
            continue
        e, a = expected[tag], actual[tag]
        if e["vr"] != a["vr"] and {e["vr"], a["vr"]} not in AMBIGUOUS:
            problems.append(f"{where}: VR pydicom {e['vr']} vs Zsad {a['vr']}")
        if "InlineBinary" in e or "InlineBinary" in a:
            if e.get("InlineBinary") != a.get("InlineBinary"):
                problems.append(f"{where}: binary value differs")
            continue
        ev, av = e.get("Value", []), a.get("Value", [])
        if e["vr"] == "SQ":
            if len(ev) != len(av):
                problems.append(f"{where}: {len(ev)} items vs {len(av)}")
                continue
            for i, (ei, ai) in enumerate(zip(ev, av)):
                compare(ei, ai, f"{where}[{i}].", problems)
            continue
        if len(ev) != len(av) or not all(same_scalar(x, y) for x, y in zip(ev, av)):
            if not (all(x in ("", None) for x in ev) and all(y in ("", None) for y in av)):
                problems.append(f"{where}: pydicom {ev} vs Zsad {av}")


def main():
    expected = pydicom_json(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        actual = json.load(f)
    problems = []
    compare(expected, actual, "", problems)
    for p in problems:
        print(p)
    print(f"{len(expected)} top-level elements compared, {len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
