"""Navigation items of the case pages (registered when the app is ready)."""
