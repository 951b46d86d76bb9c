"""
The archive as open data: downloads (CSV and JSON), a read-only JSON API,
Atom feeds, the sitemap and robots.txt. Only published meetings, and what
they hold, ever appear here.
"""
