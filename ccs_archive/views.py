"""Site-wide error handlers (see ``handler500`` in ``ccs_archive.urls``)."""

from django.utils.translation import gettext_lazy as _
from django.views import defaults

from meetings.open_data.api import error_response, with_cors


def server_error(request):
    """The 500 page: JSON for the API, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return with_cors(error_response(500, "server_error", _("Something went wrong on our side.")))
    return defaults.server_error(request)
