"""The notifications service: messages to people about what concerns them."""

SERVICE = "notifications"
