#!/usr/bin/env python3
"""Summarise a compare.sh directory: for each benchmark and parameter set, the median score of jar A and of jar B over
the rounds, and the ratio B / A (above 1 means B scores higher: faster for throughput, slower for time per op).
For SampleTime benchmarks a round gives three rows: its p50, as the suite's latency targets are, then its p90 and
p99, where a change to the cache misses of part of the queries shows when the median query does not move. Their mean
is not shown: it carries the rare long samples (a collection, a fault: p99.9 of 15-28 us against p50s of 170-330 ns in
session 16's query runs), so one round's mean can move by more than the change being judged.

Usage: compare.py OUTDIR   (reads OUTDIR/<round>-A.json and OUTDIR/<round>-B.json, JMH's JSON result format)
"""
import glob
import json
import os
import re
import statistics
import sys

SAMPLE_PERCENTILES = (("p50", "50.0"), ("p90", "90.0"), ("p99", "99.0"))


def load(directory):
    scores = {}
    units = {}
    for path in sorted(glob.glob(os.path.join(directory, "*-[AB].json"))):
        match = re.fullmatch(r"(\d+)-([AB])\.json", os.path.basename(path))
        if not match:
            continue
        label = match.group(2)
        with open(path) as f:
            text = f.read().strip()
        if not text:
            raise SystemExit(f"{path}: empty (did that run fail? see console.log)")
        for result in json.loads(text):
            params = result.get("params") or {}
            key = (result["benchmark"].split(".")[-2] + "." + result["benchmark"].split(".")[-1],
                   ", ".join(f"{k}={v}" for k, v in sorted(params.items())), result["mode"])
            metric = result["primaryMetric"]
            if result["mode"] == "sample":
                # the p50 as the targets take it, and the tail a change to the misses of some queries moves
                for name, percentile in SAMPLE_PERCENTILES:
                    sample_key = key[:2] + (f"sample {name}",)
                    scores.setdefault(sample_key, {"A": [], "B": []})[label].append(
                        metric["scorePercentiles"][percentile])
                    units[sample_key] = metric["scoreUnit"]
                continue
            scores.setdefault(key, {"A": [], "B": []})[label].append(metric["score"])
            units[key] = metric["scoreUnit"]
    return scores, units


def fmt(value):
    return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    scores, units = load(sys.argv[1])
    if not scores:
        raise SystemExit(f"no results in {sys.argv[1]}")
    print("| benchmark | params | mode | A (median of rounds) | B (median of rounds) | B / A | unit |")
    print("| --- | --- | --- | ---: | ---: | ---: | --- |")
    for key in sorted(scores):
        a, b = scores[key]["A"], scores[key]["B"]
        if not a or not b:
            ratio = "n/a"
            med_a = fmt(statistics.median(a)) if a else "-"
            med_b = fmt(statistics.median(b)) if b else "-"
        else:
            ratio = f"{statistics.median(b) / statistics.median(a):.2f}"
            med_a = f"{fmt(statistics.median(a))} ({', '.join(fmt(x) for x in a)})"
            med_b = f"{fmt(statistics.median(b))} ({', '.join(fmt(x) for x in b)})"
        print(f"| {key[0]} | {key[1]} | {key[2]} | {med_a} | {med_b} | {ratio} | {units[key]} |")


if __name__ == "__main__":
    main()
