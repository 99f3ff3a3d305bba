"""Forms of the orders app, one module per audience: hq.py (head office), portal.py (dealer portal)."""
