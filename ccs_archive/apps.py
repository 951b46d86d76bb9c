from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    default_site = "ccs_archive.admin.ArchiveAdminSite"
