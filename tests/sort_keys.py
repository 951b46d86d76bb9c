"""Each recommendation's copies of its meeting's sort keys, checked against the rows they copy."""

from django.db.models import F, Q

from meetings.models import Recommendation


def copies_out_of_step():
    """Recommendations whose copies of the sort keys differ from their theme's and meeting's columns."""
    return list(
        Recommendation.objects.exclude(
            Q(meeting_date=F("theme__meeting__date"))
            & Q(meeting_pk=F("theme__meeting_id"))
            & Q(theme_position=F("theme__position"))
            & Q(is_published=F("theme__meeting__is_published"))
        ).values_list("pk", flat=True)
    )
