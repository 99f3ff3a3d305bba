"""Lead intake, assignment to dealers, follow-ups and deal registration."""
