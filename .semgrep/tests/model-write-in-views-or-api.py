from trustroom.vault import services
from trustroom.vault.models import Document


def writes(request, form, document):
    # ruleid: model-write-in-views-or-api
    Document.objects.create(title="x")
    # ruleid: model-write-in-views-or-api
    Document.objects.filter(pk=1).update(title="y")
    # ruleid: model-write-in-views-or-api
    Document.objects.filter(pk=1).exclude(title="").delete()
    # ruleid: model-write-in-views-or-api
    Document.objects.get_or_create(title="z")
    # ruleid: model-write-in-views-or-api
    document.save(update_fields=["title"])
    # ruleid: model-write-in-views-or-api
    form.save()
    # ruleid: model-write-in-views-or-api
    document.delete()


def through_services(request, form, document):
    # ok: model-write-in-views-or-api
    draft = form.save(commit=False)
    # ok: model-write-in-views-or-api
    services.rename_document(actor=request.user, document=document, title=draft.title)
    # ok: model-write-in-views-or-api
    request.session.save()


class PlanCreate:
    def post(self, request, form):
        # ok: model-write-in-views-or-api
        return self.save(form, lambda data: services.create_plan(actor=request.user, **data))


def unrelated_updates(request):
    # ok: model-write-in-views-or-api
    context = {}
    context.update(title="x")
