from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "fjernarbeid.portal"
    label = "portal"
    verbose_name = "Coworking network portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fjernarbeid.portal.pagecache import connect_signals

        connect_signals()
