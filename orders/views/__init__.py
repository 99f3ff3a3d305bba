"""Pages of the orders app, one module per audience: hq (head office, by topic) and portal (dealers)."""
