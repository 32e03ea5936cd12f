from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "trustroom.vault"
    label = "vault"
    verbose_name = "Document vault"
