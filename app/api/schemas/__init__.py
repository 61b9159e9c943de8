"""Response and request bodies of the public API (what SDKs are generated from)."""
