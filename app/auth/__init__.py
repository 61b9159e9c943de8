"""API keys: minting, hashing and authenticating bearer tokens."""
