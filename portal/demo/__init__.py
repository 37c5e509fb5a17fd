"""A fictional demo region with providers and accounts, for trying out the portal."""
