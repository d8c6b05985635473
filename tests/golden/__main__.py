"""`python -m tests.golden --update` writes the golden files from the code as it is now;
without `--update` it says which cases differ from them (exit status 1 if any)."""

from __future__ import annotations

import argparse
import json
import sys

from tests.golden import DIGESTS, NAMED_DIR, current, named_path, sha256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF reports")
    args = parser.parse_args(argv)
    digests: dict[str, str] = {}
    if args.no_pdf and DIGESTS.exists():
        old = json.loads(DIGESTS.read_text(encoding="utf-8"))
        digests.update({k: v for k, v in old.items() if k.startswith("pdf:")})
    differ = []
    if args.update:
        NAMED_DIR.mkdir(parents=True, exist_ok=True)
        for stale in NAMED_DIR.glob("*.json"):
            stale.unlink()
    for kind, name, data in current(pdfs=not args.no_pdf):
        if kind == "json":
            if args.update:
                named_path(name).write_bytes(data + b"\n")
            elif not named_path(name).exists() or named_path(name).read_bytes() != data + b"\n":
                differ.append(name)
            continue
        digests[f"{kind}:{name}"] = sha256(data)
    if args.update:
        text = json.dumps(dict(sorted(digests.items())), indent=1) + "\n"
        DIGESTS.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {NAMED_DIR} and {DIGESTS}\n")
        return 0
    old = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.exists() else {}
    differ += [key for key, value in digests.items() if old.get(key) != value]
    for name in differ:
        sys.stdout.write(f"differs: {name}\n")
    sys.stdout.write(f"{len(differ)} golden case(s) differ\n")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
