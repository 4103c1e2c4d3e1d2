"""Outgoing messages: the queues other functions consume."""
