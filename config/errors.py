"""Error reports to operators (ADMINS e-mail, the debug page when DEBUG is off) without the
personal data a request or a failing import may hold: POST and GET values are hidden, local
variables show their type unless they are plain numbers, and any 16-digit number left anywhere
(an exception's message, a URL) is masked. Operators get the where and the why, never the who."""

from __future__ import annotations

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from config.logging import mask_niks

_PLAIN = (bool, int, float, type(None))


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return request.POST
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._hidden(value)) for name, value in tb_frame.f_locals.items()]

    def _hidden(self, value):
        if isinstance(value, _PLAIN) and len(str(value)) < 16:
            return value  # ids, counts, flags
        return f"<{type(value).__name__}: {self.cleansed_substitute}>"


class PersonalDataExceptionReporter(ExceptionReporter):
    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None and self.filter.is_active(self.request):
            hidden = self.filter.cleansed_substitute
            data["request_GET_items"] = [(key, hidden) for key in self.request.GET]
            data["request_insecure_uri"] = mask_niks(self.request.path)
        return data

    def get_traceback_html(self):
        return mask_niks(str(super().get_traceback_html()))

    def get_traceback_text(self):
        return mask_niks(str(super().get_traceback_text()))
