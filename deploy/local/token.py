"""Mint a staff JWT for the demo: python -m deploy.local.token --role admin --locations 'loc-1,loc-2'.

Signed with STAFF_JWT_SECRET if set, else with the secret `make up` keeps in var/staff-jwt-secret."""

import argparse

from deploy.local.secret import staff_secret
from shared.wiring.auth import mint_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=["admin", "reporting"], default="admin")
    parser.add_argument("--locations", default="*", help="comma-separated location ids, or *")
    parser.add_argument("--sub", default="demo-staff")
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args()
    secret = staff_secret()
    locations = [loc.strip() for loc in args.locations.split(",") if loc.strip()]
    print(mint_token(secret, args.sub, args.role, locations, ttl_seconds=args.hours * 3600))


if __name__ == "__main__":
    main()
