"""Workspaces: the tenants. Every other table hangs off one."""
