"""Sync runs: requesting them, running them in workers, reading their progress."""
