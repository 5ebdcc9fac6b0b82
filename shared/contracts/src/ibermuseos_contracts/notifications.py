"""Events of the notifications service: delivery outcomes of messages to people."""
