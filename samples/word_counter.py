"""Count words in a folder of plain-text files.

This script walks a folder, reads every file that ends in .txt, and prints how many words each one has,
followed by a total. It is meant for quick checks on drafts, so it does not try to be clever about
hyphenated words, numbers or markup.
"""

import sys
from pathlib import Path


def count_words(text: str) -> int:
    # We split on any whitespace rather than on single spaces, because drafts pasted from other
    # programs often contain tabs, non-breaking spaces and runs of blank lines.
    return len(text.split())


def main(folder: str) -> int:
    total = 0
    for path in sorted(Path(folder).glob("*.txt")):
        # A file that cannot be decoded is reported and skipped; one bad file should not stop the
        # whole count, since the point of the tool is a quick overview.
        try:
            words = count_words(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            print(f"{path.name}: not UTF-8, skipped", file=sys.stderr)
            continue
        print(f"{words:8d}  {path.name}")
        total += words
    print(f"{total:8d}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
