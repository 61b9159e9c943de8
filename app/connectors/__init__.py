"""The network edge: one declarative module per network on a shared base. No DB access."""
