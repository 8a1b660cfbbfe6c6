"""Navigation items of the field (phone) pages: inspectors and road chiefs."""
