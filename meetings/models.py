"""
The archive's content: committees, their meetings, each meeting's themes and
each theme's recommendations.

Visible text is translated with modeltranslation (see ``translation.py``):
every such field has ``_fr`` and ``_en`` columns. Positions keep the order of
the source; the database keeps them unique per parent.
"""

import datetime

from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from modeltranslation.settings import AVAILABLE_LANGUAGES

from .slugs import make_slug


class Committee(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=20)
    department = models.CharField(_("department"), max_length=200)
    disclaimer = models.TextField(_("disclaimer"), blank=True)
    # The language the committee publishes in; text in the other language is
    # this archive's own, unofficial, translation.
    original_language = models.CharField(
        _("original language"), max_length=2, choices=[("fr", _("French")), ("en", _("English"))]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("meetings:index")


def modification_time():
    """Now, to the second: the precision of "Date modified", and of JSON backups."""
    return timezone.now().replace(microsecond=0)


class ArchiveRevision(models.Model):
    """
    The archive's one revision counter: it moves, in the same transaction, with
    every change to what the public pages show (``meetings/signals.py``).

    Its number and time are the validators of every public page (``ETag`` and
    ``Last-Modified``, ``meetings/conditional.py``) and the key of the cached
    sitemaps: one primary-key lookup tells whether anything changed.
    """

    # The single row's primary key.
    ROW = 1

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=modification_time)

    class Meta:
        verbose_name = _("archive revision")
        verbose_name_plural = _("archive revisions")

    def __str__(self):
        return f"{self.number} ({self.changed_at.isoformat()})"

    @classmethod
    def current(cls):
        """The revision now: its row, or revision 0 on a database not yet migrated this far."""
        revision = cls.objects.filter(pk=cls.ROW).first()
        return revision or cls(
            pk=cls.ROW, number=0, changed_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
        )

    @classmethod
    def record_change(cls):
        """Move the revision on: called inside the transaction that changes the archive."""
        updated = cls.objects.filter(pk=cls.ROW).update(
            number=models.F("number") + 1, changed_at=modification_time()
        )
        if not updated:
            cls.objects.get_or_create(pk=cls.ROW, defaults={"number": 1})


def _count_of(queryset, group_by):
    """A subquery counting ``queryset``'s rows for the outer row.

    Unlike ``Count()`` over a join, it is computed only for the rows a page
    shows, not for every meeting before the LIMIT.
    """
    counted = queryset.order_by().values(group_by).annotate(n=models.Count("pk")).values("n")
    return Coalesce(models.Subquery(counted), 0)


class MeetingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def last_modified(self):
        """When anything in these meetings last changed: the "Date modified" of a listing."""
        return self.aggregate(latest=models.Max("modified_at"))["latest"]

    def with_counts(self):
        """Annotate ``theme_count`` and ``recommendation_count``."""
        return self.select_related("committee").annotate(
            theme_count=_count_of(Theme.objects.filter(meeting=models.OuterRef("pk")), "meeting"),
            recommendation_count=_count_of(
                Recommendation.objects.filter(theme__meeting=models.OuterRef("pk")), "theme__meeting"
            ),
        )

    def with_contents(self):
        """Fetch the committee, themes, recommendations in source order, and their subjects."""
        return self.select_related("committee").prefetch_related(
            models.Prefetch("themes", queryset=Theme.objects.order_by("position")),
            models.Prefetch("themes__recommendations", queryset=Recommendation.objects.order_by("position")),
            "themes__recommendations__subjects",
        )


class Meeting(models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("committee")
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    objective = models.TextField(_("objective"))
    slug = models.SlugField(
        _("slug"), max_length=100, blank=True, help_text=_("Filled in from the title when left empty.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    # The last change to the meeting or to anything it holds: the public
    # "Date modified" line. Theme and Recommendation keep it current.
    modified_at = models.DateTimeField(_("modified"), default=modification_time, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        get_latest_by = "date"
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="meeting_unique_date_per_committee"),
        ]
        indexes = [
            models.Index(fields=["is_published", "-date"], name="meeting_published_date"),
            # "Date modified" on every listing: MAX(modified_at) by index, not by a scan.
            models.Index(fields=["is_published", "modified_at"], name="meeting_published_modified"),
        ]

    def __str__(self):
        return f"{self.date.isoformat()} {self.title}"

    def save(self, *args, **kwargs):
        """Fill slugs from titles; keep a published meeting's old slugs resolving."""
        for language in AVAILABLE_LANGUAGES:
            title = getattr(self, f"title_{language}")
            if not getattr(self, f"slug_{language}") and title:
                setattr(self, f"slug_{language}", make_slug(title))
        previous = None
        if self.pk:
            previous = Meeting.objects.filter(pk=self.pk).values("slug_fr", "slug_en", "is_published").first()
        self.modified_at = modification_time()
        super().save(*args, **kwargs)
        if previous and previous["is_published"]:
            for language in AVAILABLE_LANGUAGES:
                old = previous[f"slug_{language}"]
                if old and old != getattr(self, f"slug_{language}"):
                    MeetingSlug.objects.get_or_create(meeting=self, language=language, slug=old)

    def get_absolute_url(self, language=None):
        """The meeting's page in ``language``, or in the active language."""
        if language is None:
            return reverse("meetings:detail", kwargs=self.url_kwargs())
        with override(language):
            return reverse("meetings:detail", kwargs=self.url_kwargs(language))

    def url_kwargs(self, language=None):
        slug = getattr(self, f"slug_{language}") if language else self.slug
        # A draft may not have its English title (and slug) yet.
        return {"date": self.date.isoformat(), "slug": slug or self.slug_fr or "meeting"}


class MeetingSlug(models.Model):
    """A slug a meeting once had, so that old links keep resolving."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="old_slugs")
    language = models.CharField(max_length=2)
    slug = models.SlugField(max_length=100)

    class Meta:
        verbose_name = _("former slug")
        verbose_name_plural = _("former slugs")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "language", "slug"], name="meeting_slug_unique"),
        ]

    def __str__(self):
        return self.slug


class ThemeQuerySet(models.QuerySet):
    def with_recommendation_count(self):
        return self.annotate(
            recommendation_count=_count_of(
                Recommendation.objects.filter(theme=models.OuterRef("pk")), "theme"
            )
        )


class Theme(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="themes", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveIntegerField(_("position"))

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__date", "meeting_id", "position"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="theme_position_unique_per_meeting"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.meeting.get_absolute_url()}#{self.anchor}"

    @property
    def number(self):
        """The theme's number on its meeting's page: its position, 1, 2, 3…"""
        return self.position

    @property
    def anchor(self):
        """``t2``: derived from the number, so the same in both languages and on every copy of the archive."""
        return f"t{self.number}"

    @property
    def former_anchor(self):
        """The fragment links used before themes were numbered; the page still carries it."""
        return f"theme-{self.pk}"


class SubjectQuerySet(models.QuerySet):
    def with_published_count(self):
        """Annotate ``recommendation_count``: how many published recommendations are indexed under each."""
        published = Recommendation.subjects.through.objects.filter(
            subject=models.OuterRef("pk"), recommendation__theme__meeting__is_published=True
        )
        return self.annotate(recommendation_count=_count_of(published, "subject"))


class Subject(models.Model):
    """
    A subject of a bilingual controlled vocabulary, as Canada.ca indexes its
    pages (the Government of Canada Core Subject Thesaurus): a preferred term
    in each language, and the "use for" terms that people type instead.
    """

    name = models.CharField(_("preferred term"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # One term per line. Searching for any of them finds the subject's recommendations.
    use_for = models.TextField(
        _("use for"),
        blank=True,
        help_text=_("Synonyms, abbreviations and everyday words for this subject, one per line."),
    )
    scope_note = models.TextField(_("scope note"), blank=True)
    broader = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="narrower",
        verbose_name=_("broader subject"),
    )

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self):
        return self.name

    def get_absolute_url(self, language=None):
        if language is None:
            return reverse("meetings:subject", kwargs={"slug": self.slug})
        with override(language):
            return reverse("meetings:subject", kwargs={"slug": getattr(self, f"slug_{language}")})

    @property
    def use_for_terms(self):
        """The use-for terms in the active language, as a list."""
        return [line.strip() for line in (self.use_for or "").splitlines() if line.strip()]


class RecommendationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(theme__meeting__is_published=True)


class Recommendation(models.Model):
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("theme")
    )
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"))
    subjects = models.ManyToManyField(
        "Subject",
        related_name="recommendations",
        blank=True,
        verbose_name=_("subjects"),
        help_text=_("What the recommendation is about: one to four subjects."),
    )

    # Copies of the theme's and the meeting's columns that search sorts and
    # filters on, so that it reads one table, in the order of one index, at a
    # million rows. The database keeps them in step (triggers of the search
    # backends); they are never written from Python.
    meeting_date = models.DateField(null=True, editable=False)
    meeting_pk = models.BigIntegerField(null=True, editable=False)
    theme_position = models.PositiveIntegerField(null=True, editable=False)
    is_published = models.BooleanField(default=False, editable=False)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-theme__meeting__date", "theme__meeting_id", "theme__position", "position"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "position"], name="recommendation_position_unique_per_theme"
            ),
        ]
        indexes = [
            # Search's "newest" order; read backwards for "oldest".
            models.Index(
                fields=["-meeting_date", "-meeting_pk", "theme_position", "position", "id"],
                condition=models.Q(is_published=True),
                name="recommendation_newest",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self, language=None):
        return f"{self.theme.meeting.get_absolute_url(language)}#{self.anchor}"

    @property
    def number(self):
        """``2.3``: the theme's position in its meeting, then this one's in the theme.

        It is what readers cite, so it is what the permalink is made of. Staff
        reordering themes or recommendations renumbers them (positions stay
        gapless), and the permalink follows the number.
        """
        return f"{self.theme.position}.{self.position}"

    @property
    def anchor(self):
        """``r2-3``: the permalink's fragment, the same in both languages and on every copy of the archive."""
        return f"r{self.theme.position}-{self.position}"

    @property
    def former_anchor(self):
        """``rec-<id>``: the fragment of permalinks shared before numbering; the page still carries it."""
        return f"rec-{self.pk}"


class SearchTerm(models.Model):
    """A word of the archive, for "Did you mean" suggestions."""

    language = models.CharField(max_length=2)
    word = models.CharField(max_length=100)
    # Lower case, without accents: what misspellings are compared with.
    normalized = models.CharField(max_length=100)
    frequency = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["language", "word"], name="search_term_unique_word"),
        ]
        indexes = [models.Index(fields=["language", "normalized"], name="search_term_normalized")]

    def __str__(self):
        return self.word
