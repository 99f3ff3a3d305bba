"""Shipments, carriers, tracking, delivery plans and proof of delivery."""
