"""Write a deterministic synthetic region as the two CSV files of docs/kpi-import-format.md.

Sizes: S (smoke), M (iterating), L (the issue's target: 300 providers, 8 municipalities,
1,000,000 trajectories, 6,000,000 claims). The same size and seed always give the same bytes.
Rows are streamed to disk in chunks, so memory does not grow with the size.

    .venv/bin/python -m bench.generate --size M --out /tmp/region-m

The municipalities are GM9901-GM9908 and the providers KvK 90000001 onwards (fictional codes
in the demo's ranges); bench/run.py creates them in a database of its own before importing.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

TRAJECTORY_HEADER = (
    "trajectory_ref", "client_ref", "municipality_code", "provider_kvk", "product_group", "product_code",
    "referrer", "request_date", "start_date", "end_date", "end_reason", "satisfaction", "goals_met",
)
CLAIM_HEADER = ("trajectory_ref", "period", "amount_granted")


@dataclass(frozen=True)
class Size:
    """How big a synthetic region is."""

    providers: int
    municipalities: int
    trajectories: int
    #: Claims per trajectory on average; every size has exactly trajectories * this many claims.
    claims_per_trajectory: int = 6

    @property
    def claims(self) -> int:
        """Return the number of claim rows."""
        return self.trajectories * self.claims_per_trajectory


SIZES = {
    "S": Size(providers=25, municipalities=8, trajectories=10_000),
    "M": Size(providers=100, municipalities=8, trajectories=100_000),
    "L": Size(providers=300, municipalities=8, trajectories=1_000_000),
}
FIRST_KVK = 90000001
MUNICIPALITY_CODES = [f"GM99{number:02d}" for number in range(1, 9)]
#: Product group: (monthly amount around, product code, relative volume); names as in the demo.
GROUPS = {
    "BEH": (950, "45A12", 30),
    "BGI": (620, "45A48", 30),
    "BGG": (540, "45A53", 12),
    "VBL": (4400, "43A31", 6),
    "RSP": (380, "45A15", 8),
    "CRI": (3100, "44A04", 4),
}
REFERRERS = ("wijkteam", "wijkteam", "wijkteam", "huisarts", "huisarts", "medisch_specialist", "gi", "other")
END_REASONS = ("31",) * 11 + ("32",) * 3 + ("33", "34", "34", "35", "36", "38", "39", "20")
#: Care starts in these five years; the last months are still running at the end.
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
CHUNK = 20_000


def provider_kvks(count: int) -> list[str]:
    """Return the KvK numbers of the synthetic providers."""
    return [str(FIRST_KVK + index) for index in range(count)]


def _month_start(day: date, add: int) -> date:
    month = day.month - 1 + add
    return date(day.year + month // 12, month % 12 + 1, 1)


def generate(size: Size, folder: Path, seed: int = 2026) -> tuple[Path, Path]:
    """Write trajectories.csv and claims.csv for the size into folder; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    kvks = provider_kvks(size.providers)
    municipalities = MUNICIPALITY_CODES[: size.municipalities]
    # A few large providers and a long tail of small ones, as in a real region.
    provider_weights = [1 / (rank + 1) ** 0.8 for rank in range(size.providers)]
    offers = [rng.sample(sorted(GROUPS), k=rng.randint(1, 4)) for _ in kvks]
    population = [rng.uniform(0.5, 2.0) for _ in municipalities]
    span_days = (LAST_DAY - FIRST_DAY).days
    day_text = {}
    clients = max(1, int(size.trajectories * 0.6))
    trajectories_path, claims_path = folder / "trajectories.csv", folder / "claims.csv"
    with open(trajectories_path, "w", newline="", encoding="utf-8") as t_file, \
            open(claims_path, "w", newline="", encoding="utf-8") as c_file:
        t_writer, c_writer = csv.writer(t_file, lineterminator="\n"), csv.writer(c_file, lineterminator="\n")
        t_writer.writerow(TRAJECTORY_HEADER)
        c_writer.writerow(CLAIM_HEADER)
        t_rows, c_rows = [], []
        provider_choices = rng.choices(range(size.providers), weights=provider_weights, k=size.trajectories)
        municipality_choices = rng.choices(range(len(municipalities)), weights=population, k=size.trajectories)
        swing = 0
        for number in range(size.trajectories):
            provider = provider_choices[number]
            group = rng.choices(offers[provider], weights=[GROUPS[g][2] for g in offers[provider]])[0]
            amount, product, _volume = GROUPS[group]
            # Claim months per trajectory: 1 to 11, in pairs around the mean, so the total is exact.
            if number % 2 == 0:
                swing = rng.randint(0, 5)
                months = size.claims_per_trajectory + swing
            else:
                months = size.claims_per_trajectory - swing
            if number == size.trajectories - 1 and size.trajectories % 2:
                months = size.claims_per_trajectory
            start = FIRST_DAY + timedelta(days=rng.randrange(span_days - 31 * 11))
            wait = int(rng.gammavariate(2.0, 12))
            duration = 31 * (months - 1) + rng.randint(1, 28)
            end = start + timedelta(days=duration)
            ended = end <= LAST_DAY and rng.random() < 0.93
            reason = rng.choice(END_REASONS) if ended else ""
            satisfaction = str(rng.randint(4, 10)) if ended and rng.random() < 0.6 else ""
            goals = ("yes" if rng.random() < 0.62 else "no") if ended and rng.random() < 0.7 else ""
            ref = f"B{number + 1:07d}"
            request = start - timedelta(days=wait)
            for day in (request, start, end):
                if day not in day_text:
                    day_text[day] = day.isoformat()
            t_rows.append((
                ref, f"K{rng.randrange(clients):07d}", municipalities[municipality_choices[number]], kvks[provider],
                group, product, rng.choice(REFERRERS), day_text[request], day_text[start],
                day_text[end] if ended else "", reason, satisfaction, goals,
            ))
            monthly = amount * rng.uniform(0.7, 1.3)
            for month in range(months):
                period = _month_start(start, month)
                c_rows.append((ref, f"{period.year}-{period.month:02d}", f"{monthly * rng.uniform(0.9, 1.1):.2f}"))
            if len(t_rows) >= CHUNK:
                t_writer.writerows(t_rows)
                c_writer.writerows(c_rows)
                t_rows, c_rows = [], []
        t_writer.writerows(t_rows)
        c_writer.writerows(c_rows)
    return trajectories_path, claims_path


def main(argv: list[str] | None = None) -> None:
    """Write a synthetic region of the chosen size into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True, help="folder for the two CSV files (outside the repository)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    paths = generate(SIZES[args.size], args.out, args.seed)
    print(f"{args.size}: wrote {', '.join(str(path) for path in paths)} in {time.perf_counter() - began:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
