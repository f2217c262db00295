"""Studies shipped with the package, one folder each (``study.yaml`` and the files it names)."""
