"""Background work on arq: consumes the transactional outbox (notifications, invoice
archiving). Jobs are idempotent: running one twice changes nothing the second time."""
