"""
The staff side of the archive.

A meeting is edited on one page: its themes, and each theme's
recommendations, are nested inlines (django-nested-admin; Django's admin
nests only one level). Every translated field shows its French and English
side by side, each labelled with its language, so that a translation can be
checked without switching tabs.

Every save, delete and recovery is recorded by django-reversion: each
revision holds a snapshot of the whole meeting, so any earlier state, or a
deleted meeting with its themes and recommendations, can be restored.
"""

import hashlib

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationInlineModelAdmin
from nested_admin import NestedModelAdminMixin, NestedStackedInline, NestedTabularInline
from nested_admin.formsets import NestedInlineFormSet
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import positions
from .history import compare_versions
from .importing.summary_import import SummaryImportForm, plan, save_import
from .models import Committee, Meeting, Recommendation, Subject, Theme

LANGUAGE_LABELS = {"fr": _("%(field)s, in French"), "en": _("%(field)s, in English")}


class SideBySideTranslations:
    """Label each translated field with its language, for the eye and for screen readers.

    The layout (French | English on one line) comes from the fieldsets and
    from static/css/admin.css; no script is involved.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        original = getattr(db_field, "translated_field", None)
        if field is not None and original is not None:
            field.label = LANGUAGE_LABELS[db_field.language] % {"field": capfirst(original.verbose_name)}
            attrs = field.widget.attrs
            attrs["lang"] = db_field.language
            # A tabular inline shows the label only as its column's heading.
            attrs["aria-label"] = field.label
            if isinstance(field.widget, forms.TextInput) and (original.max_length or 0) > 200:
                # A long title in a one-line box hides its end; a text area
                # (sized to its content by admin.css) shows all of it.
                field.widget = forms.Textarea(attrs={**attrs, "rows": 1})
            elif isinstance(field.widget, forms.Textarea):
                attrs["rows"] = 3
        return field


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"
    date_field = "date"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .annotate(year=ExtractYear(self.date_field))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(year, str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{f"{self.date_field}__year": int(self.value())})
        return queryset


def _blank(field):
    return models.Q(**{field: ""}) | models.Q(**{f"{field}__isnull": True})


def english_missing():
    """How many of a meeting's texts lack their English: title, objective, themes, recommendations."""

    def count(queryset, outer):
        counted = queryset.order_by().values(outer).annotate(n=models.Count("pk")).values("n")
        return Coalesce(models.Subquery(counted), 0)

    own = models.Case(models.When(_blank("title_en"), then=1), default=0) + models.Case(
        models.When(_blank("objective_en"), then=1), default=0
    )
    themes = count(Theme.objects.filter(_blank("title_en"), meeting=models.OuterRef("pk")), "meeting")
    recommendations = count(
        Recommendation.objects.filter(_blank("text_en"), theme__meeting=models.OuterRef("pk")),
        "theme__meeting",
    )
    return own + themes + recommendations


class TranslationFilter(admin.SimpleListFilter):
    title = _("Translation")
    parameter_name = "english"

    def lookups(self, request, model_admin):
        return [("missing", _("English missing")), ("complete", _("complete"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(english_missing__gt=0)
        if self.value() == "complete":
            return queryset.filter(english_missing=0)
        return queryset


class MeetingYearFilter(YearFilter):
    date_field = "theme__meeting__date"


class ArchiveVersionAdmin(SideBySideTranslations, VersionAdmin, NestedModelAdminMixin, TranslationAdmin):
    """French and English side by side, nested inlines, and a history with comparison and restore."""

    history_latest_first = True
    object_history_template = "admin/meetings/object_history.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_urls(self):
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, object_id):
        """Show, field by field, what changed between two versions of an object."""
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        try:
            older = versions.get(pk=int(request.GET.get("from", "")))
            newer = versions.get(pk=int(request.GET.get("to", "")))
        except (ValueError, Version.DoesNotExist):
            # By default, the last change: the two newest versions.
            latest = list(versions[:2])
            newer = latest[0] if latest else None
            older = latest[1] if len(latest) > 1 else None
        if older and newer and older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": _("Compare versions of %(object)s") % {"object": obj},
            "older": older,
            "newer": newer,
            "changes": compare_versions(older, newer) if older and newer else [],
        }
        return TemplateResponse(request, "admin/meetings/compare.html", context)

    def delete_model(self, request, obj):
        # Record who deleted it, with a last snapshot to recover from.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(_("Deleted."))
            reversion.add_to_revision(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(_("Deleted."))
            for obj in queryset:
                reversion.add_to_revision(obj)
        super().delete_queryset(request, queryset)


class PositionedForm(forms.ModelForm):
    """A clash of positions is resolved on save (see ``positions``), not refused.

    Model validation would refuse it (the position is in a unique constraint),
    so the requested position stays out of it: ``clean()`` holds it back, and
    model validation skips an optional field left empty; ``save()`` then puts
    it on the instance, for the admin to renumber the siblings.
    """

    def clean(self):
        cleaned_data = super().clean()
        self.requested_position = cleaned_data.pop("position", None)
        return cleaned_data

    def save(self, commit=True):
        self.instance.position = self.requested_position
        return super().save(commit)


class PositionedInlineFormSet(NestedInlineFormSet):
    """Themes or recommendations, whose English may wait while their meeting is a draft."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in [*self.forms, self.empty_form]:
            form.fields["position"].required = False
            # An imported draft has no English yet; it is filled in over
            # several saves, and required only to publish (see clean()).
            for name in self.english_fields(form):
                form.fields[name].required = False

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A tabular row shows no label: name each box for screen readers.
        form.fields["position"].widget.attrs["aria-label"] = capfirst(form.fields["position"].label)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = capfirst(form.fields["DELETE"].label)

    @staticmethod
    def english_fields(form):
        return [name for name in form.fields if name.endswith("_en")]

    def publishing(self):
        """Whether the meeting these rows belong to is, or is being, published."""
        if "committee" in self.data and "date" in self.data:
            # On the meeting's own page: what the editor has just ticked.
            return bool(self.data.get("is_published"))
        meeting = getattr(self.instance, "meeting", self.instance)
        return bool(meeting.pk and meeting.is_published)

    def clean(self):
        super().clean()
        if not self.publishing():
            return
        for form in self.forms:
            if (not form.has_changed() and not form.instance.pk) or self._should_delete_form(form):
                continue
            for name in self.english_fields(form):
                if not (form.cleaned_data.get(name) or "").strip():
                    form.add_error(name, _("Required before the meeting can be published."))


class ParentOfPositionedAdmin(ArchiveVersionAdmin):
    """Save inline children so that their positions stay unique and gapless."""

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.model, (Theme, Recommendation)):
            return super().save_formset(request, form, formset, change)
        parent = formset.instance
        if parent.pk is None or not type(parent).objects.filter(pk=parent.pk).exists():
            # The recommendations of a theme deleted in this same save went
            # with it; saving their forms would bring them back as new rows.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        siblings = formset.model.objects.filter(**{formset.fk.name: formset.instance})
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        positions.park(siblings)
        wanted = {}
        for index, obj in enumerate(instances):
            requested = obj.position
            # A parked slot, unique, until everything is numbered below.
            obj.position = 2 * positions.PARKING + index
            obj.save()
            wanted[obj.pk] = requested if requested else positions.PARKING - 1
        formset.save_m2m()
        for row in positions.renumber(siblings.all(), wanted):
            reversion.add_to_revision(row)


class RecommendationInline(SideBySideTranslations, TranslationInlineModelAdmin, NestedTabularInline):
    model = Recommendation
    form = PositionedForm
    formset = PositionedInlineFormSet
    fields = ("position", "text_fr", "text_en")
    ordering = ("position",)
    extra = 0
    # Positions are typed, and kept gapless on save; no drag and drop.
    is_sortable = False
    classes = ("side-by-side",)


class ThemeInline(SideBySideTranslations, TranslationInlineModelAdmin, NestedStackedInline):
    model = Theme
    form = PositionedForm
    formset = PositionedInlineFormSet
    fields = ("position", ("title_fr", "title_en"))
    ordering = ("position",)
    extra = 0
    is_sortable = False
    inlines = [RecommendationInline]


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["committee", "date", "is_published", "title", "objective", "slug"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_published"):
            missing = [
                name
                for name in ("title_fr", "title_en", "objective_fr", "objective_en")
                if not (cleaned.get(name) or "").strip()
            ]
            for name in missing:
                self.add_error(name, _("Required before the meeting can be published."))
        return cleaned


class PublicLinksMixin:
    @admin.display(description=_("public pages"))
    def public_links(self, obj):
        if not obj.pk:
            return "—"
        meeting = obj if isinstance(obj, Meeting) else obj.meeting
        return format_html_join(
            " · ",
            '<a href="{}" lang="{}">{}</a>',
            (
                (meeting.get_absolute_url(code), code, name)
                for code, name in (("fr", "Français"), ("en", "English"))
            ),
        )


@admin.register(Committee)
class CommitteeAdmin(ArchiveVersionAdmin):
    list_display = ("code", "name_fr", "name_en", "acronym_fr", "acronym_en")


@admin.register(Meeting)
class MeetingAdmin(PublicLinksMixin, ParentOfPositionedAdmin):
    form = MeetingAdminForm
    list_display = (
        "date",
        "title_fr",
        "title_en",
        "theme_count",
        "recommendation_count",
        "translation_status",
        "is_published",
    )
    list_display_links = ("date", "title_fr", "title_en")
    list_filter = ("is_published", TranslationFilter, YearFilter, "committee")
    date_hierarchy = "date"
    search_fields = ("title_fr", "title_en", "objective_fr", "objective_en")
    readonly_fields = ("public_links", "modified_at")
    fieldsets = (
        (None, {"fields": ("committee", "date", "is_published", "public_links", "modified_at")}),
        (_("Summary"), {"fields": (("title_fr", "title_en"), ("objective_fr", "objective_en"))}),
        (_("Addresses"), {"fields": (("slug_fr", "slug_en"),), "classes": ("collapse",)}),
    )
    inlines = [ThemeInline]
    change_list_template = "admin/meetings/meeting/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts().annotate(english_missing=english_missing())

    @admin.display(description=_("English to fill in"), ordering="english_missing")
    def translation_status(self, obj):
        if not obj.english_missing:
            return _("complete")
        return ngettext(
            "%(count)s field without English", "%(count)s fields without English", obj.english_missing
        ) % {"count": obj.english_missing}

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="meetings_meeting_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Paste a newly published summary, preview it, then save it as a draft."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        committee = Committee.objects.first()
        form = SummaryImportForm(request.POST or None, initial={"committee": committee})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a meeting summary"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            imported, changes = plan(form.imported, form.draft)
            # What was previewed is what gets saved: a text edited after the
            # preview is previewed again before anything is written.
            previewed = hashlib.sha256(
                "\0".join(
                    [
                        str(form.cleaned_data["committee"].pk),
                        form.cleaned_data["text_fr"],
                        form.cleaned_data["text_en"],
                    ]
                ).encode()
            ).hexdigest()
            if "confirm" in request.POST and request.POST.get("previewed") == previewed:
                meeting = save_import(imported, form.cleaned_data["committee"], form.draft, request.user)
                self.message_user(
                    request,
                    _("Saved as a draft: %(meeting)s. Fill in the English, then publish.")
                    % {"meeting": meeting},
                    messages.SUCCESS,
                )
                return redirect("admin:meetings_meeting_change", meeting.pk)
            if "confirm" in request.POST:
                self.message_user(
                    request,
                    _("The text changed since the preview: check this preview, then confirm."),
                    messages.WARNING,
                )
            context.update(
                preview=imported,
                changes=changes,
                draft=form.draft,
                english_pasted=form.english is not None,
                previewed=previewed,
            )
        return TemplateResponse(request, "admin/meetings/meeting/import.html", context)

    @admin.display(description=_("themes"), ordering="theme_count")
    def theme_count(self, obj):
        return obj.theme_count

    @admin.display(description=_("recommendations"), ordering="recommendation_count")
    def recommendation_count(self, obj):
        return obj.recommendation_count

    def view_on_site(self, obj):
        return obj.get_absolute_url()


class PositionedAdmin:
    """A child edited on its own page: its siblings stay numbered 1..n."""

    position_parent = None
    form = PositionedForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["position"].required = False
        form.base_fields["position"].help_text = _("Leave empty to place it last.")
        return form

    def siblings(self, obj, parent_id=None):
        parent_id = parent_id or getattr(obj, f"{self.position_parent}_id")
        return type(obj).objects.filter(**{f"{self.position_parent}_id": parent_id})

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        moved = {"position", self.position_parent} & set(form.changed_data)
        if change and not moved:
            return super().save_model(request, obj, form, change)
        requested = obj.position or positions.PARKING - 1
        previous_parent = form.initial.get(self.position_parent) if change else None
        positions.park(self.siblings(obj).exclude(pk=obj.pk))
        obj.position = 2 * positions.PARKING
        super().save_model(request, obj, form, change)
        positions.renumber(self.siblings(obj), {obj.pk: requested})
        if previous_parent and previous_parent != getattr(obj, f"{self.position_parent}_id"):
            positions.renumber(self.siblings(obj, previous_parent))
        obj.refresh_from_db(fields=["position"])

    @transaction.atomic
    def delete_model(self, request, obj):
        siblings = self.siblings(obj)
        super().delete_model(request, obj)
        positions.renumber(siblings)


@admin.register(Theme)
class ThemeAdmin(PositionedAdmin, PublicLinksMixin, ParentOfPositionedAdmin):
    position_parent = "meeting"
    list_display = ("title_fr", "title_en", "meeting", "position")
    list_filter = (("meeting", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("title_fr", "title_en")
    list_select_related = ("meeting",)
    fields = ("meeting", "position", ("title_fr", "title_en"), "public_links")
    readonly_fields = ("public_links",)
    inlines = [RecommendationInline]

    def view_on_site(self, obj):
        return obj.get_absolute_url()


@admin.register(Recommendation)
class RecommendationAdmin(PositionedAdmin, ArchiveVersionAdmin):
    position_parent = "theme"
    list_display = ("short_text", "theme", "meeting_date", "position")
    list_filter = (MeetingYearFilter, ("theme__meeting", admin.RelatedOnlyFieldListFilter))
    search_fields = ("text_fr", "text_en")
    list_select_related = ("theme__meeting",)
    fields = ("theme", "position", ("text_fr", "text_en"), "subjects")
    filter_horizontal = ("subjects",)

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:120]

    @admin.display(description=_("meeting date"), ordering="theme__meeting__date")
    def meeting_date(self, obj):
        return obj.theme.meeting.date

    def view_on_site(self, obj):
        return obj.get_absolute_url()


@admin.register(Subject)
class SubjectAdmin(ArchiveVersionAdmin):
    """The subject vocabulary: search finds a subject's recommendations by any of its terms."""

    list_display = ("name_fr", "name_en", "broader", "recommendation_count")
    search_fields = ("name_fr", "name_en", "use_for_fr", "use_for_en")
    fields = (
        ("name_fr", "name_en"),
        ("slug_fr", "slug_en"),
        ("use_for_fr", "use_for_en"),
        ("scope_note_fr", "scope_note_en"),
        "broader",
    )
    list_select_related = ("broader",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_published_count()

    @admin.display(description=_("published recommendations"), ordering="recommendation_count")
    def recommendation_count(self, obj):
        return obj.recommendation_count

    def view_on_site(self, obj):
        return obj.get_absolute_url()
