from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The current query string with its page replaced, e.g. "?tag=iraq&page=2"."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
