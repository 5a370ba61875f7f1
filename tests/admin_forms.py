"""Post an admin change form back as a browser would, from the page that showed it."""

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper


def change_form_data(response, **changes):
    """The fields of the admin form in `response`, as a browser would submit them
    unchanged, then `changes` applied. Extra (blank) inline rows are left out."""
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        data[management["TOTAL_FORMS"].html_name] = formset.initial_form_count()
        for form in formset.initial_forms:
            _form_data(form, data)
    data.update(changes)
    return data


def _form_data(form, data):
    for name, field in form.fields.items():
        bound = form[name]
        _widget_data(field.widget, bound.html_name, bound.value(), data)


def _widget_data(widget, name, value, data):
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        for suffix, sub, sub_value in zip(
            widget.widgets_names, widget.widgets, values, strict=True
        ):
            _widget_data(sub, name + suffix, sub_value, data)
        return
    if isinstance(widget, forms.FileInput):
        return
    if isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            data[name] = "on"
        return
    if value is None:
        return
    if isinstance(widget, forms.SelectMultiple):
        data[name] = [str(v) for v in value]
    elif isinstance(widget, forms.Select):
        data[name] = str(value)
    else:
        formatted = widget.format_value(value)
        data[name] = "" if formatted is None else formatted
