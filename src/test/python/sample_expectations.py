"""Works out, straight from the raw files and SPEC.md's rules, the figures the tests expect of the lake
built from the real Udacity sample. Independent of the project's code: plain Python, no Spark.

    python3 src/test/python/sample_expectations.py ../shared/data/sparkify-sample
"""
import collections
import datetime
import glob
import json
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/sparkify-sample"

events = {}
for path in glob.glob(f"{root}/log_data/**/*.json", recursive=True):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            e = json.loads(line)
            events[(e["userId"], e["sessionId"], e["itemInSession"], e["ts"])] = e  # rule 1
songs = [json.loads(open(p, encoding="utf-8").read()) for p in glob.glob(f"{root}/song_data/**/*.json", recursive=True)]

def null(s):
    return None if s == "" else s

plays = [e for e in events.values() if e["page"] == "NextSong"]
def match(p):  # rule 2
    cands = sorted(s["song_id"] for s in songs if s["title"] == p["song"] and s["artist_name"] == p["artist"]
                   and abs(s["duration"] - p["length"]) <= 0.01)
    return cands[0] if cands else None
matched = [(p, match(p)) for p in plays]
users = {}
for e in events.values():  # rule 3
    if e["userId"] == "":
        continue
    key = (e["ts"], e["itemInSession"])
    if e["userId"] not in users or key > users[e["userId"]][0]:
        users[e["userId"]] = (key, e)
utc = lambda ts: datetime.datetime.fromtimestamp(ts / 1000, datetime.timezone.utc)

print("users", len(users), "paid", sum(1 for _, e in users.values() if e["level"] == "paid"))
print("top-songs", collections.Counter(m for _, m in matched if m).most_common())
per_user = collections.Counter(int(p["userId"]) for p in plays if p["userId"])
top = sorted(per_user.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
print("top-users", [(u, users[str(u)][1]["firstName"], users[str(u)][1]["lastName"], n) for u, n in top])
print("plays-by-hour", [sum(1 for p in plays if utc(p["ts"]).hour == h) for h in range(24)])
print("plays-by-weekday", [sum(1 for p in plays if utc(p["ts"]).isoweekday() == d) for d in range(1, 8)])
days = collections.Counter(utc(p["ts"]).date().isoformat() for p in plays)
print("plays-by-day", len(days), "first", min(days.items()), "busiest", max(days.items(), key=lambda kv: kv[1]))
levels = collections.Counter(p["level"] for p in plays)
print("level-share", {k: (v, round(v / len(plays), 4)) for k, v in levels.items()})
locs = collections.Counter(null(p["location"]) for p in plays if null(p["location"]))
print("top-locations", sorted(locs.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
print("match-rate", len(plays), sum(1 for _, m in matched if m))
dau = collections.defaultdict(set)
for p in plays:
    if p["userId"]:
        dau[utc(p["ts"]).date().isoformat()].add(p["userId"])
print("daily-active-users", sorted((d, len(u)) for d, u in dau.items())[:3], "max", max(len(u) for u in dau.values()))
