"""The money ledger: immutable entries of every movement, and the order split rules."""
