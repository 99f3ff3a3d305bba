"""The REST API's shared pieces: base viewsets that enforce scoping, pagination, errors, idempotency."""
