"""Mail leaves through an outbox: recorded with the change that causes it, sent after."""
