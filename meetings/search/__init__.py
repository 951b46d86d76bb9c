"""
Full-text search of the recommendations, on PostgreSQL and on SQLite.

A layer above the models: the models know nothing of it. Import what you
need from its modules: ``engine`` (the search page), ``queryset`` (the same
matches as a queryset), ``forms``, ``backends`` (what differs between the
databases), ``text`` (folding words, free of Django).
"""
