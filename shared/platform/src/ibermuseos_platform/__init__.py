"""Common infrastructure of the Ibermuseos services.

Nothing here knows any service; every service builds on it in its `bootstrap.py`.
"""
