"""Sealing network credentials at rest (AES-256-GCM with key rotation)."""

from app.crypto.sealing import DecryptionFailed, SecretBox

__all__ = ["DecryptionFailed", "SecretBox"]
