"""Uploaded report files (Amazon Associates): storing them and ingesting them."""
