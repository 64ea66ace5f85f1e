from django.http import Http404


def agreement_list(request, *args, **kwargs):
    raise Http404


def agreement_create(request, *args, **kwargs):
    raise Http404


def agreement_detail(request, *args, **kwargs):
    raise Http404


def agreement_update(request, *args, **kwargs):
    raise Http404


def agreement_status(request, *args, **kwargs):
    raise Http404


def agreement_derive(request, *args, **kwargs):
    raise Http404


def party_add(request, *args, **kwargs):
    raise Http404


def party_update(request, *args, **kwargs):
    raise Http404


def party_remove(request, *args, **kwargs):
    raise Http404


def signatory_add(request, *args, **kwargs):
    raise Http404


def signatory_remove(request, *args, **kwargs):
    raise Http404


def target_add(request, *args, **kwargs):
    raise Http404


def target_update(request, *args, **kwargs):
    raise Http404


def target_remove(request, *args, **kwargs):
    raise Http404


def follow_up_add(request, *args, **kwargs):
    raise Http404


def follow_up_update(request, *args, **kwargs):
    raise Http404


def event_add(request, *args, **kwargs):
    raise Http404


def attachment_add(request, *args, **kwargs):
    raise Http404


def attachment_download(request, *args, **kwargs):
    raise Http404

