"""The NORCE/Hardangerrådet 2025 survey of working people: the default study (see study.yaml)."""
