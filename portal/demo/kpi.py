"""A fictional care history for the demo region: three years of trajectories and monthly claims.

Deterministic (random.Random(2026)) and idempotent: nothing is added when the demo trajectories
are already there. Rows go in with bulk inserts; the importer's validation is not needed for
data this module makes itself, and bulk inserts keep the demo seed fast.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.models import Claim, Municipality, Provider, Trajectory

#: Prefix of every demo trajectory reference; its presence means the history is there.
REF_PREFIX = "DEMO-KPI-"
TRAJECTORIES = 6000
FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2025, 12, 31)

#: Product group: (monthly amount around, months of care around, product code, relative volume).
GROUPS = {
    "BEH": (950, 7, "45A12", 30),
    "BGI": (620, 9, "45A48", 30),
    "BGG": (540, 10, "45A53", 12),
    "VBL": (4400, 12, "43A31", 6),
    "RSP": (380, 4, "45A15", 8),
    "CRI": (3100, 2, "44A04", 4),
}
REFERRERS = ("wijkteam", "wijkteam", "wijkteam", "huisarts", "huisarts", "medisch_specialist", "gi", "other")
#: End reasons (JZ588) with their weights.
END_REASONS = (("31", 55), ("32", 12), ("33", 5), ("34", 10), ("35", 3), ("36", 3), ("38", 5), ("39", 5), ("20", 2))


def seed_kpi_history(session: Session, providers: list[Provider], municipalities: list[Municipality]) -> int:
    """Create the demo care history when missing; return the number of trajectories created."""
    exists = session.scalar(select(Trajectory.id).where(Trajectory.trajectory_ref.like(REF_PREFIX + "%")).limit(1))
    if exists is not None:
        return 0
    rng = random.Random(2026)
    # Providers differ in size, in the product groups they offer and in quality.
    sizes = [rng.choice((1, 2, 3, 5, 8, 13)) for _ in providers]
    sizes[3] = sizes[4] = 0.05  # two self-employed carers with only a handful of clients
    offers = [rng.sample(sorted(GROUPS), k=rng.randint(1, 4)) for _ in providers]
    offers[1] = ["BGI", "BEH", "VBL"]  # the demo's second provider drifts into Verblijf (upcoding signal)
    quality = [rng.uniform(-0.12, 0.12) for _ in providers]
    population = [rng.uniform(0.5, 2.0) for _ in municipalities]
    span = (FIRST_DAY - timedelta(days=400), LAST_DAY)
    trajectory_rows, claim_plans = [], []
    for number in range(TRAJECTORIES):
        index = rng.choices(range(len(providers)), weights=sizes)[0]
        group = rng.choices(offers[index], weights=[GROUPS[g][3] for g in offers[index]])[0]
        if index == 1 and group == "VBL" and rng.random() < 0.6:
            group = "BGI"  # few VBL at first; later years keep more of them (see below)
        start = span[0] + timedelta(days=rng.randrange((span[1] - span[0]).days))
        if index == 1 and group == "BGI" and start.year == 2025 and rng.random() < 0.5:
            group = "VBL"
        if index == 19 and start.year < 2025 and rng.random() < 0.5:  # a fast grower in 2025
            start = date(2025, start.month, min(start.day, 28))
        amount, months, product, _volume = GROUPS[group]
        wait = int(rng.gammavariate(2.0, 12 + 6 * (group == "BEH")))
        duration = max(14, int(rng.gammavariate(2.0, months * 15)))
        end = start + timedelta(days=duration)
        ongoing = end > LAST_DAY
        reason = None if ongoing else rng.choices([r for r, _ in END_REASONS], weights=[w for _, w in END_REASONS])[0]
        if reason == "32" and rng.random() < 0.5 + quality[index] * 3:
            reason = "31"
        client = f"DEMO-CL-{rng.randrange(4800):05d}"
        goals = None
        satisfaction = None
        if not ongoing and rng.random() < 0.7:
            goals = rng.random() < 0.62 + quality[index]
        if not ongoing and rng.random() < 0.6:
            satisfaction = max(1, min(10, round(rng.gauss(7.4 + quality[index] * 8, 1.2))))
        ref = f"{REF_PREFIX}{number + 1:05d}"
        trajectory_rows.append({
            "trajectory_ref": ref, "client_ref": client,
            "municipality_id": municipalities[rng.choices(range(len(municipalities)), weights=population)[0]].id,
            "provider_id": providers[index].id, "product_group": group, "product_code": product,
            "referrer": rng.choice(REFERRERS), "request_date": start - timedelta(days=wait), "start_date": start,
            "end_date": None if ongoing else end, "end_reason": reason, "satisfaction": satisfaction,
            "goals_met": goals,
        })
        claim_plans.append((ref, start, min(end, LAST_DAY), amount * rng.uniform(0.85, 1.15)))
    session.execute(insert(Trajectory), trajectory_rows)
    ids = dict(session.execute(
        select(Trajectory.trajectory_ref, Trajectory.id).where(Trajectory.trajectory_ref.like(REF_PREFIX + "%"))
    ).all())
    claims = []
    for ref, start, end, amount in claim_plans:
        month = date(max(start, FIRST_DAY).year, max(start, FIRST_DAY).month, 1)
        while month <= end:
            claims.append({"trajectory_id": ids[ref], "period": month, "amount_granted": Decimal(f"{amount:.2f}")})
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    session.execute(insert(Claim), claims)
    session.flush()
    return len(trajectory_rows)
