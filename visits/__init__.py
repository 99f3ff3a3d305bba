"""Visit plans, check-in/out, visit notes and dealer needs."""
