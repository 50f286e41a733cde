from django.conf import settings


def jifang(request):
    return {"JIFANG_PRODUCTION": settings.PRODUCTION}
