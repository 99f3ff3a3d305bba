"""Campaign plans, enrolment, claims, verification and payout."""
