"""The applications service: the Ibermuseos Training Grants."""

SERVICE = "applications"
