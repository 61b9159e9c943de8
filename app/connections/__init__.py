"""Connections: creating, changing and reading a publisher's network accounts."""
