from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "fjernarbeid.portal"
    label = "portal"
    verbose_name = "Coworking network portal"
    default_auto_field = "django.db.models.BigAutoField"
