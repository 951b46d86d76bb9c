"""Full-text search of recommendations, on PostgreSQL and on SQLite."""

from .engine import SearchResults, search_recommendations
from .forms import SearchForm

__all__ = ["SearchForm", "SearchResults", "search_recommendations"]
