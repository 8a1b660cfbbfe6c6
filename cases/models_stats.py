"""Daily pre-aggregates of case figures (绩效评价); imported by cases.models."""
