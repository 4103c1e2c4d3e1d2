"""Seller payouts through Stripe Connect: payout accounts, held payouts, transfers, reversals."""
