"""Test support shared by every service's tests: real PostgreSQL and Kafka, isolated per test session."""
