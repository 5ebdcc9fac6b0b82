"""The courses service: training courses, mini courses and conversatorios."""

SERVICE = "courses"
