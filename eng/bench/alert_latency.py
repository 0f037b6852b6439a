#!/usr/bin/env python3
"""Drives eng/bench.sh alert-latency: owns node_exporter, kills it (SIGKILL) at a random phase of the scrape interval,
restarts it once every system has paged, and reads the fake Bot API's log (fake_telegram.py) for when each system's
page and resolve arrived. Every AiDevOps topology watches the same node_exporter under its own `instance` label, so
one fault is measured in all of them and in Alertmanager at once.

It also runs the processes of ALERTING (a JSON list of {"argv", "log", "ready"}: Alertmanager and the Prometheus that
alerts) and starts them afresh before each repetition.

Usage: alert_latency.py LOG INTERVAL REPS NODE_EXPORTER LISTEN AIDEVOPS_CHAT ALERTMANAGER_CHAT ALERTING RESULT TOPOLOGY=INSTANCE...
Prints the measurements and writes RESULT, one JSON object: {"<system>": {"firing": [...], "resolve": [...]}, ...}
(seconds; null where nothing arrived in time)."""
import json
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

log_path, interval, reps, node_exporter, listen, aidevops_chat, alertmanager_chat, alerting_path, result_path = sys.argv[1:10]
interval, reps = float(interval), int(reps)
topologies = dict(arg.split("=", 1) for arg in sys.argv[10:])
with open(alerting_path) as f:
    alerting_specs = json.load(f)
ALERTMANAGER = "alertmanager"
# Alertmanager's resolve waits for its group_interval (5 min by default) after the page; a page waits for group_wait.
TIMEOUT = 60 + 25 * interval if interval >= 5 else 60

exporter = None


def start_exporter():
    global exporter
    exporter = subprocess.Popen([node_exporter, "--web.listen-address=" + listen],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_exporter():
    if exporter and exporter.poll() is None:
        exporter.kill()
        exporter.wait()


alerting = []


def start_alerting():
    for spec in alerting_specs:
        with open(spec["log"], "a") as log:
            alerting.append(subprocess.Popen(spec["argv"], stdout=log, stderr=subprocess.STDOUT))
    for spec in alerting_specs:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(spec["ready"], timeout=2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("not ready: " + spec["ready"])
                time.sleep(0.2)


def stop_alerting():
    while alerting:
        process = alerting.pop()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def terminated(*_):
    raise SystemExit(143)


signal.signal(signal.SIGTERM, terminated)


def messages():
    with open(log_path) as f:
        return [json.loads(line) for line in f if line.strip()]


def classify(all_messages):
    """Each message as (time, system, kind): kind 'firing' or 'resolved' of a target down; others are left out.
    A message names its topology by the instance in its text, or through the message it edits or replies to (a
    resolve may be a short reply or an edit without the series)."""
    owner, down, out = {}, set(), []
    for m in all_messages:
        text = m["text"].lower()
        if m["chat"] == alertmanager_chat:
            system = ALERTMANAGER
        elif m["chat"] == aidevops_chat:
            system = next((t for t, instance in topologies.items() if instance in m["text"]), None)
            system = system or owner.get(m["message_id"]) or owner.get(m["reply_to"])
        else:
            continue
        linked_down = m["message_id"] in down or m["reply_to"] in down
        if system and m["method"] == "sendMessage":
            owner[m["message_id"]] = system
        if system == ALERTMANAGER:
            kind = "resolved" if "resolved" in text else "firing" if "firing" in text else None
        elif "resolved" in text and ("target down" in text or linked_down):
            kind = "resolved"
        elif "target down" in text:
            kind = "firing"
            down.add(m["message_id"])
        else:
            kind = None
        if system and kind:
            out.append((m["t"], system, kind))
    return out


def wait_for(kind, since, systems):
    """Seconds from `since` to each system's first `kind` message after it, waiting until all arrived or TIMEOUT."""
    deadline = since + TIMEOUT
    while True:
        arrived = {}
        for t, system, k in classify(messages()):
            if k == kind and t >= since and system in systems and system not in arrived:
                arrived[system] = round(t - since, 2)
        if len(arrived) == len(systems) or time.time() > deadline:
            return {s: arrived.get(s) for s in systems}
        time.sleep(0.2)


systems = list(topologies) + [ALERTMANAGER]
results = {s: {"firing": [], "resolve": []} for s in systems}
try:
    start_exporter()
    for rep in range(1, reps + 1):
        stop_alerting()
        start_alerting()
        time.sleep(3 * interval)  # every system has seen the target up
        time.sleep(random.uniform(0, interval))  # a random phase of the scrape interval
        stop_exporter()
        killed = time.time()
        firing = wait_for("firing", killed, systems)
        time.sleep(random.uniform(0, interval))
        start_exporter()
        restarted = time.time()
        resolve = wait_for("resolved", restarted, systems)
        for s in systems:
            results[s]["firing"].append(firing[s])
            results[s]["resolve"].append(resolve[s])
        print(f"repetition {rep}/{reps}: firing " + ", ".join(f"{s} {firing[s]} s" for s in systems)
              + "; resolve " + ", ".join(f"{s} {resolve[s]} s" for s in systems), flush=True)
finally:
    stop_alerting()
    stop_exporter()


def stats(values):
    arrived = [v for v in values if v is not None]
    if not arrived:
        return None, None, len(values)
    return round(statistics.median(arrived), 2), max(arrived), len(values) - len(arrived)


for s in systems:
    for kind in ("firing", "resolve"):
        median, worst, missing = stats(results[s][kind])
        print(f"{s:>14} {kind:>7}: median {median} s, max {worst} s" + (f", {missing} never arrived" if missing else ""))
with open(result_path, "w") as f:
    json.dump(results, f)
