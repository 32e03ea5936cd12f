from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


# ruleid: csrf-exempt-outside-webhook-intake
@csrf_exempt
def callback(request):
    return JsonResponse({})


def other(request):
    return JsonResponse({})


# ruleid: csrf-exempt-outside-webhook-intake
other.csrf_exempt = True


# ok: csrf-exempt-outside-webhook-intake
@csrf_protect
def form_view(request):
    return JsonResponse({})
