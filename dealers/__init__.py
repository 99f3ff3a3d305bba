"""Regions, dealers, onboarding applications and qualification documents."""
