"""Read ``compose.yaml`` without a YAML library (none is installed): the block style it is written in.

Handles what the file uses: nested mappings (``key: value`` / ``key:``), lists (``- item``,
``- key: value`` starting a mapping), flow lists of scalars (``["a", "b"]``), quoted and plain
scalars, comments. Anything else raises, so the test fails loudly rather than misread the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_KEY = re.compile(r"^([A-Za-z0-9_.\-]+):(?:\s+(.*))?$")


def _scalar(text: str):
    text = text.strip()
    if text.startswith("["):
        return json.loads(text)  # the file's flow lists are JSON arrays of strings
    if text[:1] in "\"'":
        if text[0] == '"':
            return json.loads(text)
        if text[-1] != "'":
            raise ValueError(f"unterminated string: {text}")
        return text[1:-1].replace("''", "'")
    if text in ("", "~", "null"):
        return None
    return text


def _strip_comment(line: str) -> str:
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def loads(text: str):
    lines = []
    for raw in text.splitlines():
        line = _strip_comment(raw)
        if line.strip():
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise ValueError(f"tab indentation: {raw!r}")
            lines.append((len(line) - len(line.lstrip(" ")), line.strip()))
    value, end = _block(lines, 0, lines[0][0] if lines else 0)
    if end != len(lines):
        raise ValueError(f"could not read line: {lines[end][1]!r}")
    return value


def _block(lines, i, indent):
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        return _list(lines, i, indent)
    return _mapping(lines, i, indent)


def _mapping(lines, i, indent):
    out = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("-"):
        m = _KEY.match(lines[i][1])
        if not m:
            raise ValueError(f"not a 'key: value' line: {lines[i][1]!r}")
        key, rest = m.group(1), m.group(2)
        i += 1
        if rest is None or rest == "":
            if i < len(lines) and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))):
                out[key], i = _block(lines, i, lines[i][0])
            else:
                out[key] = None
        elif rest[:1] in "|>&*!{":
            raise ValueError(f"YAML feature not handled: {rest!r}")
        else:
            out[key] = _scalar(rest)
    return out, i


def _list(lines, i, indent):
    out = []
    while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
        item = lines[i][1][1:].strip()
        if _KEY.match(item) and item[:1] not in "\"'[":
            # "- key: value" starts a mapping whose further keys sit under the key's column
            sub = [(indent + 2, item)]
            j = i + 1
            while j < len(lines) and lines[j][0] > indent:
                sub.append(lines[j])
                j += 1
            value, end = _mapping(sub, 0, indent + 2)
            if end != len(sub):
                raise ValueError(f"could not read list item at: {sub[end][1]!r}")
            out.append(value)
            i = j
        else:
            out.append(_scalar(item))
            i += 1
    return out, i


def load(path: Path):
    return loads(path.read_text(encoding="utf-8"))
