"""Rebuild the reply model's examples from the labelled sets and print its cross-validated accuracy:

    python -m jalon.handlers.replies.train [TESTS_DATA_DIR]

Run it after changing tests/data/replies, the blind set's tune split, or the quote stripper.
"""

from jalon.handlers.replies.model import main

if __name__ == "__main__":
    main()
