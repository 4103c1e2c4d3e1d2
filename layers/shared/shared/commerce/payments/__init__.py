"""Payments: Stripe customers, PaymentIntents, refunds and webhook events."""
