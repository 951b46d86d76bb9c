from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _search_connection_created(sender, connection, **kwargs):
    from .search.backends import get_backend

    get_backend(connection).connection_created()


def _search_before_migrate(sender, using, **kwargs):
    from .search.backends import get_backend

    get_backend(connections[using]).before_migrate()


def _search_after_migrate(sender, using, **kwargs):
    from .search.backends import get_backend

    get_backend(connections[using]).after_migrate()


def _ensure_editors_group(sender, using, **kwargs):
    from .roles import ensure_editors_group

    ensure_editors_group(using)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meeting archive")

    def ready(self):
        from . import signals  # noqa: F401
        from .history import register_models
        from .search import signals as search_signals  # noqa: F401

        register_models()

        # The search index's own hooks (SQLite's functions and triggers); the
        # backends are imported late, once the models they read are ready.
        connection_created.connect(_search_connection_created)
        pre_migrate.connect(_search_before_migrate, sender=self)
        post_migrate.connect(_search_after_migrate, sender=self)
        # After every migrate, the first one included (see ensure_editors_group).
        post_migrate.connect(_ensure_editors_group, sender=self)
