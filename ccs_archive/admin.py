"""The admin site: the archive's content first, and a logout that never answers 405."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class ArchiveAdminSite(admin.AdminSite):
    site_header = _("Service Advisory Committee archive")
    site_title = _("Archive administration")
    index_title = _("Archive content")
    # The sidebar repeats the index on every page and takes a quarter of a
    # 1280-pixel screen from the meeting list and the side-by-side fields.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """The archive first, then Django's own sections in their usual order."""
        apps = super().get_app_list(request, app_label)
        return sorted(apps, key=lambda app: app["app_label"] != "meetings")

    def logout(self, request, extra_context=None):
        # Logging out changes state, so Django accepts only POST. A GET (an
        # old bookmark, or a redirect after a refused "next") gets the
        # question instead of "405 Method Not Allowed".
        if request.method == "POST":
            return super().logout(request, extra_context)
        context = {**self.each_context(request), "title": _("Log out"), **(extra_context or {})}
        request.current_app = self.name
        return TemplateResponse(request, "admin/logout_confirm.html", context)
