"""Navigation item of the performance (绩效评价) pages (registered when the app is ready)."""
