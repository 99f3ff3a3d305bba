"""Routes of the orders app: hq.py (under /hq/), portal.py (the dealer portal), api.py (under /api/v1/)."""
