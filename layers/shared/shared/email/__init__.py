"""Transactional email: Jinja2 templates (HTML + text), SES sending, send-once delivery.

Only the ``email_worker`` function imports this package (Jinja2 stays out of the others)."""
