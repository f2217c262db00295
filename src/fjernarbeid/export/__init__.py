"""Handing the results on: Excel banner tables and weighted, disclosure-controlled microdata."""
