"""Browser tests: the portal in headless Chromium, every page checked with axe-core."""
