"""Regenerate igm/data/caseload.csv, made-up profiles for exploring the model (see caseload.md).

Usage: python igm/data/make_caseload.py [--clients N] [--seed S] [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from igm.synthetic import DEFAULT_SEED, generate_caseload

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=600)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=HERE / "caseload.csv")
    args = parser.parse_args()
    frame = generate_caseload(args.clients, args.seed)
    frame.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {len(frame)} made-up profiles to {args.out}")


if __name__ == "__main__":
    main()
