"""The reporting service: the program's impact figures, from public events only."""

SERVICE = "reporting"
