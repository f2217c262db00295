"""The command modules' name for :mod:`fjernarbeid._lazy` (modules imported on first use)."""

from fjernarbeid._lazy import lazy_module

__all__ = ["lazy_module"]
