"""Inventory alerts: products at or below their low-stock threshold, kept from the table stream."""
