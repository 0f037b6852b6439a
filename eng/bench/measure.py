#!/usr/bin/env python3
"""Samples two processes' resident memory and CPU time from /proc for SECONDS and prints a JSON summary.
Usage: measure.py SECONDS NAME=PID NAME=PID"""
import json
import os
import sys
import time

seconds = float(sys.argv[1])
processes = dict(arg.split("=") for arg in sys.argv[2:])
ticks = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def rss_bytes(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


start = {name: cpu_seconds(pid) for name, pid in processes.items()}
rss = {name: [] for name in processes}
began = time.time()
while time.time() - began < seconds:
    for name, pid in processes.items():
        rss[name].append(rss_bytes(pid))
    time.sleep(1)
elapsed = time.time() - began
result = {}
for name, pid in processes.items():
    result[name] = {
        "rss_mean_mb": round(sum(rss[name]) / len(rss[name]) / 2**20, 1),
        "rss_max_mb": round(max(rss[name]) / 2**20, 1),
        "cpu_percent": round(100 * (cpu_seconds(pid) - start[name]) / elapsed, 2),
    }
print(json.dumps(result))
