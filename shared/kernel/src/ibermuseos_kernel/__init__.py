"""The shared kernel: what every service's domain and application layers say the same way.

Plain Python (and the event contracts): a domain may import it, so it imports no framework.
"""
