"""The JSON depth scanner (geo.safejson): exact against a character-by-character reference, across
block boundaries, with strings and escapes, and in bounded memory on hostile files."""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest

import geo.safejson as safejson
from geo.safejson import JsonTooDeepError, check_json_depth, json_depth, load_json_file, loads_json


def _reference(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _random_value(rng: random.Random, level: int = 0):
    pick = rng.random()
    if level > 7 or pick < 0.3:
        return rng.choice(["a[b", 'q"[', "x\\", "}{", 1, 2.5, None, '\\"[[', "", "]]]", "\\\\"])
    if pick < 0.65:
        return [_random_value(rng, level + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["k[", 'k"{', "k\\"]) + str(i): _random_value(rng, level + 1) for i in range(rng.randint(0, 3))}


def test_depth_matches_the_reference_for_any_block_size(monkeypatch):
    rng = random.Random(17)
    for _ in range(1500):
        text = json.dumps(_random_value(rng))
        monkeypatch.setattr(safejson, "_BLOCK", rng.randint(1, 16))
        assert json_depth(text) == _reference(text), text


def test_escaped_quote_and_backslash_runs_split_across_blocks(monkeypatch):
    text = '["' + "\\\\" * 7 + '\\"' + "[" * 80 + '", [[1]]]'
    assert _reference(text) == 3
    for block in range(1, 25):
        monkeypatch.setattr(safejson, "_BLOCK", block)
        assert json_depth(text) == 3, block


def test_limits_and_messages(tmp_path):
    ok = tmp_path / "ok.geojson"
    ok.write_text(json.dumps({"type": "FeatureCollection", "features": [{"note": "[" * 1000}]}), encoding="utf-8")
    check_json_depth(ok)
    assert load_json_file(ok)["type"] == "FeatureCollection"
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 65 + "]" * 65, encoding="utf-8")
    with pytest.raises(JsonTooDeepError, match=r"deep\.json: the JSON is nested more than 64 levels"):
        check_json_depth(deep)
    with pytest.raises(JsonTooDeepError):
        load_json_file(deep)
    assert loads_json("[" * 64 + "]" * 64, "x") is not None
    with pytest.raises(ValueError, match="nested"):
        loads_json("{" * 65, "cell")


def test_a_file_of_nothing_but_brackets_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "brackets.json"
    with open(path, "wb") as handle:
        for _ in range(30):
            handle.write(b"[" * (1 << 20))
    tracemalloc.start()
    with pytest.raises(JsonTooDeepError):
        check_json_depth(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200 << 20, f"peak {peak / 1e6:.0f} MB"
