"""Is a fieldwork file the synthetic demo? Every output made from it must say so.

The demo (``fjernarbeid demo``) writes ``demo_metadata.json`` beside its files with
``"synthetic": true``, and labels its SPSS file "SYNTHETIC …"; either is enough.
"""

from __future__ import annotations

import json
from pathlib import Path

METADATA_FILE = "demo_metadata.json"  # as fjernarbeid.studies.norce2025.demo.write writes it
SAV_LABEL_PREFIX = "SYNTHETIC"


def is_synthetic(path: str | Path) -> bool:
    """True when ``path`` is the synthetic demo: ``demo_metadata.json`` beside it says so, or it is
    an SPSS file whose file label starts with "SYNTHETIC". A metadata file that cannot be read, or
    an SPSS file that cannot be read, says nothing (the reader reports unreadable input)."""
    path = Path(path)
    meta = path.parent / METADATA_FILE
    if meta.is_file():
        try:
            if json.loads(meta.read_text("utf-8")).get("synthetic"):
                return True
        except (ValueError, OSError, AttributeError):
            pass
    if path.suffix.lower() in (".sav", ".zsav") and path.is_file():
        import pyreadstat

        try:
            _, meta_sav = pyreadstat.read_sav(str(path), metadataonly=True)
        except Exception:  # pyreadstat raises its own error types for damaged files
            return False
        return str(meta_sav.file_label or "").upper().startswith(SAV_LABEL_PREFIX)
    return False


__all__ = ["is_synthetic"]
