"""
Keep the positions of a parent's children unique and gapless (1, 2, 3, …).

The database refuses two children at the same position, so a reorder cannot
simply save each row in turn: moving A to 2 while B still holds 2 would fail.
Rows are parked out of the way first, then numbered again in one pass.
"""

from django.db.models import F

# Far above any real position; parked rows live above it.
PARKING = 1_000_000


def park(queryset):
    """Move every row of ``queryset`` above PARKING, keeping their order."""
    queryset.filter(position__lt=PARKING).update(position=F("position") + PARKING)


def renumber(queryset, wanted=None):
    """Number ``queryset``'s rows 1..n.

    ``wanted`` maps the pk of a row someone placed to the position asked
    for: that row is put there, and the others keep their order around it.
    Returns the rows, renumbered.
    """
    wanted = wanted or {}
    rows = list(queryset)
    kept = sorted((r for r in rows if r.pk not in wanted), key=lambda r: (r.position % PARKING, r.pk))
    placed = sorted((r for r in rows if r.pk in wanted), key=lambda r: (wanted[r.pk], r.pk))
    ordered = kept
    for row in placed:
        ordered.insert(max(0, wanted[row.pk] - 1), row)
    park(queryset)
    for number, row in enumerate(ordered, start=1):
        queryset.model.objects.filter(pk=row.pk).update(position=number)
        row.position = number
    return ordered


def next_position(queryset):
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 1 if last is None else (last % PARKING) + 1
