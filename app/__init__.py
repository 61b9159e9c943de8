"""netledger: one ledger of affiliate commissions across every network a publisher works with."""

__version__ = "0.1.0"
