import datetime


class IsoDateConverter:
    """A date in a URL, as 2023-10-03. An impossible date does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return datetime.date.fromisoformat(value)

    def to_url(self, value):
        return value if isinstance(value, str) else value.isoformat()
