"""The shopping cart: one item per line, prices always read from the product."""
