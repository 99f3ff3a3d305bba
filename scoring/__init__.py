"""Dealer scorecards, periodic scores, tiers and dashboards."""
