"""Generate realistic registers of any size for the benchmark (example data, deterministic).

Field sizes follow the demo register: names of 15–40 characters, a purpose of 60–200,
1–3 target groups, two administrators and an ersättare with name, e-mail and phone, and
about one channel in ten closed. Departments: about one per 150 channels (at least 5),
like the real list's 2,151 accounts of 609 bodies.

Usage: python bench/generate.py N OUT.yaml
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PLATFORMS = [("facebook", "https://www.facebook.com/"), ("instagram", "https://www.instagram.com/"),
             ("x", "https://x.com/"), ("youtube", "https://www.youtube.com/@"),
             ("linkedin", "https://www.linkedin.com/company/"), ("tiktok", "https://www.tiktok.com/@")]
WORDS = ("kultur fritid skola förskola bibliotek omsorg bygg miljö trafik vatten avfall park idrott ungdom "
         "näringsliv turism arbete integration hälsa kris energi bostad arkiv museum musik teater").split()
FIRST = "Anna Bo Cecilia David Emma Filip Greta Hassan Ida Jonas Karin Lars Maja Nils Olivia Per Sara".split()
LAST = "Andersson Berg Dahl Ek Forsberg Holm Johansson Karlsson Lind Nilsson Olsson Persson Åberg".split()
GROUPS = ["Invånare", "Vårdnadshavare", "Unga", "Seniorer", "Företagare", "Föreningar", "Besökare", "Media",
          "Arbetssökande", "Elever", "Anhöriga", "Fastighetsägare"]


def person(r: random.Random, i: int, k: int) -> str:
    f, la = r.choice(FIRST), r.choice(LAST)
    return (f"{{name: {f} {la}, email: {f.lower()}.{la.lower()}{i}x{k}@exempel.example, "
            f"phone: 0123-45 {i % 100:02d} {k:02d}}}").replace("å", "a").replace("ä", "a").replace("ö", "o")


def channel(r: random.Random, i: int, departments: list[str]) -> str:
    platform, prefix = PLATFORMS[i % len(PLATFORMS)]
    w1, w2 = r.choice(WORDS), r.choice(WORDS)
    handle = f"{w1}{w2}{i}"
    name = f"{w1.capitalize()} och {w2} i Exempelby {i}"
    purpose = " ".join(r.choice(WORDS) for _ in range(r.randint(8, 25))).capitalize() + "."
    groups = ", ".join(r.sample(GROUPS, r.randint(1, 3)))
    closed = i % 10 == 9
    dep = departments[i % len(departments)]
    lines = [
        f"  - id: kanal-{i}",
        f"    name: {name}",
        f"    platform: {platform}",
        f"    url: {prefix}{handle}",
        f"    handle: {handle}",
        f"    department: {dep}",
        f"    unit: Enhet för {w1}",
        f"    responsible_role: Kommunikatör, {w2}",
        f"    contact_email: {w1}{i}@exempel.example",
        f"    purpose: {purpose}",
        f"    target_groups: [{groups}]",
        "    languages: [sv]",
        "    monitoring: Vardagar 8–17, svar inom 48 timmar",
        f"    status: {'closed' if closed else 'active'}",
        f"    start_date: 20{10 + i % 12:02d}-0{1 + i % 9}-1{i % 10}",
    ]
    if closed:
        lines += [f"    closing_date: 2024-0{1 + i % 9}-1{i % 10}", f"    last_archived: 2024-0{1 + i % 9}-1{i % 10}"]
    lines += ["    approved_by: Förvaltningschef", f"    approved_on: 20{10 + i % 12:02d}-0{1 + i % 9}-0{1 + i % 9}"]
    if not closed:
        lines += ["    last_archived: 2026-06-30", "    last_reviewed: 2026-06-30", "    last_activity: 2026-11-01",
                  "    administrators:", f"      - {person(r, i, 1)}", f"      - {person(r, i, 2)}",
                  f"    substitute: {person(r, i, 3)}"]
    return "\n".join(lines) + "\n"


def generate(n: int, seed: int = 1) -> str:
    """Return the text of a register with ``n`` channels."""
    r = random.Random(seed)
    departments = [f"Förvaltning {k} för {WORDS[k % len(WORDS)]}" for k in range(max(5, n // 150))]
    head = ("# Benchmark register: generated example data.\norganisation:\n  name: Exempelby kommun\n"
            "  website: https://www.exempelby.example\n  email: kommun@exempelby.example\n"
            "  register_keeper: Kommunikationsavdelningen\n  example_data: true\n\nchannels:\n")
    parties = ("\nparty_channels:\n" + "".join(
        f"  - {{party: Parti {k}, platform: facebook, url: \"https://www.facebook.com/parti{k}\"}}\n"
        for k in range(8)))
    return head + "".join(channel(r, i, departments) for i in range(n)) + parties


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(generate(int(sys.argv[1])), encoding="utf-8")
