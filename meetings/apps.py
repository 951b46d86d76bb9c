from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        from .search.sqlite_schema import register_functions

        register_functions(connection.connection)


def _drop_sqlite_search_triggers(sender, using, **kwargs):
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        from .search.sqlite_schema import drop_triggers

        drop_triggers(connection)


def _create_sqlite_search_index(sender, using, **kwargs):
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        from .search.sqlite_schema import create_index

        create_index(connection)


def _ensure_editors_group(sender, using, **kwargs):
    from .roles import ensure_editors_group

    ensure_editors_group(using)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meeting archive")

    def ready(self):
        from . import signals  # noqa: F401
        from .history import register_models

        register_models()

        connection_created.connect(_register_sqlite_functions)
        pre_migrate.connect(_drop_sqlite_search_triggers, sender=self)
        post_migrate.connect(_create_sqlite_search_index, sender=self)
        # After every migrate, the first one included (see ensure_editors_group).
        post_migrate.connect(_ensure_editors_group, sender=self)
