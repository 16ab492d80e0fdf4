"""The transactional event outbox: events written with the change that caused them, then
relayed to tenants' webhook subscriptions (CloudEvents, Standard Webhooks signatures) and to
the process's event sinks, with retries, a dead-letter list and replay."""
