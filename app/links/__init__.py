"""Tracking links: built from each network's link format or its link API, checked by
following their redirects, and the domains that group programs into brands."""
