"""The chronos command (placeholder until the command-line issue lands)."""

import sys


def main(argv: list[str] | None = None) -> int:
    """Print help."""
    print("usage: chronos [--help]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
