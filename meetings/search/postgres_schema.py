"""
PostgreSQL's side of the search index.

Migration 0002 creates it: each recommendation has ``search_fr`` and
``search_en`` tsvector columns (its text, weight A; its theme's title, B; its
meeting's title, C), with GIN indexes, kept current by triggers on the
recommendation, theme and meeting tables.
"""

# Recompute every vector: setting a column to itself fires the trigger.
REBUILD = "UPDATE meetings_recommendation SET theme_id = theme_id"
