"""Real-time over an API Gateway WebSocket API: connect tickets, the connection registry with
TTL, thread subscriptions, presence, and the fan-out of the table's stream to connections."""
