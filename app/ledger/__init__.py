"""The ledger: transactions, their change history and the rollups reports read."""
