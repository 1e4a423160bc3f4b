"""``python -m tools.fixture_sites build|check [KEY …]``: write the fixture sites, or check them."""

from __future__ import annotations

import argparse
import sys

from tools.fixture_sites import SITES, build, out_of_date, served_root, unbuilt_files
from tools.fixture_sites.kit.common import write_files


def main(argv: list[str] | None = None) -> int:
    """Build every site named (default: all) into ``crawler/demo/sites/<key>/``, or only check them."""
    parser = argparse.ArgumentParser(prog="python -m tools.fixture_sites", description=main.__doc__)
    parser.add_argument("action", choices=("build", "check"), help="build: write the files; check: exit 1 if stale")
    parser.add_argument("sites", nargs="*", metavar="KEY", help=f"sites to handle (default: {' '.join(SITES)})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sites) - set(SITES))
    if unknown:
        parser.error(f"no builder for {', '.join(unknown)} (known: {', '.join(SITES)})")
    stale_sites = 0
    for key in args.sites or SITES:
        files, root = build(key), served_root(key)
        if args.action == "check":
            stale = out_of_date(key, files)
            for path in stale:
                print(f"{key}: out of date: {path}", file=sys.stderr)
            stale_sites += bool(stale)
            continue
        changed = write_files(files, root)
        for path in unbuilt_files(files, root):  # what the source no longer has
            (root / path).unlink()
            print(f"{key}: removed {path}")
        print(f"{key}: {len(files)} files in {root} ({changed} changed)")
    return 1 if stale_sites else 0


if __name__ == "__main__":
    sys.exit(main())
