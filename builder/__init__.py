"""Sunlight: validates supervision records kept in Git and publishes them (让权力在阳光下运行)."""

__version__ = "0.1.0"
