"""Silverplatter: outside-in B2B lead management."""

__version__ = "0.1.0"

__all__ = ["__version__"]
