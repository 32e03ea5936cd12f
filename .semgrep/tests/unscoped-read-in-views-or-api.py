from django.db import connection, connections

from trustroom.vault.models import Document


def unscoped(request, org):
    # ruleid: unscoped-read-in-views-or-api
    Document._base_manager.filter(pk=1)
    # ruleid: unscoped-read-in-views-or-api
    Document.objects.using("default").all()
    # ruleid: unscoped-read-in-views-or-api
    Document.objects.raw("SELECT * FROM vault_document")
    # ruleid: unscoped-read-in-views-or-api
    Document.objects.filter(title="x").extra(where=["1=1"])
    # ruleid: unscoped-read-in-views-or-api
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    # ruleid: unscoped-read-in-views-or-api
    connections["default"].cursor()


def scoped(request, org):
    # ok: unscoped-read-in-views-or-api
    Document.objects.filter(pk=1)
    # ok: unscoped-read-in-views-or-api
    Document.objects.select_related("organization").order_by("-created_at")
