"""Passwords, tokens, secrets and signed cursors."""
